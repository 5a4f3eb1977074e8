// SQUARE reference evaluator: float32 x · x rounded once, +inf past the
// float32 range (no clamping, unlike MUL), NaN kept; int8 is refused with a
// diagnostic naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

TEST(Square, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kSquare);
  // 1 + 2^-12 squared is 1 + 2^-11 + 2^-24: a tie, rounded to even (1 + 2^-11).
  t.In<float>({7}, {-3.0f, 0.5f, -0.0f, 1.0f + 0x1p-12f, 2e19f, -inf, std::numeric_limits<float>::quiet_NaN()})
      .Out(ir::DType::kFloat32, {7});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->size(), 7u);
  EXPECT_EQ((*r)[0], 9.0f);
  EXPECT_EQ((*r)[1], 0.25f);
  EXPECT_EQ((*r)[2], 0.0f);
  EXPECT_FALSE(std::signbit((*r)[2]));
  EXPECT_EQ((*r)[3], 1.0f + 0x1p-11f);
  EXPECT_EQ((*r)[4], inf);  // 4e38 is past FLT_MAX
  EXPECT_EQ((*r)[5], inf);
  EXPECT_TRUE(std::isnan((*r)[6]));
}

TEST(Square, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kSquare); }

}  // namespace
}  // namespace ember
