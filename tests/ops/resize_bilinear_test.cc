// RESIZE_BILINEAR reference evaluator: TFLite Micro's int8 test vectors,
// float and int8 with half_pixel_centers and align_corners (hand-computed),
// rounding of negative int8 values; refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

template <typename T>
std::vector<T> Resize(const std::vector<T>& in, ir::Shape in_shape, ir::Shape out_shape, int64_t align, int64_t half) {
  test::OneNode t(ir::OpKind::kResizeBilinear);
  std::optional<ir::QuantParams> q;
  if constexpr (std::is_same_v<T, int8_t>) q = Quant(0.5f, 0);
  t.In<T>(in_shape, in, q).Out(test::DTypeOf<T>(), out_shape, q);
  t.Attr("size", std::vector<int64_t>{out_shape[1], out_shape[2]}).Attr("align_corners", align).Attr("half_pixel_centers", half);
  auto r = t.Run<T>();
  EXPECT_TRUE(r.ok()) << r.diag().ToString();
  return r.ok() ? *r : std::vector<T>{};
}

TEST(ResizeBilinear, TfliteMicroInt8Vectors) {
  EXPECT_EQ(Resize<int8_t>({3, 6}, {1, 1, 2, 1}, {1, 1, 3, 1}, 0, 0), (std::vector<int8_t>{3, 5, 6}));
  EXPECT_EQ(Resize<int8_t>({3, 9}, {1, 2, 1, 1}, {1, 3, 1, 1}, 0, 0), (std::vector<int8_t>{3, 7, 9}));
  EXPECT_EQ(Resize<int8_t>({3, 6, 9, 12}, {1, 2, 2, 1}, {1, 3, 3, 1}, 0, 0),
            (std::vector<int8_t>{3, 5, 6, 7, 9, 10, 9, 11, 12}));
  // -5.0009 rounds to -5 (half away from zero after the 2^20 scaling).
  EXPECT_EQ(Resize<int8_t>({-3, -6}, {1, 1, 2, 1}, {1, 1, 3, 1}, 0, 0), (std::vector<int8_t>{-3, -5, -6}));
}

TEST(ResizeBilinear, HalfPixelCentersAndAlignCorners) {
  // Half pixel: sample points -0.25, 0.25, 0.75, 1.25; the outer ones clamp.
  EXPECT_EQ(Resize<int8_t>({0, 100}, {1, 1, 2, 1}, {1, 1, 4, 1}, 0, 1), (std::vector<int8_t>{0, 25, 75, 100}));
  EXPECT_EQ(Resize<float>({0, 100}, {1, 1, 2, 1}, {1, 1, 4, 1}, 0, 1), (std::vector<float>{0, 25, 75, 100}));
  EXPECT_EQ(Resize<int8_t>({0, 100}, {1, 1, 2, 1}, {1, 1, 3, 1}, 1, 0), (std::vector<int8_t>{0, 50, 100}));
  EXPECT_EQ(Resize<float>({0, 100}, {1, 1, 2, 1}, {1, 1, 3, 1}, 1, 0), (std::vector<float>{0, 50, 100}));
  // Two channels, two batches, downscaling.
  EXPECT_EQ(Resize<float>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 1, 2, 2}, {2, 1, 1, 2}, 0, 0),
            (std::vector<float>{1, 2, 5, 6}));
}

TEST(ResizeBilinear, NegativeZeroBecomesPositive) {
  // TFLite adds a float rounding offset of 0.0f, which turns -0 into +0.
  const std::vector<float> r = Resize<float>({-0.0f}, {1, 1, 1, 1}, {1, 1, 1, 1}, 0, 0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(std::signbit(r[0]));
}

TEST(ResizeBilinear, Rejects) {
  test::OneNode b(ir::OpKind::kResizeBilinear);
  b.In<float>({1, 2, 2, 1}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {1, 3, 3, 1});
  b.Attr("size", std::vector<int64_t>{3, 3}).Attr("align_corners", int64_t{1}).Attr("half_pixel_centers", int64_t{1});
  EXPECT_EQ(b.Infer().diag().id, "E0301");
  test::OneNode r(ir::OpKind::kResizeBilinear);
  r.In<float>({2, 2, 1}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {3, 3, 1}).Attr("size", std::vector<int64_t>{3, 3});
  EXPECT_FALSE(r.Infer().ok());
  test::OneNode s(ir::OpKind::kResizeBilinear);
  s.In<float>({1, 2, 2, 1}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {1, 3, 3, 1});
  EXPECT_FALSE(s.Infer().ok());  // no size
  test::OneNode o(ir::OpKind::kResizeBilinear);  // TFLite's integer scale reads past the input
  o.In<int8_t>({1, 1, 1, 1}, {1}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {1, 1, 2048, 1}, Quant(0.5f, 0));
  o.Attr("size", std::vector<int64_t>{1, 2048});
  EXPECT_FALSE(o.Infer().ok());
}

}  // namespace
}  // namespace ember
