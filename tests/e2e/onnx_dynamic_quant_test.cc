// Models in the form ONNX Runtime's dynamic quantization (quantize_dynamic)
// writes: DynamicQuantizeLinear quantizes each activation at run time to
// uint8 with its own scale and zero point, MatMulInteger / ConvInteger
// multiply it with int8 / uint8 weights, a Cast to float and a Mul by
// x_scale * w_scale dequantize the int32 sums:
//   - a two-layer MLP (MatMulInteger, int8 weights) and a convolution
//     (ConvInteger, uint8 weights with zero point 131), `ember eval` against
//     ONNX Runtime when node and onnxruntime-node are present (skipped with a
//     message otherwise);
//   - DynamicQuantizeLinear written out as its function body (QuantizeLinear
//     and DequantizeLinear with a run-time scale and uint8 zero point), then
//     a float MatMul, against ONNX Runtime;
//   - the C that `ember compile --target host` generates, run by `ember run`,
//     against `ember eval`, and the MLP compiled for the Cortex-M4 and run on
//     its emulated board.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

// 7-bit weights in [-63, 63], as quantize_dynamic writes them with
// reduce_range, which ONNX Runtime recommends on x86-64 without VNNI: there
// its uint8 x int8 kernels add pairs of products in int16 with saturation
// (255 * 127 * 2 > 32767), so full-range weights can give it other sums
// than the exact ones ONNX defines and ember computes (measured with ONNX
// Runtime 1.31.1 on an AVX2 machine: one of ten outputs 12 % off).
std::vector<int32_t> Int8Weights(size_t n, uint32_t seed) {
  std::vector<int32_t> w;
  for (float v : Seeded(n, seed, 63.0f)) w.push_back(static_cast<int32_t>(v));
  return w;
}

// One dynamically quantized MatMul: x -> DynamicQuantizeLinear ->
// MatMulInteger(w int8 [k, n]) -> Cast -> Mul(x_scale * w_scale) -> Add(b).
void DynamicDense(OnnxBuilder& b, const std::string& x, const std::string& y, int64_t k, int64_t n, uint32_t seed) {
  b.InitInt(y + "_w", pb::TensorProto::INT8, {k, n}, Int8Weights(static_cast<size_t>(k * n), seed));
  b.InitInt(y + "_wz", pb::TensorProto::INT8, {}, {0});
  b.Init(y + "_ws", {}, {0.004f + 0.001f * static_cast<float>(seed)});
  b.Init(y + "_b", {n}, Seeded(static_cast<size_t>(n), seed + 7, 0.5f));
  b.Node("DynamicQuantizeLinear", {x}, {x + "_q", x + "_scale", x + "_zp"});
  b.Node("MatMulInteger", {x + "_q", y + "_w", x + "_zp", y + "_wz"}, {y + "_acc"});
  b.Node("Cast", {y + "_acc"}, {y + "_accf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Mul", {x + "_scale", y + "_ws"}, {y + "_s"});
  b.Node("Mul", {y + "_accf", y + "_s"}, {y + "_mm"});
  b.Node("Add", {y + "_mm", y + "_b"}, {y});
}

std::vector<uint8_t> MlpModel() {
  OnnxBuilder b(13);
  b.Input("x", {2, 24});
  DynamicDense(b, "x", "h", 24, 16, 1);
  b.Node("Relu", {"h"}, {"hr"});
  DynamicDense(b, "hr", "y", 16, 5, 2);
  b.OutputWithShape("y", {2, 5});
  return b.Bytes();
}

std::vector<uint8_t> ConvModel() {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 7, 7});
  std::vector<int32_t> w;
  for (float v : Seeded(3 * 2 * 3 * 3, 11, 120.0f)) w.push_back(128 + static_cast<int32_t>(v));
  b.InitInt("w", pb::TensorProto::UINT8, {3, 2, 3, 3}, w);
  b.InitInt("wz", pb::TensorProto::UINT8, {}, {131});
  b.Init("ws", {}, {0.0075f});
  b.Node("DynamicQuantizeLinear", {"x"}, {"xq", "xs", "xz"});
  b.Node("ConvInteger", {"xq", "w", "xz", "wz"}, {"acc"}).Ints("pads", {1, 1, 1, 1});
  b.Node("Cast", {"acc"}, {"accf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Mul", {"xs", "ws"}, {"s"});
  b.Node("Mul", {"accf", "s"}, {"y"});
  b.OutputWithShape("y", {1, 3, 7, 7});
  return b.Bytes();
}

// DynamicQuantizeLinear written out as its ONNX function body (ReduceMin,
// ReduceMax, the scale and zero point, a Cast to uint8, QuantizeLinear with
// the run-time scale and zero point), then DequantizeLinear and a float
// MatMul: run-time fake quantization of the activations.
std::vector<uint8_t> ExpandedModel() {
  OnnxBuilder b(13);
  b.Input("x", {2, 24});
  b.Init("qmin", {}, {0.0f});
  b.Init("qmax", {}, {255.0f});
  b.Init("w", {24, 5}, Seeded(24 * 5, 13, 0.3f));
  b.Node("ReduceMin", {"x"}, {"lo_raw"}).Int("keepdims", 0);
  b.Node("ReduceMax", {"x"}, {"hi_raw"}).Int("keepdims", 0);
  b.Node("Min", {"lo_raw", "qmin"}, {"lo"});
  b.Node("Max", {"hi_raw", "qmin"}, {"hi"});
  b.Node("Sub", {"hi", "lo"}, {"range"});
  b.Node("Div", {"range", "qmax"}, {"scale"});
  b.Node("Div", {"lo", "scale"}, {"lo_steps"});
  b.Node("Sub", {"qmin", "lo_steps"}, {"zp_raw"});
  b.Node("Clip", {"zp_raw", "qmin", "qmax"}, {"zp_clipped"});
  b.Node("Round", {"zp_clipped"}, {"zp_rounded"});
  b.Node("Cast", {"zp_rounded"}, {"zp"}).Int("to", pb::TensorProto::UINT8);
  b.Node("QuantizeLinear", {"x", "scale", "zp"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "scale", "zp"}, {"xd"});
  b.Node("MatMul", {"xd", "w"}, {"y"});
  b.OutputWithShape("y", {2, 5});
  return b.Bytes();
}

TEST(OnnxDynamicQuantization, MlpAndConvAgreeWithOnnxRuntimeAndTheHost) {
  const std::string dir = TempDir();
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    std::vector<int64_t> shape;
  };
  for (const Case& c : {Case{"mlp", MlpModel(), {2, 24}}, Case{"conv", ConvModel(), {1, 2, 7, 7}},
                      Case{"expanded", ExpandedModel(), {2, 24}}}) {
    SCOPED_TRACE(c.name);
    const std::string model = dir + "/" + c.name + ".onnx";
    WriteFile(model, c.bytes);
    int64_t n = 1;
    for (int64_t d : c.shape) n *= d;
    // An asymmetric range, so the zero point is not 0 or 255.
    std::vector<float> x = Seeded(static_cast<size_t>(n), 5, 2.0f);
    for (float& v : x) v += 0.7f;
    WriteFloatNpy(dir + "/x.npy", c.shape, x);
    EvalAndRunOnHost(model, dir, c.name);
    const std::vector<float> y = ReadFloatNpy(dir + "/" + std::string(c.name) + ".npy");
    ASSERT_FALSE(y.empty());
    EXPECT_LE(RelError(ReadFloatNpy(dir + "/" + std::string(c.name) + "_run.npy"), y), 1e-6);
    if (const std::string why = OrtMissing(); why.empty()) {
      const std::vector<float> want = RunOrt(model, FloatBytes(x), DimsText(c.shape), dir);
      const double rel = RelError(y, want);
      EXPECT_LE(rel, 1e-6);
      std::printf("dynamically quantized %s, ember eval vs ONNX Runtime: max relative error %.3g\n", c.name, rel);
    } else {
      std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
    }
  }
}

TEST(OnnxDynamicQuantization, MlpOnTheCortexM4EqualsEval) {
  if (const std::string why = qemu::MissingTools(); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = TempDir();
  const std::string model = dir + "/mlp.onnx";
  WriteFile(model, MlpModel());
  const std::vector<float> x = Seeded(48, 9, 3.0f);
  WriteFloatNpy(dir + "/x.npy", {2, 24}, x);
  const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/mlp.npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  qemu::HarnessResult h;
  ASSERT_EQ(CompileAndEmulateOnCortexM4(model, "dyn_mlp", FloatBytes(x), dir, &h), "");
  ExpectHarnessOutputEqualsEval(h, dir + "/mlp.npy", false, "dynamically quantized MLP");
}

}  // namespace
}  // namespace ember::test
