// ADD reference evaluator: int8 cases hand-computed from TFLite Micro's
// formula (semantics notes §8.1), broadcasting, fused activations, float32 and
// Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Add, Int8EqualScalesAddDifferences) {
  // Equal scales: r1 = r2 = 1/2 and the output factor 2^-19 are exact, so
  // out = (x1 - z1) + (x2 - z2) + z_out, clamped.
  test::OneNode t(ir::OpKind::kAdd);
  t.In<int8_t>({5}, {1, 2, 3, 100, -128}, Quant(0.5f, 1))
      .In<int8_t>({5}, {4, 5, -6, 100, -128}, Quant(0.5f, -2))
      .Out(ir::DType::kInt8, {5}, Quant(0.5f, 3));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // 0+6+3, 1+7+3, 2-4+3, 99+102+3 -> 127, -129-126+3 -> -128
  EXPECT_EQ(*r, (std::vector<int8_t>{9, 11, 1, 127, -128}));
}

TEST(Add, Int8RoundsHalfAwayFromZero) {
  // s1 = 0.5, s2 = 0.25, s_out = 0.5: out = d1 + d2/2 with the final rounding
  // shift taking ties away from zero.
  test::OneNode t(ir::OpKind::kAdd);
  t.In<int8_t>({6}, {0, 0, 0, 0, 2, -2}, Quant(0.5f, 0))
      .In<int8_t>({6}, {1, -1, 3, -3, 5, -5}, Quant(0.25f, 0))
      .Out(ir::DType::kInt8, {6}, Quant(0.5f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // 0.5 -> 1, -0.5 -> -1, 1.5 -> 2, -1.5 -> -2, 4.5 -> 5, -4.5 -> -5
  EXPECT_EQ(*r, (std::vector<int8_t>{1, -1, 2, -2, 5, -5}));
}

TEST(Add, Int8Broadcasting) {
  test::OneNode t(ir::OpKind::kAdd);
  t.In<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6}, Quant(0.5f, 0))
      .In<int8_t>({3}, {10, 20, 30}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {2, 3}, Quant(0.5f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{11, 22, 33, 14, 25, 36}));
}

TEST(Add, Int8BroadcastingBothSides) {
  test::OneNode t(ir::OpKind::kAdd);
  t.In<int8_t>({2, 1}, {1, 2}, Quant(0.5f, 0))
      .In<int8_t>({1, 3}, {10, 20, 30}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {2, 3}, Quant(0.5f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{11, 21, 31, 12, 22, 32}));
}

TEST(Add, Int8FusedRelu) {
  // relu clamps at the output zero point -10.
  test::OneNode t(ir::OpKind::kAdd);
  t.In<int8_t>({3}, {-5, 0, 5}, Quant(0.5f, 0))
      .In<int8_t>({3}, {-5, 0, 5}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {3}, Quant(0.5f, -10))
      .Attr("act", std::string("relu"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-10, -10, 0}));
}

TEST(Add, Float32WithRelu6) {
  test::OneNode t(ir::OpKind::kAdd);
  t.In<float>({4}, {1.5f, -2.0f, 5.0f, 0.25f})
      .In<float>({4}, {0.25f, 1.0f, 3.0f, 0.5f})
      .Out(ir::DType::kFloat32, {4})
      .Attr("act", std::string("relu6"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.75f, 0.0f, 6.0f, 0.75f}));
}

TEST(Add, FusedClipInt8AndFloat32) {
  // int8, output (0.5, -10): act_min -1.2 -> -10 + round(-2.4) = -12,
  // act_max 2.25 -> -10 + round(4.5) = -5 (ties away from zero).
  test::OneNode q(ir::OpKind::kAdd);
  q.In<int8_t>({4}, {-8, -2, 0, 5}, Quant(0.5f, 0))
      .In<int8_t>({4}, {0, 0, 2, 5}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {4}, Quant(0.5f, -10))
      .Attr("act", std::string("clip"))
      .Attr("act_min", -1.2)
      .Attr("act_max", 2.25);
  auto r = q.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-12, -12, -8, -5}));
  test::OneNode f(ir::OpKind::kAdd);
  f.In<float>({3}, {-3.0f, 0.5f, 4.0f}).In<float>({3}, {0.0f, 0.0f, 0.0f}).Out(ir::DType::kFloat32, {3});
  f.Attr("act", std::string("clip")).Attr("act_min", -1.2).Attr("act_max", 2.25);
  auto rf = f.Run<float>();
  ASSERT_TRUE(rf.ok()) << rf.diag().ToString();
  EXPECT_EQ(*rf, (std::vector<float>{-1.2f, 0.5f, 2.25f}));
}

TEST(Add, FusedClipNeedsAnInterval) {
  const std::vector<std::pair<double, double>> bounds = {{1.0, -1.0}, {0.0, std::nan("")}};
  for (size_t i = 0; i < bounds.size(); ++i) {
    test::OneNode t(ir::OpKind::kAdd);
    t.In<float>({2}, {0, 0}).In<float>({2}, {0, 0}).Out(ir::DType::kFloat32, {2});
    t.Attr("act", std::string("clip")).Attr("act_min", bounds[i].first).Attr("act_max", bounds[i].second);
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find(i == 0 ? "not an interval" : "not finite"), std::string::npos)
        << r.diag().message;
  }
  test::OneNode t(ir::OpKind::kAdd);
  t.In<float>({2}, {0, 0}).In<float>({2}, {0, 0}).Out(ir::DType::kFloat32, {2});
  t.Attr("act", std::string("clip")).Attr("act_min", 0.0);
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("act_max"), std::string::npos) << r.diag().message;
}

TEST(Add, Float32Broadcast) {
  test::OneNode t(ir::OpKind::kAdd);
  t.In<float>({2, 2}, {1, 2, 3, 4}).In<float>({}, {0.5f}).Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f}));
}

TEST(Add, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kAdd);
    t.In<int8_t>({2}, {0, 0}, Quant(1, 0)).In<float>({2}, {0, 0}).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // mixed dtypes
  }
  {
    test::OneNode t(ir::OpKind::kAdd);
    t.In<float>({2}, {0, 0}).In<float>({3}, {0, 0, 0}).Out(ir::DType::kFloat32, {3});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("broadcast"), std::string::npos);
  }
  {
    test::OneNode t(ir::OpKind::kAdd);
    t.In<float>({2}, {0, 0}).In<float>({2}, {0, 0}).Out(ir::DType::kFloat32, {2});
    t.Attr("act", std::string("gelu"));
    EXPECT_FALSE(t.Infer().ok());  // unknown activation
  }
  {
    test::OneNode t(ir::OpKind::kAdd);
    t.In<int8_t>({2}, {0, 0}, Quant(1, 0)).In<int8_t>({2}, {0, 0}).Out(ir::DType::kInt8, {2},
                                                                      Quant(1, 0));
    EXPECT_FALSE(t.Infer().ok());  // missing quantization on input 2
  }
  {
    // 2 * max(s1, s2) / (2^20 * s_out) >= 1 makes TFLite Micro abort.
    test::OneNode t(ir::OpKind::kAdd);
    t.In<int8_t>({2}, {0, 0}, Quant(1, 0)).In<int8_t>({2}, {0, 0}, Quant(1, 0));
    t.Out(ir::DType::kInt8, {2}, Quant(1e-7f, 0));
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kAdd);
    t.In<int32_t>({2}, {0, 0}, Quant(1, 0)).In<int32_t>({2}, {0, 0}, Quant(1, 0));
    t.Out(ir::DType::kInt32, {2}, Quant(1, 0));
    EXPECT_FALSE(t.Infer().ok());  // unsupported dtype
  }
  {
    test::OneNode t(ir::OpKind::kAdd);
    t.In<float>({2}, {0, 0}).Out(ir::DType::kFloat32, {2});
    EXPECT_FALSE(t.Infer().ok());  // arity
  }
}

TEST(Add, CheckRejectsWrongDeclaredShape) {
  test::OneNode t(ir::OpKind::kAdd);
  t.In<float>({2, 1}, {0, 0}).In<float>({3}, {0, 0, 0}).Out(ir::DType::kFloat32, {3});
  EXPECT_FALSE(t.Check().ok());
}

}  // namespace
}  // namespace ember
