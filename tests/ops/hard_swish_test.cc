// HARD_SWISH reference evaluator: the verified int8 vector of TFLite Micro's
// 16-bit kernel (semantics notes §13), float32 and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(HardSwish, Int8VerifiedVector) {
  // s_in = 0.05 (z -10), s_out = 0.04 (z -20): Mo16 = 20480, eo = -6,
  // Mr16 = 17476, er = 3.
  test::OneNode t(ir::OpKind::kHardSwish);
  t.In<int8_t>({8}, {-128, -80, -70, -10, 0, 40, 60, 127}, Quant(0.05f, -10))
      .Out(ir::DType::kInt8, {8}, Quant(0.04f, -20));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-20, -20, -20, -20, -13, 37, 67, 127}));
}

TEST(HardSwish, Float32) {
  test::OneNode t(ir::OpKind::kHardSwish);
  t.In<float>({5}, {-4.0f, -3.0f, 1.0f, 3.0f, 4.0f}).Out(ir::DType::kFloat32, {5});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 0.0f);
  EXPECT_EQ((*r)[1], 0.0f);
  EXPECT_EQ((*r)[2], 4.0f / 6.0f);  // 1 * 4 / 6, multiply then divide
  EXPECT_EQ((*r)[3], 3.0f);
  EXPECT_EQ((*r)[4], 4.0f);
}

TEST(HardSwish, InferErrors) {
  {
    // (s_in / 128) / s_out >= 1: the output shift would be positive.
    test::OneNode t(ir::OpKind::kHardSwish);
    t.In<int8_t>({2}, {0, 0}, Quant(1.0f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.001f, 0));
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kHardSwish);
    t.In<int8_t>({2}, {0, 0}, Quant(0.05f, 0)).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // output without quantization
  }
  {
    test::OneNode t(ir::OpKind::kHardSwish);
    t.In<int8_t>({2}, {0, 0}, Quant(0.05f, 300)).Out(ir::DType::kInt8, {2}, Quant(0.04f, 0));
    EXPECT_FALSE(t.Infer().ok());  // zero point outside int8
  }
  {
    test::OneNode t(ir::OpKind::kHardSwish);
    t.In<int16_t>({2}, {0, 0}, Quant(0.05f, 0)).Out(ir::DType::kInt16, {2}, Quant(0.04f, 0));
    EXPECT_FALSE(t.Infer().ok());  // dtype
  }
}

}  // namespace
}  // namespace ember
