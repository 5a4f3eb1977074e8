// SIGN reference evaluator: float32 sign as TFLite's kernel ((0 < x) − (x < 0):
// 1, −1, and +0 for both zeros and NaN); int8 is refused with a diagnostic
// naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

TEST(Sign, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kSign);
  t.In<float>({9}, {2.5f, -0.001f, 0.0f, -0.0f, inf, -inf, 1e-45f, -3e38f, std::numeric_limits<float>::quiet_NaN()})
      .Out(ir::DType::kFloat32, {9});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, -1, 0, 0, 1, -1, 1, -1, 0}));
  EXPECT_FALSE(std::signbit((*r)[3]));  // -0 gives +0
  EXPECT_FALSE(std::signbit((*r)[8]));  // NaN gives +0
}

TEST(Sign, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kSign); }

}  // namespace
}  // namespace ember
