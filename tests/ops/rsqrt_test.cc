// RSQRT reference evaluator: float32 as TFLite Micro's kernel (special
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

TEST(Rsqrt, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kRsqrt);
  t.In<float>({2, 2}, {4.0f, 2.0f, 0.0f, inf}).Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.5f, 1.0f / std::sqrt(2.0f), inf, 0.0f}));
  test::OneNode m(ir::OpKind::kRsqrt);
  m.In<float>({1}, {-0.0f}).Out(ir::DType::kFloat32, {1});
  EXPECT_EQ((*m.Run<float>())[0], -inf);
}

TEST(Rsqrt, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kRsqrt); }

}  // namespace
}  // namespace ember
