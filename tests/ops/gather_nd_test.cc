// gather_nd: hand-computed cases (TFLite GATHER_ND, ONNX GatherND): whole
// rows and single elements, batch_dims, negative coordinates, and index
// checks (constant indices at Infer, run-time indices at Eval).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// K = 1 on [3,2]: rows 2 and 0.
TEST(GatherNd, Int8RowsWithConstantIndices) {
  OneNode t(ir::OpKind::kGatherNd);
  t.In<int8_t>({3, 2}, {1, 2, 3, 4, 5, 6}, Quant(0.1f, 3))
      .Const<int32_t>({2, 1}, {2, 0})
      .Out(ir::DType::kInt8, {2, 2}, Quant(0.1f, 3));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{5, 6, 1, 2}));
}

// K = 2 on [2,2,3] with run-time [2,2,2] indices: slices of 3; a negative
// coordinate counts from the end.
TEST(GatherNd, FloatPairsWithRunTimeIndices) {
  OneNode t(ir::OpKind::kGatherNd);
  t.In<float>({2, 2, 3}, {0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112})
      .In<int32_t>({2, 2, 2}, {1, 0, 0, 1, -1, -1, 0, 0})
      .Out(ir::DType::kFloat32, {2, 2, 3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{100, 101, 102, 10, 11, 12, 110, 111, 112, 0, 1, 2}));
}

// batch_dims 1 (ONNX's test_gathernd_example_int32_batch_dim1): each batch
// indexes its own [2,2] matrix.
TEST(GatherNd, BatchDims) {
  OneNode t(ir::OpKind::kGatherNd);
  t.In<int32_t>({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7})
      .Const<int32_t>({2, 1}, {1, 0})
      .Out(ir::DType::kInt32, {2, 2})
      .Attr("batch_dims", int64_t{1});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{2, 3, 4, 5}));
}

TEST(GatherNd, FullTuplesPickElements) {
  OneNode t(ir::OpKind::kGatherNd);
  t.In<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}).Const<int32_t>({3, 2}, {1, 2, 0, 0, 1, -3}).Out(ir::DType::kInt32, {3});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{6, 1, 4}));
}

TEST(GatherNd, RefusesBadIndices) {
  OneNode c(ir::OpKind::kGatherNd);  // constant: at Infer
  c.In<float>({3, 2}, {1, 2, 3, 4, 5, 6}).Const<int32_t>({1, 2}, {1, 2}).Out(ir::DType::kFloat32, {1});
  auto rc = c.Run<float>();
  ASSERT_FALSE(rc.ok());
  EXPECT_NE(rc.diag().message.find("has index 2 (tuple 0, coordinate 1) outside [-2, 2)"), std::string::npos)
      << rc.diag().ToString();
  OneNode r(ir::OpKind::kGatherNd);  // run time: at Eval
  r.In<float>({3, 2}, {1, 2, 3, 4, 5, 6}).In<int32_t>({2, 1}, {0, -4}).Out(ir::DType::kFloat32, {2, 2});
  auto rr = r.Run<float>();
  ASSERT_FALSE(rr.ok());
  EXPECT_NE(rr.diag().message.find("has index -4"), std::string::npos) << rr.diag().ToString();
  OneNode k(ir::OpKind::kGatherNd);  // K larger than the rank
  k.In<float>({3}, {1, 2, 3}).Const<int32_t>({1, 2}, {0, 0}).Out(ir::DType::kFloat32, {1});
  EXPECT_FALSE(k.Run<float>().ok());
  OneNode i(ir::OpKind::kGatherNd);  // int64 indices
  i.In<float>({3}, {1, 2, 3}).Const<int64_t>({1, 1}, {0}).Out(ir::DType::kFloat32, {1});
  EXPECT_FALSE(i.Run<float>().ok());
}

}  // namespace
}  // namespace ember
