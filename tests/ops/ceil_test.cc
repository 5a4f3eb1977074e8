// CEIL reference evaluator: float32 rounding toward plus infinity with its
// special values (ceil(-0.5) = -0; infinities and NaN pass); int8 is refused
// with a diagnostic naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

TEST(Ceil, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kCeil);
  t.In<float>({8}, {1.5f, -1.5f, 2.0f, -0.5f, 0.25f, 0.0f, inf, -inf}).Out(ir::DType::kFloat32, {8});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{2.0f, -1.0f, 2.0f, -0.0f, 1.0f, 0.0f, inf, -inf}));
  EXPECT_TRUE(std::signbit((*r)[3]));
  test::OneNode n(ir::OpKind::kCeil);
  n.In<float>({1}, {std::numeric_limits<float>::quiet_NaN()}).Out(ir::DType::kFloat32, {1});
  EXPECT_TRUE(std::isnan((*n.Run<float>())[0]));
}

TEST(Ceil, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kCeil); }

}  // namespace
}  // namespace ember
