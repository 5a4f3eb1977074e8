// RELU6 reference evaluator: int8 clamps in the input domain without
// requantizing (semantics notes §10.6), float32 and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Relu6, Int8ClampsInInputDomain) {
  // s_in = 0.05, z_in = -20: bounds [-20, round(6 / 0.05) - 20 = 100]. The
  // output quantization (0.1, 7) is ignored.
  test::OneNode t(ir::OpKind::kRelu6);
  t.In<int8_t>({7}, {-128, -20, 0, 99, 100, 101, 127}, Quant(0.05f, -20))
      .Out(ir::DType::kInt8, {7}, Quant(0.1f, 7));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-20, -20, 0, 99, 100, 100, 100}));
}

TEST(Relu6, Int8UpperBoundSaturatesAt127) {
  // 6 / 0.02 = 300: the upper bound clamps to 127.
  test::OneNode t(ir::OpKind::kRelu6);
  t.In<int8_t>({3}, {-1, 0, 127}, Quant(0.02f, 0)).Out(ir::DType::kInt8, {3}, Quant(0.02f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{0, 0, 127}));
}

TEST(Relu6, Int8UpperBoundRoundsHalfAwayFromZero) {
  // 6 / 0.8 = 7.5 -> 8: with z_in = 0 the bounds are [0, 8].
  test::OneNode t(ir::OpKind::kRelu6);
  t.In<int8_t>({3}, {7, 8, 9}, Quant(0.8f, 0)).Out(ir::DType::kInt8, {3}, Quant(0.8f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{7, 8, 8}));
}

TEST(Relu6, Float32) {
  test::OneNode t(ir::OpKind::kRelu6);
  t.In<float>({4}, {-1.0f, 3.5f, 6.0f, 7.25f}).Out(ir::DType::kFloat32, {4});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f, 3.5f, 6.0f, 6.0f}));
}

TEST(Relu6, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kRelu6);
    t.In<int8_t>({2}, {0, 0}).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // input without quantization
  }
  {
    test::OneNode t(ir::OpKind::kRelu6);
    t.In<int8_t>({2}, {0, 0}, Quant(-0.5f, 0)).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // negative scale
  }
  {
    test::OneNode t(ir::OpKind::kRelu6);
    t.In<int16_t>({2}, {0, 0}, Quant(0.5f, 0)).Out(ir::DType::kInt16, {2});
    EXPECT_FALSE(t.Infer().ok());  // dtype
  }
}

}  // namespace
}  // namespace ember
