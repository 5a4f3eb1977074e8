// ARG_MIN reference evaluator: the first index of the smallest value along
// an axis (ties: first; NaN never wins), f32, i8 raw, i32 input; i32/i64 out.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(ArgMin, Types) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kArgMin);
  t.In<float>({2, 3}, {2.0f, nan, 2.0f, 3.0f, -1.0f, -1.0f}).Out(ir::DType::kInt32, {2}).Attr("axis", int64_t{1});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{0, 1}));
  test::OneNode q(ir::OpKind::kArgMin);
  q.In<int8_t>({4}, {5, -128, 127, -128}, Quant(0.5f, 0)).Out(ir::DType::kInt64, {}).Attr("axis", int64_t{0});
  auto rq = q.Run<int64_t>();
  ASSERT_TRUE(rq.ok()) << rq.diag().ToString();
  EXPECT_EQ(*rq, (std::vector<int64_t>{1}));
  test::OneNode i(ir::OpKind::kArgMin);
  i.In<int32_t>({3}, {4, INT32_MIN, 0}).Out(ir::DType::kInt32, {}).Attr("axis", int64_t{0});
  auto ri = i.Run<int32_t>();
  ASSERT_TRUE(ri.ok()) << ri.diag().ToString();
  EXPECT_EQ(*ri, (std::vector<int32_t>{1}));
}

}  // namespace
}  // namespace ember
