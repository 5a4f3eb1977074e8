// MEAN reference evaluator (semantics notes §10.7): the int8 integer path with
// its MBQM tie rule, zero points and rescaling, keep_dims, float32 and Infer
// errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Mean, Int8VerifiedTies) {
  // Equal quantization, mean over 2: (-2, -3) -> -2 (tie toward +inf), (7, 8) -> 8.
  test::OneNode t(ir::OpKind::kMean);
  t.In<int8_t>({2, 2}, {-2, -3, 7, 8}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {2}, Quant(0.5f, 0))
      .Attr("axes", std::vector<int64_t>{1})
      .Attr("keep_dims", int64_t{0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-2, 8}));
}

TEST(Mean, Int8SpatialKeepDimsWithRescale) {
  // [1,2,2,1] over {1,2}: z_in = 3, s_in / s_out = 0.5 / 0.25, z_out = -1.
  // Values 5,7,9,11 -> mean of (x - 3) = 2.5 real 1.25 -> 5 steps of 0.25 ...
  // In integers: sum 32 - 3*4 = 20, multiplier 2 / 4 = 0.5 -> 10, + (-1) = 9.
  test::OneNode t(ir::OpKind::kMean);
  t.In<int8_t>({1, 2, 2, 1}, {5, 7, 9, 11}, Quant(0.5f, 3))
      .Out(ir::DType::kInt8, {1, 1, 1, 1}, Quant(0.25f, -1))
      .Attr("axes", std::vector<int64_t>{1, 2})
      .Attr("keep_dims", int64_t{1});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{9}));
}

TEST(Mean, Int8CountNotAPowerOfTwo) {
  // N = 3: k = 1, multiplier' = trunc(2^30 * 2 / 3) = 715827882, shift' = 0.
  // Sum 4 -> Srdhm(4, 715827882) = 1 (4/3); sum 5 -> 2 (5/3); sum -5 -> -2.
  test::OneNode t(ir::OpKind::kMean);
  t.In<int8_t>({3, 3}, {1, 1, 2, 1, 1, 3, -1, -1, -3}, Quant(1.0f, 0))
      .Out(ir::DType::kInt8, {3}, Quant(1.0f, 0))
      .Attr("axes", std::vector<int64_t>{1});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{1, 2, -2}));
}

TEST(Mean, Int8LeadingAxis) {
  // Reduce axis 0 of [2,3]: pairs (1,3) (2,4) (-5,-6) -> 2, 3, -5 (-5.5 tie up).
  test::OneNode t(ir::OpKind::kMean);
  t.In<int8_t>({2, 3}, {1, 2, -5, 3, 4, -6}, Quant(1.0f, 0))
      .Out(ir::DType::kInt8, {3}, Quant(1.0f, 0))
      .Attr("axes", std::vector<int64_t>{0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{2, 3, -5}));
}

TEST(Mean, Float32) {
  test::OneNode t(ir::OpKind::kMean);
  t.In<float>({2, 3}, {1, 2, 3, 4, 5, 7})
      .Out(ir::DType::kFloat32, {1, 3})
      .Attr("axes", std::vector<int64_t>{0})
      .Attr("keep_dims", int64_t{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{2.5f, 3.5f, 5.0f}));
}

TEST(Mean, Float32AllAxes) {
  test::OneNode t(ir::OpKind::kMean);
  t.In<float>({2, 2}, {1, 2, 3, 5}).Out(ir::DType::kFloat32, {}).Attr(
      "axes", std::vector<int64_t>{0, 1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{2.75f}));
}

TEST(Mean, InferErrors) {
  auto make = [](std::vector<int64_t> axes) {
    test::OneNode t(ir::OpKind::kMean);
    t.In<float>({2, 3}, std::vector<float>(6)).Out(ir::DType::kFloat32, {2});
    t.Attr("axes", std::move(axes));
    return t;
  };
  EXPECT_FALSE(make({2}).Infer().ok());      // out of range
  EXPECT_FALSE(make({-1}).Infer().ok());     // negative (the frontend normalizes)
  EXPECT_FALSE(make({1, 0}).Infer().ok());   // not ascending
  EXPECT_FALSE(make({1, 1}).Infer().ok());   // duplicate
  EXPECT_TRUE(make({1}).Infer().ok());
  {
    auto t = make({1});
    t.Attr("keep_dims", int64_t{2});
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kMean);
    t.In<float>({2, 3}, std::vector<float>(6)).Out(ir::DType::kFloat32, {2});
    EXPECT_FALSE(t.Infer().ok());  // axes missing
  }
  {
    test::OneNode t(ir::OpKind::kMean);
    t.In<int8_t>({2, 3}, std::vector<int8_t>(6), Quant(1, 0)).Out(ir::DType::kInt8, {2});
    t.Attr("axes", std::vector<int64_t>{1});
    EXPECT_FALSE(t.Infer().ok());  // output without quantization
  }
  {
    auto t = make({1});
    t.out_tensor(0).shape = {2, 1};
    EXPECT_FALSE(t.Check().ok());  // declared shape ignores keep_dims = 0
  }
}

}  // namespace
}  // namespace ember
