// ONNX RoiAlign (opsets 10 and 16) of a 4-D float32 X [N, C, H, W] with
// constant regions (rois [R, 4] as x1, y1, x2, y2, and batch_indices [R]):
// every output value [R, C, output_height, output_width] is then a fixed
// combination of input pixels of its region's image, so it becomes gathers
// (GatherTaps, as GridSample).
//
// The sampling follows ONNX's definition (and ONNX Runtime): a region's
// corners are scaled by spatial_scale and shifted by −0.5 under
// coordinate_transformation_mode half_pixel (opset 16's default; opset 10
// and output_half_pixel shift nothing and make the region at least 1 by 1);
// each output bin is sampled on a grid of sampling_ratio points per axis
// (0: ceil(region size / output size), from the constant region), at the
// centres of the grid's cells. A sample more than one pixel outside the
// image is 0; otherwise it is clamped into the image and bilinearly
// interpolated from its four neighbours (a neighbour beyond the last row
// or column is that row or column). mode avg averages a bin's samples (the
// weights of each pixel summed: at most 64 distinct pixels a bin); mode max
// takes the maximum over the bin's samples and their four weighted
// neighbours (w·v each, as ONNX Runtime computes it; at most 16 samples a
// bin).
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

constexpr int64_t kMaxAvgPixels = 64;
constexpr int64_t kMaxMaxSamples = 16;

// One bilinear sample: four pixels (row·W + column) and their weights.
struct Sample {
  int64_t pos[4] = {0, 0, 0, 0};
  double w[4] = {0, 0, 0, 0};
};

std::string FormatNumber(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

Sample Bilinear(double y, double x, int64_t h, int64_t w) {
  Sample s;
  if (y < -1.0 || y > static_cast<double>(h) || x < -1.0 || x > static_cast<double>(w)) return s;  // all 0
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  auto y_low = static_cast<int64_t>(y), x_low = static_cast<int64_t>(x);
  int64_t y_high = y_low + 1, x_high = x_low + 1;
  if (y_low >= h - 1) {
    y_high = y_low = h - 1;
    y = static_cast<double>(y_low);
  }
  if (x_low >= w - 1) {
    x_high = x_low = w - 1;
    x = static_cast<double>(x_low);
  }
  const double ly = y - static_cast<double>(y_low), lx = x - static_cast<double>(x_low);
  const double hy = 1.0 - ly, hx = 1.0 - lx;
  s.pos[0] = y_low * w + x_low;
  s.pos[1] = y_low * w + x_high;
  s.pos[2] = y_high * w + x_low;
  s.pos[3] = y_high * w + x_high;
  s.w[0] = hy * hx;
  s.w[1] = hy * lx;
  s.w[2] = ly * hx;
  s.w[3] = ly * lx;
  return s;
}

}  // namespace

Status ConvertRoiAlign(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape s = ctx.graph.tensor(x).shape;
  if (s.size() != 4 || ctx.graph.tensor(x).dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, "an input of shape " + ir::ShapeToString(s) + " or type " +
                                         ir::DTypeName(ctx.graph.tensor(x).dtype),
                           "ember aligns regions of 4-D float32 images [N, C, H, W]");
  }
  const int64_t n = s[0], h = s[2], w = s[3];
  // Regions computed at run time (a detector's proposals) are E1013.
  EMBER_ASSIGN_OR_RETURN(auto rois_c, ConstInput(ctx, ref, 1, "rois"));
  EMBER_ASSIGN_OR_RETURN(auto batch_c, ConstInput(ctx, ref, 2, "batch_indices"));
  const ConstTensor& rois = *rois_c;
  const ConstTensor& batch = *batch_c;
  if (rois.shape.size() != 2 || rois.shape[1] != 4 || batch.shape.size() != 1 || batch.shape[0] != rois.shape[0]) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has rois of shape " + ir::ShapeToString(rois.shape) + " and batch_indices of shape " +
                         ir::ShapeToString(batch.shape) + " (it takes [R, 4] and [R])");
  }
  const std::string mode = AttrString(ref, "mode", "avg");
  const std::string transform =
      AttrString(ref, "coordinate_transformation_mode", ctx.opset >= 16 ? "half_pixel" : "output_half_pixel");
  if ((mode != "avg" && mode != "max") || (transform != "half_pixel" && transform != "output_half_pixel")) {
    return UnsupportedAttr(ctx, ref, "mode '" + mode + "' with coordinate_transformation_mode '" + transform + "'");
  }
  const int64_t oh = AttrInt(ref, "output_height", 1), ow = AttrInt(ref, "output_width", 1);
  const int64_t ratio = AttrInt(ref, "sampling_ratio", 0);
  const double scale = AttrFloat(ref, "spatial_scale", 1.0f);
  const int64_t regions = rois.shape[0];
  if (oh < 1 || ow < 1 || ratio < 0 || ratio > kMaxAvgPixels || !std::isfinite(scale) ||
      regions * oh * ow > kMaxFoldedElements / kMaxAvgPixels) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has output_height " + std::to_string(oh) + ", output_width " + std::to_string(ow) +
                         ", sampling_ratio " + std::to_string(ratio) + " for " + std::to_string(regions) +
                         " regions (each at least 1, the ratio 0 to " + std::to_string(kMaxAvgPixels) +
                         ", the output at most " + std::to_string(kMaxFoldedElements / kMaxAvgPixels) +
                         " points a channel)");
  }
  const bool half_pixel = transform == "half_pixel";
  const int64_t points = regions * oh * ow;
  // Per point: the pixels (row of [N·H·W]) it reads and their weights
  // (avg: merged per pixel; max: one tap per sample and neighbour).
  std::vector<std::vector<std::pair<int64_t, double>>> taps(static_cast<size_t>(points));
  int64_t sampled = 0;  // bounds the work
  for (int64_t r = 0; r < regions; ++r) {
    const double b = batch.at(r);
    if (!(b >= 0.0 && b < static_cast<double>(n))) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       "has batch index " + FormatNumber(b) + " for region " + std::to_string(r) +
                           " of an input of batch size " + std::to_string(n));
    }
    const auto image = static_cast<int64_t>(b);
    double c[4];
    for (int k = 0; k < 4; ++k) {
      c[k] = rois.at(r * 4 + k) * scale - (half_pixel ? 0.5 : 0.0);
      if (!std::isfinite(c[k]) || std::fabs(c[k]) > 1e9) {
        return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                         "has region " + std::to_string(r) + " with a corner that is not finite or beyond 1e9");
      }
    }
    double roi_w = c[2] - c[0], roi_h = c[3] - c[1];
    if (!half_pixel) {
      roi_w = std::max(roi_w, 1.0);
      roi_h = std::max(roi_h, 1.0);
    }
    const double bin_h = roi_h / static_cast<double>(oh), bin_w = roi_w / static_cast<double>(ow);
    const auto grid = [&](double size, int64_t out) {
      return ratio > 0 ? ratio : static_cast<int64_t>(std::ceil(size / static_cast<double>(out)));
    };
    const int64_t gh = grid(roi_h, oh), gw = grid(roi_w, ow);
    const int64_t count = std::max<int64_t>(gh * gw, 1);
    if (gh > kMaxAvgPixels || gw > kMaxAvgPixels || (mode == "max" && count > kMaxMaxSamples)) {
      return UnsupportedAttr(ctx, ref,
                             "a sampling grid of " + std::to_string(gh) + "x" + std::to_string(gw) + " for region " +
                                 std::to_string(r),
                             "give sampling_ratio (at most " + std::to_string(mode == "max" ? 4 : kMaxAvgPixels) +
                                 " per axis" + (mode == "max" ? " in max mode)" : ")"));
    }
    sampled += oh * ow * std::max<int64_t>(gh, 0) * std::max<int64_t>(gw, 0);
    if (sampled > kMaxFoldedElements) {
      return UnsupportedAttr(ctx, ref, "more than " + std::to_string(kMaxFoldedElements) + " samples in all",
                             "use a smaller sampling_ratio");
    }
    for (int64_t ph = 0; ph < oh; ++ph) {
      for (int64_t pw = 0; pw < ow; ++pw) {
        auto& point = taps[static_cast<size_t>((r * oh + ph) * ow + pw)];
        std::map<int64_t, double> merged;
        for (int64_t iy = 0; iy < gh; ++iy) {
          const double y = c[1] + static_cast<double>(ph) * bin_h +
                           (static_cast<double>(iy) + 0.5) * bin_h / static_cast<double>(gh);
          for (int64_t ix = 0; ix < gw; ++ix) {
            const double xx = c[0] + static_cast<double>(pw) * bin_w +
                              (static_cast<double>(ix) + 0.5) * bin_w / static_cast<double>(gw);
            const Sample smp = Bilinear(y, xx, h, w);
            for (int k = 0; k < 4; ++k) {
              const int64_t row = image * h * w + smp.pos[k];
              if (mode == "max") point.emplace_back(row, smp.w[k]);
              else merged[row] += smp.w[k] / static_cast<double>(count);
            }
          }
        }
        if (mode == "avg") {
          for (const auto& [row, weight] : merged) point.emplace_back(row, weight);
          if (static_cast<int64_t>(point.size()) > kMaxAvgPixels) {
            return UnsupportedAttr(ctx, ref,
                                   "a bin of region " + std::to_string(r) + " reading " +
                                       std::to_string(point.size()) + " pixels (at most " +
                                       std::to_string(kMaxAvgPixels) + ")",
                                   "use a smaller sampling_ratio or a larger output");
          }
        }
      }
    }
  }
  // As many taps as the widest point reads; the others' extra taps add 0
  // (avg: row 0 with weight 0) or repeat their first (max).
  size_t width = 1;
  for (const auto& p : taps) width = std::max(width, p.size());
  std::vector<std::vector<int64_t>> idx(width, std::vector<int64_t>(static_cast<size_t>(points), 0));
  std::vector<std::vector<double>> wt(width, std::vector<double>(static_cast<size_t>(points), 0.0));
  for (size_t p = 0; p < taps.size(); ++p) {
    for (size_t k = 0; k < width; ++k) {
      if (k >= taps[p].size() && (mode == "avg" || taps[p].empty())) continue;
      const auto& tap = taps[p][k < taps[p].size() ? k : 0];
      idx[k][p] = tap.first;
      wt[k][p] = tap.second;
    }
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y,
                         GatherTaps(ctx, ref, x, idx, wt, mode == "max", {regions, oh, ow}, OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
