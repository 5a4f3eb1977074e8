// gather: hand-computed cases (TFLite GATHER, ONNX Gather), batch_dims, and
// index checks (constant indices at Infer, run-time indices at Eval).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// Rows 2, 0, 2 of a [3,2] table (axis 0), constant indices.
TEST(Gather, Int8RowsWithConstantIndices) {
  OneNode t(ir::OpKind::kGather);
  t.In<int8_t>({3, 2}, {1, 2, 3, 4, 5, 6}, Quant(0.1f, 3))
      .Const<int32_t>({3}, {2, 0, 2})
      .Out(ir::DType::kInt8, {3, 2}, Quant(0.1f, 3))
      .Attr("axis", int64_t{0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{5, 6, 1, 2, 5, 6}));
}

// Axis 1 of [2,3] with 2-D indices [2,2]: output [2, 2,2].
TEST(Gather, FloatInnerAxisWithRunTimeIndices) {
  OneNode t(ir::OpKind::kGather);
  t.In<float>({2, 3}, {10, 11, 12, 20, 21, 22})
      .In<int32_t>({2, 2}, {2, 1, 0, 0})
      .Out(ir::DType::kFloat32, {2, 2, 2})
      .Attr("axis", int64_t{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{12, 11, 10, 10, 22, 21, 20, 20}));
}

// batch_dims 1: batch b picks from its own row of params.
TEST(Gather, BatchDims) {
  OneNode t(ir::OpKind::kGather);
  t.In<int16_t>({2, 3}, {1, 2, 3, -4, -5, -6})
      .In<int32_t>({2, 2}, {2, 2, 0, 1})
      .Out(ir::DType::kInt16, {2, 2})
      .Attr("axis", int64_t{1})
      .Attr("batch_dims", int64_t{1});
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{3, 3, -4, -5}));
}

TEST(Gather, ScalarIndexDropsTheAxis) {
  OneNode t(ir::OpKind::kGather);
  t.In<int32_t>({2, 2}, {1, 2, 3, 4}).Const<int32_t>({}, {1}).Out(ir::DType::kInt32, {2}).Attr("axis", int64_t{0});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{3, 4}));
}

TEST(Gather, RefusesConstantIndexOutOfRange) {
  OneNode t(ir::OpKind::kGather);
  t.In<int8_t>({3}, {1, 2, 3}).Const<int32_t>({2}, {0, 3}).Out(ir::DType::kInt8, {2}).Attr("axis", int64_t{0});
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0301");
  EXPECT_NE(r.diag().message.find("index 3 (position 1) outside [-3, 3)"), std::string::npos) << r.diag().message;
}

TEST(Gather, NegativeIndicesCountFromTheEnd) {
  // ONNX Gather: -1 is the last row, -3 the first.
  OneNode t(ir::OpKind::kGather);
  t.In<int8_t>({3}, {1, 2, 3}).In<int32_t>({3}, {-1, -3, 1}).Out(ir::DType::kInt8, {3}).Attr("axis", int64_t{0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{3, 1, 2}));
}

TEST(Gather, RefusesRunTimeIndexOutOfRangeAtEval) {
  OneNode t(ir::OpKind::kGather);
  t.In<int8_t>({3}, {1, 2, 3}).In<int32_t>({1}, {-4}).Out(ir::DType::kInt8, {1}).Attr("axis", int64_t{0});
  ASSERT_TRUE(t.Check().ok());
  auto r = t.Run<int8_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("index -4"), std::string::npos) << r.diag().message;
}

TEST(Gather, RefusesInt64IndicesAndBadBatchDims) {
  OneNode t(ir::OpKind::kGather);
  t.In<int8_t>({3}, {1, 2, 3}).Const<int64_t>({1}, {0}).Out(ir::DType::kInt8, {1}).Attr("axis", int64_t{0});
  EXPECT_FALSE(t.Infer().ok());
  OneNode u(ir::OpKind::kGather);
  u.In<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Const<int32_t>({3}, {0, 1, 0})
      .Out(ir::DType::kInt8, {2})
      .Attr("axis", int64_t{1})
      .Attr("batch_dims", int64_t{1});
  auto r = u.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("batch dimension 0"), std::string::npos) << r.diag().message;
}

}  // namespace
}  // namespace ember
