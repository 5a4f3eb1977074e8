// A fixed geometric warp as ONNX GridSample with a constant grid (a camera's
// undistortion or a rotation, known at export): a 15° rotation with a slight
// zoom of a 3-channel 12x12 image, in five modes and paddings (bicubic with
// border and reflection padding moves only its taps, as ONNX Runtime and
// PyTorch compute it), then a 1x1 Conv:
//   - `ember eval` against ONNX Runtime when node and onnxruntime-node are
//     present (skipped with a message otherwise);
//   - the C that `ember compile --target host` generates, run by `ember run`,
//     against `ember eval`.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

constexpr int64_t kC = 3, kH = 12, kW = 12, kOut = 10;

std::vector<uint8_t> WarpModel(const std::string& mode, const std::string& padding) {
  OnnxBuilder b(16);
  b.Input("x", {1, kC, kH, kW});
  std::vector<float> grid;
  const double a = 15.0 * std::numbers::pi / 180.0, zoom = 1.1;
  for (int64_t i = 0; i < kOut; ++i)
    for (int64_t j = 0; j < kOut; ++j) {
      const double u = -1.0 + 2.0 * (static_cast<double>(j) + 0.5) / kOut, v = -1.0 + 2.0 * (static_cast<double>(i) + 0.5) / kOut;
      grid.push_back(static_cast<float>(zoom * (std::cos(a) * u - std::sin(a) * v)));
      grid.push_back(static_cast<float>(zoom * (std::sin(a) * u + std::cos(a) * v)));
    }
  b.Init("grid", {1, kOut, kOut, 2}, grid);
  b.Init("w", {2, kC, 1, 1}, {0.5f, -0.25f, 1.0f, 0.75f, 0.125f, -0.5f});
  b.Node("GridSample", {"x", "grid"}, {"warped"}, "warp").Str("mode", mode).Str("padding_mode", padding);
  b.Node("Conv", {"warped", "w"}, {"y"}, "mix");
  b.OutputWithShape("y", {1, 2, kOut, kOut});
  return b.Bytes();
}

std::vector<float> Image() {
  std::vector<float> v;
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t i = 0; i < kH; ++i)
      for (int64_t j = 0; j < kW; ++j)
        v.push_back(static_cast<float>(std::sin(0.7 * static_cast<double>(i) + 0.3 * static_cast<double>(c)) *
                                       std::cos(0.5 * static_cast<double>(j))));
  return v;
}

TEST(OnnxGridSampleModel, WarpAgreesWithOnnxRuntimeAndTheHostBuild) {
  const std::string dir = TempDir();
  WriteFloatNpy(dir + "/x.npy", {1, kC, kH, kW}, Image());
  for (const auto& [mode, padding] : {std::pair<std::string, std::string>{"bilinear", "zeros"}, {"bicubic", "border"},
                                      {"bicubic", "reflection"}, {"nearest", "reflection"}, {"bilinear", "border"}}) {
    SCOPED_TRACE(mode + " " + padding);
    const std::string model = dir + "/warp_" + mode + ".onnx";
    WriteFile(model, WarpModel(mode, padding));
    const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/y.npy"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const std::vector<float> y = ReadFloatNpy(dir + "/y.npy");
    ASSERT_EQ(y.size(), static_cast<size_t>(2 * kOut * kOut));
    const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/warp.tar"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    const CliResult r = RunCli({"run", dir + "/warp.tar", "--input", dir + "/x.npy", "--output", dir + "/run.npy"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_LE(RelError(ReadFloatNpy(dir + "/run.npy"), y), 1e-6);
    if (const std::string why = OrtMissing(); why.empty()) {
      const std::vector<float> want = RunOrt(model, FloatBytes(Image()), "1x3x12x12", dir);
      const double rel = RelError(y, want);
      EXPECT_LE(rel, 1e-5);
      std::printf("GridSample %s/%s warp, ember eval vs ONNX Runtime: max relative error %.3g\n", mode.c_str(),
                  padding.c_str(), rel);
    } else {
      std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
    }
  }
}

}  // namespace
}  // namespace ember::test
