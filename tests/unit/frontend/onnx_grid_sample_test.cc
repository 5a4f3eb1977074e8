// ONNX GridSample with a constant grid: every mode (nearest, bilinear,
// bicubic) and padding (zeros, border, reflection), with and without
// align_corners, on a batch of 2 with 3 channels and grid points inside and
// far outside the image, against the sampler written here per output pixel
// as ONNX's definition reads; and the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;

struct Params {
  std::string mode, padding;
  bool align;
};

double ReflectInto(double v, double lo, double hi) {
  const double range = hi - lo;
  while (v < lo || v > hi) v = v < lo ? 2 * lo - v : 2 * hi - v;  // mirror until inside
  (void)range;
  return v;
}

// One image [H, W]: the pixel at (r, c) under the padding mode.
double PixelAt(const std::vector<float>& img, int64_t h, int64_t w, int64_t r, int64_t c, const Params& p) {
  if (p.padding == "zeros") return r >= 0 && r < h && c >= 0 && c < w ? img[static_cast<size_t>(r * w + c)] : 0.0;
  if (p.padding == "border") {
    r = std::clamp<int64_t>(r, 0, h - 1);
    c = std::clamp<int64_t>(c, 0, w - 1);
    return img[static_cast<size_t>(r * w + c)];
  }
  const double lo_x = p.align ? 0.0 : -0.5, hi_x = p.align ? w - 1.0 : w - 0.5;
  const double lo_y = p.align ? 0.0 : -0.5, hi_y = p.align ? h - 1.0 : h - 0.5;
  c = static_cast<int64_t>(ReflectInto(static_cast<double>(c), lo_x, hi_x));
  r = static_cast<int64_t>(ReflectInto(static_cast<double>(r), lo_y, hi_y));
  return img[static_cast<size_t>(r * w + c)];
}

double Cubic(double x, int k) {  // Keys, a = -0.75: the weight of tap k for offset x in [0, 1)
  const double a = -0.75;
  const double d = std::fabs(x - (k - 1));  // distance of tap k from the sample
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0.0;
}

std::vector<float> Reference(const std::vector<float>& x, int64_t n, int64_t ch, int64_t h, int64_t w,
                             const std::vector<float>& grid, int64_t ho, int64_t wo, const Params& p) {
  std::vector<float> y;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t c = 0; c < ch; ++c) {
      const std::vector<float> img(x.begin() + (b * ch + c) * h * w, x.begin() + (b * ch + c + 1) * h * w);
      for (int64_t i = 0; i < ho; ++i)
        for (int64_t j = 0; j < wo; ++j) {
          const float nx = grid[static_cast<size_t>(((b * ho + i) * wo + j) * 2)];
          const float ny = grid[static_cast<size_t>(((b * ho + i) * wo + j) * 2 + 1)];
          double gx = p.align ? (nx + 1.0f) / 2.0f * static_cast<float>(w - 1) : ((nx + 1.0f) * w - 1.0f) / 2.0f;
          double gy = p.align ? (ny + 1.0f) / 2.0f * static_cast<float>(h - 1) : ((ny + 1.0f) * h - 1.0f) / 2.0f;
          if (p.mode == "nearest") {
            gx = std::nearbyint(gx);
            gy = std::nearbyint(gy);
          }
          const double lo_x = p.align ? 0.0 : -0.5, hi_x = p.align ? w - 1.0 : w - 0.5;
          const double lo_y = p.align ? 0.0 : -0.5, hi_y = p.align ? h - 1.0 : h - 0.5;
          // Bicubic moves only its taps (PyTorch's and ONNX Runtime's semantics).
          if (p.mode != "bicubic" && (gx < lo_x || gx > hi_x || gy < lo_y || gy > hi_y)) {
            if (p.padding == "border") {
              gx = std::clamp(gx, 0.0, w - 1.0);
              gy = std::clamp(gy, 0.0, h - 1.0);
            } else if (p.padding == "reflection") {
              gx = ReflectInto(gx, lo_x, hi_x);
              gy = ReflectInto(gy, lo_y, hi_y);
            }
          }
          double v = 0.0;
          if (p.mode == "nearest") {
            v = PixelAt(img, h, w, static_cast<int64_t>(gy), static_cast<int64_t>(gx), p);
          } else {
            const auto fx = static_cast<int64_t>(std::floor(gx)), fy = static_cast<int64_t>(std::floor(gy));
            const double ox = gx - static_cast<double>(fx), oy = gy - static_cast<double>(fy);
            const int lo = p.mode == "bilinear" ? 0 : -1, hi = p.mode == "bilinear" ? 1 : 2;
            for (int di = lo; di <= hi; ++di)
              for (int dj = lo; dj <= hi; ++dj) {
                const double wy = p.mode == "bilinear" ? (di == 0 ? 1 - oy : oy) : Cubic(oy, di + 1);
                const double wx = p.mode == "bilinear" ? (dj == 0 ? 1 - ox : ox) : Cubic(ox, dj + 1);
                v += wy * wx * PixelAt(img, h, w, fy + di, fx + dj, p);
              }
          }
          y.push_back(static_cast<float>(v));
        }
    }
  return y;
}

TEST(OnnxGridSample, EveryModeAndPaddingMatchesTheDefinition) {
  const int64_t n = 2, ch = 3, h = 5, w = 4, ho = 3, wo = 6;
  std::vector<float> x(static_cast<size_t>(n * ch * h * w));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 23) * 0.25f - 2.0f;
  std::vector<float> grid;
  for (int64_t i = 0; i < n * ho * wo; ++i) {  // inside, on the edges and well outside [-1, 1]
    grid.push_back(-1.9f + 0.23f * static_cast<float>(i % 17));
    grid.push_back(-1.6f + 0.19f * static_cast<float>((i * 5) % 19));
  }
  for (const char* mode : {"nearest", "bilinear", "bicubic"})
    for (const char* padding : {"zeros", "border", "reflection"})
      for (const bool align : {false, true}) {
        const Params p{mode, padding, align};
        SCOPED_TRACE(std::string(mode) + " " + padding + (align ? " align_corners" : ""));
        OnnxBuilder b(16);
        b.Input("x", {n, ch, h, w});
        b.Init("grid", {n, ho, wo, 2}, grid);
        b.Node("GridSample", {"x", "grid"}, {"y"})
            .Str("mode", mode)
            .Str("padding_mode", padding)
            .Int("align_corners", align ? 1 : 0);
        b.OutputWithShape("y", {n, ch, ho, wo});
        const ir::Graph g = MustImport(b.Bytes());
        ExpectNear(Eval(g, x), Reference(x, n, ch, h, w, grid, ho, wo, p), 1e-4f);
      }
}

TEST(OnnxGridSample, RunTimeGridIsRefused) {
  OnnxBuilder b(16);
  b.Input("x", {1, 1, 4, 4});
  b.Input("grid", {1, 2, 2, 2});
  b.Node("GridSample", {"x", "grid"}, {"y"});
  b.OutputWithShape("y", {1, 1, 2, 2});
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_EQ(d.id, "E1013") << d.ToString();
  EXPECT_NE(d.message.find("grid"), std::string::npos) << d.message;
}

}  // namespace
}  // namespace ember::frontend::onnx
