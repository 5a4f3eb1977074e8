// LOGICAL_NOT reference evaluator: !x on bool bytes (non-zero is true).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

TEST(LogicalNot, Bytes) {
  test::OneNode t(ir::OpKind::kLogicalNot);
  t.InBytes(ir::DType::kBool, {3}, {0, 1, 2}).Out(ir::DType::kBool, {3});
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{1, 0, 0}));
  test::OneNode f(ir::OpKind::kLogicalNot);
  f.In<int8_t>({1}, {1}).Out(ir::DType::kBool, {1});
  EXPECT_FALSE(f.Infer().ok());
}

}  // namespace
}  // namespace ember
