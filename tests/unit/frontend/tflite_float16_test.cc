// TFLite's float16 quantization: float16 weights, each read by a DEQUANTIZE
// to float32. ember reads the float16 constants as float32 (exactly) and the
// DEQUANTIZE becomes a copy that fold-constants folds: the model computes as
// the float32 model with the same weight values, with no node left for the
// dequantizations.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/onnx/import.h"
#include "frontend/tflite/import.h"
#include "ops/evaluate.h"
#include "passes/pipeline.h"
#include "quantize/quantize.h"
#include "support/float16.h"
#include "unit/frontend/tflite_test_util.h"

namespace ember::frontend::tflite {
namespace {

using ir::OpKind;
namespace tfl = ::tflite;
using tfl::ActivationFunctionType;
using tfl::BuiltinOperator;
using tfl::Padding;
using tfl::TensorType;

// Values exact in float16 (multiples of 1/64 below 2).
std::vector<float> Weights(size_t n, int seed) {
  std::vector<float> v(n);
  for (size_t k = 0; k < n; ++k) v[k] = static_cast<float>(static_cast<int>((k * 37 + seed * 11) % 201) - 100) / 64.0f;
  return v;
}

std::vector<uint8_t> HalfBytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 2);
  for (size_t k = 0; k < v.size(); ++k) {
    const uint16_t h = Float16Bits(v[k]);
    std::memcpy(b.data() + 2 * k, &h, 2);
  }
  return b;
}

// input [1,4,4,2] -> CONV_2D 3x3 (3 channels, relu) -> RESHAPE [1,12] ->
// FULLY_CONNECTED (2): the weights and biases float16 with a DEQUANTIZE each
// (`half`), or float32 with the same values.
std::vector<uint8_t> Model(bool half) {
  ModelBuilder b;
  auto weights = [&](const std::string& name, const std::vector<int32_t>& shape, int seed) {
    size_t n = 1;
    for (int32_t d : shape) n *= static_cast<size_t>(d);
    const std::vector<float> v = Weights(n, seed);
    if (!half) return b.AddFloatTensor(name, shape, v);
    const int w16 = b.AddConstTensor(name + "_fp16", TensorType::FLOAT16, shape, HalfBytes(v));
    const int w = b.AddTensor(name, TensorType::FLOAT32, shape);
    b.AddOperator(BuiltinOperator::DEQUANTIZE, {w16}, {w});
    return w;
  };
  const int in = b.AddTensor("input", TensorType::FLOAT32, {1, 4, 4, 2});
  const int cw = weights("conv/filter", {3, 3, 3, 2}, 1);
  const int cb = weights("conv/bias", {3}, 2);
  const int conv = b.AddTensor("conv", TensorType::FLOAT32, {1, 2, 2, 3});
  b.AddConv2D(in, cw, cb, conv, Padding::VALID, 1, 1, ActivationFunctionType::RELU);
  const int flat = b.AddTensor("flat", TensorType::FLOAT32, {1, 12});
  b.AddReshape(conv, -1, flat, {1, 12});
  const int fw = weights("fc/weights", {2, 12}, 3);
  const int fb = weights("fc/bias", {2}, 4);
  const int out = b.AddTensor("out", TensorType::FLOAT32, {1, 2});
  b.AddFullyConnected(flat, fw, fb, out);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Finish();
}

ir::Graph ImportAndRunPasses(const std::vector<uint8_t>& bytes) {
  ir::Graph g = test_util::MustImport(bytes);
  const Status s = passes::RunPipeline(g, {});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.diag().ToString());
  return g;
}

TEST(TfliteFloat16, WeightsComputeAsTheFloat32ModelAndTheDequantizationsFold) {
  const ir::Graph h = ImportAndRunPasses(Model(true));
  const ir::Graph f = ImportAndRunPasses(Model(false));
  std::vector<OpKind> hk, fk;
  for (const ir::Node& n : h.nodes) hk.push_back(n.op);
  for (const ir::Node& n : f.nodes) fk.push_back(n.op);
  EXPECT_EQ(hk, fk);
  EXPECT_EQ(hk, (std::vector<OpKind>{OpKind::kConv2D, OpKind::kReshape, OpKind::kFullyConnected}));
  std::vector<float> x(32);
  for (size_t k = 0; k < x.size(); ++k) x[k] = static_cast<float>(k % 7) * 0.25f - 0.75f;
  std::vector<uint8_t> in(x.size() * 4);
  std::memcpy(in.data(), x.data(), in.size());
  auto rh = ops::EvaluateGraph(h, {in});
  auto rf = ops::EvaluateGraph(f, {in});
  ASSERT_TRUE(rh.ok()) << rh.diag().ToString();
  ASSERT_TRUE(rf.ok()) << rf.diag().ToString();
  EXPECT_EQ(rh->outputs, rf->outputs);
  // Before the passes, each DEQUANTIZE is a copy of the float32 weights.
  auto imported = ImportTflite(Model(true), "m.tflite");
  ASSERT_TRUE(imported.ok()) << imported.diag().ToString();
  int copies = 0;
  for (const ir::Node& n : imported->nodes) copies += n.op == OpKind::kReshape && imported->tensor(n.inputs[0]).is_const();
  EXPECT_EQ(copies, 4);
}

// ember quantize reads a TFLite model as a float ONNX model: the float16
// weights are float32 ones there.
TEST(TfliteFloat16, ExportsAsTheFloatOnnxModelThatQuantizeReads) {
  const std::string path = ::testing::TempDir() + "/ember_float16_weights.tflite";
  const std::vector<uint8_t> bytes = Model(true);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  auto onnx = quantize::TfliteAsFloatOnnx(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(onnx.ok()) << onnx.diag().ToString();
  auto g = onnx::ImportOnnx(*onnx, "float16_weights.onnx");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  const ir::Graph f = ImportAndRunPasses(Model(false));
  std::vector<uint8_t> in(32 * 4);
  for (size_t k = 0; k < 32; ++k) {
    const float v = static_cast<float>(k % 5) * 0.5f - 1.0f;
    std::memcpy(in.data() + 4 * k, &v, 4);
  }
  auto ro = ops::EvaluateGraph(*g, {in});
  auto rf = ops::EvaluateGraph(f, {in});
  ASSERT_TRUE(ro.ok()) << ro.diag().ToString();
  ASSERT_TRUE(rf.ok()) << rf.diag().ToString();
  ASSERT_EQ(ro->outputs[0].size(), rf->outputs[0].size());
  for (size_t k = 0; k < rf->outputs[0].size() / 4; ++k) {
    float a, b;
    std::memcpy(&a, ro->outputs[0].data() + 4 * k, 4);
    std::memcpy(&b, rf->outputs[0].data() + 4 * k, 4);
    EXPECT_NEAR(a, b, 1e-5f * (1.0f + std::fabs(b))) << k;
  }
}

// A float16 activation is E0109 (TfliteImportErrors.UnsupportedTensorType).
TEST(TfliteFloat16, ShortBuffersAreRefused) {
  ModelBuilder s;
  const int in = s.AddTensor("in", TensorType::FLOAT32, {4});
  const int w16 = s.AddConstTensor("w16", TensorType::FLOAT16, {4}, std::vector<uint8_t>(6, 0));
  const int w = s.AddTensor("w", TensorType::FLOAT32, {4});
  const int out = s.AddTensor("out", TensorType::FLOAT32, {4});
  s.AddOperator(BuiltinOperator::DEQUANTIZE, {w16}, {w});
  s.AddAdd(in, w, out);
  s.SetInputs({in});
  s.SetOutputs({out});
  auto short_buffer = ImportTflite(s.Finish(), "m.tflite");
  ASSERT_FALSE(short_buffer.ok());
  EXPECT_NE(short_buffer.diag().message.find("type float16 needs 8 bytes but its buffer"), std::string::npos)
      << short_buffer.diag().message;
}

}  // namespace
}  // namespace ember::frontend::tflite
