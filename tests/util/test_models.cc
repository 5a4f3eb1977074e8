// Test models (contract in test_models.h). Bias scales follow the TFLite
// quantization spec: bias_scale[c] = input_scale * weight_scale[c], zero point 0.
#include "util/test_models.h"

#include <cstring>
#include <string>

#include "frontend/tflite/builder.h"

namespace ember::test {
namespace {

using frontend::tflite::ActivationFunctionType;
using frontend::tflite::BuiltinOperator;
using frontend::tflite::ModelBuilder;
using frontend::tflite::OpCodeStyle;
using frontend::tflite::Padding;
using frontend::tflite::QuantSpec;
using frontend::tflite::TensorType;
using frontend::tflite::Quant;

std::vector<uint8_t> Int8Bytes(XorShift32& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng.Int8());
  return v;
}

std::vector<int32_t> Int32Values(XorShift32& rng, size_t n, int range) {
  std::vector<int32_t> v(n);
  for (auto& x : v) x = static_cast<int32_t>(rng.Next() % static_cast<uint32_t>(2 * range + 1)) - range;
  return v;
}

std::vector<float> FloatValues(XorShift32& rng, size_t n) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.Float();
  return v;
}

QuantSpec PerChannel(const std::vector<float>& scales, int32_t axis) {
  return QuantSpec{scales, std::vector<int64_t>(scales.size(), 0), axis};
}

std::vector<float> Times(float a, const std::vector<float>& v) {
  std::vector<float> r;
  for (float x : v) r.push_back(a * x);
  return r;
}

}  // namespace

std::vector<uint8_t> TinyConvModel(bool deprecated_op_codes) {
  XorShift32 rng;
  ModelBuilder b;
  if (deprecated_op_codes) b.SetOpCodeStyle(OpCodeStyle::kDeprecatedOnly);
  const float in_s = 0.05f, conv_s = 0.05f, dw_s = 0.04f, fc_w_s = 0.02f;
  const std::vector<float> conv_w_s = {0.01f, 0.02f, 0.015f, 0.025f};
  const std::vector<float> dw_w_s = {0.03f, 0.01f, 0.02f, 0.04f};

  const int in = b.AddTensor("input", TensorType::INT8, {1, 8, 8, 1}, Quant(in_s, -3));
  const int cw = b.AddConstTensor("conv/filter", TensorType::INT8, {4, 3, 3, 1},
                                  Int8Bytes(rng, 36), PerChannel(conv_w_s, 0));
  const int cb = b.AddInt32Tensor("conv/bias", {4}, Int32Values(rng, 4, 200),
                                  PerChannel(Times(in_s, conv_w_s), 0));
  const int conv = b.AddTensor("conv", TensorType::INT8, {1, 8, 8, 4}, Quant(conv_s, -128));
  b.AddConv2D(in, cw, cb, conv, Padding::SAME, 1, 1, ActivationFunctionType::RELU);

  const int dw_w = b.AddConstTensor("dw/filter", TensorType::INT8, {1, 3, 3, 4},
                                    Int8Bytes(rng, 36), PerChannel(dw_w_s, 3));
  const int dw_b = b.AddInt32Tensor("dw/bias", {4}, Int32Values(rng, 4, 300),
                                    PerChannel(Times(conv_s, dw_w_s), 0));
  const int dw = b.AddTensor("dw", TensorType::INT8, {1, 4, 4, 4}, Quant(dw_s, 5));
  b.AddDepthwiseConv2D(conv, dw_w, dw_b, dw, Padding::SAME, 2, 2, 1);

  const int pool = b.AddTensor("pool", TensorType::INT8, {1, 2, 2, 4}, Quant(dw_s, 5));
  b.AddPool2D(BuiltinOperator::AVERAGE_POOL_2D, dw, pool, Padding::VALID, 2, 2, 2, 2);

  const int shape = b.AddInt32Tensor("flat/shape", {2}, {1, -1});
  const int flat = b.AddTensor("flat", TensorType::INT8, {1, 16}, Quant(dw_s, 5));
  b.AddReshape(pool, shape, flat);

  const int fw = b.AddConstTensor("fc/weights", TensorType::INT8, {3, 16}, Int8Bytes(rng, 48),
                                  Quant(fc_w_s, 0));
  const int fb = b.AddInt32Tensor("fc/bias", {3}, Int32Values(rng, 3, 500),
                                  Quant(dw_s * fc_w_s, 0));
  const int logits = b.AddTensor("logits", TensorType::INT8, {1, 3}, Quant(0.1f, 2));
  b.AddFullyConnected(flat, fw, fb, logits);

  const int probs = b.AddTensor("probs", TensorType::INT8, {1, 3}, Quant(1.0f / 256.0f, -128));
  b.AddSoftmax(logits, probs, 1.0f);
  b.SetInputs({in});
  b.SetOutputs({probs});
  return b.Finish();
}

std::vector<uint8_t> TinyAddModel(const std::string& a_name, const std::string& b_name, const std::string& sum_name) {
  ModelBuilder b;
  const int a = b.AddTensor(a_name, TensorType::INT8, {1, 4}, Quant(0.1f, 1));
  const int c = b.AddTensor(b_name, TensorType::INT8, {1, 4}, Quant(0.2f, -2));
  const int sum = b.AddTensor(sum_name, TensorType::INT8, {1, 4}, Quant(0.3f, 0));
  b.AddAdd(a, c, sum);
  b.SetInputs({a, c});
  b.SetOutputs({sum});
  return b.Finish();
}

std::vector<uint8_t> TinyFloatModel() {
  XorShift32 rng(12345u);
  ModelBuilder b;
  const int in = b.AddTensor("input", TensorType::FLOAT32, {1, 4, 4, 2});
  const int cw = b.AddFloatTensor("conv/filter", {3, 3, 3, 2}, FloatValues(rng, 54));
  const int cb = b.AddFloatTensor("conv/bias", {3}, FloatValues(rng, 3));
  const int conv = b.AddTensor("conv", TensorType::FLOAT32, {1, 2, 2, 3});
  b.AddConv2D(in, cw, cb, conv, Padding::VALID, 1, 1);
  const int flat = b.AddTensor("flat", TensorType::FLOAT32, {1, 12});
  b.AddReshape(conv, -1, flat, {1, 12});
  const int fw = b.AddFloatTensor("fc/weights", {2, 12}, FloatValues(rng, 24));
  const int fb = b.AddFloatTensor("fc/bias", {2}, FloatValues(rng, 2));
  const int out = b.AddTensor("out", TensorType::FLOAT32, {1, 2});
  b.AddFullyConnected(flat, fw, fb, out, ActivationFunctionType::RELU);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Finish();
}

}  // namespace ember::test

namespace ember::test {

std::vector<uint8_t> FloatCnnModel() {
  XorShift32 rng(777u);
  ModelBuilder b;
  auto weights = [&](const std::string& name, const std::vector<int32_t>& shape, float scale) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    std::vector<float> v = FloatValues(rng, static_cast<size_t>(n));
    for (float& x : v) x *= scale;
    return b.AddFloatTensor(name, shape, v);
  };
  auto act = [&](const std::string& name, const std::vector<int32_t>& shape) {
    return b.AddTensor(name, TensorType::FLOAT32, shape);
  };
  const int in = act("input", {1, 12, 10, 2});
  const int conv = act("conv", {1, 12, 10, 8});
  b.AddConv2D(in, weights("conv/filter", {8, 3, 3, 2}, 0.4f), weights("conv/bias", {8}, 0.2f), conv, Padding::SAME, 1,
              1, ActivationFunctionType::RELU);
  const int dw = act("dw", {1, 6, 5, 8});
  b.AddDepthwiseConv2D(conv, weights("dw/filter", {1, 3, 3, 8}, 0.4f), weights("dw/bias", {8}, 0.2f), dw,
                       Padding::SAME, 2, 2, 1, ActivationFunctionType::RELU6);
  const int pw = act("pw", {1, 6, 5, 8});
  b.AddConv2D(dw, weights("pw/filter", {8, 1, 1, 8}, 0.4f), weights("pw/bias", {8}, 0.2f), pw, Padding::VALID, 1, 1);
  const int sum = act("sum", {1, 6, 5, 8});
  b.AddAdd(pw, dw, sum, ActivationFunctionType::RELU);
  const int mp = act("maxpool", {1, 5, 4, 8});
  b.AddPool2D(BuiltinOperator::MAX_POOL_2D, sum, mp, Padding::VALID, 2, 2, 1, 1);
  const int ap = act("avgpool", {1, 3, 2, 8});
  b.AddPool2D(BuiltinOperator::AVERAGE_POOL_2D, mp, ap, Padding::SAME, 2, 2, 2, 2);
  const int flat = act("flat", {1, 48});
  b.AddReshape(ap, b.AddInt32Tensor("flat/shape", {2}, {1, 48}), flat);
  const int fc1 = act("fc1", {1, 10});
  b.AddFullyConnected(flat, weights("fc1/weights", {10, 48}, 0.3f), weights("fc1/bias", {10}, 0.2f), fc1,
                      ActivationFunctionType::RELU);
  const int logits = act("logits", {1, 4});
  b.AddFullyConnected(fc1, weights("fc2/weights", {4, 10}, 0.5f), weights("fc2/bias", {4}, 0.2f), logits);
  const int probs = act("probs", {1, 4});
  b.AddSoftmax(logits, probs);
  b.SetInputs({in});
  b.SetOutputs({probs});
  return b.Finish();
}

std::vector<uint8_t> FloatFeatureMapModel() {
  XorShift32 rng(4242u);
  ModelBuilder b;
  auto weights = [&](const std::string& name, const std::vector<int32_t>& shape) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    std::vector<float> v = FloatValues(rng, static_cast<size_t>(n));
    for (float& x : v) x *= 0.4f;
    return b.AddFloatTensor(name, shape, v);
  };
  const int in = b.AddTensor("image", TensorType::FLOAT32, {1, 8, 8, 3});
  const int conv = b.AddTensor("conv", TensorType::FLOAT32, {1, 4, 4, 6});
  b.AddConv2D(in, weights("conv/filter", {6, 3, 3, 3}), weights("conv/bias", {6}), conv, Padding::SAME, 2, 2,
              ActivationFunctionType::RELU);
  const int dw = b.AddTensor("features", TensorType::FLOAT32, {1, 4, 4, 12});
  b.AddDepthwiseConv2D(conv, weights("dw/filter", {1, 3, 3, 12}), weights("dw/bias", {12}), dw, Padding::SAME, 1, 1,
                       2);
  b.SetInputs({in});
  b.SetOutputs({dw});
  return b.Finish();
}

}  // namespace ember::test
