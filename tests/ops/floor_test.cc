// FLOOR reference evaluator: float32 rounding toward minus infinity with its
// special values (-0, infinities, NaN pass; values beyond 2^23 are integers
// already); int8 is refused with a diagnostic naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

TEST(Floor, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kFloor);
  t.In<float>({9}, {1.5f, -1.5f, 2.0f, -0.25f, 0.75f, -0.0f, inf, -inf, 16777217.0f}).Out(ir::DType::kFloat32, {9});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.0f, -2.0f, 2.0f, -1.0f, 0.0f, -0.0f, inf, -inf, 16777217.0f}));
  EXPECT_TRUE(std::signbit((*r)[5]));
  test::OneNode n(ir::OpKind::kFloor);
  n.In<float>({1}, {std::numeric_limits<float>::quiet_NaN()}).Out(ir::DType::kFloat32, {1});
  EXPECT_TRUE(std::isnan((*n.Run<float>())[0]));
}

TEST(Floor, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kFloor); }

}  // namespace
}  // namespace ember
