// Fixed crops of a batch of images as ONNX RoiAlign with constant regions
// (a model that pools known areas of a camera frame, say): five regions of
// two 3-channel 12x12 images (inside, across an edge, smaller than a pixel,
// partly outside), 3x3 bins, in both modes and coordinate transformations,
// with a fixed 2x2 sampling grid and the adaptive one (sampling_ratio 0):
//   - `ember eval` against ONNX Runtime when node and onnxruntime-node are
//     present (skipped with a message otherwise);
//   - the C that `ember compile --target host` generates, run by `ember run`,
//     against `ember eval`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

constexpr int64_t kN = 2, kC = 3, kH = 12, kW = 12, kRegions = 5, kBins = 3;

std::vector<uint8_t> CropModel(const std::string& mode, const std::string& transform, int64_t ratio) {
  OnnxBuilder b(16);
  b.Input("x", {kN, kC, kH, kW});
  b.Init("rois", {kRegions, 4},
         {1.0f, 2.0f, 7.5f, 9.0f,     // inside
          6.0f, 6.0f, 13.0f, 12.5f,   // across the right and bottom edges
          3.2f, 3.4f, 3.6f, 3.5f,     // smaller than a pixel
          -3.0f, -2.0f, 4.0f, 5.0f,   // partly outside, top left
          0.0f, 0.0f, 11.0f, 11.0f});  // the whole image
  b.InitInt64("batch", {kRegions}, {0, 1, 1, 0, 1});
  b.Node("RoiAlign", {"x", "rois", "batch"}, {"y"}, "crop")
      .Str("mode", mode)
      .Str("coordinate_transformation_mode", transform)
      .Int("sampling_ratio", ratio)
      .Int("output_height", kBins)
      .Int("output_width", kBins)
      .Float("spatial_scale", 1.0f);
  b.OutputWithShape("y", {kRegions, kC, kBins, kBins});
  return b.Bytes();
}

std::vector<float> Images() {
  std::vector<float> v;
  for (int64_t n = 0; n < kN; ++n)
    for (int64_t c = 0; c < kC; ++c)
      for (int64_t i = 0; i < kH; ++i)
        for (int64_t j = 0; j < kW; ++j)
          v.push_back(static_cast<float>(std::sin(0.7 * static_cast<double>(i) + 0.3 * static_cast<double>(c + n)) *
                                         std::cos(0.5 * static_cast<double>(j)) -
                                         0.2 * static_cast<double>(n)));
  return v;
}

TEST(OnnxRoiAlignModel, CropsAgreeWithOnnxRuntimeAndTheHostBuild) {
  const std::string dir = TempDir();
  WriteFloatNpy(dir + "/x.npy", {kN, kC, kH, kW}, Images());
  struct Form {
    std::string mode, transform;
    int64_t ratio;
  };
  for (const Form& f : {Form{"avg", "half_pixel", 2}, Form{"avg", "output_half_pixel", 0}, Form{"max", "half_pixel", 2},
                        Form{"avg", "half_pixel", 0}}) {
    SCOPED_TRACE(f.mode + " " + f.transform + " " + std::to_string(f.ratio));
    const std::string model = dir + "/crop.onnx";
    WriteFile(model, CropModel(f.mode, f.transform, f.ratio));
    const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/y.npy"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const std::vector<float> y = ReadFloatNpy(dir + "/y.npy");
    ASSERT_EQ(y.size(), static_cast<size_t>(kRegions * kC * kBins * kBins));
    const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/crop.tar"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    const CliResult r = RunCli({"run", dir + "/crop.tar", "--input", dir + "/x.npy", "--output", dir + "/run.npy"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_LE(RelError(ReadFloatNpy(dir + "/run.npy"), y), 1e-6);
    if (const std::string why = OrtMissing(); why.empty()) {
      const std::vector<float> want = RunOrt(model, FloatBytes(Images()), "2x3x12x12", dir);
      const double rel = RelError(y, want);
      EXPECT_LE(rel, 1e-5);
      std::printf("RoiAlign %s/%s/ratio %lld, ember eval vs ONNX Runtime: max relative error %.3g\n", f.mode.c_str(),
                  f.transform.c_str(), static_cast<long long>(f.ratio), rel);
    } else {
      std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
    }
  }
}

}  // namespace
}  // namespace ember::test
