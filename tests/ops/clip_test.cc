// CLIP reference evaluator: int8 (RELU's requantization with [min, max]
// bounds), float32 with absent bounds, NaN, min > max, and Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Clip, Int8SameQuantizationIsAClamp) {
  // s = 0.1, z = -10: bounds -1 and 2 are -10 - 10 = -20 and -10 + 20 = 10.
  test::OneNode t(ir::OpKind::kClip);
  t.In<int8_t>({7}, {-128, -21, -20, 0, 10, 11, 127}, Quant(0.1f, -10))
      .Out(ir::DType::kInt8, {7}, Quant(0.1f, -10))
      .Attr("min", -1.0)
      .Attr("max", 2.0);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-20, -20, -20, 0, 10, 10, 10}));
}

TEST(Clip, Int8RequantizesAndAbsentBound) {
  // s_in / s_out = 2 exactly; no min; max 10 / 0.25 = 40 above z_out 0.
  test::OneNode t(ir::OpKind::kClip);
  t.In<int8_t>({5}, {-128, -3, 0, 15, 30}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {5}, Quant(0.25f, 0))
      .Attr("max", 10.0);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, -6, 0, 30, 40}));
}

TEST(Clip, Int8MinAboveMaxGivesMax) {
  test::OneNode t(ir::OpKind::kClip);
  t.In<int8_t>({3}, {-100, 0, 100}, Quant(1.0f, 0))
      .Out(ir::DType::kInt8, {3}, Quant(1.0f, 0))
      .Attr("min", 5.0)
      .Attr("max", 1.0);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{1, 1, 1}));
}

TEST(Clip, Int8HugeBoundsAreTheInt8Limits) {
  test::OneNode t(ir::OpKind::kClip);
  t.In<int8_t>({3}, {-128, 0, 127}, Quant(1e-3f, 0))
      .Out(ir::DType::kInt8, {3}, Quant(1e-3f, 0))
      .Attr("min", -1e300)
      .Attr("max", 1e300);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, 0, 127}));
}

TEST(Clip, Float32) {
  test::OneNode t(ir::OpKind::kClip);
  t.In<float>({5}, {-3.0f, -0.5f, 0.25f, 7.0f, NAN})
      .Out(ir::DType::kFloat32, {5})
      .Attr("min", -1.0)
      .Attr("max", 0.5);
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], -1.0f);
  EXPECT_EQ((*r)[1], -0.5f);
  EXPECT_EQ((*r)[2], 0.25f);
  EXPECT_EQ((*r)[3], 0.5f);
  EXPECT_TRUE(std::isnan((*r)[4]));

  test::OneNode u(ir::OpKind::kClip);
  u.In<float>({3}, {-1e30f, 0.0f, 1e30f}).Out(ir::DType::kFloat32, {3}).Attr("min", int64_t{0});
  auto ru = u.Run<float>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<float>{0.0f, 0.0f, 1e30f}));
}

TEST(Clip, Errors) {
  {
    test::OneNode t(ir::OpKind::kClip, "c");
    t.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("min", std::string("low"));
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'c' (clip): attribute 'min' must be a real number"),
              std::string::npos)
        << r.diag().ToString();
  }
  {
    test::OneNode t(ir::OpKind::kClip);
    t.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("max", INFINITY);
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kClip);
    t.In<int32_t>({2}, {1, 2}).Out(ir::DType::kInt32, {2});
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
