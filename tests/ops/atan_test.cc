// ATAN reference evaluator: float32 arctangent against values known
// independently of the C library (0, ±1 = ±π/4, ±inf = ±π/2, odd symmetry,
// tan(atan(x)) = x over a sweep); NaN stays NaN; int8 is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

std::vector<float> Atan(const std::vector<float>& x) {
  test::OneNode t(ir::OpKind::kAtan);
  const auto n = static_cast<int64_t>(x.size());
  t.In<float>({n}, x).Out(ir::DType::kFloat32, {n});
  auto r = t.Run<float>();
  EXPECT_TRUE(r.ok()) << r.diag().ToString();
  return r.ok() ? *r : std::vector<float>{};
}

TEST(Atan, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const auto r = Atan({0.0f, -0.0f, 1.0f, -1.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN()});
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[0], 0.0f);
  EXPECT_TRUE(std::signbit(r[1]));
  EXPECT_NEAR(r[2], 0.785398163f, 1e-7f);
  EXPECT_EQ(r[3], -r[2]);
  EXPECT_NEAR(r[4], 1.57079633f, 1e-7f);
  EXPECT_EQ(r[5], -r[4]);
  EXPECT_TRUE(std::isnan(r[6]));
}

TEST(Atan, OddAndInvertsTan) {
  std::vector<float> x, neg;
  for (int i = -150; i <= 150; ++i) x.push_back(static_cast<float>(i) * 0.0713f), neg.push_back(-x.back());
  const auto a = Atan(x), an = Atan(neg);
  ASSERT_EQ(a.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(an[i], -a[i]) << x[i];
    EXPECT_NEAR(std::tan(static_cast<double>(a[i])), x[i], 1e-6 * (1.0 + x[i] * x[i])) << x[i];
    EXPECT_LT(std::fabs(a[i]), 1.5708f);
  }
}

TEST(Atan, Int8IsRefused) {
  test::OneNode t(ir::OpKind::kAtan, "a");
  t.In<int8_t>({2}, {1, 2}, test::Quant(0.1f, 0)).Out(ir::DType::kInt8, {2}, test::Quant(0.1f, 0));
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("node 'a' (atan)"), std::string::npos) << r.diag().ToString();
}

}  // namespace
}  // namespace ember
