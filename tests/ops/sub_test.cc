// SUB reference evaluator: int8 cases hand-computed from TFLite Micro's
// formula (semantics notes §8.3: ADD's shape with float32 multipliers and the
// difference taken after the per-input rescale), broadcasting, fused
// activations, float32 and Infer errors.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Sub, Int8EqualScalesSubtractDifferences) {
  // Equal scales: r1 = r2 = 1/2 and the output factor 2^-19 are exact, so
  // out = (x1 - z1) - (x2 - z2) + z_out, clamped.
  test::OneNode t(ir::OpKind::kSub);
  t.In<int8_t>({5}, {1, 2, 3, 100, -128}, Quant(0.5f, 1))
      .In<int8_t>({5}, {4, 5, -6, -100, 127}, Quant(0.5f, -2))
      .Out(ir::DType::kInt8, {5}, Quant(0.5f, 3));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // 0-6+3, 1-7+3, 2+4+3, 99+98+3 -> 127, -129-129+3 -> -128
  EXPECT_EQ(*r, (std::vector<int8_t>{-3, -3, 9, 127, -128}));
}

TEST(Sub, Int8RoundsHalfAwayFromZero) {
  // s1 = 0.5, s2 = 0.25, s_out = 0.5: out = d1 - d2/2, the final rounding
  // shift taking ties away from zero.
  test::OneNode t(ir::OpKind::kSub);
  t.In<int8_t>({6}, {0, 0, 0, 0, 2, -2}, Quant(0.5f, 0))
      .In<int8_t>({6}, {1, -1, 3, -3, 5, -5}, Quant(0.25f, 0))
      .Out(ir::DType::kInt8, {6}, Quant(0.5f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // -0.5 -> -1, 0.5 -> 1, -1.5 -> -2, 1.5 -> 2, -0.5 -> -1, 0.5 -> 1
  EXPECT_EQ(*r, (std::vector<int8_t>{-1, 1, -2, 2, -1, 1}));
}

TEST(Sub, Int8EqualOperandsGiveTheZeroPoint) {
  // x - x is exactly the output zero point whatever the scales: both inputs
  // get the same multiplier when they share a scale.
  test::OneNode t(ir::OpKind::kSub);
  t.In<int8_t>({4}, {-128, -1, 0, 127}, Quant(0.0235f, 7))
      .In<int8_t>({4}, {-128, -1, 0, 127}, Quant(0.0235f, 7))
      .Out(ir::DType::kInt8, {4}, Quant(0.0301f, -9));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-9, -9, -9, -9}));
}

TEST(Sub, Int8BroadcastingAndRelu) {
  test::OneNode t(ir::OpKind::kSub);
  t.In<int8_t>({2, 3}, {10, 20, 30, 40, 50, 60}, Quant(0.5f, 0))
      .In<int8_t>({3}, {15, 20, 25}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {2, 3}, Quant(0.5f, -4))
      .Attr("act", std::string("relu"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // -5-4 -> relu clamps at -4; 0-4; 5-4; 25-4; 30-4; 35-4
  EXPECT_EQ(*r, (std::vector<int8_t>{-4, -4, 1, 21, 26, 31}));
}

TEST(Sub, Float32BroadcastAndActivations) {
  test::OneNode t(ir::OpKind::kSub);
  t.In<float>({2, 2}, {1.5f, -2.0f, 9.0f, 0.25f})
      .In<float>({1, 2}, {0.25f, -1.0f})
      .Out(ir::DType::kFloat32, {2, 2})
      .Attr("act", std::string("relu6"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.25f, 0.0f, 6.0f, 1.25f}));
}

TEST(Sub, Float32InfinitiesClampAndNanPasses) {
  test::OneNode t(ir::OpKind::kSub);
  const float inf = INFINITY;
  t.In<float>({3}, {inf, inf, 1.0f}).In<float>({3}, {inf, 1.0f, -inf}).Out(ir::DType::kFloat32, {3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // The activation range of "none" is [lowest, max], as TFLite's: infinities
  // clamp to the largest finite float, NaN passes through.
  EXPECT_TRUE(std::isnan((*r)[0]));
  EXPECT_EQ((*r)[1], FLT_MAX);
  EXPECT_EQ((*r)[2], FLT_MAX);
}

TEST(Sub, EmptyTensor) {
  test::OneNode t(ir::OpKind::kSub);
  t.In<int8_t>({0, 3}, {}, Quant(0.5f, 0))
      .In<int8_t>({3}, {1, 2, 3}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {0, 3}, Quant(0.5f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_TRUE(r->empty());
}

TEST(Sub, InferErrorsNameTheNode) {
  {
    test::OneNode t(ir::OpKind::kSub, "diff");
    t.In<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6}, Quant(0.5f, 0))
        .In<int8_t>({4}, {1, 2, 3, 4}, Quant(0.5f, 0))
        .Out(ir::DType::kInt8, {2, 3}, Quant(0.5f, 0));
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.diag().id, "E0301");
    EXPECT_NE(r.diag().message.find("node 'diff' (sub)"), std::string::npos) << r.diag().ToString();
    EXPECT_NE(r.diag().message.find("do not broadcast"), std::string::npos);
  }
  {
    test::OneNode t(ir::OpKind::kSub);
    t.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0))
        .In<float>({2}, {1, 2})
        .Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    // The output rescale factor 2*max(s)/(2^20 s_out) must stay below one.
    test::OneNode t(ir::OpKind::kSub);
    t.In<int8_t>({2}, {1, 2}, Quant(1.0f, 0))
        .In<int8_t>({2}, {1, 2}, Quant(1.0f, 0))
        .Out(ir::DType::kInt8, {2}, Quant(1e-7f, 0));
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("outside (0, 1)"), std::string::npos) << r.diag().ToString();
  }
  {
    test::OneNode t(ir::OpKind::kSub);
    t.In<float>({2}, {1, 2}).In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
    t.Attr("act", std::string("tanh"));
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
