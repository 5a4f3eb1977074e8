// DEQUANTIZE reference evaluator (semantics notes §10.2): float(s * (x - z))
// for i8, u8, i16 and i32, and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Dequantize, Int8) {
  test::OneNode t(ir::OpKind::kDequantize);
  t.In<int8_t>({4}, {-128, -1, 0, 127}, Quant(0.5f, -1)).Out(ir::DType::kFloat32, {4});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{-63.5f, 0.0f, 0.5f, 64.0f}));
}

TEST(Dequantize, UInt8IsOneCorrectlyRoundedProduct) {
  // 0.1f * 10 = 1.0000000149 in double, which rounds to 1.0f; 0.1f * 3 rounds
  // to the float nearest 0.3000000045, i.e. 0.3f.
  test::OneNode t(ir::OpKind::kDequantize);
  t.In<uint8_t>({3}, {128, 138, 131}, Quant(0.1f, 128)).Out(ir::DType::kFloat32, {3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f, 1.0f, 0.3f}));
}

TEST(Dequantize, Int16AndInt32) {
  test::OneNode a(ir::OpKind::kDequantize);
  a.In<int16_t>({2}, {-32768, 100}, Quant(0.25f, 0)).Out(ir::DType::kFloat32, {2});
  auto ra = a.Run<float>();
  ASSERT_TRUE(ra.ok()) << ra.diag().ToString();
  EXPECT_EQ(*ra, (std::vector<float>{-8192.0f, 25.0f}));
  test::OneNode b(ir::OpKind::kDequantize);
  b.In<int32_t>({2}, {1 << 24, -3}, Quant(2.0f, 1)).Out(ir::DType::kFloat32, {2});
  auto rb = b.Run<float>();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ(*rb, (std::vector<float>{33554430.0f, -8.0f}));
}

TEST(Dequantize, PerAxisScalesAndZeroPoints) {
  // [2, 3] quantized along axis 1: column c has scale s[c], zero point z[c].
  test::OneNode t(ir::OpKind::kDequantize);
  t.In<int8_t>({2, 3}, {1, 2, 3, -4, -5, -6}, test::QuantPerAxis({0.5f, 0.25f, 2.0f}, 1, {1, 0, -1}))
      .Out(ir::DType::kFloat32, {2, 3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f, 0.5f, 8.0f, -2.5f, -1.25f, -10.0f}));
  test::OneNode bad(ir::OpKind::kDequantize);
  bad.In<int8_t>({2, 3}, {0, 0, 0, 0, 0, 0}, test::QuantPerAxis({0.5f, 0.25f}, 1)).Out(ir::DType::kFloat32, {2, 3});
  EXPECT_FALSE(bad.Infer().ok());  // 2 scales for an axis of size 3
}

TEST(Dequantize, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kDequantize);
    t.In<int8_t>({2}, {0, 0}).Out(ir::DType::kFloat32, {2});
    EXPECT_FALSE(t.Infer().ok());  // no quantization
  }
  {
    test::OneNode t(ir::OpKind::kDequantize);
    t.In<float>({2}, {0, 0}).Out(ir::DType::kFloat32, {2});
    EXPECT_FALSE(t.Infer().ok());  // float input
  }
  {
    test::OneNode t(ir::OpKind::kDequantize);
    t.In<int8_t>({2}, {0, 0}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Check().ok());  // declared output must be f32
  }
}

}  // namespace
}  // namespace ember
