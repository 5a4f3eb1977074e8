// ONNX RoiAlign with constant regions, on values worked out by hand from
// the definition: one sample at the centre of a bin is the mean of its four
// neighbours (avg) or a quarter of their largest (max: the largest weighted
// neighbour); half_pixel shifts a region by half a pixel; a region past the
// image's edge reads the last row and column; a sample more than a pixel
// outside is 0; regions of the second image of a batch read it. And the
// refusals: regions computed at run time, a batch index out of range.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;

// x [2, 1, 4, 4] with x[b, 0, r, c] = 16·b + 4·r + c; one output value per region.
std::vector<uint8_t> Model(const std::vector<float>& rois, const std::vector<int64_t>& batch, const std::string& mode,
                           const std::string& transform, int64_t ratio, int64_t opset = 16) {
  OnnxBuilder b(opset);
  b.Input("x", {2, 1, 4, 4});
  const auto regions = static_cast<int64_t>(batch.size());
  b.Init("rois", {regions, 4}, rois);
  b.InitInt64("batch", {regions}, batch);
  auto node = b.Node("RoiAlign", {"x", "rois", "batch"}, {"y"}, "align");
  node.Str("mode", mode).Int("sampling_ratio", ratio);
  if (!transform.empty()) node.Str("coordinate_transformation_mode", transform);
  b.OutputWithShape("y", {regions, 1, 1, 1});
  return b.Bytes();
}

std::vector<float> Image() {
  std::vector<float> x(32);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  return x;
}

TEST(OnnxRoiAlign, SamplesAsDefined) {
  // output_half_pixel, one sample a bin:
  //  [0,0,3,3] samples (1.5, 1.5): the mean of x[1..2][1..2] = 7.5;
  //  [1,0,2,2] of image 1 samples (x 1.5, y 1): 16 + 4 + 1.5 = 21.5;
  //  [2,2,6,6] samples (4, 4), past the last row and column: x[3][3] = 15;
  //  [-4,-4,-3,-3] samples (-3.5, -3.5), more than a pixel outside: 0.
  const std::vector<float> rois = {0, 0, 3, 3, 1, 0, 2, 2, 2, 2, 6, 6, -4, -4, -3, -3};
  const std::vector<int64_t> batch = {0, 1, 0, 0};
  ExpectNear(Eval(MustImport(Model(rois, batch, "avg", "output_half_pixel", 1)), Image()), {7.5f, 21.5f, 15.0f, 0.0f});
  // Opset 10 has no coordinate_transformation_mode: output_half_pixel.
  ExpectNear(Eval(MustImport(Model(rois, batch, "avg", "", 1, 10)), Image()), {7.5f, 21.5f, 15.0f, 0.0f});
  // half_pixel: [0.5,0.5,3.5,3.5] is [0,0,3,3] again.
  ExpectNear(Eval(MustImport(Model({0.5f, 0.5f, 3.5f, 3.5f}, {0}, "avg", "half_pixel", 1)), Image()), {7.5f});
  // A 2x2 grid on [0,0,4,4]: samples at 1 and 3 on each axis, exactly on pixels: (5 + 7 + 13 + 15) / 4.
  ExpectNear(Eval(MustImport(Model({0, 0, 4, 4}, {0}, "avg", "output_half_pixel", 2)), Image()), {10.0f});
  // max: the largest weighted neighbour, 0.25 · x[2][2] = 2.5 at (1.5, 1.5).
  ExpectNear(Eval(MustImport(Model({0, 0, 3, 3}, {0}, "max", "output_half_pixel", 1)), Image()), {2.5f});
  // max over a 2x2 grid of samples on pixels: the largest, x[3][3] = 15.
  ExpectNear(Eval(MustImport(Model({0, 0, 4, 4}, {0}, "max", "output_half_pixel", 2)), Image()), {15.0f});
}

TEST(OnnxRoiAlign, Refusals) {
  {
    OnnxBuilder b(16);
    b.Input("x", {1, 1, 4, 4});
    b.Input("rois", {1, 4});
    b.InitInt64("batch", {1}, {0});
    b.Node("RoiAlign", {"x", "rois", "batch"}, {"y"}, "align");
    b.OutputWithShape("y", {1, 1, 1, 1});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1013") << d.ToString();
    EXPECT_NE(d.message.find("rois"), std::string::npos) << d.message;
  }
  const Diagnostic d = MustFail(Model({0, 0, 3, 3}, {2}, "avg", "half_pixel", 1));
  EXPECT_EQ(d.id, "E1015") << d.ToString();
  EXPECT_NE(d.message.find("'align' (RoiAlign, opset 16): has batch index 2 for region 0 of an input of batch size 2"),
            std::string::npos)
      << d.message;
}

}  // namespace
}  // namespace ember::frontend::onnx
