// SIN reference evaluator: float32 sine in radians, checked against values
// known independently of the C library (exact zeros and signs, the float
// nearest pi/2 and pi, odd symmetry, the Pythagorean identity with cos over a
// sweep); infinities and NaN give NaN; int8 is refused with a diagnostic
// naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

std::vector<float> Apply(ir::OpKind op, const std::vector<float>& x) {
  test::OneNode t(op);
  const auto n = static_cast<int64_t>(x.size());
  t.In<float>({n}, x).Out(ir::DType::kFloat32, {n});
  auto r = t.Run<float>();
  EXPECT_TRUE(r.ok()) << r.diag().ToString();
  return r.ok() ? *r : std::vector<float>{};
}

TEST(Sin, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  const auto r = Apply(ir::OpKind::kSin, {0.0f, -0.0f, 1.57079637f, 3.14159274f, inf, -inf,
                                        std::numeric_limits<float>::quiet_NaN()});
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[0], 0.0f);
  EXPECT_TRUE(std::signbit(r[1]));
  EXPECT_EQ(r[2], 1.0f);
  EXPECT_NEAR(r[3], -8.742278e-08f, 1e-14f);  // pi - float(pi) = -8.74e-8
  for (size_t i = 4; i < 7; ++i) EXPECT_TRUE(std::isnan(r[i])) << i;
}

TEST(Sin, OddAndOnTheUnitCircleWithCos) {
  std::vector<float> x, neg;
  for (int i = -200; i <= 200; ++i) x.push_back(static_cast<float>(i) * 0.0731f), neg.push_back(-x.back());
  const auto s = Apply(ir::OpKind::kSin, x), sn = Apply(ir::OpKind::kSin, neg), c = Apply(ir::OpKind::kCos, x);
  ASSERT_EQ(s.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(sn[i], -s[i]) << x[i];
    EXPECT_NEAR(s[i] * s[i] + c[i] * c[i], 1.0f, 1e-6f) << x[i];
    EXPECT_LE(std::fabs(s[i]), 1.0f);
  }
}

TEST(Sin, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kSin); }

}  // namespace
}  // namespace ember
