// The four MLPerf Tiny models (../shared/models) compiled for cortex-m4 and
// run on the emulated Cortex-M4 (QEMU mps2-an386): one reference vector
// each must match TFLite Micro's output byte for byte. Skipped when QEMU,
// arm-none-eabi-gcc or ../shared is absent. The instruction counts are
// printed (the benchmarks in bench/ compare them with TFLite Micro's).
#include <gtest/gtest.h>

#include <string>

#include "e2e/qemu_util.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

using qemu::Quote;

class QemuMlperf : public testing::TestWithParam<const char*> {};

TEST_P(QemuMlperf, FirstVectorBitExactOnCortexM4) {
  EMBER_REQUIRE_QEMU_TOOLS();
  EMBER_REQUIRE_SHARED();
  const std::string model = GetParam();
  const std::string dir = TempDir();
  const std::string data = SharedDir() + "/testdata/" + model;
  const CliResult c = RunCli({"compile", SharedDir() + "/models/" + model + ".tflite", "--target", "cortex-m4",
                              "--module-name", model, "-o", dir + "/mlf"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string elf = dir + "/" + model + ".elf";
  const qemu::Command b = qemu::Build(Quote(dir + "/mlf") + " " + Quote(data + "/input_1.bin") + " mps2-an386 " + Quote(elf));
  ASSERT_EQ(b.exit_code, 0) << b.output;
  const qemu::Command r = qemu::Emulate(elf, "mps2-an386", 120);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const qemu::HarnessResult h = qemu::ParseHarness(r.output);
  EXPECT_TRUE(h.ok) << r.output;
  ASSERT_EQ(h.outputs.size(), 1u) << r.output;
  EXPECT_EQ(h.outputs[0], ReadFile(data + "/output_1.bin"));
  ASSERT_EQ(h.instructions.size(), 1u) << r.output;
  EXPECT_GT(h.instructions[0], 0u);
  RecordProperty("instructions", std::to_string(h.instructions[0]));
  std::printf("%s on cortex-m4 (mps2-an386): %llu instructions per inference\n", model.c_str(),
              static_cast<unsigned long long>(h.instructions[0]));
}

INSTANTIATE_TEST_SUITE_P(Models, QemuMlperf, testing::Values("kws", "vww", "ic", "ad"),
                         [](const testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

}  // namespace
}  // namespace ember::test
