// A 3-D CNN over a short clip [N, C, D, H, W] exported the way PyTorch writes
// Conv3d / BatchNorm3d / MaxPool3d / AvgPool3d / AdaptiveAvgPool3d(1) (Conv
// -> BatchNormalization -> Relu -> MaxPool -> depthwise Conv -> Relu -> Conv
// -> AveragePool -> GlobalAveragePool -> Flatten -> Gemm), built here with
// the ONNX protobuf API (the importer's 3-D operators are checked against
// direct loops in tests/unit/frontend/onnx_import_3d_test.cc):
//   - `ember eval` against ONNX Runtime when node and onnxruntime-node are
//     present (skipped with a message otherwise);
//   - the C that `ember compile --target host` generates, run by `ember run`,
//     against `ember eval`;
//   - `ember quantize` of the model: every convolution an int8 conv2d, and
//     the generated C equal to `ember eval` of the quantized model byte for
//     byte;
//   - both models on the emulated Cortex-M4 (skipped without QEMU and
//     arm-none-eabi-gcc): int8 equal to ember eval byte for byte;
//   - a Conv3d -> ConvTranspose3d model: ONNX Runtime, the host C, and its
//     int8 form (an int8 transpose_conv) byte for byte.
#include <gtest/gtest.h>

#include <cmath>
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

constexpr int64_t kC = 2, kD = 6, kH = 10, kW = 10, kC1 = 8, kC3 = 6, kUnits = 4;

std::vector<uint8_t> Model() {
  OnnxBuilder b;
  b.Input("x", {1, kC, kD, kH, kW});
  b.Init("w1", {kC1, kC, 3, 3, 3}, Seeded(kC1 * kC * 27, 1, 0.4f));
  b.Init("b1", {kC1}, Seeded(kC1, 2, 0.2f));
  std::vector<float> bn_s = Seeded(kC1, 3, 0.3f), bn_v = Seeded(kC1, 6, 0.2f);
  for (float& s : bn_s) s += 1.0f;
  for (float& v : bn_v) v = std::fabs(v) + 0.5f;
  b.Init("bn_s", {kC1}, bn_s);
  b.Init("bn_b", {kC1}, Seeded(kC1, 4, 0.2f));
  b.Init("bn_m", {kC1}, Seeded(kC1, 5, 0.1f));
  b.Init("bn_v", {kC1}, bn_v);
  b.Init("wd", {kC1, 1, 3, 3, 3}, Seeded(kC1 * 27, 7, 0.5f));
  b.Init("bd", {kC1}, Seeded(kC1, 8, 0.1f));
  b.Init("w3", {kC3, kC1, 1, 3, 3}, Seeded(kC3 * kC1 * 9, 9, 0.4f));
  b.Init("b3", {kC3}, Seeded(kC3, 10, 0.1f));
  b.Init("wf", {kUnits, kC3}, Seeded(kUnits * kC3, 11, 0.6f));
  b.Init("bf", {kUnits}, Seeded(kUnits, 12, 0.1f));
  b.Node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv1").Ints("pads", {1, 1, 1, 1, 1, 1}).Ints("kernel_shape", {3, 3, 3});
  b.Node("BatchNormalization", {"c1", "bn_s", "bn_b", "bn_m", "bn_v"}, {"bn"}, "bn1");
  b.Node("Relu", {"bn"}, {"r1"}, "relu1");
  b.Node("MaxPool", {"r1"}, {"mp"}, "pool").Ints("kernel_shape", {2, 2, 2}).Ints("strides", {2, 2, 2});
  b.Node("Conv", {"mp", "wd", "bd"}, {"dw"}, "dwconv")
      .Int("group", kC1)
      .Ints("pads", {1, 1, 1, 1, 1, 1})
      .Ints("kernel_shape", {3, 3, 3});
  b.Node("Relu", {"dw"}, {"r2"}, "relu2");
  b.Node("Conv", {"r2", "w3", "b3"}, {"c3"}, "conv3")
      .Ints("strides", {1, 2, 2})
      .Ints("pads", {0, 1, 1, 0, 1, 1})
      .Ints("kernel_shape", {1, 3, 3});
  b.Node("AveragePool", {"c3"}, {"ap"}, "avgpool").Ints("kernel_shape", {3, 1, 1}).Ints("pads", {1, 0, 0, 1, 0, 0});
  b.Node("GlobalAveragePool", {"ap"}, {"gap"}, "gap");
  b.Node("Flatten", {"gap"}, {"flat"}, "flatten");
  b.Node("Gemm", {"flat", "wf", "bf"}, {"y"}, "fc").Int("transB", 1);
  b.Output("y");
  return b.Bytes();
}

class OnnxConv3dModel : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    model_ = dir_ + "/cnn3d.onnx";
    WriteFile(model_, Model());
    x_ = Seeded(kC * kD * kH * kW, 99, 1.0f);
    WriteFloatNpy(dir_ + "/x.npy", {1, kC, kD, kH, kW}, x_);
  }
  // `ember eval` of `model` on x.npy into <tag>.npy, and the C that
  // `ember compile --target host` generates, run by `ember run`, into <tag>_run.npy.
  void EvalAndRun(const std::string& model, const std::string& tag) { EvalAndRunOnHost(model, dir_, tag); }
  // `ember quantize --per-channel` on 8 random clips.
  void Quantize(const std::string& out) {
    QuantizePerChannel(model_, dir_, {8, kC, kD, kH, kW}, Seeded(8 * kC * kD * kH * kW, 7, 1.0f), out);
  }
  std::string dir_, model_;
  std::vector<float> x_;
};

TEST_F(OnnxConv3dModel, EvalMatchesOnnxRuntime) {
  if (const std::string why = OrtMissing(); !why.empty()) GTEST_SKIP() << "ONNX Runtime check skipped: " << why;
  const CliResult e = RunCli({"eval", model_, "--input", dir_ + "/x.npy", "--output", dir_ + "/y.npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const NpyArray y = ReadNpy(dir_ + "/y.npy");
  EXPECT_EQ(y.shape, (std::vector<int64_t>{1, kUnits}));
  const std::vector<float> want = RunOrt(model_, FloatBytes(x_), "1x2x6x10x10", dir_);
  ASSERT_FALSE(want.empty());
  const double rel = RelError(BytesToFloats(y.data), want);
  EXPECT_LE(rel, 1e-5);
  std::printf("3-D CNN, ember eval vs ONNX Runtime: max relative error %.3g\n", rel);
}

TEST_F(OnnxConv3dModel, CompiledForTheHostMatchesEval) {
  const CliResult f = RunCli({"inspect", model_});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(LinesWith(f.out, "conv2d").size(), 3u) << f.out;  // the depthwise one a grouped conv2d
  std::printf("3-D CNN compiled: %zu transposes, %zu strided slices, %zu concatenations\n",
              LinesWith(f.out, "transpose").size(), LinesWith(f.out, "strided_slice").size(),
              LinesWith(f.out, "concatenation").size());
  ASSERT_NO_FATAL_FAILURE(EvalAndRun(model_, "y"));
  const double rel = RelError(BytesToFloats(ReadNpy(dir_ + "/y_run.npy").data), BytesToFloats(ReadNpy(dir_ + "/y.npy").data));
  EXPECT_LE(rel, 1e-5);
  std::printf("3-D CNN compiled for the host (ember run) vs ember eval: max relative error %.3g\n", rel);
}

TEST_F(OnnxConv3dModel, QuantizedConvolutionsAreInt8AndTheCompiledCEqualsEval) {
  const std::string q = dir_ + "/cnn3d_int8.onnx";
  ASSERT_NO_FATAL_FAILURE(Quantize(q));
  const CliResult qi = RunCli({"inspect", q});
  ASSERT_EQ(qi.exit_code, 0) << qi.err;
  const std::vector<std::string> convs = LinesWith(qi.out, "conv2d");
  EXPECT_EQ(convs.size(), 3u) << qi.out;
  for (const std::string& line : convs) EXPECT_NE(line.find(": i8["), std::string::npos) << line;
  // The depth taps are stacked in int8: one quantize (the input's), and the
  // only float operator left is the AveragePool, whose output ember quantize
  // calibrates separately (TFLite's int8 average pool keeps its input's
  // quantization).
  EXPECT_EQ(LinesWith(qi.out, "quantize").size(), 2u) << qi.out;
  EXPECT_EQ(LinesWith(qi.out, "dequantize").size(), 2u) << qi.out;
  for (const char* op : {"concatenation", "max_pool2d", "mean", "fully_connected"})
    for (const std::string& line : LinesWith(qi.out, op)) EXPECT_NE(line.find(": i8["), std::string::npos) << line;
  ASSERT_NO_FATAL_FAILURE(EvalAndRun(q, "yq"));
  EXPECT_EQ(ReadNpy(dir_ + "/yq_run.npy").data, ReadNpy(dir_ + "/yq.npy").data);
  const CliResult e = RunCli({"eval", model_, "--input", dir_ + "/x.npy", "--output", dir_ + "/y.npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const double rel =
      RelError(BytesToFloats(ReadNpy(dir_ + "/yq.npy").data), BytesToFloats(ReadNpy(dir_ + "/y.npy").data));
  EXPECT_LE(rel, 0.1);
  std::printf("3-D CNN int8 (ember quantize --per-channel): relative error vs float %.3g\n", rel);
}

TEST_F(OnnxConv3dModel, FloatAndInt8OnTheEmulatedCortexM4) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string q = dir_ + "/cnn3d_int8.onnx";
  ASSERT_NO_FATAL_FAILURE(Quantize(q));
  // The compiled input is NDHWC float32 in both models.
  std::vector<float> x_ndhwc(x_.size());
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t p = 0; p < kD * kH * kW; ++p)
      x_ndhwc[static_cast<size_t>(p * kC + c)] = x_[static_cast<size_t>(c * kD * kH * kW + p)];
  for (const auto& [model, tag] : {std::pair<std::string, std::string>{model_, "f"}, {q, "q"}}) {
    const CliResult e = RunCli({"eval", model, "--input", dir_ + "/x.npy", "--output", dir_ + "/" + tag + ".npy"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const CliResult i = RunCli({"inspect", model});
    ASSERT_EQ(i.exit_code, 0) << i.err;
    // The compiled input's layout decides the bytes the harness feeds.
    const bool ndhwc = i.out.find("layout(\"NCDHW\")") != std::string::npos;
    qemu::HarnessResult h;
    const std::string err = CompileAndEmulateOnCortexM4(model, "cnn3d_" + tag, FloatBytes(ndhwc ? x_ndhwc : x_), dir_, &h);
    ASSERT_EQ(err, "") << err;
    ExpectHarnessOutputEqualsEval(h, dir_ + "/" + tag + ".npy", tag == "q", std::string("3-D CNN ") + (tag == "q" ? "int8" : "float"));
  }
}

// Conv3d -> Relu -> ConvTranspose3d (a 3-D decoder step: depth stride 2,
// pads, output_padding): ONNX Runtime, the host C and the int8 model.
TEST_F(OnnxConv3dModel, TransposedConvolutionAgreesWithOnnxRuntimeAndRunsInt8) {
  OnnxBuilder b;
  b.Input("x", {1, kC, kD, kH, kW});
  b.Init("w1", {4, kC, 3, 3, 3}, Seeded(4 * kC * 27, 21, 0.4f));
  b.Init("b1", {4}, Seeded(4, 22, 0.2f));
  b.Init("wt", {4, 2, 3, 2, 2}, Seeded(4 * 2 * 12, 23, 0.5f));
  b.Init("bt", {2}, Seeded(2, 24, 0.1f));
  b.Node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv").Ints("pads", {1, 1, 1, 1, 1, 1}).Ints("strides", {2, 2, 2});
  b.Node("Relu", {"c1"}, {"r1"}, "relu");
  b.Node("ConvTranspose", {"r1", "wt", "bt"}, {"y"}, "deconv")
      .Ints("strides", {2, 2, 2})
      .Ints("pads", {1, 0, 0, 1, 0, 0})
      .Ints("output_padding", {1, 0, 0});
  b.Output("y");
  const std::string model = dir_ + "/deconv3d.onnx";
  WriteFile(model, b.Bytes());
  ASSERT_NO_FATAL_FAILURE(EvalAndRun(model, "t"));
  const NpyArray y = ReadNpy(dir_ + "/t.npy");
  // Conv: [1, 4, 3, 5, 5]; ConvTranspose: D (3 − 1)·2 + 1 + 3 − 2 = 6, H and W (5 − 1)·2 + 2 = 10.
  EXPECT_EQ(y.shape, (std::vector<int64_t>{1, 2, 6, 10, 10}));
  EXPECT_LE(RelError(BytesToFloats(ReadNpy(dir_ + "/t_run.npy").data), BytesToFloats(y.data)), 1e-5);
  if (const std::string why = OrtMissing(); why.empty()) {
    const std::vector<float> want = RunOrt(model, FloatBytes(x_), "1x2x6x10x10", dir_);
    ASSERT_FALSE(want.empty());
    const double rel = RelError(BytesToFloats(y.data), want);
    EXPECT_LE(rel, 1e-5);
    std::printf("3-D transposed convolution, ember eval vs ONNX Runtime: max relative error %.3g\n", rel);
  } else {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
  }
  const std::string q = dir_ + "/deconv3d_int8.onnx";
  ASSERT_NO_FATAL_FAILURE(
      QuantizePerChannel(model, dir_, {8, kC, kD, kH, kW}, Seeded(8 * kC * kD * kH * kW, 7, 1.0f), q));
  const CliResult qi = RunCli({"inspect", q});
  ASSERT_EQ(qi.exit_code, 0) << qi.err;
  ASSERT_EQ(LinesWith(qi.out, "transpose_conv").size(), 1u) << qi.out;
  EXPECT_NE(LinesWith(qi.out, "transpose_conv")[0].find(": i8["), std::string::npos) << qi.out;
  ASSERT_NO_FATAL_FAILURE(EvalAndRun(q, "tq"));
  EXPECT_EQ(ReadNpy(dir_ + "/tq_run.npy").data, ReadNpy(dir_ + "/tq.npy").data);
  const double rel = RelError(BytesToFloats(ReadNpy(dir_ + "/tq.npy").data), BytesToFloats(y.data));
  EXPECT_LE(rel, 0.1);
  std::printf("3-D transposed convolution int8 (ember quantize --per-channel): relative error vs float %.3g\n", rel);
}

}  // namespace
}  // namespace ember::test
