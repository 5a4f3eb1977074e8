// ELU reference evaluator: float32 x < 0 ? expm1(x) : x; int8 TFLite Micro's
// float32 lookup table (values checked by hand), and refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

TEST(Elu, Float32) {
  test::OneNode t(ir::OpKind::kElu);
  t.In<float>({5}, {-1.0f, 2.0f, 0.0f, -20.0f, 0.5f}).Out(ir::DType::kFloat32, {5});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{std::expm1(-1.0f), 2.0f, 0.0f, std::expm1(-20.0f), 0.5f}));
  EXPECT_NEAR((*r)[0], -0.6321206f, 1e-7f);
}

TEST(Elu, Int8Table) {
  // Input and output scale 1/16, zero point 0: -16 is -1.0 -> e^-1 - 1 =
  // -0.632 -> -10.1 steps -> -10; -128 is -8.0 -> -0.99966 -> -15.99 -> -16;
  // -1 is -0.0625 -> -0.0606 -> -0.97 -> -1; positives pass through.
  test::OneNode t(ir::OpKind::kElu);
  t.In<int8_t>({6}, {-16, -128, -1, 0, 32, 127}, test::Quant(1.0f / 16, 0))
      .Out(ir::DType::kInt8, {6}, test::Quant(1.0f / 16, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-10, -16, -1, 0, 32, 127}));
}

TEST(Elu, Int8RescalesAndClamps) {
  // Output scale 1/32, zero point 100: 2.0 (32 at 1/16) is 64 steps -> 164 -> 127;
  // -1.0 -> -20.2 steps -> -20 + 100 = 80; the input zero point -3 shifts the input.
  test::OneNode t(ir::OpKind::kElu);
  t.In<int8_t>({3}, {29, -19, -3}, test::Quant(1.0f / 16, -3)).Out(ir::DType::kInt8, {3}, test::Quant(1.0f / 32, 100));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{127, 80, 100}));
}

TEST(Elu, RefusesOtherTypes) {
  test::OneNode t(ir::OpKind::kElu);
  t.In<int32_t>({2}, {1, 2}).Out(ir::DType::kInt32, {2});
  EXPECT_FALSE(t.Run<int32_t>().ok());
}

}  // namespace
}  // namespace ember
