// ERF reference evaluator: float32 erf with its special values (erf(0) = 0,
// odd, +-1 at +-inf and saturated far out, NaN passes); int8 is refused with
// a diagnostic naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

TEST(Erf, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kErf);
  t.In<float>({2, 3}, {0.0f, -0.0f, inf, -inf, 10.0f, -10.0f}).Out(ir::DType::kFloat32, {2, 3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f, -0.0f, 1.0f, -1.0f, 1.0f, -1.0f}));
  EXPECT_TRUE(std::signbit((*r)[1]));
  // erf(0.5) = 0.520499877813..., erf(-1) = -0.842700792949...: within one float step.
  test::OneNode m(ir::OpKind::kErf);
  m.In<float>({3}, {0.5f, -1.0f, std::numeric_limits<float>::quiet_NaN()}).Out(ir::DType::kFloat32, {3});
  const auto v = *m.Run<float>();
  EXPECT_NEAR(v[0], 0.520499877813f, 6e-8f);
  EXPECT_NEAR(v[1], -0.842700792949f, 6e-8f);
  EXPECT_TRUE(std::isnan(v[2]));
}

TEST(Erf, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kErf); }

}  // namespace
}  // namespace ember
