// The stack bound of `ember analyze --target` (package/stack_usage.h)
// against the stack the MLPerf Tiny models use on the emulated boards: each
// case exercises one way the code takes stack the compiler's own figures
// miss or lack. Skipped without ../shared or the QEMU tools.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

using qemu::Quote;

struct Case {
  const char* model;  // under ../shared: models/<model>.tflite, or an ONNX float model onnx/<model>/<model>.onnx
  const char* target;
  const char* board;
  const char* why;  // what the case exercises
  const char* optimize = "speed";
};

const Case kCases[] = {
    {"ad", "cortex-m4", "mps2-an386", "a naked assembly function (the SMLAD dot product) that gcc calls 0 bytes"},
    {"kws", "cortex-m55", "mps3-an547", "Helium kernels"},
    {"ic", "cortex-m55", "mps3-an547", "inline assembly that pushes registers inside a kernel inlined into main"},
    {"ic", "cortex-m4", "mps2-an386", "the ring's row functions, one folded into another by gcc"},
    {"vww", "cortex-m3", "mps2-an385", "memcpy and memset from newlib"},
    {"dscnn_kws", "cortex-m3", "mps2-an385", "a float model: libgcc's soft-float routines and their tail calls"},
    {"ic", "cortex-m4", "mps2-an386", "--optimize size: no ring, no add tables, one group per pass", "size"},
    {"kws", "cortex-m55", "mps3-an547", "--optimize size: Helium blocks of one pixel", "size"},
};

bool IsOnnx(const Case& c) { return std::string(c.model).find('_') != std::string::npos; }

class QemuStack : public testing::TestWithParam<Case> {};

TEST_P(QemuStack, MeasuredStackWithinTheBound) {
  EMBER_REQUIRE_SHARED();
  EMBER_REQUIRE_QEMU_TOOLS();
  const Case& c = GetParam();
  const std::string model = IsOnnx(c) ? SharedDir() + "/onnx/" + c.model + "/" + c.model + ".onnx"
                                       : SharedDir() + "/models/" + c.model + ".tflite";
  const std::string dir = TempDir();
  const CliResult compiled =
      RunCli({"compile", model, "--target", c.target, "--optimize", c.optimize, "-o", dir + "/mlf"});
  ASSERT_EQ(compiled.exit_code, 0) << compiled.err;
  const CliResult a =
      RunCli({"analyze", model, "--format", "json", "--target", c.target, "--optimize", c.optimize});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const nlohmann::json t = nlohmann::json::parse(a.out)["targets"][0];
  ASSERT_TRUE(t["stack_bytes"].is_number()) << t.dump();
  const int64_t bound = t["stack_bytes"].get<int64_t>();
  std::string input = SharedDir() + "/testdata/" + c.model + "/input_1.bin";
  if (IsOnnx(c)) {
    // Floats in [-1, 1), as many as the input holds.
    input = dir + "/in.bin";
    const int64_t bytes = nlohmann::json::parse(a.out)["input_bytes"].get<int64_t>();
    XorShift32 rng(7);
    std::vector<uint8_t> data(static_cast<size_t>(bytes));
    for (size_t i = 0; i + 4 <= data.size(); i += 4) {
      const float v = static_cast<float>(rng.Next() % 2000) / 1000.0f - 1.0f;
      std::memcpy(&data[i], &v, 4);
    }
    WriteFile(input, data);
  }
  qemu::HarnessResult h;
  const std::string err = qemu::BuildAndEmulate(dir + "/mlf", input, dir + "/fw.elf", c.board, 300, &h);
  ASSERT_EQ(err, "") << err;
  ASSERT_GT(h.stack, 0);
  if (!IsOnnx(c)) {  // bit-exact with the reference, whatever --optimize chose
    ASSERT_EQ(h.outputs.size(), 1u);
    EXPECT_EQ(h.outputs[0], ReadFile(SharedDir() + "/testdata/" + c.model + "/output_1.bin"));
  }
  EXPECT_LE(h.stack, bound) << c.why << ": " << t["stack"].dump();
  EXPECT_GE(h.stack + 32, bound) << c.why << ": " << t["stack"].dump();
}

INSTANTIATE_TEST_SUITE_P(MlperfTiny, QemuStack, testing::ValuesIn(kCases), [](const auto& info) {
  return std::string(info.param.model) + "_" + std::string(info.param.board).substr(5) + "_" + info.param.optimize;
});

}  // namespace
}  // namespace ember::test
