// ABS reference evaluator: float32 |x| (sign bit cleared), int8 as TFLite
// Micro's kernel with and without rescaling.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Abs, Float32) {
  test::OneNode t(ir::OpKind::kAbs);
  t.In<float>({4}, {-1.5f, 2.0f, -0.0f, -std::numeric_limits<float>::infinity()}).Out(ir::DType::kFloat32, {4});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.5f, 2.0f, 0.0f, std::numeric_limits<float>::infinity()}));
  EXPECT_FALSE(std::signbit((*r)[2]));
}

TEST(Abs, Int8SameScaleShiftsZeroPoint) {
  // v = |x - (-3)|, out = clamp(v + 5).
  test::OneNode t(ir::OpKind::kAbs);
  t.In<int8_t>({5}, {-3, -10, 4, -128, 127}, Quant(0.5f, -3)).Out(ir::DType::kInt8, {5}, Quant(0.5f, 5));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{5, 12, 12, 127, 127}));
}

TEST(Abs, Int8Rescaled) {
  // s_in / s_out = 0.5: out = Mbqm(|x - 0|, 0.5) - 128, rounding half away from zero.
  test::OneNode t(ir::OpKind::kAbs);
  t.In<int8_t>({5}, {0, -1, 3, -128, 127}, Quant(0.25f, 0)).Out(ir::DType::kInt8, {5}, Quant(0.5f, -128));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, -127, -126, -64, -64}));
}

TEST(Abs, Rejects) {
  test::OneNode t(ir::OpKind::kAbs);
  t.In<int32_t>({2}, {1, 2}).Out(ir::DType::kInt32, {2});
  EXPECT_FALSE(t.Infer().ok());
  test::OneNode q(ir::OpKind::kAbs);
  q.In<int8_t>({2}, {1, 2}).Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
  EXPECT_FALSE(q.Infer().ok());
}

}  // namespace
}  // namespace ember
