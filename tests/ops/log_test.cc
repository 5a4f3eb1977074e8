// LOG reference evaluator: float32 as TFLite Micro's kernel (special
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

TEST(Log, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kLog);
  t.In<float>({2, 2}, {1.0f, 8.0f, 0.0f, inf}).Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f, std::log(8.0f), -inf, inf}));
  test::OneNode m(ir::OpKind::kLog);
  m.In<float>({1}, {-1.0f}).Out(ir::DType::kFloat32, {1});
  EXPECT_TRUE(std::isnan((*m.Run<float>())[0]));
}

TEST(Log, Int8IsRefused) { test::ExpectFloat32Only(ir::OpKind::kLog); }

}  // namespace
}  // namespace ember
