// LOGICAL_OR reference evaluator: x || y on bool bytes with broadcasting (any
// non-zero byte is true); non-bool inputs are refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

TEST(LogicalOr, TruthTableAndBroadcast) {
  test::OneNode t(ir::OpKind::kLogicalOr);
  t.InBytes(ir::DType::kBool, {2, 2}, {0, 0, 1, 1}).InBytes(ir::DType::kBool, {2, 2}, {0, 1, 0, 1}).Out(ir::DType::kBool, {2, 2});
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{0, 1, 1, 1}));
  test::OneNode b(ir::OpKind::kLogicalOr);
  b.InBytes(ir::DType::kBool, {2, 1}, {0, 2}).InBytes(ir::DType::kBool, {2}, {0, 1}).Out(ir::DType::kBool, {2, 2});
  auto rb = b.Run<uint8_t>();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ(*rb, (std::vector<uint8_t>{0, 1, 1, 1}));
  test::OneNode f(ir::OpKind::kLogicalOr);
  f.In<float>({1}, {1.0f}).InBytes(ir::DType::kBool, {1}, {1}).Out(ir::DType::kBool, {1});
  EXPECT_EQ(f.Infer().diag().id, "E0301");
}

}  // namespace
}  // namespace ember
