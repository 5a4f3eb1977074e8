// The float ONNX models of ../shared/onnx (dscnn_kws, mobilenet_v2_035,
// ad_autoencoder): `ember eval` on the host (reference evaluators), the code
// `ember compile --target host` generates run by `ember run`, and the code
// `ember compile --target cortex-m4` generates, run on the emulated
// Cortex-M4 (QEMU mps2-an386), must all be within 1e-4 of ONNX Runtime's
// output relative to the largest output magnitude. The inputs are NCHW .npy
// files: the imported graph keeps ONNX's layout at its inputs. Skipped when
// ../shared, QEMU or arm-none-eabi-gcc is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "e2e/qemu_util.h"
#include "support/npy.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

using qemu::Quote;

constexpr double kRelTolerance = 1e-4;

std::vector<float> Floats(const std::vector<uint8_t>& bytes) {
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

std::vector<uint8_t> NpyData(const std::string& path) {
  auto a = ParseNpy(ReadFile(path), path);
  EXPECT_TRUE(a.ok()) << path;
  return a.ok() ? a->data : std::vector<uint8_t>{};
}

// NCHW float32 bytes of `shape` as NHWC.
std::vector<uint8_t> NchwToNhwc(const std::vector<uint8_t>& in, const std::vector<int64_t>& shape) {
  const int64_t n = shape[0], c = shape[1], h = shape[2], w = shape[3];
  std::vector<uint8_t> out(in.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          std::memcpy(&out[static_cast<size_t>((((b * h + y) * w + x) * c + ch) * 4)],
                      &in[static_cast<size_t>((((b * c + ch) * h + y) * w + x) * 4)], 4);
  return out;
}

// max |y - ref| / max |ref|; infinity when the sizes differ.
double RelError(const std::vector<float>& y, const std::vector<float>& ref) {
  if (y.size() != ref.size() || ref.empty()) return INFINITY;
  double err = 0, mag = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    err = std::max(err, std::fabs(static_cast<double>(y[i]) - ref[i]));
    mag = std::max(mag, std::fabs(static_cast<double>(ref[i])));
  }
  return err / mag;
}

class OnnxModel : public testing::TestWithParam<const char*> {
 protected:
  std::string Dir() const { return SharedDir() + "/onnx/" + GetParam(); }
  std::string Model() const { return Dir() + "/" + GetParam() + ".onnx"; }
};

TEST_P(OnnxModel, HostEvalWithinToleranceOfOnnxRuntime) {
  EMBER_REQUIRE_SHARED();
  const std::string dir = TempDir();
  for (int k = 1; k <= 3; ++k) {
    const std::string in = Dir() + "/input_" + std::to_string(k) + ".npy";
    const std::string out = dir + "/out_" + std::to_string(k) + ".npy";
    const CliResult r = RunCli({"eval", Model(), "--input", in, "--output", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const double rel = RelError(Floats(NpyData(out)), Floats(NpyData(Dir() + "/output_" + std::to_string(k) + ".npy")));
    EXPECT_LE(rel, kRelTolerance) << "vector " << k;
    std::printf("%s vector %d on the host: max relative error %.3g\n", GetParam(), k, rel);
  }
}

TEST_P(OnnxModel, CompiledOnTheHostWithinToleranceOfOnnxRuntime) {
  EMBER_REQUIRE_SHARED();
  const std::string dir = TempDir();
  const CliResult c = RunCli({"compile", Model(), "--target", "host", "-o", dir + "/model.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const CliResult r = RunCli({"run", dir + "/model.tar", "--input", Dir() + "/input_1.npy", "--output", dir + "/y.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const double rel = RelError(Floats(NpyData(dir + "/y.npy")), Floats(NpyData(Dir() + "/output_1.npy")));
  EXPECT_LE(rel, kRelTolerance);
  std::printf("%s compiled for the host (ember run): max relative error %.3g\n", GetParam(), rel);
}

TEST_P(OnnxModel, CortexM4WithinToleranceOfOnnxRuntime) {
  EMBER_REQUIRE_QEMU_TOOLS();
  EMBER_REQUIRE_SHARED();
  const std::string model = GetParam();
  const std::string dir = TempDir();
  const CliResult c = RunCli({"compile", Model(), "--target", "cortex-m4", "--module-name", model, "-o", dir + "/mlf"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  // The compiled input's layout: NHWC when the IR marks it as NCHW in the source.
  const CliResult ir = RunCli({"inspect", Model()});
  ASSERT_EQ(ir.exit_code, 0) << ir.err;
  const bool nhwc = ir.out.find("layout(\"NCHW\")") != std::string::npos;
  const std::string input_npy = Dir() + "/input_1.npy";
  auto in = ParseNpy(ReadFile(input_npy), input_npy);
  ASSERT_TRUE(in.ok());
  const std::string input_bin = dir + "/input_1.bin";
  WriteFile(input_bin, nhwc ? NchwToNhwc(in->data, in->shape) : in->data);
  const std::string elf = dir + "/" + model + ".elf";
  const qemu::Command b = qemu::Build(Quote(dir + "/mlf") + " " + Quote(input_bin) + " mps2-an386 " + Quote(elf));
  ASSERT_EQ(b.exit_code, 0) << b.output;
  const qemu::Command r = qemu::Emulate(elf, "mps2-an386", 300);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const qemu::HarnessResult h = qemu::ParseHarness(r.output);
  EXPECT_TRUE(h.ok) << r.output;
  ASSERT_EQ(h.outputs.size(), 1u) << r.output;
  const double rel = RelError(Floats(h.outputs[0]), Floats(NpyData(Dir() + "/output_1.npy")));
  EXPECT_LE(rel, kRelTolerance);
  std::printf("%s on cortex-m4 (mps2-an386): max relative error %.3g, %llu instructions\n", model.c_str(), rel,
              static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]));
}

INSTANTIATE_TEST_SUITE_P(SharedOnnx, OnnxModel, testing::Values("dscnn_kws", "mobilenet_v2_035", "ad_autoencoder"),
                         [](const testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

}  // namespace
}  // namespace ember::test
