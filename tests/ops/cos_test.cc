// COS reference evaluator: float32 cosine in radians, checked against values
// known independently of the C library (cos 0 = 1 for both zeros, the float
// nearest pi, even symmetry); infinities and NaN give NaN; int8 is refused
// with a diagnostic naming the node. (sin_test.cc checks sin² + cos² = 1.)
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

TEST(Cos, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f, -0.0f, 3.14159274f, inf, -inf, std::numeric_limits<float>::quiet_NaN()};
  for (int i = 1; i <= 50; ++i) x.push_back(static_cast<float>(i) * 0.173f), x.push_back(-x.back());
  test::OneNode t(ir::OpKind::kCos);
  const auto n = static_cast<int64_t>(x.size());
  t.In<float>({n}, x).Out(ir::DType::kFloat32, {n});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 1.0f);
  EXPECT_EQ((*r)[1], 1.0f);
  EXPECT_EQ((*r)[2], -1.0f);
  for (size_t i = 3; i < 6; ++i) EXPECT_TRUE(std::isnan((*r)[i])) << i;
  for (size_t i = 6; i < x.size(); i += 2) EXPECT_EQ((*r)[i], (*r)[i + 1]) << x[i];  // even
}

TEST(Cos, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kCos); }

}  // namespace
}  // namespace ember
