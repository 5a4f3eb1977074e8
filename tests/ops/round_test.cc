// ROUND reference evaluator: TFLite's RoundToNearest, ties to even, worked by
// hand (0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2, -3.5 -> -4), its signed
// zeros (-0 stays -0; -0.4 gives +0, as floor(-0.4) + 1), large values and
// NaN; int8 is refused with a diagnostic naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

TEST(Round, Float32TiesToEven) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kRound);
  t.In<float>({14}, {0.5f, 1.5f, 2.5f, -2.5f, -3.5f, 0.49999997f, 2.6f, -2.6f, -0.0f, -0.4f, 8388609.0f, 3e30f, inf, -inf})
      .Out(ir::DType::kFloat32, {14});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f, 2.0f, 2.0f, -2.0f, -4.0f, 0.0f, 3.0f, -3.0f, -0.0f, 0.0f, 8388609.0f, 3e30f, inf,
                                    -inf}));
  EXPECT_TRUE(std::signbit((*r)[8]));
  EXPECT_FALSE(std::signbit((*r)[9]));
  test::OneNode n(ir::OpKind::kRound);
  n.In<float>({1}, {std::numeric_limits<float>::quiet_NaN()}).Out(ir::DType::kFloat32, {1});
  EXPECT_TRUE(std::isnan((*n.Run<float>())[0]));
}

TEST(Round, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kRound); }

}  // namespace
}  // namespace ember
