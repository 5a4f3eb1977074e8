// QUANTIZE reference evaluator (semantics notes §10.1): float32 -> int with a
// float32 division and round-half-away-from-zero, int -> int requantization
// with MBQM, the i8 <-> u8 shift, and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Quantize, Float32ToInt8RoundsHalfAwayFromZero) {
  // s = 0.5, z = -1: x / s = 0.5, 1.5, -0.5, -1.5, 2, 200, -200.
  test::OneNode t(ir::OpKind::kQuantize);
  t.In<float>({7}, {0.25f, 0.75f, -0.25f, -0.75f, 1.0f, 100.0f, -100.0f})
      .Out(ir::DType::kInt8, {7}, Quant(0.5f, -1));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{0, 1, -2, -3, 1, 127, -128}));
}

TEST(Quantize, Float32UsesFloatDivisionNotReciprocal) {
  // x = -74.25, s = 0.3f: the float32 quotient is -247.499985 (-> -247), while
  // x * (1/s) in float32 is exactly -247.5 (-> -248). With z = 127: -120.
  // x = -0x1.0e5e36p+2, s = 0.017f: the quotient is exactly -248.5 (-> -249)
  // but x * (1/s) is -248.499985 (-> -248). With z = 127: -122.
  test::OneNode a(ir::OpKind::kQuantize);
  a.In<float>({1}, {-74.25f}).Out(ir::DType::kInt8, {1}, Quant(0.3f, 127));
  auto ra = a.Run<int8_t>();
  ASSERT_TRUE(ra.ok()) << ra.diag().ToString();
  EXPECT_EQ((*ra)[0], -120);
  test::OneNode b(ir::OpKind::kQuantize);
  b.In<float>({1}, {-0x1.0e5e36p+2f}).Out(ir::DType::kInt8, {1}, Quant(0.017f, 127));
  auto rb = b.Run<int8_t>();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ((*rb)[0], -122);
}

TEST(Quantize, Float32ToUInt8AndInt16) {
  test::OneNode u(ir::OpKind::kQuantize);
  u.In<float>({4}, {0.0f, -1.0f, 1.25f, 1000.0f}).Out(ir::DType::kUInt8, {4}, Quant(0.5f, 128));
  auto ru = u.Run<uint8_t>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<uint8_t>{128, 126, 131, 255}));  // 2.5 -> 3
  test::OneNode s(ir::OpKind::kQuantize);
  s.In<float>({3}, {1.0f, -2.5f, 1e9f}).Out(ir::DType::kInt16, {3}, Quant(0.001f, 0));
  auto rs = s.Run<int16_t>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<int16_t>{1000, -2500, 32767}));
}

TEST(Quantize, Int8Requantize) {
  // s_in / s_out = 0.3 / 1.0: the MBQM vector of the semantics notes, with the
  // zero points shifting input and output.
  test::OneNode t(ir::OpKind::kQuantize);
  const std::vector<int8_t> in = {-10, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 10};
  std::vector<int8_t> shifted;
  for (int8_t v : in) shifted.push_back(static_cast<int8_t>(v + 20));
  t.In<int8_t>({13}, shifted, Quant(0.3f, 20)).Out(ir::DType::kInt8, {13}, Quant(1.0f, -7));
  // double(0.3f) gives multiplier (1288490240, -1); on these inputs MBQM agrees
  // with the d = 0.3 vector: -3 -2 -1 -1 -1 -1 0 1 1 1 1 2 3, then + (-7).
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-10, -9, -8, -8, -8, -8, -7, -6, -6, -6, -6, -5, -4}));
}

TEST(Quantize, Int8ToUInt8FlipsTheSignBit) {
  // Equal scales and zero points 0 / 128: the TFLite shortcut x ^ 0x80.
  test::OneNode t(ir::OpKind::kQuantize);
  t.In<int8_t>({4}, {-128, -1, 0, 127}, Quant(0.25f, 0)).Out(ir::DType::kUInt8, {4},
                                                             Quant(0.25f, 128));
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{0, 127, 128, 255}));
}

TEST(Quantize, Int16ToInt8Saturates) {
  // s_in / s_out = 1/256 -> out = round(x / 256): 300 -> 1, 384 -> 2 (1.5 up),
  // 40000 is out of int16 so use 32767 -> 128 -> 127.
  test::OneNode t(ir::OpKind::kQuantize);
  t.In<int16_t>({4}, {300, 384, 32767, -32768}, Quant(1.0f / 256, 0))
      .Out(ir::DType::kInt8, {4}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{1, 2, 127, -128}));
}

TEST(Quantize, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kQuantize);
    t.In<float>({2}, {0, 0}).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // output without quantization
  }
  {
    test::OneNode t(ir::OpKind::kQuantize);
    t.In<float>({2}, {0, 0}).Out(ir::DType::kFloat32, {2}, Quant(1, 0));
    EXPECT_FALSE(t.Infer().ok());  // f32 -> f32
  }
  {
    test::OneNode t(ir::OpKind::kQuantize);
    t.In<float>({2}, {0, 0}).Out(ir::DType::kInt8, {2}, Quant(0.5f, 200));
    EXPECT_FALSE(t.Infer().ok());  // zero point outside int8
  }
  {
    test::OneNode t(ir::OpKind::kQuantize);
    t.In<float>({2}, {0, 0}).Out(ir::DType::kInt8, {2}, test::QuantPerAxis({0.5f, 0.25f}, 0));
    EXPECT_FALSE(t.Infer().ok());  // per-axis output
  }
  {
    test::OneNode t(ir::OpKind::kQuantize);
    t.In<int8_t>({2}, {0, 0}).Out(ir::DType::kInt8, {2}, Quant(1, 0));
    EXPECT_FALSE(t.Infer().ok());  // int input without quantization
  }
}

}  // namespace
}  // namespace ember
