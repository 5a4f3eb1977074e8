// resize_linear reference evaluator (ONNX Runtime's linear Resize): values
// worked by hand for each coordinate mode, the integer form (truncation
// toward zero, the uint8 offset), the requantizing form (rounding half to
// even before the zero point is added, saturation); refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

struct Opts {
  std::string mode = "half_pixel";
  std::vector<double> scale;
  int64_t integers = 0, offset = 0;
  std::optional<ir::QuantParams> qin, qout;
};

template <typename T>
std::vector<T> Resize(const std::vector<T>& in, ir::Shape in_shape, ir::Shape out_shape, const Opts& o) {
  test::OneNode t(ir::OpKind::kResizeLinear);
  t.In<T>(in_shape, in, o.qin).Out(test::DTypeOf<T>(), out_shape, o.qout);
  t.Attr("size", std::vector<int64_t>{out_shape[1], out_shape[2]}).Attr("coordinate_mode", o.mode);
  t.Attr("scale", o.scale);
  if (o.integers) t.Attr("integers", o.integers);
  if (o.offset) t.Attr("value_offset", o.offset);
  auto r = t.Run<T>();
  EXPECT_TRUE(r.ok()) << r.diag().ToString();
  return r.ok() ? *r : std::vector<T>{};
}

TEST(ResizeLinear, FloatCoordinateModes) {
  // half_pixel, 2 -> 4: x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped
  // to 1: both neighbours pixel 1, each weighted 0.5).
  Opts o;
  o.scale = {1.0, 2.0};
  EXPECT_EQ(Resize<float>({0, 100}, {1, 1, 2, 1}, {1, 1, 4, 1}, o), (std::vector<float>{0, 25, 75, 100}));
  o.mode = "asymmetric";  // x = 0, 0.5, 1, 1.5
  EXPECT_EQ(Resize<float>({0, 100}, {1, 1, 2, 1}, {1, 1, 4, 1}, o), (std::vector<float>{0, 50, 100, 100}));
  o.mode = "align_corners";  // 2 -> 3: x = 0, 0.5, 1 (the scale is not used)
  o.scale = {1.0, 1.5};
  EXPECT_EQ(Resize<float>({0, 100}, {1, 1, 2, 1}, {1, 1, 3, 1}, o), (std::vector<float>{0, 50, 100}));
  o.mode = "pytorch_half_pixel";  // an output of one pixel samples pixel 0
  o.scale = {1.0, 0.5};
  EXPECT_EQ(Resize<float>({7, 100}, {1, 1, 2, 1}, {1, 1, 1, 1}, o), (std::vector<float>{7}));
  o.mode = "half_pixel";  // the same output in half_pixel: x = 0.5
  EXPECT_EQ(Resize<float>({7, 100}, {1, 1, 2, 1}, {1, 1, 1, 1}, o), (std::vector<float>{53.5f}));
  // Two channels and two rows: rows and columns interpolated together.
  o.mode = "asymmetric";
  o.scale = {2.0, 1.0};
  EXPECT_EQ(Resize<float>({0, 10, 4, 30}, {1, 2, 1, 2}, {1, 4, 1, 2}, o),
            (std::vector<float>{0, 10, 2, 20, 4, 30, 4, 30}));
}

TEST(ResizeLinear, IntegersTruncateTowardZero) {
  // 2x2 -> 4x4, asymmetric: 0.5 -> 0, 3.5 -> 3, -1.5 -> -1.
  Opts o;
  o.mode = "asymmetric";
  o.scale = {2.0, 2.0};
  o.integers = 1;
  EXPECT_EQ(Resize<int8_t>({-3, 4, 10, -7}, {1, 2, 2, 1}, {1, 4, 4, 1}, o),
            (std::vector<int8_t>{-3, 0, 4, 4, 3, 1, -1, -1, 10, 1, -7, -7, 10, 1, -7, -7}));
  // uint8 values 200, 13, 0, 255 held as int8 (value - 128): interpolated as
  // uint8 (106.5 -> 106, 127.5 -> 127), then held again.
  o.offset = 128;
  const std::vector<int> u8 = {200, 106, 13, 13, 100, 117, 134, 134, 0, 127, 255, 255, 0, 127, 255, 255};
  std::vector<int8_t> want;
  for (int v : u8) want.push_back(static_cast<int8_t>(v - 128));
  EXPECT_EQ(Resize<int8_t>({72, -115, -128, 127}, {1, 2, 2, 1}, {1, 4, 4, 1}, o), want);
}

TEST(ResizeLinear, RequantizesAsQuantizeLinear) {
  // Inputs 0 and 50 (q 0, 100 at scale 0.5); half_pixel 2 -> 4 gives 0,
  // 12.5, 37.5, 50.
  Opts o;
  o.scale = {1.0, 2.0};
  o.qin = Quant(0.5f, 0);
  o.qout = Quant(1.0f, 0);  // 12.5 -> 12, 37.5 -> 38: half to even
  EXPECT_EQ(Resize<int8_t>({0, 100}, {1, 1, 2, 1}, {1, 1, 4, 1}, o), (std::vector<int8_t>{0, 12, 38, 50}));
  o.qout = Quant(1.0f, 1);  // rounded before the zero point: 12 + 1, not round(13.5)
  EXPECT_EQ(Resize<int8_t>({0, 100}, {1, 1, 2, 1}, {1, 1, 4, 1}, o), (std::vector<int8_t>{1, 13, 39, 51}));
  o.qout = Quant(0.25f, -10);  // 37.5 / 0.25 = 150 and 200 saturate
  EXPECT_EQ(Resize<int8_t>({0, 100}, {1, 1, 2, 1}, {1, 1, 4, 1}, o), (std::vector<int8_t>{-10, 40, 127, 127}));
  o.qin = Quant(0.5f, 20);  // the input zero point is taken off first
  o.qout = Quant(1.0f, 0);
  EXPECT_EQ(Resize<int8_t>({20, 120}, {1, 1, 2, 1}, {1, 1, 4, 1}, o), (std::vector<int8_t>{0, 12, 38, 50}));
}

TEST(ResizeLinear, Rejects) {
  const auto node = [](const std::string& mode, std::vector<double> scale) {
    test::OneNode n(ir::OpKind::kResizeLinear);
    n.In<float>({1, 2, 2, 1}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {1, 4, 4, 1});
    n.Attr("size", std::vector<int64_t>{4, 4}).Attr("coordinate_mode", mode).Attr("scale", std::move(scale));
    return n;
  };
  EXPECT_EQ(node("half_pixel", {2.0, 2.0}).Infer().status().ok(), true);
  EXPECT_EQ(node("tf_crop_and_resize", {2.0, 2.0}).Infer().diag().id, "E0301");
  EXPECT_EQ(node("half_pixel", {2.0}).Infer().diag().id, "E0301");
  EXPECT_EQ(node("half_pixel", {2.0, 0.0}).Infer().diag().id, "E0301");
  auto f = node("half_pixel", {2.0, 2.0});
  f.Attr("integers", int64_t{1});
  EXPECT_EQ(f.Infer().diag().id, "E0301");  // integers on float
  test::OneNode u(ir::OpKind::kResizeLinear);  // int8 requantizing without quantization
  u.In<int8_t>({1, 2, 2, 1}, {1, 2, 3, 4}).Out(ir::DType::kInt8, {1, 4, 4, 1});
  u.Attr("size", std::vector<int64_t>{4, 4}).Attr("coordinate_mode", std::string("half_pixel"));
  u.Attr("scale", std::vector<double>{2.0, 2.0});
  EXPECT_FALSE(u.Infer().ok());
  u.Attr("value_offset", int64_t{128});  // an offset needs integers=1
  EXPECT_FALSE(u.Infer().ok());
  u.Attr("integers", int64_t{1});
  EXPECT_TRUE(u.Infer().ok());
  u.Attr("value_offset", int64_t{7});
  EXPECT_FALSE(u.Infer().ok());
}

}  // namespace
}  // namespace ember
