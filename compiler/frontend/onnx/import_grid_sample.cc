// ONNX GridSample (opset 16; opset 20's mode names linear / cubic too) of a
// 4-D float32 X [N, C, H, W] with a constant grid [N, H_out, W_out, 2]:
// every output pixel is a fixed weighted sum of at most 16 input pixels of
// its batch, so the sampler becomes gathers. X is moved to [N·H·W, C] rows;
// for each tap t (1 for nearest, 4 for bilinear, 16 for bicubic) a gather of
// the rows idx_t [N·H_out·W_out] is scaled by the constant weights w_t and
// the taps are summed, then [N, H_out, W_out, C] goes back to NCHW.
//
// The taps follow ONNX's reference implementation: the normalized grid
// value n becomes x = (n + 1)/2·(W − 1) (align_corners) or ((n + 1)·W −
// 1)/2, in float32 as the reference computes it from a float32 grid;
// nearest rounds half to even; a coordinate outside the border ([0, W − 1]
// with align_corners, else [−0.5, W − 0.5]) is clamped into [0, W − 1]
// (border) or reflected into the border (reflection), except in bicubic
// mode; then each tap pixel outside the image is 0 (zeros: weight 0),
// clamped (border) or reflected (reflection). Bicubic with border or
// reflection padding follows PyTorch's grid_sample and ONNX Runtime, which
// move only the taps: ONNX's reference implementation moves the coordinate
// too (changing the weights near the border); no node case covers it, and
// ONNX Runtime differs from it by 1.5 % there. Bilinear weights are the products (x2 − x)·(y2 − y), ...,
// bicubic ones Keys' cubic convolution coefficients (α = −0.75) of the
// fractional offsets, per axis.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

// ONNX's reflection of x into [lo, hi].
double Reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (x < lo) {
    const double dx = lo - x;
    const auto n = static_cast<int64_t>(dx / range);
    const double r = dx - static_cast<double>(n) * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const double dx = x - hi;
    const auto n = static_cast<int64_t>(dx / range);
    const double r = dx - static_cast<double>(n) * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

// Keys' cubic convolution coefficients of the offset x (α = −0.75).
void CubicCoefficients(double x, double c[4]) {
  const double a = -0.75;
  x = std::fabs(x);
  c[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  c[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  c[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a;
}

struct Sampler {
  int64_t h = 0, w = 0;
  std::string padding;
  double lo_x = 0, hi_x = 0, lo_y = 0, hi_y = 0;  // the border

  // The pixel index (row·W + column) of tap (r, c), or −1 for a zero.
  int64_t Pixel(int64_t r, int64_t c) const {
    if (padding == "zeros") return r >= 0 && r < h && c >= 0 && c < w ? r * w + c : -1;
    if (padding == "border") {
      r = std::clamp<int64_t>(r, 0, h - 1);
      c = std::clamp<int64_t>(c, 0, w - 1);
      return r * w + c;
    }
    c = static_cast<int64_t>(Reflect(static_cast<double>(c), lo_x, hi_x));
    r = static_cast<int64_t>(Reflect(static_cast<double>(r), lo_y, hi_y));
    return std::clamp<int64_t>(r, 0, h - 1) * w + std::clamp<int64_t>(c, 0, w - 1);
  }
};

}  // namespace

Expected<ir::TensorId> GatherTaps(Context& ctx, const NodeRef& ref, ir::TensorId x,
                                  const std::vector<std::vector<int64_t>>& idx,
                                  const std::vector<std::vector<double>>& wt, bool take_max,
                                  const std::vector<int64_t>& points_shape, const std::string& out) {
  const ir::Shape s = ctx.graph.tensor(x).shape;
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  const auto points = static_cast<int64_t>(idx.empty() ? 0 : idx[0].size());
  EMBER_ASSIGN_OR_RETURN(ir::TensorId t, ToNhwc(ctx, ref, x));
  EMBER_ASSIGN_OR_RETURN(t, AddNode(ctx, ref, ir::OpKind::kReshape, {t}, {{"shape", std::vector<int64_t>{n * h * w, c}}},
                                    out + "_pixels"));
  ir::TensorId acc = ir::kNoTensor;
  for (size_t k = 0; k < idx.size(); ++k) {
    const std::string tag = out + "_tap" + std::to_string(k);
    EMBER_ASSIGN_OR_RETURN(ir::TensorId g, GatherConstIndices(ctx, ref, t, 0, idx[k], tag));
    bool ones = true;
    for (double v : wt[k]) ones = ones && v == 1.0;
    if (!ones) {
      EMBER_ASSIGN_OR_RETURN(ir::TensorId wc, AddConst(ctx, tag + "_weights", FloatConst({points, 1}, wt[k])));
      EMBER_ASSIGN_OR_RETURN(g, AddNode(ctx, ref, ir::OpKind::kMul, {g, wc}, {}, tag + "_weighted"));
    }
    if (acc == ir::kNoTensor) {
      acc = g;
    } else if (take_max) {
      const auto maximum = IrOp("maximum");
      if (!maximum) return UnsupportedAttr(ctx, ref, "a maximum of samples, without ember's maximum operator");
      EMBER_ASSIGN_OR_RETURN(acc, AddNode(ctx, ref, *maximum, {acc, g}, {}, out + "_max" + std::to_string(k)));
    } else {
      EMBER_ASSIGN_OR_RETURN(acc, AddNode(ctx, ref, ir::OpKind::kAdd, {acc, g}, {}, out + "_sum" + std::to_string(k)));
    }
  }
  std::vector<int64_t> nhwc = points_shape;
  nhwc.push_back(c);
  EMBER_ASSIGN_OR_RETURN(acc, AddNode(ctx, ref, ir::OpKind::kReshape, {acc}, {{"shape", nhwc}}, out + "_nhwc"));
  return ToNchw(ctx, ref, acc, out);
}

Status ConvertGridSample(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape s = ctx.graph.tensor(x).shape;
  if (s.size() != 4 || ctx.graph.tensor(x).dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, "an input of shape " + ir::ShapeToString(s) + " or type " +
                                         ir::DTypeName(ctx.graph.tensor(x).dtype),
                           "ember samples 4-D float32 images [N, C, H, W]");
  }
  EMBER_ASSIGN_OR_RETURN(auto grid, ConstInput(ctx, ref, 1, "grid"));
  const int64_t n = s[0], h = s[2], w = s[3];
  if (grid->shape.size() != 4 || grid->shape[0] != n || grid->shape[3] != 2) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has a grid of shape " + ir::ShapeToString(grid->shape) + " for an input of shape " +
                         ir::ShapeToString(s));
  }
  std::string mode = AttrString(ref, "mode", "bilinear");
  if (mode == "linear") mode = "bilinear";
  if (mode == "cubic") mode = "bicubic";
  Sampler sm;
  sm.h = h;
  sm.w = w;
  sm.padding = AttrString(ref, "padding_mode", "zeros");
  const bool align = AttrInt(ref, "align_corners", 0) != 0;
  if ((mode != "bilinear" && mode != "nearest" && mode != "bicubic") ||
      (sm.padding != "zeros" && sm.padding != "border" && sm.padding != "reflection")) {
    return UnsupportedAttr(ctx, ref, "mode '" + mode + "' with padding_mode '" + sm.padding + "'");
  }
  const int64_t ho = grid->shape[1], wo = grid->shape[2], points = n * ho * wo;
  const int taps = mode == "nearest" ? 1 : mode == "bilinear" ? 4 : 16;
  if (points * taps > kMaxFoldedElements) {
    return UnsupportedAttr(ctx, ref, "a grid of more than " + std::to_string(kMaxFoldedElements / taps) + " points");
  }
  sm.lo_x = align ? 0.0 : -0.5;
  sm.hi_x = align ? static_cast<double>(w) - 1.0 : static_cast<double>(w) - 0.5;
  sm.lo_y = align ? 0.0 : -0.5;
  sm.hi_y = align ? static_cast<double>(h) - 1.0 : static_cast<double>(h) - 0.5;
  // Per tap: the row of [N·H·W] each output point reads, and its weight.
  std::vector<std::vector<int64_t>> idx(static_cast<size_t>(taps), std::vector<int64_t>(static_cast<size_t>(points)));
  std::vector<std::vector<double>> wt(static_cast<size_t>(taps), std::vector<double>(static_cast<size_t>(points)));
  for (int64_t p = 0; p < points; ++p) {
    const int64_t b = p / (ho * wo);
    // Denormalized in float32, as the reference computes it from a float32 grid.
    auto denorm = [&](double v, int64_t len) {
      const float f = static_cast<float>(v);
      return static_cast<double>(align ? (f + 1.0f) / 2.0f * static_cast<float>(len - 1)
                                       : ((f + 1.0f) * static_cast<float>(len) - 1.0f) / 2.0f);
    };
    double gx = denorm(grid->at(2 * p), w), gy = denorm(grid->at(2 * p + 1), h);
    if (!std::isfinite(gx) || !std::isfinite(gy)) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has a grid value that is not finite");
    }
    if (mode == "nearest") {
      gx = std::nearbyint(gx);
      gy = std::nearbyint(gy);
    }
    // Bicubic keeps the coordinate (its taps are clamped or reflected one
    // by one), as PyTorch and ONNX Runtime compute it.
    if (mode != "bicubic" && (gx < sm.lo_x || gx > sm.hi_x || gy < sm.lo_y || gy > sm.hi_y)) {
      if (sm.padding == "border") {
        gx = std::clamp(gx, 0.0, static_cast<double>(w - 1));
        gy = std::clamp(gy, 0.0, static_cast<double>(h - 1));
      } else if (sm.padding == "reflection") {
        gx = Reflect(gx, sm.lo_x, sm.hi_x);
        gy = Reflect(gy, sm.lo_y, sm.hi_y);
      }
    }
    // Far outside (zeros padding) every tap is 0 either way; bounded before
    // the integer conversions.
    gx = std::clamp(gx, -8.0, static_cast<double>(w) + 8.0);
    gy = std::clamp(gy, -8.0, static_cast<double>(h) + 8.0);
    auto set = [&](int t, int64_t r, int64_t col, double weight) {
      const int64_t pix = sm.Pixel(r, col);
      idx[static_cast<size_t>(t)][static_cast<size_t>(p)] = b * h * w + (pix < 0 ? 0 : pix);
      wt[static_cast<size_t>(t)][static_cast<size_t>(p)] = pix < 0 ? 0.0 : weight;
    };
    if (mode == "nearest") {
      set(0, static_cast<int64_t>(gy), static_cast<int64_t>(gx), 1.0);
    } else if (mode == "bilinear") {
      const auto x1 = static_cast<int64_t>(std::floor(gx)), y1 = static_cast<int64_t>(std::floor(gy));
      const double dx1 = gx - static_cast<double>(x1), dx2 = static_cast<double>(x1 + 1) - gx;
      const double dy1 = gy - static_cast<double>(y1), dy2 = static_cast<double>(y1 + 1) - gy;
      set(0, y1, x1, dy2 * dx2);
      set(1, y1, x1 + 1, dy2 * dx1);
      set(2, y1 + 1, x1, dy1 * dx2);
      set(3, y1 + 1, x1 + 1, dy1 * dx1);
    } else {
      const int64_t x0 = static_cast<int64_t>(std::floor(gx)) - 1, y0 = static_cast<int64_t>(std::floor(gy)) - 1;
      double cx[4], cy[4];
      CubicCoefficients(gx - static_cast<double>(x0) - 1.0, cx);
      CubicCoefficients(gy - static_cast<double>(y0) - 1.0, cy);
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) set(i * 4 + j, y0 + i, x0 + j, cy[i] * cx[j]);
    }
  }
  const std::string out = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, GatherTaps(ctx, ref, x, idx, wt, false, {n, ho, wo}, out));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
