// RESIZE_NEAREST_NEIGHBOR reference evaluator: upsampling and downsampling
// with the three coordinate modes (TFLite's GetNearestNeighbor), int8 and
// float32, channels, and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/resize_util.h"

namespace ember {
namespace {

using test::Quant;

test::OneNode Resize(const ir::Shape& in, const std::vector<float>& values, int64_t h, int64_t w,
                     int64_t align, int64_t half) {
  test::OneNode t(ir::OpKind::kResizeNearestNeighbor);
  t.In<float>(in, values)
      .Out(ir::DType::kFloat32, {in[0], h, w, in[3]})
      .Attr("size", std::vector<int64_t>{h, w})
      .Attr("align_corners", align)
      .Attr("half_pixel_centers", half);
  return t;
}

TEST(ResizeNearestNeighbor, Upsample2x) {
  for (int64_t half : {0, 1}) {
    auto r = Resize({1, 2, 2, 1}, {1, 2, 3, 4}, 4, 4, 0, half).Run<float>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(*r, (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  }
}

TEST(ResizeNearestNeighbor, DownsampleModes) {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  // scale 1.5: asymmetric floor(o * 1.5) = 0, 1; half pixel floor((o + .5) * 1.5)
  // = 0, 2; align corners round(o * 2) = 0, 2.
  auto plain = Resize({1, 3, 3, 1}, x, 2, 2, 0, 0).Run<float>();
  auto half = Resize({1, 3, 3, 1}, x, 2, 2, 0, 1).Run<float>();
  auto align = Resize({1, 3, 3, 1}, x, 2, 2, 1, 0).Run<float>();
  ASSERT_TRUE(plain.ok() && half.ok() && align.ok());
  EXPECT_EQ(*plain, (std::vector<float>{1, 2, 4, 5}));
  EXPECT_EQ(*half, (std::vector<float>{1, 3, 7, 9}));
  EXPECT_EQ(*align, (std::vector<float>{1, 3, 7, 9}));
}

TEST(ResizeNearestNeighbor, AlignCornersRoundsHalfAway) {
  // 2 -> 3 with align_corners: scale 0.5, round(0.5) = 1, round(1.0) = 1.
  auto r = Resize({1, 2, 2, 1}, {1, 2, 3, 4}, 3, 3, 1, 0).Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 2, 2, 3, 4, 4, 3, 4, 4}));
  EXPECT_EQ(ops::NearestNeighborIndices(5, 1, true, false), (std::vector<int64_t>{0}));
  EXPECT_EQ(ops::NearestNeighborIndices(3, 7, false, true),
            (std::vector<int64_t>{0, 0, 1, 1, 1, 2, 2}));  // floor((o + 0.5) * 3/7)
}

TEST(ResizeNearestNeighbor, Int8ChannelsAndBatch) {
  test::OneNode t(ir::OpKind::kResizeNearestNeighbor);
  t.In<int8_t>({2, 1, 1, 2}, {-128, 127, 5, -6}, Quant(0.5f, 3))
      .Out(ir::DType::kInt8, {2, 2, 1, 2}, Quant(0.5f, 3))
      .Attr("size", std::vector<int64_t>{2, 1});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, 127, -128, 127, 5, -6, 5, -6}));
}

TEST(ResizeNearestNeighbor, Errors) {
  {
    auto t = Resize({1, 2, 2, 1}, {1, 2, 3, 4}, 4, 4, 2, 0);
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("(resize_nearest_neighbor): attribute 'align_corners' must be 0 or 1"),
              std::string::npos)
        << r.diag().ToString();
  }
  {
    auto t = Resize({1, 2, 2, 1}, {1, 2, 3, 4}, -1, 4, 0, 0);
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kResizeNearestNeighbor);
    t.In<float>({2, 2}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {4, 4}).Attr("size", std::vector<int64_t>{4, 4});
    EXPECT_FALSE(t.Infer().ok());  // not 4-D
  }
  {
    test::OneNode t(ir::OpKind::kResizeNearestNeighbor);
    t.In<float>({1, 0, 2, 1}, {}).Out(ir::DType::kFloat32, {1, 2, 2, 1}).Attr("size", std::vector<int64_t>{2, 2});
    EXPECT_FALSE(t.Infer().ok());  // nothing to copy from
  }
  {
    test::OneNode t(ir::OpKind::kResizeNearestNeighbor);
    t.In<int8_t>({1, 1, 1, 1}, {1}, Quant(0.5f, 0))
        .Out(ir::DType::kInt8, {1, 2, 2, 1}, Quant(0.25f, 0))
        .Attr("size", std::vector<int64_t>{2, 2});
    EXPECT_FALSE(t.Infer().ok());  // int8 needs equal quantization
  }
}

}  // namespace
}  // namespace ember
