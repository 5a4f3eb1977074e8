// A 1-D CNN exported the way PyTorch writes Conv1d / BatchNorm1d / MaxPool1d /
// AdaptiveAvgPool1d(1) (Conv -> BatchNormalization -> Relu -> depthwise Conv
// -> Relu -> MaxPool -> Conv -> GlobalAveragePool -> Flatten -> Gemm on
// [N, C, W]), built here with the ONNX protobuf API:
//   - `ember eval` (float) against the network computed here with direct
//     1-D loops in ONNX's terms, and against ONNX Runtime when node and
//     onnxruntime-node are present (skipped with a message otherwise);
//   - no transpose in the compiled graph (`ember inspect`), the input NCW in
//     the source and NWC compiled;
//   - the C that `ember compile --target host` generates, run by `ember run`,
//     against `ember eval`;
//   - `ember quantize` of the model: int8 conv2d / depthwise_conv2d only (no
//     float convolution left), and the generated C equal to `ember eval` of
//     the quantized model byte for byte;
//   - a model ending in a 1-D operator: NWC output, written NCW;
//   - both models on the emulated Cortex-M4 (skipped without QEMU and
//     arm-none-eabi-gcc): int8 equal to ember eval byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "e2e/qemu_util.h"
#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {


constexpr int64_t kC = 3, kW = 32, kC1 = 8, kC3 = 6, kUnits = 4;

struct Params {
  std::vector<float> w1 = Seeded(kC1 * kC * 3, 1, 0.5f), b1 = Seeded(kC1, 2, 0.2f);
  std::vector<float> bn_s = Seeded(kC1, 3, 0.3f), bn_b = Seeded(kC1, 4, 0.2f), bn_m = Seeded(kC1, 5, 0.1f),
                     bn_v = Seeded(kC1, 6, 0.2f);
  std::vector<float> wd = Seeded(kC1 * 5, 7, 0.5f), bd = Seeded(kC1, 8, 0.1f);
  std::vector<float> w3 = Seeded(kC3 * kC1 * 3, 9, 0.4f), b3 = Seeded(kC3, 10, 0.1f);
  std::vector<float> wf = Seeded(kUnits * kC3, 11, 0.6f), bf = Seeded(kUnits, 12, 0.1f);
  Params() {
    for (float& s : bn_s) s += 1.0f;
    for (float& v : bn_v) v = std::fabs(v) + 0.5f;
  }
};

std::vector<uint8_t> Model(const Params& p) {
  OnnxBuilder b;
  b.Input("x", {1, kC, kW});
  b.Init("w1", {kC1, kC, 3}, p.w1);
  b.Init("b1", {kC1}, p.b1);
  b.Init("bn_s", {kC1}, p.bn_s);
  b.Init("bn_b", {kC1}, p.bn_b);
  b.Init("bn_m", {kC1}, p.bn_m);
  b.Init("bn_v", {kC1}, p.bn_v);
  b.Init("wd", {kC1, 1, 5}, p.wd);
  b.Init("bd", {kC1}, p.bd);
  b.Init("w3", {kC3, kC1, 3}, p.w3);
  b.Init("b3", {kC3}, p.b3);
  b.Init("wf", {kUnits, kC3}, p.wf);
  b.Init("bf", {kUnits}, p.bf);
  b.Node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv1").Ints("pads", {1, 1}).Ints("kernel_shape", {3});
  b.Node("BatchNormalization", {"c1", "bn_s", "bn_b", "bn_m", "bn_v"}, {"bn"}, "bn1");
  b.Node("Relu", {"bn"}, {"r1"}, "relu1");
  b.Node("Conv", {"r1", "wd", "bd"}, {"dw"}, "dwconv").Int("group", kC1).Ints("pads", {2, 2}).Ints("kernel_shape", {5});
  b.Node("Relu", {"dw"}, {"r2"}, "relu2");
  b.Node("MaxPool", {"r2"}, {"mp"}, "pool").Ints("kernel_shape", {2}).Ints("strides", {2});
  b.Node("Conv", {"mp", "w3", "b3"}, {"c3"}, "conv3").Ints("strides", {2}).Ints("pads", {1, 1}).Ints("kernel_shape", {3});
  b.Node("GlobalAveragePool", {"c3"}, {"gap"}, "gap");
  b.Node("Flatten", {"gap"}, {"flat"}, "flatten");
  b.Node("Gemm", {"flat", "wf", "bf"}, {"y"}, "fc").Int("transB", 1);
  b.Output("y");
  return b.Bytes();
}

// One ONNX Conv over [C, W] (batch 1): weights [O, C/group, K], pads [p, p].
std::vector<float> Conv1d(const std::vector<float>& x, int64_t c, int64_t w, const std::vector<float>& wt,
                          const std::vector<float>& bias, int64_t o, int64_t k, int64_t group, int64_t stride,
                          int64_t pad, int64_t* ow) {
  const int64_t cg = c / group, opg = o / group;
  *ow = (w + 2 * pad - k) / stride + 1;
  std::vector<float> y(static_cast<size_t>(o * *ow));
  for (int64_t oc = 0; oc < o; ++oc)
    for (int64_t ox = 0; ox < *ow; ++ox) {
      double acc = bias[static_cast<size_t>(oc)];
      for (int64_t ic = 0; ic < cg; ++ic)
        for (int64_t kx = 0; kx < k; ++kx) {
          const int64_t ix = ox * stride - pad + kx;
          if (ix < 0 || ix >= w) continue;
          acc += static_cast<double>(x[static_cast<size_t>(((oc / opg) * cg + ic) * w + ix)]) *
                 wt[static_cast<size_t>((oc * cg + ic) * k + kx)];
        }
      y[static_cast<size_t>(oc * *ow + ox)] = static_cast<float>(acc);
    }
  return y;
}

// The network in ONNX's terms (float64 accumulation).
std::vector<float> Reference(const Params& p, const std::vector<float>& x) {
  int64_t w1 = 0, w2 = 0, w3 = 0;
  std::vector<float> a = Conv1d(x, kC, kW, p.w1, p.b1, kC1, 3, 1, 1, 1, &w1);
  for (int64_t c = 0; c < kC1; ++c)
    for (int64_t i = 0; i < w1; ++i) {
      float& v = a[static_cast<size_t>(c * w1 + i)];
      const size_t cc = static_cast<size_t>(c);
      v = (v - p.bn_m[cc]) / std::sqrt(p.bn_v[cc] + 1e-5f) * p.bn_s[cc] + p.bn_b[cc];
      v = std::max(v, 0.0f);
    }
  a = Conv1d(a, kC1, w1, p.wd, p.bd, kC1, 5, kC1, 1, 2, &w2);
  for (float& v : a) v = std::max(v, 0.0f);
  std::vector<float> m(static_cast<size_t>(kC1 * (w2 / 2)));
  for (int64_t c = 0; c < kC1; ++c)
    for (int64_t i = 0; i < w2 / 2; ++i)
      m[static_cast<size_t>(c * (w2 / 2) + i)] =
          std::max(a[static_cast<size_t>(c * w2 + 2 * i)], a[static_cast<size_t>(c * w2 + 2 * i + 1)]);
  a = Conv1d(m, kC1, w2 / 2, p.w3, p.b3, kC3, 3, 1, 2, 1, &w3);
  std::vector<float> gap(kC3);
  for (int64_t c = 0; c < kC3; ++c) {
    double s = 0;
    for (int64_t i = 0; i < w3; ++i) s += a[static_cast<size_t>(c * w3 + i)];
    gap[static_cast<size_t>(c)] = static_cast<float>(s / static_cast<double>(w3));
  }
  std::vector<float> y(kUnits);
  for (int64_t u = 0; u < kUnits; ++u) {
    double s = p.bf[static_cast<size_t>(u)];
    for (int64_t c = 0; c < kC3; ++c) s += static_cast<double>(gap[static_cast<size_t>(c)]) * p.wf[static_cast<size_t>(u * kC3 + c)];
    y[static_cast<size_t>(u)] = static_cast<float>(s);
  }
  return y;
}

class OnnxConv1dModel : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    model_ = dir_ + "/cnn1d.onnx";
    WriteFile(model_, Model(params_));
    x_ = Seeded(kC * kW, 99, 1.0f);
    WriteFloatNpy(dir_ + "/x.npy", {1, kC, kW}, x_);
  }
  // `ember eval` of `model` on x.npy into <tag>.npy, and the C that
  // `ember compile --target host` generates, run by `ember run`, into <tag>_run.npy.
  void EvalAndRun(const std::string& model, const std::string& tag) { EvalAndRunOnHost(model, dir_, tag); }
  // `ember quantize --per-channel` on 16 random samples [16, 3, 32] (batch-1 input).
  void Quantize(const std::string& out) {
    QuantizePerChannel(model_, dir_, {16, kC, kW}, Seeded(16 * kC * kW, 7, 1.0f), out);
  }
  Params params_;
  std::string dir_, model_;
  std::vector<float> x_;
};

TEST_F(OnnxConv1dModel, EvalMatchesADirectOneDimensionalComputation) {
  const CliResult r = RunCli({"eval", model_, "--input", dir_ + "/x.npy", "--output", dir_ + "/y.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const NpyArray y = ReadNpy(dir_ + "/y.npy");
  EXPECT_EQ(y.shape, (std::vector<int64_t>{1, kUnits}));
  const double rel = RelError(BytesToFloats(y.data), Reference(params_, x_));
  EXPECT_LE(rel, 1e-5);
  std::printf("1-D CNN, ember eval vs direct loops: max relative error %.3g\n", rel);
}

TEST_F(OnnxConv1dModel, CompiledGraphHasNoTransposeAndIntegerConvolutionsAfterQuantize) {
  const CliResult f = RunCli({"inspect", model_});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(f.out.find("transpose("), std::string::npos) << f.out;
  EXPECT_NE(f.out.find("f32[1,32,3] layout(\"NCW\")"), std::string::npos) << f.out;
  EXPECT_EQ(LinesWith(f.out, "conv2d").size(), 2u) << f.out;
  EXPECT_EQ(LinesWith(f.out, "depthwise_conv2d").size(), 1u) << f.out;
  EXPECT_TRUE(LinesWith(f.out, "mul").empty()) << f.out;  // BatchNormalization folded
  EXPECT_TRUE(LinesWith(f.out, "relu").empty()) << f.out;  // fused into the convolutions
  // Only the reshape after the input ([1,32,3] -> [1,1,32,3]) and the flatten.
  EXPECT_EQ(LinesWith(f.out, "reshape").size(), 2u) << f.out;

  const std::string q = dir_ + "/cnn1d_int8.onnx";
  ASSERT_NO_FATAL_FAILURE(Quantize(q));
  const CliResult qi = RunCli({"inspect", q});
  ASSERT_EQ(qi.exit_code, 0) << qi.err;
  EXPECT_EQ(qi.out.find("transpose("), std::string::npos) << qi.out;
  const std::vector<std::string> convs = LinesWith(qi.out, "conv2d"), dws = LinesWith(qi.out, "depthwise_conv2d");
  EXPECT_EQ(convs.size(), 2u) << qi.out;
  EXPECT_EQ(dws.size(), 1u) << qi.out;
  for (const std::vector<std::string>* lines : {&convs, &dws})
    for (const std::string& line : *lines) EXPECT_NE(line.find(": i8["), std::string::npos) << line;
  // int8 from the input's quantize to the output's dequantize: the pooling,
  // the mean and the classifier too, no reshape between the operators.
  EXPECT_EQ(LinesWith(qi.out, "quantize").size(), 1u) << qi.out;
  EXPECT_EQ(LinesWith(qi.out, "dequantize").size(), 1u) << qi.out;
  EXPECT_EQ(LinesWith(qi.out, "reshape").size(), 2u) << qi.out;
  for (const char* op : {"max_pool2d", "mean", "fully_connected"}) {
    ASSERT_EQ(LinesWith(qi.out, op).size(), 1u) << op << "\n" << qi.out;
    EXPECT_NE(LinesWith(qi.out, op)[0].find(": i8["), std::string::npos) << LinesWith(qi.out, op)[0];
  }

  // The quantized model runs: ember eval, and the generated C equal to it.
  ASSERT_NO_FATAL_FAILURE(EvalAndRun(q, "yq"));
  EXPECT_EQ(ReadNpy(dir_ + "/yq_run.npy").data, ReadNpy(dir_ + "/yq.npy").data);
  const double rel = RelError(BytesToFloats(ReadNpy(dir_ + "/yq.npy").data), Reference(params_, x_));
  EXPECT_LE(rel, 0.1);
  std::printf("1-D CNN int8 (ember quantize --per-channel): relative error vs float %.3g\n", rel);
}

TEST_F(OnnxConv1dModel, CompiledForTheHostMatchesEval) {
  ASSERT_NO_FATAL_FAILURE(EvalAndRun(model_, "y"));
  const double rel = RelError(BytesToFloats(ReadNpy(dir_ + "/y_run.npy").data), BytesToFloats(ReadNpy(dir_ + "/y.npy").data));
  EXPECT_LE(rel, 1e-5);
  std::printf("1-D CNN compiled for the host (ember run) vs ember eval: max relative error %.3g\n", rel);
}

TEST_F(OnnxConv1dModel, NcwOutputOfAOneDimensionalOperatorIsWrittenNcw) {
  // A model that ends in a 1-D convolution: compiled NWC output
  // (layout("NCW")), written by ember eval and ember run as [1, O, W].
  OnnxBuilder b;
  b.Input("x", {1, kC, kW});
  b.Init("w1", {kC1, kC, 3}, params_.w1);
  b.Init("b1", {kC1}, params_.b1);
  b.Node("Conv", {"x", "w1", "b1"}, {"y"}, "conv1").Ints("pads", {1, 1}).Ints("kernel_shape", {3});
  b.Output("y");
  const std::string model = dir_ + "/conv1d.onnx";
  WriteFile(model, b.Bytes());
  const CliResult i = RunCli({"inspect", model});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_NE(i.out.find("output %y"), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("f32[1,32,8] layout(\"NCW\")"), std::string::npos) << i.out;
  EXPECT_EQ(i.out.find("transpose("), std::string::npos) << i.out;
  ASSERT_NO_FATAL_FAILURE(EvalAndRun(model, "c"));
  int64_t ow = 0;
  const std::vector<float> ref = Conv1d(x_, kC, kW, params_.w1, params_.b1, kC1, 3, 1, 1, 1, &ow);
  for (const char* f : {"/c.npy", "/c_run.npy"}) {
    const NpyArray y = ReadNpy(dir_ + f);
    EXPECT_EQ(y.shape, (std::vector<int64_t>{1, kC1, ow})) << f;
    EXPECT_LE(RelError(BytesToFloats(y.data), ref), 1e-5) << f;
  }
}

TEST_F(OnnxConv1dModel, FloatAndInt8OnTheEmulatedCortexM4) {
  // The DSP kernels of cortex-m4 on 1xK filters over [1,1,W,C]: the int8
  // output equals ember eval's byte for byte, the float one within 1e-5.
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string q = dir_ + "/cnn1d_int8.onnx";
  ASSERT_NO_FATAL_FAILURE(Quantize(q));
  // The compiled input is NWC float32 in both models.
  std::vector<float> x_nwc(x_.size());
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t w = 0; w < kW; ++w) x_nwc[static_cast<size_t>(w * kC + c)] = x_[static_cast<size_t>(c * kW + w)];
  for (const auto& [model, tag] : {std::pair<std::string, std::string>{model_, "f"}, {q, "q"}}) {
    const CliResult e = RunCli({"eval", model, "--input", dir_ + "/x.npy", "--output", dir_ + "/" + tag + ".npy"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    qemu::HarnessResult h;
    const std::string err = CompileAndEmulateOnCortexM4(model, "cnn1d_" + tag, FloatBytes(x_nwc), dir_, &h);
    ASSERT_EQ(err, "") << err;
    ExpectHarnessOutputEqualsEval(h, dir_ + "/" + tag + ".npy", tag == "q", std::string("1-D CNN ") + (tag == "q" ? "int8" : "float"));
  }
}

TEST_F(OnnxConv1dModel, EvalMatchesOnnxRuntime) {
  if (const std::string why = OrtMissing(); !why.empty()) GTEST_SKIP() << "ONNX Runtime check skipped: " << why;
  const CliResult e = RunCli({"eval", model_, "--input", dir_ + "/x.npy", "--output", dir_ + "/y.npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const std::vector<float> want = RunOrt(model_, FloatBytes(x_), "1x3x32", dir_);
  ASSERT_FALSE(want.empty());
  const double rel = RelError(BytesToFloats(ReadNpy(dir_ + "/y.npy").data), want);
  EXPECT_LE(rel, 1e-5);
  std::printf("1-D CNN, ember eval vs ONNX Runtime: max relative error %.3g\n", rel);
}

}  // namespace
}  // namespace ember::test
