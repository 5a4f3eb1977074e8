// gather_elements: hand-computed cases (ONNX GatherElements, torch.gather):
// each axis, indices smaller than params off the axis, negative indices, and
// index checks (constant indices at Infer, run-time indices at Eval).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// ONNX's test_gather_elements_0: axis 1 of [[1,2],[3,4]] by [[0,0],[1,0]].
TEST(GatherElements, Axis1) {
  OneNode t(ir::OpKind::kGatherElements);
  t.In<float>({2, 2}, {1, 2, 3, 4}).Const<int32_t>({2, 2}, {0, 0, 1, 0}).Out(ir::DType::kFloat32, {2, 2})
      .Attr("axis", int64_t{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 1, 4, 3}));
}

// Axis 0 of [3,3] with run-time [2,3] indices, a negative one among them
// (ONNX's test_gather_elements_negative_indices uses -1 and -2 this way).
TEST(GatherElements, Axis0WithRunTimeNegativeIndices) {
  OneNode t(ir::OpKind::kGatherElements);
  t.In<int8_t>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, Quant(0.5f, 1))
      .In<int32_t>({2, 3}, {-1, -2, 0, -2, 0, 0})
      .Out(ir::DType::kInt8, {2, 3}, Quant(0.5f, 1))
      .Attr("axis", int64_t{0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{7, 5, 3, 4, 2, 3}));
}

// Indices [1,2,1] smaller than params [2,3,2] off the axis (axis 2).
TEST(GatherElements, SmallerIndices) {
  OneNode t(ir::OpKind::kGatherElements);
  t.In<int32_t>({2, 3, 2}, {0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121})
      .Const<int32_t>({1, 2, 1}, {1, 0})
      .Out(ir::DType::kInt32, {1, 2, 1})
      .Attr("axis", int64_t{2});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{1, 10}));
}

TEST(GatherElements, RefusesBadIndicesAndShapes) {
  OneNode c(ir::OpKind::kGatherElements);
  c.In<float>({2, 2}, {1, 2, 3, 4}).Const<int32_t>({1, 2}, {0, 2}).Out(ir::DType::kFloat32, {1, 2}).Attr("axis", int64_t{0});
  auto rc = c.Run<float>();
  ASSERT_FALSE(rc.ok());
  EXPECT_NE(rc.diag().message.find("has index 2 (position 1) outside [-2, 2)"), std::string::npos)
      << rc.diag().ToString();
  OneNode r(ir::OpKind::kGatherElements);
  r.In<float>({2, 2}, {1, 2, 3, 4}).In<int32_t>({1, 2}, {0, -3}).Out(ir::DType::kFloat32, {1, 2}).Attr("axis", int64_t{1});
  EXPECT_FALSE(r.Run<float>().ok());
  OneNode s(ir::OpKind::kGatherElements);  // larger than params off the axis
  s.In<float>({2, 2}, {1, 2, 3, 4}).Const<int32_t>({3, 1}, {0, 0, 0}).Out(ir::DType::kFloat32, {3, 1}).Attr("axis", int64_t{1});
  EXPECT_FALSE(s.Run<float>().ok());
}

}  // namespace
}  // namespace ember
