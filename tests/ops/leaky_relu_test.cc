// LEAKY_RELU reference evaluator: int8 hand-computed from TFLite Micro's
// formula (two multipliers from float32 scale arithmetic, MBQM rounding),
// float32 and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(LeakyRelu, Int8EqualScales) {
  // identity = 1 and alpha = 0.25 are exact multipliers; negative values go
  // through MBQM's double rounding: -10 * 0.25 -> -3, -3 * 0.25 -> -1,
  // -2 * 0.25 -> -1, -1 * 0.25 -> 0.
  test::OneNode t(ir::OpKind::kLeakyRelu);
  t.In<int8_t>({8}, {-128, -10, -3, -2, -1, 0, 1, 127}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {8}, Quant(0.5f, 0))
      .Attr("alpha", 0.25);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-32, -3, -1, -1, 0, 0, 1, 127}));
}

TEST(LeakyRelu, Int8ZeroPointsAndRescale) {
  // s_in/s_out = 2, alpha term 0.5 * 0.2 / 0.25 = 0.4 (float32); z_in = 10,
  // z_out = -20. x = 10 + v: v = 50 -> -20 + 100 = 80; v = 60 -> 100;
  // v = 80 -> 140 -> 127; v = -50 -> -20 - 20 = -40; v = -138 -> -20 - 55.2
  // -> -75.
  test::OneNode t(ir::OpKind::kLeakyRelu);
  t.In<int8_t>({5}, {60, 70, 90, -40, -128}, Quant(0.5f, 10))
      .Out(ir::DType::kInt8, {5}, Quant(0.25f, -20))
      .Attr("alpha", 0.2);
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{80, 100, 127, -40, -75}));
}

TEST(LeakyRelu, Float32) {
  test::OneNode t(ir::OpKind::kLeakyRelu);
  t.In<float>({4}, {-2.0f, 0.0f, 3.0f, -0.5f}).Out(ir::DType::kFloat32, {4}).Attr("alpha", 0.1);
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  const float a = 0.1f;
  EXPECT_EQ(*r, (std::vector<float>{-2.0f * a, 0.0f, 3.0f, -0.5f * a}));
}

TEST(LeakyRelu, Errors) {
  {
    test::OneNode t(ir::OpKind::kLeakyRelu, "lr");
    t.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'lr' (leaky_relu): attribute 'alpha' (real) is required"),
              std::string::npos)
        << r.diag().ToString();
  }
  {
    test::OneNode t(ir::OpKind::kLeakyRelu);
    t.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("alpha", std::string("x"));
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kLeakyRelu);
    t.In<int8_t>({2}, {1, 2}, Quant(1.0f, 0)).Out(ir::DType::kInt8, {2}, Quant(1e-12f, 0)).Attr("alpha", 0.1);
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kLeakyRelu);
    t.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("alpha", 1e300);
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kLeakyRelu);
    t.In<int8_t>({2}, {1, 2}).Out(ir::DType::kInt8, {2}).Attr("alpha", 0.1);
    EXPECT_FALSE(t.Infer().ok());  // int8 without quantization
  }
}

}  // namespace
}  // namespace ember
