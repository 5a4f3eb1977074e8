// depth_to_space: DCR (TFLite) and CRD (ONNX) orders, hand-computed.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// One pixel with 8 channels, block 2: 2 output channels per pixel of a 2x2 block.
// DCR: block position (i, j) holds channels (i*2 + j)*2 + c.
TEST(DepthToSpace, DcrOnePixel) {
  OneNode t(ir::OpKind::kDepthToSpace);
  t.In<int8_t>({1, 1, 1, 8}, {0, 1, 2, 3, 4, 5, 6, 7}, Quant(1.f, 0))
      .Out(ir::DType::kInt8, {1, 2, 2, 2}, Quant(1.f, 0))
      .Attr("block_size", int64_t{2});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

// CRD: block position (i, j) of channel c is input channel c*4 + i*2 + j.
TEST(DepthToSpace, CrdOnePixel) {
  OneNode t(ir::OpKind::kDepthToSpace);
  t.In<float>({1, 1, 1, 8}, {0, 1, 2, 3, 4, 5, 6, 7})
      .Out(ir::DType::kFloat32, {1, 2, 2, 2})
      .Attr("block_size", int64_t{2})
      .Attr("mode", std::string("CRD"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0, 4, 1, 5, 2, 6, 3, 7}));
}

// Two pixels in a row, one channel out: [1,1,2,4] -> [1,2,4,1].
TEST(DepthToSpace, TwoPixelsInterleave) {
  OneNode t(ir::OpKind::kDepthToSpace);
  t.In<int16_t>({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})
      .Out(ir::DType::kInt16, {1, 2, 4, 1})
      .Attr("block_size", int64_t{2});
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{1, 2, 5, 6, 3, 4, 7, 8}));
}

TEST(DepthToSpace, RefusesChannelsNotDivisible) {
  OneNode t(ir::OpKind::kDepthToSpace);
  t.In<int8_t>({1, 1, 1, 6}, {0, 1, 2, 3, 4, 5}).Out(ir::DType::kInt8, {1, 2, 2, 1}).Attr("block_size", int64_t{2});
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0301");
  OneNode u(ir::OpKind::kDepthToSpace);
  u.In<int8_t>({1, 4}, {0, 1, 2, 3}).Out(ir::DType::kInt8, {1, 1}).Attr("block_size", int64_t{2});
  EXPECT_FALSE(u.Infer().ok());  // not 4-D
}

}  // namespace
}  // namespace ember
