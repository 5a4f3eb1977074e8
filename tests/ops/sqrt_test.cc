// SQRT reference evaluator: float32 as TFLite Micro's kernel (special
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

TEST(Sqrt, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kSqrt);
  t.In<float>({2, 2}, {4.0f, 2.0f, 0.0f, inf}).Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{2.0f, std::sqrt(2.0f), 0.0f, inf}));
  test::OneNode m(ir::OpKind::kSqrt);
  m.In<float>({1}, {-1.0f}).Out(ir::DType::kFloat32, {1});
  EXPECT_TRUE(std::isnan((*m.Run<float>())[0]));
}

TEST(Sqrt, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kSqrt); }

}  // namespace
}  // namespace ember
