// RELU reference evaluator: int8 requantizes (semantics notes §10.6), float32
// and Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Relu, Int8Requantizes) {
  // s_in / s_out = 0.5 / 0.25 = 2 exactly: out = max(-10, -10 + 2 * x).
  test::OneNode t(ir::OpKind::kRelu);
  t.In<int8_t>({5}, {-5, 0, 3, 60, 100}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {5},
                                                             Quant(0.25f, -10));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-10, -10, -4, 110, 127}));
}

TEST(Relu, Int8ZeroPointShift) {
  // Equal scales, z_in = 5, z_out = -3: out = max(-3, x - 8).
  test::OneNode t(ir::OpKind::kRelu);
  t.In<int8_t>({4}, {-128, 5, 10, 127}, Quant(0.1f, 5)).Out(ir::DType::kInt8, {4}, Quant(0.1f, -3));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-3, -3, 2, 119}));
}

TEST(Relu, Int8RoundsLikeMbqm) {
  // s_in / s_out = 0.5 -> multiplier (2^30, 0): MBQM(x) = floor((x + 1) / 2).
  // 0.5, 1.5, 2.5 round up to 1, 2, 3; -0.5 gives 0, which is also the bound.
  test::OneNode t(ir::OpKind::kRelu);
  t.In<int8_t>({4}, {1, 3, 5, -1}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {4}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{1, 2, 3, 0}));
}

TEST(Relu, Float32) {
  test::OneNode t(ir::OpKind::kRelu);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  t.In<float>({5}, {-1.5f, 0.0f, 2.5f, -0.0f, nan}).Out(ir::DType::kFloat32, {5});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 0.0f);
  EXPECT_EQ((*r)[1], 0.0f);
  EXPECT_EQ((*r)[2], 2.5f);
  EXPECT_TRUE(std::signbit((*r)[3]));  // -0.0 passes through
  EXPECT_TRUE(std::isnan((*r)[4]));
}

TEST(Relu, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kRelu);
    t.In<int8_t>({2}, {0, 0}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // output without quantization
  }
  {
    test::OneNode t(ir::OpKind::kRelu);
    t.In<int8_t>({2}, {0, 0}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.0f, 0));
    EXPECT_FALSE(t.Infer().ok());  // zero output scale
  }
  {
    test::OneNode t(ir::OpKind::kRelu);
    t.In<int64_t>({2}, {0, 0}).Out(ir::DType::kInt64, {2});
    EXPECT_FALSE(t.Infer().ok());  // dtype
  }
}

}  // namespace
}  // namespace ember
