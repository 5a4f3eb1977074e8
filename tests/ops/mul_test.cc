// MUL reference evaluator: int8 cases hand-computed from TFLite Micro's
// formula (semantics notes §8.2, MBQM double rounding), positive shifts,
// broadcasting, float32 and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Mul, Int8PositiveShift) {
  // s1 * s2 / s_out = 0.25 / 0.125 = 2 -> multiplier (2^30, shift 2):
  // MBQM(p) = Srdhm(4p, 2^30) = 2p exactly.
  test::OneNode t(ir::OpKind::kMul);
  t.In<int8_t>({4}, {1, -2, 10, 0}, Quant(0.5f, 0))
      .In<int8_t>({4}, {3, 5, 10, 7}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {4}, Quant(0.125f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{6, -20, 127, 0}));
}

TEST(Mul, Int8ZeroPointsAndDoubleRounding) {
  // s1 * s2 / s_out = 0.25 -> (2^30, shift -1): MBQM(p) = Rdbpot(floor((p + 1) / 2), 1).
  // p = 1 -> 1 (real 0.25), -1 -> 0, 2 -> 1, 3 -> 1, -2 -> -1, -3 -> -1,
  // 5 -> 2 (real 1.25: the two roundings compound).
  test::OneNode t(ir::OpKind::kMul);
  t.In<int8_t>({7}, {4, 2, 5, 6, 1, 0, 8}, Quant(0.5f, 3))  // x1 - 3 = 1,-1,2,3,-2,-3,5
      .In<int8_t>({7}, {-9, -9, -9, -9, -9, -9, -9}, Quant(0.5f, -10))  // x2 + 10 = 1
      .Out(ir::DType::kInt8, {7}, Quant(1.0f, 4));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{5, 4, 5, 5, 3, 3, 6}));
}

TEST(Mul, Int8BroadcastWithActivation) {
  test::OneNode t(ir::OpKind::kMul);
  t.In<int8_t>({2, 1}, {1, -1}, Quant(0.5f, 0))
      .In<int8_t>({1, 3}, {1, 2, 3}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {2, 3}, Quant(0.125f, 0))
      .Attr("act", std::string("relu"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{2, 4, 6, 0, 0, 0}));
}

TEST(Mul, Float32) {
  test::OneNode t(ir::OpKind::kMul);
  t.In<float>({3}, {1.5f, -2.0f, 4.0f})
      .In<float>({1}, {-2.0f})
      .Out(ir::DType::kFloat32, {3})
      .Attr("act", std::string("relu_n1_to_1"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{-1.0f, 1.0f, -1.0f}));
}

TEST(Mul, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kMul);
    t.In<float>({2, 3}, std::vector<float>(6)).In<float>({2}, {0, 0});
    t.Out(ir::DType::kFloat32, {2, 3});
    EXPECT_FALSE(t.Infer().ok());  // no broadcast
  }
  {
    test::OneNode t(ir::OpKind::kMul);
    t.In<int8_t>({2}, {0, 0}, Quant(1, 0)).In<int8_t>({2}, {0, 0}, Quant(1, 0));
    t.Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // output without quantization
  }
  {
    test::OneNode t(ir::OpKind::kMul);
    t.In<float>({2}, {0, 0}).In<float>({2}, {0, 0}).Out(ir::DType::kFloat32, {2});
    t.Attr("act", int64_t{1});
    EXPECT_FALSE(t.Infer().ok());  // act must be a string
  }
  {
    test::OneNode t(ir::OpKind::kMul);
    t.In<int8_t>({2}, {0, 0}, Quant(1, 0)).In<int8_t>({2}, {0, 0}, Quant(-1, 0));
    t.Out(ir::DType::kInt8, {2}, Quant(1, 0));
    EXPECT_FALSE(t.Infer().ok());  // negative scale
  }
  {
    // s1 * s2 / s_out = 1e10 needs a left shift above 30.
    test::OneNode t(ir::OpKind::kMul);
    t.In<int8_t>({2}, {0, 0}, Quant(1, 0)).In<int8_t>({2}, {0, 0}, Quant(1, 0));
    t.Out(ir::DType::kInt8, {2}, Quant(1e-10f, 0));
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
