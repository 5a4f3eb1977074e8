// ARG_MAX reference evaluator: the first index of the largest value along an
// axis, as TFLite Micro (ties give the first index, a NaN never wins, a
// leading NaN stays), or the last with select_last_index (and arg_min);
// int8 on the raw values; i32 and i64 outputs; keep_dims; refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(ArgMax, Float32AxesTiesAndNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kArgMax);
  t.In<float>({2, 4}, {1.0f, 5.0f, 5.0f, -2.0f, nan, 3.0f, 7.0f, nan})
      .Out(ir::DType::kInt32, {2})
      .Attr("axis", int64_t{1});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{1, 0}));  // tie: first 5; leading NaN: nothing is > NaN
  test::OneNode c(ir::OpKind::kArgMax);
  c.In<float>({2, 3}, {1.0f, 9.0f, 3.0f, 4.0f, 2.0f, 3.0f}).Out(ir::DType::kInt64, {3}).Attr("axis", int64_t{0});
  auto rc = c.Run<int64_t>();
  ASSERT_TRUE(rc.ok()) << rc.diag().ToString();
  EXPECT_EQ(*rc, (std::vector<int64_t>{1, 0, 0}));
}

// select_last_index = 1 (ONNX): ties give the last index; a NaN still never wins.
TEST(ArgMax, SelectLastIndex) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kArgMax);
  t.In<float>({3, 4}, {1.0f, 5.0f, 5.0f, -2.0f, 7.0f, nan, 7.0f, nan, 2.0f, 2.0f, 2.0f, 2.0f})
      .Out(ir::DType::kInt64, {3})
      .Attr("axis", int64_t{1})
      .Attr("select_last_index", int64_t{1});
  auto r = t.Run<int64_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int64_t>{2, 2, 3}));
  test::OneNode m(ir::OpKind::kArgMin);
  m.In<int8_t>({5}, {3, -4, 9, -4, 0}, Quant(0.1f, 0)).Out(ir::DType::kInt32, {}).Attr("axis", int64_t{0}).Attr("select_last_index", int64_t{1});
  auto rm = m.Run<int32_t>();
  ASSERT_TRUE(rm.ok()) << rm.diag().ToString();
  EXPECT_EQ(*rm, (std::vector<int32_t>{3}));
  test::OneNode bad(ir::OpKind::kArgMax);
  bad.In<float>({2}, {1, 2}).Out(ir::DType::kInt32, {}).Attr("axis", int64_t{0}).Attr("select_last_index", int64_t{2});
  EXPECT_FALSE(bad.Infer().ok());
}

TEST(ArgMax, Int8KeepDimsAndMiddleAxis) {
  test::OneNode t(ir::OpKind::kArgMax);
  t.In<int8_t>({1, 3, 2}, {-128, 4, 127, 4, 0, 5}, Quant(0.1f, 3))
      .Out(ir::DType::kInt32, {1, 1, 2})
      .Attr("axis", int64_t{1})
      .Attr("keep_dims", int64_t{1});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{1, 2}));
}

TEST(ArgMax, Rejects) {
  test::OneNode a(ir::OpKind::kArgMax);
  a.In<float>({2}, {1, 2}).Out(ir::DType::kInt32, {}).Attr("axis", int64_t{1});
  EXPECT_EQ(a.Infer().diag().id, "E0301");
  test::OneNode o(ir::OpKind::kArgMax);
  o.In<float>({2}, {1, 2}).Out(ir::DType::kInt8, {}).Attr("axis", int64_t{0});
  EXPECT_FALSE(o.Infer().ok());
  test::OneNode e(ir::OpKind::kArgMax);
  e.In<float>({2, 0}, {}).Out(ir::DType::kInt32, {2}).Attr("axis", int64_t{1});
  EXPECT_FALSE(e.Infer().ok());
  test::OneNode i(ir::OpKind::kArgMax);
  i.In<int16_t>({2}, {1, 2}).Out(ir::DType::kInt32, {}).Attr("axis", int64_t{0});
  EXPECT_FALSE(i.Infer().ok());
}

}  // namespace
}  // namespace ember
