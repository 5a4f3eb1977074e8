// A log-mel front end in ONNX's own signal operators (opset 17): STFT with a
// Hann window -> power (re² + im²) -> MatMul by MelWeightMatrix -> Log, the
// features a keyword spotter reads, compiled from raw audio samples:
//   - `ember eval` against ONNX Runtime when node and onnxruntime-node are
//     present (skipped with a message otherwise);
//   - the C that `ember compile --target host` generates, run by `ember run`,
//     against `ember eval`;
//   - the same model on the emulated Cortex-M4 (skipped without QEMU and
//     arm-none-eabi-gcc).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "e2e/qemu_util.h"
#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

constexpr int64_t kSamples = 400, kFrame = 64, kStep = 32, kMels = 16;
constexpr int64_t kFrames = (kSamples - kFrame) / kStep + 1;

std::vector<uint8_t> LogMelModel() {
  OnnxBuilder b(17);
  b.Input("audio", {1, kSamples, 1});
  std::vector<float> hann;
  for (int64_t k = 0; k < kFrame; ++k)
    hann.push_back(static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(k) / kFrame)));
  b.InitInt64("step", {}, {kStep});
  b.Init("window", {kFrame}, hann);
  b.InitInt64("axes", {1}, {-1});
  b.InitInt64("mels", {}, {kMels});
  b.InitInt64("dft_length", {}, {kFrame});
  b.InitInt64("rate", {}, {16000});
  b.Init("lo", {}, {20.0f});
  b.Init("hi", {}, {7600.0f});
  b.Init("eps", {}, {1e-6f});
  b.Node("STFT", {"audio", "step", "window"}, {"spec"}, "stft");
  b.Node("Mul", {"spec", "spec"}, {"sq"}, "square");
  b.Node("ReduceSum", {"sq", "axes"}, {"power"}, "power").Int("keepdims", 0);
  b.Node("MelWeightMatrix", {"mels", "dft_length", "rate", "lo", "hi"}, {"mel_matrix"}, "mel_matrix");
  b.Node("MatMul", {"power", "mel_matrix"}, {"mel"}, "mel");
  b.Node("Add", {"mel", "eps"}, {"mel_eps"}, "floor");
  b.Node("Log", {"mel_eps"}, {"logmel"}, "log");
  b.OutputWithShape("logmel", {1, kFrames, kMels});
  return b.Bytes();
}

// A chirp with a little noise: energy moves across the mel bands.
std::vector<float> Audio() {
  std::vector<float> a;
  uint32_t s = 12345u;
  for (int64_t t = 0; t < kSamples; ++t) {
    s = s * 1664525u + 1013904223u;
    const double time = static_cast<double>(t) / 16000.0;
    const double phase = 2.0 * std::numbers::pi * (300.0 * time + 0.5 * 60000.0 * time * time);
    a.push_back(static_cast<float>(0.6 * std::sin(phase) + 0.05 * (static_cast<double>(s >> 8) / 8388608.0 - 1.0)));
  }
  return a;
}

class OnnxLogMel : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    model_ = dir_ + "/logmel.onnx";
    WriteFile(model_, LogMelModel());
    audio_ = Audio();
    WriteFloatNpy(dir_ + "/audio.npy", {1, kSamples, 1}, audio_);
    const CliResult e = RunCli({"eval", model_, "--input", dir_ + "/audio.npy", "--output", dir_ + "/y.npy"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    eval_ = ReadFloatNpy(dir_ + "/y.npy");
    ASSERT_EQ(eval_.size(), static_cast<size_t>(kFrames * kMels));
  }
  std::string dir_, model_;
  std::vector<float> audio_, eval_;
};

TEST_F(OnnxLogMel, EvalMatchesOnnxRuntime) {
  if (const std::string why = OrtMissing(); !why.empty()) GTEST_SKIP() << "ONNX Runtime check skipped: " << why;
  const std::vector<float> want = RunOrt(model_, FloatBytes(audio_), "1x400x1", dir_);
  ASSERT_EQ(want.size(), eval_.size());
  double worst = 0.0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(eval_[i]) - want[i]));
  // Log features: an absolute bound (a relative error of the mel energy).
  EXPECT_LE(worst, 1e-4);
  std::printf("log-mel front end, ember eval vs ONNX Runtime: max absolute error %.3g\n", worst);
}

TEST_F(OnnxLogMel, CompiledForTheHostAndTheCortexM4MatchEval) {
  const CliResult c = RunCli({"compile", model_, "--target", "host", "-o", dir_ + "/logmel.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const CliResult r = RunCli({"run", dir_ + "/logmel.tar", "--input", dir_ + "/audio.npy", "--output", dir_ + "/run.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<float> run = ReadFloatNpy(dir_ + "/run.npy");
  ASSERT_EQ(run.size(), eval_.size());
  for (size_t i = 0; i < run.size(); ++i) EXPECT_NEAR(run[i], eval_[i], 1e-5) << "element " << i;
  EMBER_REQUIRE_QEMU_TOOLS();
  qemu::HarnessResult h;
  const std::string err = CompileAndEmulateOnCortexM4(model_, "logmel", FloatBytes(audio_), dir_, &h);
  ASSERT_EQ(err, "") << err;
  ASSERT_EQ(h.outputs.size(), 1u);
  const std::vector<float> m4 = BytesToFloats(h.outputs[0]);
  ASSERT_EQ(m4.size(), eval_.size());
  double worst = 0.0;
  for (size_t i = 0; i < m4.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(m4[i]) - eval_[i]));
  EXPECT_LE(worst, 1e-4);
  std::printf("log-mel front end on cortex-m4 (mps2-an386): %llu instructions, max absolute error vs eval %.3g\n",
              static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]), worst);
}

}  // namespace
}  // namespace ember::test
