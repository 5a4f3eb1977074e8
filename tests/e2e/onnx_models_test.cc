// The float ONNX models of ../shared/onnx (dscnn_kws, mobilenet_v2_035,
// ad_autoencoder): `ember eval` on the host (reference evaluators), the code
// `ember compile --target host` generates run by `ember run`, and the code
// `ember compile --target cortex-m4` generates, run on the emulated
// Cortex-M4 (QEMU mps2-an386), must all be within 1e-4 of ONNX Runtime's
// output relative to the largest output magnitude, and the two builds must
// equal `ember eval` byte for byte (the float kernels keep the reference
// evaluators' order of additions). The inputs are NCHW .npy
// files: the imported graph keeps ONNX's layout at its inputs. Skipped when
// ../shared, QEMU or arm-none-eabi-gcc is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

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
  const CliResult e = RunCli({"eval", Model(), "--input", Dir() + "/input_1.npy", "--output", dir + "/eval.npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(NpyData(dir + "/y.npy"), NpyData(dir + "/eval.npy")) << "the host build differs from ember eval";
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
  // The float kernels keep the reference evaluator's order of additions: the
  // device's bytes are `ember eval`'s.
  const CliResult e = RunCli({"eval", Model(), "--input", input_npy, "--output", dir + "/eval.npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(h.outputs[0], NpyData(dir + "/eval.npy")) << "the float model on cortex-m4 differs from ember eval";
  std::printf("%s on cortex-m4 (mps2-an386): max relative error %.3g, %llu instructions\n", model.c_str(), rel,
              static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]));
}

// The QDQ models (`<name>_qdq.onnx`): compiled to int8 with ONNX Runtime's
// int8 arithmetic (the default for ONNX models, docs/frontend-onnx.md), the
// output dequantized with the output's scale must be within one output step of
// ONNX Runtime's output_k_qdq.npy on at least 99 % of the elements (the
// acceptance bound), on the host (ember eval: the reference evaluators; ember
// run: the generated C) and on the emulated Cortex-M4; the compiled outputs
// must equal ember eval's bit for bit. Measured: every element of every vector
// equal to ONNX Runtime's (0 steps), which is what the test also prints.
class OnnxQdqModel : public OnnxModel {
 protected:
  std::string Qdq() const { return Dir() + "/" + GetParam() + "_qdq.onnx"; }
  std::string Ref(int k) const { return Dir() + "/output_" + std::to_string(k) + "_qdq.npy"; }
  // The output step: the scale of the tensor the final dequantize reads.
  double OutputStep() const {
    const CliResult ir = RunCli({"inspect", Qdq()});
    EXPECT_EQ(ir.exit_code, 0) << ir.err;
    const size_t deq = ir.out.rfind("= dequantize(%");
    if (deq == std::string::npos) return 0;
    const size_t b = deq + 14, e = ir.out.find(')', b);
    const std::string src = ir.out.substr(b, e - b);
    const size_t def = ir.out.find("  %" + src + " = ");
    if (def == std::string::npos) return 0;
    const size_t q = ir.out.find(" quant(", def);
    if (q == std::string::npos || q > ir.out.find('\n', def)) return 0;
    return std::atof(ir.out.c_str() + q + 7);
  }
  // Share of elements within one step and the largest difference in steps.
  struct Steps {
    double within = 0, worst = INFINITY;
  };
  static Steps Compare(const std::vector<float>& y, const std::vector<float>& ref, double step) {
    Steps s;
    if (y.size() != ref.size() || ref.empty() || !(step > 0)) return s;
    size_t ok = 0;
    s.worst = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      const double d = std::fabs(static_cast<double>(y[i]) - ref[i]) / step;
      ok += d <= 1.0 + 1e-3;
      s.worst = std::max(s.worst, d);
    }
    s.within = static_cast<double>(ok) / static_cast<double>(y.size());
    return s;
  }
  void ExpectWithinOneStep(const std::vector<float>& y, int k, double step, const char* where) {
    const Steps s = Compare(y, Floats(NpyData(Ref(k))), step);
    EXPECT_GE(s.within, 0.99) << where << ", vector " << k;
    std::printf("%s_qdq vector %d %s: %.2f %% within 1 step, worst %.2f steps\n", GetParam(), k, where,
                100.0 * s.within, s.worst);
  }
};

TEST_P(OnnxQdqModel, HostEvalWithinOneStepOfOnnxRuntime) {
  EMBER_REQUIRE_SHARED();
  const double step = OutputStep();
  ASSERT_GT(step, 0.0);
  const std::string dir = TempDir();
  for (int k = 1; k <= 3; ++k) {
    const std::string out = dir + "/out_" + std::to_string(k) + ".npy";
    const CliResult r = RunCli({"eval", Qdq(), "--input", Dir() + "/input_" + std::to_string(k) + ".npy", "--output", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ExpectWithinOneStep(Floats(NpyData(out)), k, step, "ember eval");
  }
}

TEST_P(OnnxQdqModel, CompiledInt8OnHostCortexM4AndM55EqualsEval) {
  EMBER_REQUIRE_SHARED();
  const std::string model = GetParam();
  const double step = OutputStep();
  ASSERT_GT(step, 0.0);
  const std::string dir = TempDir();
  const CliResult ev = RunCli({"eval", Qdq(), "--input", Dir() + "/input_1.npy", "--output", dir + "/eval.npy"});
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const std::vector<float> want = Floats(NpyData(dir + "/eval.npy"));
  // Every operator between the input quantize and the output dequantize is int8.
  const CliResult ir = RunCli({"inspect", Qdq()});
  ASSERT_EQ(ir.exit_code, 0) << ir.err;
  {
    // Every operator result but the output dequantize's is integer.
    size_t float_ops = 0, begin = 0;
    while (begin < ir.out.size()) {
      size_t end = ir.out.find('\n', begin);
      if (end == std::string::npos) end = ir.out.size();
      const std::string line = ir.out.substr(begin, end - begin);
      if (line.rfind("  %", 0) == 0 && line.find(": f32[") != std::string::npos) ++float_ops;
      begin = end + 1;
    }
    EXPECT_EQ(float_ops, 1u) << "only the output dequantize may produce f32";
  }
  const CliResult c = RunCli({"compile", Qdq(), "--target", "host", "-o", dir + "/model.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const CliResult r = RunCli({"run", dir + "/model.tar", "--input", Dir() + "/input_1.npy", "--output", dir + "/y.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<float> host = Floats(NpyData(dir + "/y.npy"));
  EXPECT_EQ(host, want) << "generated C on the host differs from ember eval";
  ExpectWithinOneStep(host, 1, step, "compiled for the host");

  EMBER_REQUIRE_QEMU_TOOLS();
  const bool nhwc = ir.out.find("layout(\"NCHW\")") != std::string::npos;
  const std::string input_npy = Dir() + "/input_1.npy";
  auto in = ParseNpy(ReadFile(input_npy), input_npy);
  ASSERT_TRUE(in.ok());
  const std::string input_bin = dir + "/input_1.bin";
  WriteFile(input_bin, nhwc ? NchwToNhwc(in->data, in->shape) : in->data);
  // cortex-m4 (DSP kernels), and cortex-m55 (Helium kernels, which
  // requantize in float vector registers).
  for (const auto& [target, board] : {std::pair{"cortex-m4", "mps2-an386"}, std::pair{"cortex-m55", "mps3-an547"}}) {
    SCOPED_TRACE(target);
    const std::string mlf = dir + "/mlf_" + target;
    const CliResult cm = RunCli({"compile", Qdq(), "--target", target, "--module-name", model, "-o", mlf});
    ASSERT_EQ(cm.exit_code, 0) << cm.err;
    const std::string elf = dir + "/" + model + "_" + target + ".elf";
    const qemu::Command b = qemu::Build(Quote(mlf) + " " + Quote(input_bin) + " " + board + " " + Quote(elf));
    ASSERT_EQ(b.exit_code, 0) << b.output;
    const qemu::Command e = qemu::Emulate(elf, board, 300);
    ASSERT_EQ(e.exit_code, 0) << e.output;
    const qemu::HarnessResult h = qemu::ParseHarness(e.output);
    EXPECT_TRUE(h.ok) << e.output;
    ASSERT_EQ(h.outputs.size(), 1u) << e.output;
    const std::vector<float> dev = Floats(h.outputs[0]);
    EXPECT_EQ(dev, want) << target << " differs from ember eval";
    ExpectWithinOneStep(dev, 1, step, (std::string("on ") + target).c_str());
    std::printf("%s_qdq on %s: %llu instructions\n", model.c_str(), target,
                static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]));
  }
}

INSTANTIATE_TEST_SUITE_P(SharedOnnx, OnnxQdqModel, testing::Values("dscnn_kws", "mobilenet_v2_035", "ad_autoencoder"),
                         [](const testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

INSTANTIATE_TEST_SUITE_P(SharedOnnx, OnnxModel, testing::Values("dscnn_kws", "mobilenet_v2_035", "ad_autoencoder"),
                         [](const testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

}  // namespace
}  // namespace ember::test
