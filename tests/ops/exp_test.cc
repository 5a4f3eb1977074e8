// EXP reference evaluator: float32 as TFLite Micro's kernel (special
// values included); int8 is refused with a diagnostic naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/unary_test_util.h"

namespace ember {
namespace {

TEST(Exp, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kExp);
  t.In<float>({2, 2}, {0.0f, 1.0f, -inf, 100.0f}).Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.0f, std::exp(1.0f), 0.0f, inf}));
  volatile float two = 2.0f;
  test::OneNode m(ir::OpKind::kExp);
  m.In<float>({1}, {two}).Out(ir::DType::kFloat32, {1});
  EXPECT_EQ((*m.Run<float>())[0], std::exp(two));
}

TEST(Exp, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kExp); }

}  // namespace
}  // namespace ember
