// space_to_depth: hand-computed cases, the inverse of depth_to_space (DCR).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// [1,2,4,1] -> [1,1,2,4]: each 2x2 block becomes the channels of one pixel,
// row by row.
TEST(SpaceToDepth, OneChannel) {
  OneNode t(ir::OpKind::kSpaceToDepth);
  t.In<int8_t>({1, 2, 4, 1}, {1, 2, 5, 6, 3, 4, 7, 8}, Quant(1.f, 0))
      .Out(ir::DType::kInt8, {1, 1, 2, 4}, Quant(1.f, 0))
      .Attr("block_size", int64_t{2});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

// Two channels: block position (i, j) holds channels (i*2 + j)*2 + c.
TEST(SpaceToDepth, TwoChannels) {
  OneNode t(ir::OpKind::kSpaceToDepth);
  t.In<float>({1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}).Out(ir::DType::kFloat32, {1, 1, 1, 8}).Attr("block_size", int64_t{2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(SpaceToDepth, RefusesSizeNotDivisible) {
  OneNode t(ir::OpKind::kSpaceToDepth);
  t.In<int8_t>({1, 3, 2, 1}, {0, 1, 2, 3, 4, 5}).Out(ir::DType::kInt8, {1, 1, 1, 4}).Attr("block_size", int64_t{2});
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0301");
  t.Attr("block_size", int64_t{0});
  EXPECT_FALSE(t.Infer().ok());
}

}  // namespace
}  // namespace ember
