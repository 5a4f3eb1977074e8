// int8_semantics = "onnxruntime" (docs/numerics.md, "ONNX Runtime semantics"):
// the reference evaluators requantize as ONNX Runtime's fused integer kernels
// (float32 scale, clamp, round half to even, zero point). Hand-computed cases
// with ties, negative values and clamps; TFLite's fixed point on the same
// node, where it differs, shows that the attribute is what changes the result.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ops/add_sub_util.h"
#include "ops/op_test_util.h"
#include "ops/quant_math.h"

namespace ember {
namespace {

using ir::DType;
using test::OneNode;
using test::Quant;

const std::string kOrt = "onnxruntime";

TEST(Int8Semantics, Parse) {
  ops::Int8Semantics s = ops::Int8Semantics::kTflite;
  EXPECT_TRUE(ops::ParseInt8Semantics("onnxruntime", &s));
  EXPECT_EQ(s, ops::Int8Semantics::kOnnxRuntime);
  EXPECT_TRUE(ops::ParseInt8Semantics("tflite", &s));
  EXPECT_EQ(s, ops::Int8Semantics::kTflite);
  EXPECT_FALSE(ops::ParseInt8Semantics("float", &s));
  EXPECT_FALSE(ops::ParseInt8Semantics("", &s));
  EXPECT_STREQ(ops::Int8SemanticsName(ops::Int8Semantics::kOnnxRuntime), "onnxruntime");
}

TEST(Int8Semantics, OrtRequantizeRoundsHalfToEvenAndClamps) {
  // float(acc) * 0.5: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, -3.5 -> -4, 1.5 -> 2.
  EXPECT_EQ(ops::OrtRequantize(5, 0.5f, 0, -128, 127), 2);
  EXPECT_EQ(ops::OrtRequantize(7, 0.5f, 0, -128, 127), 4);
  EXPECT_EQ(ops::OrtRequantize(-5, 0.5f, 0, -128, 127), -2);
  EXPECT_EQ(ops::OrtRequantize(-7, 0.5f, 0, -128, 127), -4);
  EXPECT_EQ(ops::OrtRequantize(3, 0.5f, 0, -128, 127), 2);
  // The zero point is added after rounding: 2.5 -> 2, + 1 = 3 (not round(3.5) = 4).
  EXPECT_EQ(ops::OrtRequantize(5, 0.5f, 1, -128, 127), 3);
  // Clamp to [lo - zp, hi - zp] before rounding: 1000 -> 255 - 128 = 127;
  // -1000 -> -128 - (-128) = 0 -> -128; a relu clamp at zp works the same.
  EXPECT_EQ(ops::OrtRequantize(1000, 1.0f, -128, -128, 127), 127);
  EXPECT_EQ(ops::OrtRequantize(-1000, 1.0f, -128, -128, 127), -128);
  EXPECT_EQ(ops::OrtRequantize(-3, 1.0f, 5, 5, 127), 5);
  // TFLite rounds the tie 2.5 away from zero.
  EXPECT_EQ(ops::Mbqm(5, ops::QuantizeMultiplier(0.5)), 3);
}

TEST(Int8Semantics, OrtQuantize) {
  // x / 0.5 + 1: 0.25 -> 0.5 -> 0 (+1 = 1), 0.75 -> 1.5 -> 2 (+1 = 3),
  // -0.25 -> -0.5 -> -0 (+1 = 1), saturation both ways, NaN -> -128.
  EXPECT_EQ(ops::OrtQuantize(0.25f, 0.5f, 1, -128, 127), 1);
  EXPECT_EQ(ops::OrtQuantize(0.75f, 0.5f, 1, -128, 127), 3);
  EXPECT_EQ(ops::OrtQuantize(-0.25f, 0.5f, 1, -128, 127), 1);
  EXPECT_EQ(ops::OrtQuantize(1000.0f, 0.5f, 1, -128, 127), 127);
  EXPECT_EQ(ops::OrtQuantize(-1000.0f, 0.5f, 1, -128, 127), -128);
  EXPECT_EQ(ops::OrtQuantize(std::numeric_limits<float>::quiet_NaN(), 0.5f, 1, -128, 127), -128);
}

TEST(Int8Semantics, QuantizeNode) {
  for (const bool ort : {true, false}) {
    OneNode t(ir::OpKind::kQuantize);
    t.In<float>({4}, {0.25f, 0.75f, -0.25f, -0.75f}).Out(DType::kInt8, {4}, Quant(0.5f, 1));
    if (ort) t.Attr("int8_semantics", kOrt);
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    // ONNX Runtime: half to even of 0.5, 1.5, -0.5, -1.5; TFLite: away from zero.
    EXPECT_EQ(*r, ort ? (std::vector<int8_t>{1, 3, 1, -1}) : (std::vector<int8_t>{2, 3, 0, -1}));
  }
}

TEST(Int8Semantics, FullyConnected) {
  // acc = x0 + x1 (weights 1, 1), scale (0.5 * 1) / 1 = 0.5, z_out 1:
  // 5 -> 2.5 -> 2 (+1 = 3); -5 -> -2 (-1); 7 -> 3.5 -> 4 (5); 254 -> 127 clamped
  // to 126 (127); -256 -> -128 (-127: the low bound is -129).
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<int8_t>({5, 2}, {2, 3, -2, -3, 3, 4, 127, 127, -128, -128}, Quant(0.5f, 0))
      .Const<int8_t>({1, 2}, {1, 1}, Quant(1.0f, 0))
      .Out(DType::kInt8, {5, 1}, Quant(1.0f, 1))
      .Attr("int8_semantics", kOrt);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{3, -1, 5, 127, -127}));
}

TEST(Int8Semantics, Conv2DPerChannelWithBias) {
  // 1x1 conv, 2 input channels, 2 output channels, z_in -1, bias int32.
  // x = (4, 0): x - z_in = (5, 1). Channel 0: w (1, 0), bias 0, scale
  // 0.5 * 1.0 / 1.0 = 0.5 -> acc 5 -> 2.5 -> 2. Channel 1: w (1, 1), bias -13,
  // scale 0.5 * 0.25 / 1.0 = 0.125 -> acc 6 - 13 = -7 -> -0.875 -> -1.
  OneNode t(ir::OpKind::kConv2D);
  t.In<int8_t>({1, 1, 1, 2}, {4, 0}, Quant(0.5f, -1))
      .Const<int8_t>({2, 1, 1, 2}, {1, 0, 1, 1}, test::QuantPerAxis({1.0f, 0.25f}, 0, {0, 0}))
      .Const<int32_t>({2}, {0, -13}, test::QuantPerAxis({0.5f, 0.125f}, 0, {0, 0}))
      .Out(DType::kInt8, {1, 1, 1, 2}, Quant(1.0f, 0))
      .Attr("stride", std::vector<int64_t>{1, 1})
      .Attr("pad", std::vector<int64_t>{0, 0, 0, 0})
      .Attr("int8_semantics", kOrt);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{2, -1}));
}

TEST(Int8Semantics, Add) {
  // s_a 0.5 z_a 0, s_b 0.25 z_b 2, s_c 0.5 z_c -1: ra = 1, rb = 0.5,
  // fixed = -1 - (0 + 0.5 * 2) = -2; c = round_even(a + 0.5 b - 2):
  // (1, 3) 0.5 -> 0; (2, 3) 1.5 -> 2; (0, 1) -1.5 -> -2; (-3, -1) -5.5 -> -6;
  // (127, 127) 188.5 -> 127.
  for (const bool ort : {true, false}) {
    OneNode t(ir::OpKind::kAdd);
    t.In<int8_t>({5}, {1, 2, 0, -3, 127}, Quant(0.5f, 0))
        .In<int8_t>({5}, {3, 3, 1, -1, 127}, Quant(0.25f, 2))
        .Out(DType::kInt8, {5}, Quant(0.5f, -1));
    if (ort) t.Attr("int8_semantics", kOrt);
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    if (ort) EXPECT_EQ(*r, (std::vector<int8_t>{0, 2, -2, -6, 127}));
    else EXPECT_NE(*r, (std::vector<int8_t>{0, 2, -2, -6, 127}));  // TFLite rounds ties away from zero
  }
}

TEST(Int8Semantics, Mul) {
  // s_a 0.5 z_a 1, s_b 0.25 z_b 0, s_c 0.25 z_c -2: scale 0.5 * 0.25 / 0.25 =
  // 0.5, c = round_even(0.5 (a - 1) b) - 2: (2, 3) 1.5 -> 2 -> 0; (4, 3) 4.5
  // -> 4 -> 2; (0, 5) -2.5 -> -2 -> -4; (-1, -1) 1 -> -1; (127, 127) 8001 ->
  // 127. TFLite's fixed point rounds the tie 4.5 up (and -2.5 up, to -2).
  for (const bool ort : {true, false}) {
    OneNode t(ir::OpKind::kMul);
    t.In<int8_t>({5}, {2, 4, 0, -1, 127}, Quant(0.5f, 1))
        .In<int8_t>({5}, {3, 3, 5, -1, 127}, Quant(0.25f, 0))
        .Out(DType::kInt8, {5}, Quant(0.25f, -2));
    if (ort) t.Attr("int8_semantics", kOrt);
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    if (ort) EXPECT_EQ(*r, (std::vector<int8_t>{0, 2, -4, -1, 127}));
    else EXPECT_EQ(*r, (std::vector<int8_t>{0, 3, -4, -1, 127}));
  }
}

TEST(Int8Semantics, MulRejectsOnnxRuntimeOnInt16) {
  OneNode t(ir::OpKind::kMul);
  t.In<int16_t>({2}, {1, 2}, Quant(0.5f, 0))
      .In<int16_t>({2}, {3, 4}, Quant(0.5f, 0))
      .Out(DType::kInt16, {2}, Quant(0.5f, 0))
      .Attr("int8_semantics", kOrt);
  auto r = t.Run<int16_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().ToString().find("int16"), std::string::npos) << r.diag().ToString();
}

// onnx_uint8 = 1: the node computes as ONNX Runtime's QLinearAdd does on the
// uint8 values q + 128 with the uint8 zero points (ops::OrtAdd called on
// them here), for every pair of operands; without the attribute some pairs
// differ (the float fixed part rounds otherwise for zero points near 128).
TEST(Int8Semantics, AddOnUint8Values) {
  std::vector<int8_t> a, b;
  for (int x = -128; x < 128; ++x)
    for (int y = -128; y < 128; ++y) a.push_back(static_cast<int8_t>(x)), b.push_back(static_cast<int8_t>(y));
  const ops::OrtAddParams u8 = ops::PrepareOrtAdd(0.04f, 131, 0.05f, 128, 0.06f, 110, {0, 255});
  std::vector<int8_t> want;
  for (size_t i = 0; i < a.size(); ++i)
    want.push_back(static_cast<int8_t>(ops::OrtAdd(a[i] + 128, b[i] + 128, u8) - 128));
  for (const bool mark : {true, false}) {
    OneNode t(ir::OpKind::kAdd);
    t.In<int8_t>({65536}, a, Quant(0.04f, 3))
        .In<int8_t>({65536}, b, Quant(0.05f, 0))
        .Out(DType::kInt8, {65536}, Quant(0.06f, -18));
    t.Attr("int8_semantics", kOrt);
    if (mark) t.Attr("onnx_uint8", int64_t{1});
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    if (mark) EXPECT_EQ(*r, want);
    else EXPECT_NE(*r, want);
  }
}

// onnx_uint8 = 1 on an average pool's float window: the zero point added
// before rounding is the uint8 one, as ONNX Runtime's quantize_value on
// uint8 (nearbyintf(avg / s_out + z_out), avg the float mean of the taps
// s_in * (q - z_in)), here for every pair of values through a 1x2 window;
// without the attribute some pairs round otherwise (averages near a half
// step, where adding 131 or 3 in float rounds differently).
TEST(Int8Semantics, AveragePoolWindowOnUint8Values) {
  std::vector<int8_t> x, want;
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      x.push_back(static_cast<int8_t>(a - 128)), x.push_back(static_cast<int8_t>(b - 128));
      float total = 0.0f;
      total += 0.02f * static_cast<float>(a - 131);
      total += 0.02f * static_cast<float>(b - 131);
      const float avg = total / 2.0f;
      const float q = std::clamp(std::nearbyint(avg / 0.02f + 131.0f), 0.0f, 255.0f);
      want.push_back(static_cast<int8_t>(static_cast<int32_t>(q) - 128));
    }
  }
  for (const bool mark : {true, false}) {
    OneNode t(ir::OpKind::kAveragePool2D);
    t.In<int8_t>({1, 1, 131072, 1}, x, Quant(0.02f, 3))
        .Out(DType::kInt8, {1, 1, 65536, 1}, Quant(0.02f, 3))
        .Attr("filter", std::vector<int64_t>{1, 2})
        .Attr("stride", std::vector<int64_t>{1, 2})
        .Attr("pad", std::vector<int64_t>{0, 0, 0, 0})
        .Attr("int8_semantics", kOrt);
    if (mark) t.Attr("onnx_uint8", int64_t{1});
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    if (mark) EXPECT_EQ(*r, want);
    else EXPECT_NE(*r, want);
  }
}

TEST(Int8Semantics, MeanAsGlobalAveragePool) {
  // N = 4, scale 1 / (1 * 4) = 0.25, z_in 1: (3,4,3,4) -> 14 - 4 = 10 -> 2.5 -> 2;
  // (-1,-2,-1,-2) -> -6 - 4 = -10 -> -2.5 -> -2; (5,5,5,6) -> 21 - 4 = 17 -> 4.25 -> 4.
  OneNode t(ir::OpKind::kMean);
  t.In<int8_t>({3, 4}, {3, 4, 3, 4, -1, -2, -1, -2, 5, 5, 5, 6}, Quant(1.0f, 1))
      .Out(DType::kInt8, {3}, Quant(1.0f, 0))
      .Attr("axes", std::vector<int64_t>{1})
      .Attr("int8_semantics", kOrt);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{2, -2, 4}));
}

TEST(Int8Semantics, AveragePoolWholeInputIsGlobal) {
  // Window = the whole 2x2 input, no padding: int32 sum, scale 1 / (2 * 4) =
  // 0.125. Channel 0 (5,5,5,5): 20 -> 2.5 -> 2; channel 1 (-4,-4,-4,-4): -16 -> -2.
  // Input and output quantization differ (ONNX Runtime requantizes).
  OneNode t(ir::OpKind::kAveragePool2D);
  t.In<int8_t>({1, 2, 2, 2}, {5, -4, 5, -4, 5, -4, 5, -4}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 1, 1, 2}, Quant(2.0f, 0))
      .Attr("filter", std::vector<int64_t>{2, 2})
      .Attr("stride", std::vector<int64_t>{2, 2})
      .Attr("pad", std::vector<int64_t>{0, 0, 0, 0})
      .Attr("int8_semantics", kOrt);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{2, -2}));
}

TEST(Int8Semantics, AveragePoolWindowInFloat) {
  // 1x3 input (1, 2, 4) at s_in 0.5, window 1x2 stride 1: taps dequantized and
  // averaged in float, then avg / 0.5 + z_out rounded: (0.5 + 1) / 2 = 0.75 ->
  // 1.5 + 1 = 2.5 -> 2 (the zero point is added before rounding); (1 + 2) / 2 =
  // 1.5 -> 3 + 1 = 4.
  OneNode t(ir::OpKind::kAveragePool2D);
  t.In<int8_t>({1, 1, 3, 1}, {1, 2, 4}, Quant(0.5f, 0))
      .Out(DType::kInt8, {1, 1, 2, 1}, Quant(0.5f, 1))
      .Attr("filter", std::vector<int64_t>{1, 2})
      .Attr("stride", std::vector<int64_t>{1, 1})
      .Attr("pad", std::vector<int64_t>{0, 0, 0, 0})
      .Attr("int8_semantics", kOrt);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{2, 4}));
}

TEST(Int8Semantics, UnknownValueIsRejected) {
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<int8_t>({1, 2}, {1, 2}, Quant(0.5f, 0))
      .Const<int8_t>({1, 2}, {1, 1}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 1}, Quant(1.0f, 0))
      .Attr("int8_semantics", std::string("float"));
  const Status s = t.Check();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.diag().ToString().find("int8_semantics"), std::string::npos) << s.diag().ToString();
}

TEST(Int8Semantics, MaxPoolRejectsOnnxRuntime) {
  OneNode t(ir::OpKind::kMaxPool2D);
  t.In<int8_t>({1, 2, 2, 1}, {1, 2, 3, 4}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 1, 1, 1}, Quant(1.0f, 0))
      .Attr("filter", std::vector<int64_t>{2, 2})
      .Attr("stride", std::vector<int64_t>{2, 2})
      .Attr("pad", std::vector<int64_t>{0, 0, 0, 0})
      .Attr("int8_semantics", kOrt);
  EXPECT_FALSE(t.Check().ok());
}

}  // namespace
}  // namespace ember
