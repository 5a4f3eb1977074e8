// ONNX operators that map onto the IR operators sub, div, leaky_relu, prelu,
// clip, hard_sigmoid, transpose_conv, resize_nearest_neighbor, reduce_max,
// reduce_min, reduce_prod, split, depth_to_space, space_to_depth, gather_nd, gather_elements, scatter_nd and resize_bilinear (linear Resize;
// a nearest Resize TFLite has no mapping for becomes gathers). They are looked
// up by IR name, so a build without one of them
// reports the ONNX operator as unsupported (E1006) instead.
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <utility>

#include "frontend/onnx/import_internal.h"
#include "ops/op.h"
#include "ops/resize_linear_util.h"

namespace ember::frontend::onnx::detail {
namespace {

Status Bind(Context& ctx, const NodeRef& ref, ir::TensorId y) {
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status Elementwise(Context& ctx, const NodeRef& ref, ir::OpKind op, size_t operands, ir::Attrs attrs = {}) {
  std::vector<ir::TensorId> ins;
  for (size_t k = 0; k < operands; ++k) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, RuntimeInput(ctx, ref, k));
    ins.push_back(id);
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, ins, std::move(attrs), OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

Expected<std::optional<double>> Bound(Context& ctx, const NodeRef& ref, size_t pos, const char* what) {
  if (!HasInput(ref, pos)) return std::optional<double>();
  EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, pos, what));
  if (c->size() != 1) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, std::string(what) + " is not a scalar");
  return std::optional<double>(c->at(0));
}

Status ConvertClip(Context& ctx, const NodeRef& ref, ir::OpKind clip) {
  ir::Attrs attrs;
  EMBER_ASSIGN_OR_RETURN(auto lo, Bound(ctx, ref, 1, "min"));
  EMBER_ASSIGN_OR_RETURN(auto hi, Bound(ctx, ref, 2, "max"));
  if (lo && !std::isinf(*lo)) attrs["min"] = *lo;
  if (hi && !std::isinf(*hi)) attrs["max"] = *hi;
  return Elementwise(ctx, ref, clip, 1, attrs);
}

// A transposed convolution's strides, output_padding and pads (begins, then
// ends) over the spatial sizes `in`, with kernels of `k` taps (dilated):
// output_shape and SAME auto_pad give the total padding by ONNX's formula.
struct TransposedWindow {
  std::vector<int64_t> stride, out_pad, pads;
};

Expected<TransposedWindow> ReadTransposedWindow(Context& ctx, const NodeRef& ref, const std::vector<int64_t>& in,
                                                const std::vector<int64_t>& k) {
  const size_t dims = in.size();
  TransposedWindow w;
  w.stride = AttrInts(ref, "strides", std::vector<int64_t>(dims, 1));
  w.out_pad = AttrInts(ref, "output_padding", std::vector<int64_t>(dims, 0));
  w.pads = AttrInts(ref, "pads", std::vector<int64_t>(2 * dims, 0));
  const std::vector<int64_t> out_shape = AttrInts(ref, "output_shape");
  bool ok = w.stride.size() == dims && w.out_pad.size() == dims && w.pads.size() == 2 * dims &&
            (out_shape.empty() || out_shape.size() >= dims);
  for (const std::vector<int64_t>* v : {&std::as_const(w.stride), &std::as_const(w.out_pad), &std::as_const(w.pads), &out_shape})
    for (int64_t e : *v) ok = ok && e <= kMaxFoldedElements;
  for (int64_t s : w.stride) ok = ok && s > 0;
  if (!ok) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has malformed strides, pads or output_padding");
  const std::string auto_pad = AttrString(ref, "auto_pad", "NOTSET");
  if (!out_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // Total padding from the requested output size (ONNX's formula).
    for (size_t a = 0; a < dims; ++a) {
      const int64_t want = out_shape.empty() ? in[a] * w.stride[a] : out_shape[out_shape.size() - dims + a];
      int64_t total = w.stride[a] * (in[a] - 1) + w.out_pad[a] + k[a] - want;
      if (total < 0) {  // a larger output: the extra rows/columns come from output_padding
        w.out_pad[a] -= total;
        total = 0;
      }
      w.pads[a] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.pads[a + dims] = total - w.pads[a];
    }
  } else if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    return UnsupportedAttr(ctx, ref, "auto_pad '" + auto_pad + "'");
  }
  return w;
}

// Rows [begin, begin + count) of input `pos`, a 1-D bias: a constant is
// sliced at import (a quantized one keeps its integers and quantization),
// a run-time tensor gets a strided_slice.
Expected<ir::TensorId> BiasRows(Context& ctx, const NodeRef& ref, size_t pos, int64_t begin, int64_t count,
                                const std::string& name) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, pos));
  const std::string& in = ref.node->input(static_cast<int>(pos));
  if (auto dq = ctx.dq_consts.find(in); dq != ctx.dq_consts.end() && dq->second.q.shape.size() == 1) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId q, AddConst(ctx, name + "_quantized", SliceRows(dq->second.q, begin, count)));
    ctx.graph.tensor(q).quant = SliceRowsQuant(dq->second.quant, begin, count);
    return AddNode(ctx, ref, ir::OpKind::kDequantize, {q}, {}, name, ir::DType::kFloat32);
  }
  if (v.c && v.c->shape.size() == 1) return AddConst(ctx, name, SliceRows(*v.c, begin, count));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId b, RuntimeInput(ctx, ref, pos));
  return AddNode(ctx, ref, ir::OpKind::kStridedSlice, {b}, SliceAttrs({begin}, {begin + count}, {1}), name);
}

// ConvTranspose over [N, C, D, H, W] (group 1; dilation on D only). Along
// D, a transposed convolution is a convolution of the input with S − 1 zeros
// between its samples, padded by (K − 1)·d − pad at each end (output_padding
// more at the end; a negative amount crops), with the kernel's taps
// reversed: its depth taps are stacked into channels as for a 3-D Conv
// (StackDepthTaps), and one transpose_conv over (H, W) with the weights
// [C_in, C_out, KD, KH, KW] as the filter [C_out, KH, KW, C_in·KD] (tap k'
// = KD − 1 − k) does the rest, so an int8 model accumulates exactly.
Status ConvertConvTranspose3d(Context& ctx, const NodeRef& ref, ir::OpKind op, ir::TensorId x, const ir::Shape& ws) {
  const ir::Shape in = ctx.graph.tensor(x).shape;  // [N, C, D, H, W]
  if (AttrInt(ref, "group", 1) != 1) return UnsupportedAttr(ctx, ref, "group != 1");
  if (ws[0] != in[1]) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has weights " + ir::ShapeToString(ws) + " for " + std::to_string(in[1]) + " input channels");
  }
  const std::vector<int64_t> dil = AttrInts(ref, "dilations", {1, 1, 1});
  if (dil.size() != 3 || dil[0] <= 0 || dil[0] > kMaxFoldedElements) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has malformed dilations");
  }
  if (dil[1] != 1 || dil[2] != 1) return UnsupportedAttr(ctx, ref, "dilations != 1 on H or W of a 3-D ConvTranspose");
  const int64_t n = in[0], c = in[1], d = in[2], h = in[3], w = in[4], kd = ws[2], dd = dil[0];
  const int64_t eff = (kd - 1) * dd + 1;
  EMBER_ASSIGN_OR_RETURN(TransposedWindow tw, ReadTransposedWindow(ctx, ref, {d, h, w}, {eff, ws[3], ws[4]}));
  const int64_t sd = tw.stride[0];
  const int64_t spread = (d - 1) * sd + 1;
  const int64_t front = eff - 1 - tw.pads[0], back = eff - 1 - tw.pads[3] + tw.out_pad[0];
  const int64_t od = spread + front + back - eff + 1;
  if (od <= 0 || spread + std::min<int64_t>(front, 0) + std::min<int64_t>(back, 0) <= 0) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "pads away its whole depth");
  }
  if (c * kd > kMaxFoldedElements || spread > kMaxFoldedElements) {
    return UnsupportedAttr(ctx, ref, "a depth stride or kernel above 2^24 steps");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId filter, Weights3d(ctx, ref, {1, 3, 4, 0, 2}, true));
  ir::TensorId bias = ir::kNoTensor;
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(bias, RuntimeInput(ctx, ref, 2));
  }
  const std::string name = OutputName(ref, 0);
  auto node = [&](ir::OpKind kind, ir::TensorId t, ir::Attrs attrs, const std::string& tag) {
    return AddNode(ctx, ref, kind, {t}, std::move(attrs), name + tag);
  };
  auto slice_d = [&](ir::TensorId t, int64_t begin, int64_t end, const std::string& tag) {
    const ir::Shape s = ctx.graph.tensor(t).shape;
    return node(ir::OpKind::kStridedSlice, t,
                SliceAttrs({0, begin, 0, 0, 0}, {s[0], end, s[2], s[3], s[4]}, {1, 1, 1, 1, 1}), tag);
  };
  EMBER_ASSIGN_OR_RETURN(ir::TensorId t, node(ir::OpKind::kTranspose, x, {{"perm", std::vector<int64_t>{0, 2, 3, 4, 1}}},
                                              "_ndhwc_in"));
  if (sd > 1 && d > 1) {  // S − 1 zeros after each sample (pad fills with the zero point in int8), the last ones cut
    EMBER_ASSIGN_OR_RETURN(t, node(ir::OpKind::kReshape, t, {{"shape", std::vector<int64_t>{n, d, 1, h * w * c}}},
                                   "_depth_samples"));
    EMBER_ASSIGN_OR_RETURN(t, node(ir::OpKind::kPad, t, {{"pads", std::vector<int64_t>{0, 0, 0, 0, 0, sd - 1, 0, 0}}},
                                   "_depth_spread"));
    EMBER_ASSIGN_OR_RETURN(t, node(ir::OpKind::kReshape, t, {{"shape", std::vector<int64_t>{n, d * sd, h, w, c}}},
                                   "_depth_upsampled"));
    EMBER_ASSIGN_OR_RETURN(t, slice_d(t, 0, spread, "_depth_strided"));
  }
  if (front < 0 || back < 0) {
    EMBER_ASSIGN_OR_RETURN(t, slice_d(t, std::max<int64_t>(0, -front), spread - std::max<int64_t>(0, -back),
                                      "_depth_cropped"));
  }
  if (front > 0 || back > 0) {
    EMBER_ASSIGN_OR_RETURN(t, node(ir::OpKind::kPad, t,
                                   {{"pads", std::vector<int64_t>{0, 0, std::max<int64_t>(0, front),
                                                                  std::max<int64_t>(0, back), 0, 0, 0, 0, 0, 0}}},
                                   "_depth_padded"));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId taps, StackDepthTaps(ctx, ref, t, kd, dd, 1, od, name));
  ir::Attrs attrs{{"stride", std::vector<int64_t>{tw.stride[1], tw.stride[2]}},
                  {"pad", std::vector<int64_t>{tw.pads[1], tw.pads[2], tw.pads[4], tw.pads[5]}},
                  {"output_padding", std::vector<int64_t>{tw.out_pad[1], tw.out_pad[2]}}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, {taps, filter, bias}, attrs, name + "_transpose_conv"));
  const ir::Shape ys = ctx.graph.tensor(y).shape;  // [N·OD, OH, OW, C_out]
  EMBER_ASSIGN_OR_RETURN(y, FromNdhwc(ctx, ref, y, {n, od, ys[1], ys[2], ys[3]}, name));
  return Bind(ctx, ref, y);
}

// ConvTranspose (a dilation spreads the constant kernel's taps; groups as
// one transpose_conv per group): NHWC transpose_conv between transposes, weights [C_in, C_out, KH, KW] ->
// OHWI [C_out, KH, KW, C_in]; a 1-D one over [N, C, W] as the 2-D one over H
// = 1 (import_nn.cc); a 3-D one over stacked depth taps (above).
Status ConvertConvTranspose(Context& ctx, const NodeRef& ref, ir::OpKind op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(Value wv, Input(ctx, ref, 1));
  const size_t rank = ctx.graph.tensor(x).shape.size();
  if (rank == 5 && ShapeOf(ctx, wv).size() == 5) return ConvertConvTranspose3d(ctx, ref, op, x, ShapeOf(ctx, wv));
  const ir::Shape in = As2dShape(ctx.graph.tensor(x).shape);
  const ir::Shape ws = As2dShape(ShapeOf(ctx, wv));
  if (in.size() != 4 || ws.size() != 4 || ShapeOf(ctx, wv).size() != rank) {
    return UnsupportedAttr(ctx, ref, "a transposed convolution that is not 1-D, 2-D or 3-D");
  }
  const int64_t group = AttrInt(ref, "group", 1);
  if (group < 1 || in[1] % group != 0 || ws[0] != in[1] || group > 4096) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has group " + std::to_string(group) + " for " + std::to_string(in[1]) +
                         " input channels and weights " + ir::ShapeToString(ShapeOf(ctx, wv)));
  }
  const size_t dims = rank - 2;
  // A dilation spreads the kernel's taps apart: the same transposed
  // convolution with a kernel of (K - 1)·d + 1 taps, zeros between them.
  const std::vector<int64_t> dilations = As2dAxes(AttrInts(ref, "dilations", std::vector<int64_t>(dims, 1)), 1);
  if (dilations.size() != 2 || dilations[0] <= 0 || dilations[1] <= 0) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has malformed dilations");
  }
  const std::array<int64_t, 2> dilation = {dilations[0], dilations[1]};
  const std::vector<int64_t> k = {(ws[2] - 1) * dilation[0] + 1, (ws[3] - 1) * dilation[1] + 1};
  if ((dilation[0] != 1 || dilation[1] != 1) &&
      (dilation[0] > 4096 || dilation[1] > 4096 ||
       static_cast<double>(ws[0]) * static_cast<double>(ws[1]) * static_cast<double>(k[0]) * static_cast<double>(k[1]) >
           static_cast<double>(kMaxFoldedElements))) {
    return UnsupportedAttr(ctx, ref, "a dilated kernel of more than " + std::to_string(kMaxFoldedElements) + " weights");
  }
  // Over the ONNX axes (one for 1-D), then as the 2-D window over H = 1.
  const std::vector<int64_t> sizes(in.end() - static_cast<std::ptrdiff_t>(dims), in.end());
  const std::vector<int64_t> taps(k.end() - static_cast<std::ptrdiff_t>(dims), k.end());
  EMBER_ASSIGN_OR_RETURN(TransposedWindow tw, ReadTransposedWindow(ctx, ref, sizes, taps));
  const bool one_d = dims == 1;
  const std::vector<int64_t> stride = one_d ? As2dAxes(tw.stride, 1) : tw.stride;
  const std::vector<int64_t> out_pad = one_d ? std::vector<int64_t>{0, tw.out_pad[0]} : tw.out_pad;
  const std::vector<int64_t> pads = one_d ? As2dAxes(tw.pads, 0) : tw.pads;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xt, SpatialIn(ctx, ref, x));
  const std::string out = OutputName(ref, 0);
  ir::Attrs attrs{{"stride", stride}, {"pad", pads}, {"output_padding", out_pad}};
  ir::TensorId y = ir::kNoTensor;
  if (group == 1) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId filter, Weights(ctx, ref, 1, {1, 2, 3, 0}, 1.0, dilation));
    ir::TensorId bias = ir::kNoTensor;
    if (HasInput(ref, 2)) {
      EMBER_ASSIGN_OR_RETURN(bias, RuntimeInput(ctx, ref, 2));
    }
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, op, {xt, filter, bias}, attrs, out + "_nhwc"));
  } else {
    // One transpose_conv per group: its input channels (a slice of the NHWC
    // input), its rows of the weights [C_in, C_out/group, KH, KW] and its
    // outputs' bias, the results concatenated on the channels.
    const ir::Shape xs = ctx.graph.tensor(xt).shape;
    const int64_t cg = in[1] / group, mg = ws[1];
    std::vector<ir::TensorId> parts;
    for (int64_t g = 0; g < group; ++g) {
      const std::string tag = out + "_group" + std::to_string(g);
      const ir::Attrs sa = SliceAttrs({0, 0, 0, g * cg}, {xs[0], xs[1], xs[2], (g + 1) * cg}, {1, 1, 1, 1});
      EMBER_ASSIGN_OR_RETURN(ir::TensorId xg, AddNode(ctx, ref, ir::OpKind::kStridedSlice, {xt}, sa, tag + "_in"));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId filter,
                             Weights(ctx, ref, 1, {1, 2, 3, 0}, 1.0, dilation, WeightRows{g * cg, cg}));
      ir::TensorId bias = ir::kNoTensor;
      if (HasInput(ref, 2)) {
        EMBER_ASSIGN_OR_RETURN(bias, BiasRows(ctx, ref, 2, g * mg, mg, tag + "_bias"));
      }
      EMBER_ASSIGN_OR_RETURN(ir::TensorId yg, AddNode(ctx, ref, op, {xg, filter, bias}, attrs, tag));
      parts.push_back(yg);
    }
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, ir::OpKind::kConcatenation, parts, {{"axis", int64_t{3}}},
                                      out + "_nhwc"));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, SpatialOut(ctx, ref, y, rank, out));
  return Bind(ctx, ref, yt);
}

// The region of interest of one axis (tf_crop_and_resize), as fractions of
// the input's extent: ONNX's roi input, starts then ends.
struct AxisRoi {
  double start = 0.0, end = 1.0;
};

// The original coordinate of output index o of one axis (input size `in`)
// in ONNX's Resize, as the ONNX reference implementation computes it: in
// double, with the given scale (O/I for `sizes`) and the unfloored output
// width scale * in (`out` the output size). nullopt for a mode it does not
// know.
std::optional<double> OriginalCoordinate(const std::string& ctm, int64_t o, int64_t in, int64_t out, double scale,
                                         const AxisRoi& roi) {
  const double width = scale * static_cast<double>(in);
  const double od = static_cast<double>(o);
  const double last = static_cast<double>(in - 1);
  if (ctm == "half_pixel") return (od + 0.5) / scale - 0.5;
  if (ctm == "half_pixel_symmetric") {  // opset 19
    const double adjustment = static_cast<double>(out) / width;
    const double center = static_cast<double>(in) / 2.0;
    return center * (1.0 - adjustment) + (od + 0.5) / scale - 0.5;
  }
  if (ctm == "pytorch_half_pixel") return width == 1.0 ? -0.5 : (od + 0.5) / scale - 0.5;
  if (ctm == "align_corners") return width == 1.0 ? 0.0 : od * last / (width - 1.0);
  if (ctm == "asymmetric") return od / scale;
  if (ctm == "tf_half_pixel_for_nn") return (od + 0.5) / scale;
  if (ctm == "tf_crop_and_resize") {
    const double x = width == 1.0 ? (roi.end - roi.start) * last / 2.0 : od * (roi.end - roi.start) * last / (width - 1.0);
    return x + roi.start * last;
  }
  return std::nullopt;
}

// One resized axis as gathers: out[o] = sum over taps t of w[t][o] ·
// x[idx[t][o]] (`w` empty: one tap of weight 1, nearest), and the
// extrapolation value where outside[o] (tf_crop_and_resize: the original
// coordinate lies outside [0, I - 1]; every weight there is 0). Empty `idx`:
// a mapping ember does not know.
struct AxisTaps {
  std::vector<std::vector<int64_t>> idx;
  std::vector<std::vector<double>> w;
  std::vector<bool> outside;
};

// The original coordinates of one axis, with `outside` set (tf_crop_and_resize);
// empty for a mode ember does not know.
std::vector<double> Coordinates(int64_t in, int64_t out, double scale, const std::string& ctm, const AxisRoi& roi,
                                std::vector<bool>* outside) {
  std::vector<double> xs;
  for (int64_t o = 0; o < out; ++o) {
    const std::optional<double> x = OriginalCoordinate(ctm, o, in, out, scale, roi);
    if (!x) return {};
    xs.push_back(*x);
    outside->push_back(ctm == "tf_crop_and_resize" && (*x < 0.0 || *x > static_cast<double>(in - 1)));
  }
  return xs;
}

// Weight 0 where the coordinate lies outside (the extrapolation value goes there).
void ZeroOutside(AxisTaps* m) {
  for (auto& w : m->w)
    for (size_t o = 0; o < w.size(); ++o)
      if (m->outside[o]) w[o] = 0.0;
}

// ONNX's nearest Resize on one axis: the original coordinate x, then
// floor(x) or floor(x) + 1 by nearest_mode (x itself when it is an integer),
// clamped into [0, I).
AxisTaps NearestMap(int64_t in, int64_t out, double scale, const std::string& ctm, const std::string& nm,
                    const AxisRoi& roi) {
  AxisTaps m;
  const std::vector<double> xs = Coordinates(in, out, scale, ctm, roi, &m.outside);
  if (xs.empty()) return {};
  std::vector<int64_t> idx;
  for (const double x : xs) {
    const double fl = std::floor(x);
    const double r = x - fl;
    bool up = false;
    if (r != 0.0) {
      if (nm == "round_prefer_floor") {
        up = r > 0.5;
      } else if (nm == "round_prefer_ceil") {
        up = r >= 0.5;
      } else if (nm == "ceil") {
        up = true;
      } else if (nm != "floor") {
        return {};
      }
    }
    idx.push_back(static_cast<int64_t>(std::clamp(fl + (up ? 1.0 : 0.0), 0.0, static_cast<double>(in - 1))));
  }
  m.idx = {idx};
  if (std::find(m.outside.begin(), m.outside.end(), true) != m.outside.end()) {
    m.w = {std::vector<double>(idx.size(), 1.0)};
    ZeroOutside(&m);
  }
  return m;
}

// ONNX's linear Resize on one axis: (1 - r) · x[i0] + r · x[i1] with x0 the
// original coordinate, i0 = clamp(floor(x0)), i1 = clamp(floor(x0) + 1),
// r = x0 - floor(x0) (the reference's neighbours of an edge-padded input).
AxisTaps LinearMap(int64_t in, int64_t out, double scale, const std::string& ctm, const AxisRoi& roi) {
  AxisTaps m;
  const std::vector<double> xs = Coordinates(in, out, scale, ctm, roi, &m.outside);
  if (xs.empty()) return {};
  m.idx.resize(2), m.w.resize(2);
  const double hi = static_cast<double>(in - 1);
  for (const double x : xs) {
    const double fl = std::floor(x), r = x - fl;
    m.idx[0].push_back(static_cast<int64_t>(std::clamp(fl, 0.0, hi)));
    m.idx[1].push_back(static_cast<int64_t>(std::clamp(fl + 1.0, 0.0, hi)));
    m.w[0].push_back(1.0 - r);
    m.w[1].push_back(r);
  }
  ZeroOutside(&m);
  return m;
}

// ONNX's cubic Resize on one axis, as its reference implementation: the four
// neighbours floor(x) - 1 .. floor(x) + 2 of the original coordinate x
// (x - 2 .. x + 1 with ratio 1 when x is an integer) of the edge-padded
// input, weighted by the cubic convolution coefficients with parameter A
// (cubic_coeff_a) for the ratio r = x - floor(x); with exclude_outside the
// neighbours outside [0, I) get weight 0 and the others are divided by their
// sum.
AxisTaps CubicMap(int64_t in, int64_t out, double scale, const std::string& ctm, const AxisRoi& roi, double a,
                  bool exclude_outside) {
  AxisTaps m;
  const std::vector<double> xs = Coordinates(in, out, scale, ctm, roi, &m.outside);
  if (xs.empty()) return {};
  m.idx.resize(4), m.w.resize(4);
  const double hi = static_cast<double>(in - 1);
  for (const double x : xs) {
    double fl = std::floor(x), r = x - fl;
    if (r == 0.0) fl -= 1.0, r = 1.0;
    const double s = 1.0 - r;
    double c[4] = {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
                   ((a + 2) * r - (a + 3)) * r * r + 1,
                   ((a + 2) * s - (a + 3)) * s * s + 1,
                   ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
    if (exclude_outside) {
      double sum = 0.0;
      for (int t = 0; t < 4; ++t) {
        const double i = fl - 1.0 + t;
        if (i < 0.0 || i > hi) c[t] = 0.0;
        sum += c[t];
      }
      for (double& v : c) v /= sum;
    }
    for (int t = 0; t < 4; ++t) {
      m.idx[static_cast<size_t>(t)].push_back(static_cast<int64_t>(std::clamp(fl - 1.0 + t, 0.0, hi)));
      m.w[static_cast<size_t>(t)].push_back(c[t]);
    }
  }
  ZeroOutside(&m);
  return m;
}

// A Resize TFLite's operators do not compute, from per-axis taps: per
// resized axis of the NHWC tensor, a gather per tap (taps whose weights are
// all 0 dropped) and their weighted sum (mul by constant weights broadcast
// along the axis, add); one tap of weight 1 is the gather alone, an axis
// whose map is the identity gets nothing. A nonzero extrapolation value is
// added where either axis lies outside (tf_crop_and_resize). Between
// transposes.
Status ResizeByGathers(Context& ctx, const NodeRef& ref, ir::TensorId x, const ir::Shape& in,
                       const AxisTaps (&maps)[2], double extrapolation) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, ToNhwc(ctx, ref, x));
  const std::string name = OutputName(ref, 0);
  for (size_t k = 0; k < 2; ++k) {
    const AxisTaps& m = maps[k];
    std::vector<size_t> live;
    for (size_t t = 0; t < m.idx.size(); ++t)
      if (m.w.empty() || std::any_of(m.w[t].begin(), m.w[t].end(), [](double w) { return w != 0.0; })) live.push_back(t);
    if (live.empty()) live.push_back(0);  // every position outside: weights 0
    const bool plain = live.size() == 1 && (m.w.empty() || std::all_of(m.w[live[0]].begin(), m.w[live[0]].end(),
                                                                       [](double w) { return w == 1.0; }));
    const std::vector<int64_t>& first = m.idx[live[0]];
    bool identity = plain && static_cast<int64_t>(first.size()) == in[k + 2];
    for (size_t i = 0; identity && i < first.size(); ++i) identity = first[i] == static_cast<int64_t>(i);
    if (identity) continue;
    const std::string axis_name = name + (k == 0 ? "_rows" : "_cols");
    const auto axis = static_cast<int64_t>(k + 1);
    if (plain) {
      EMBER_ASSIGN_OR_RETURN(y, GatherConstIndices(ctx, ref, y, axis, first, axis_name));
      continue;
    }
    ir::Shape wshape = {1, 1, 1, 1};
    wshape[k + 1] = static_cast<int64_t>(first.size());
    ir::TensorId sum = ir::kNoTensor;
    for (const size_t t : live) {
      const std::string tn = axis_name + "_tap" + std::to_string(t);
      EMBER_ASSIGN_OR_RETURN(ir::TensorId g, GatherConstIndices(ctx, ref, y, axis, m.idx[t], tn));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId w, AddConst(ctx, tn + "_weights", FloatConst(wshape, m.w[t])));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId term, AddNode(ctx, ref, ir::OpKind::kMul, {g, w}, {}, tn + "_weighted"));
      if (sum == ir::kNoTensor) {
        sum = term;
      } else {
        EMBER_ASSIGN_OR_RETURN(sum, AddNode(ctx, ref, ir::OpKind::kAdd, {sum, term}, {},
                                            t == live.back() ? axis_name : tn + "_sum"));
      }
    }
    y = sum;
  }
  const bool any_outside = std::find(maps[0].outside.begin(), maps[0].outside.end(), true) != maps[0].outside.end() ||
                           std::find(maps[1].outside.begin(), maps[1].outside.end(), true) != maps[1].outside.end();
  if (extrapolation != 0.0 && any_outside) {
    const ir::Shape& ys = ctx.graph.tensor(y).shape;
    std::vector<double> fill;
    for (int64_t h = 0; h < ys[1]; ++h)
      for (int64_t w = 0; w < ys[2]; ++w)
        fill.push_back(maps[0].outside[static_cast<size_t>(h)] || maps[1].outside[static_cast<size_t>(w)] ? extrapolation
                                                                                                            : 0.0);
    EMBER_ASSIGN_OR_RETURN(ir::TensorId e, AddConst(ctx, name + "_extrapolation", FloatConst({1, ys[1], ys[2], 1}, fill)));
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, ir::OpKind::kAdd, {y, e}, {}, name + "_extrapolated"));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, ToNchw(ctx, ref, y, name));
  return Bind(ctx, ref, yt);
}

// The scale of axis a: the given one, or O/I for `sizes`.
double AxisScale(const ir::Shape& in, const ir::Shape& out, const std::vector<double>& scales, size_t a) {
  return scales.empty() ? static_cast<double>(out[a]) / static_cast<double>(in[a]) : scales[a];
}

// The Resize's roi input for H and W (tf_crop_and_resize only; else the
// whole axis).
Expected<std::array<AxisRoi, 2>> ReadRoi(Context& ctx, const NodeRef& ref, const std::string& ctm) {
  std::array<AxisRoi, 2> roi{};
  if (ctm != "tf_crop_and_resize") return roi;
  const char* hint = "give the roi input 8 constant values: the starts of the four axes, then their ends";
  if (!HasInput(ref, 1)) return UnsupportedAttr(ctx, ref, "tf_crop_and_resize without a roi input", hint);
  EMBER_ASSIGN_OR_RETURN(auto r, ConstInput(ctx, ref, 1, "roi"));
  if (r->size() != 8) return UnsupportedAttr(ctx, ref, "a roi that is not given for all four axes", hint);
  for (size_t a = 0; a < 2; ++a) {
    roi[a].start = static_cast<double>(static_cast<float>(r->at(static_cast<int64_t>(a + 2))));
    roi[a].end = static_cast<double>(static_cast<float>(r->at(static_cast<int64_t>(a + 6))));
  }
  return roi;
}

// A linear or cubic Resize whose mapping TFLite's RESIZE_BILINEAR does not
// compute (every cubic one).
Status ConvertResizeByTaps(Context& ctx, const NodeRef& ref, ir::TensorId x, const ir::Shape& in,
                           const ir::Shape& out, const std::vector<double>& scales, const std::string& ctm,
                           const std::string& mode) {
  EMBER_ASSIGN_OR_RETURN(const auto roi, ReadRoi(ctx, ref, ctm));
  AxisTaps maps[2];
  for (size_t a = 2; a < 4; ++a) {
    const double scale = AxisScale(in, out, scales, a);
    maps[a - 2] = mode == "cubic" ? CubicMap(in[a], out[a], scale, ctm, roi[a - 2], AttrFloat(ref, "cubic_coeff_a", -0.75f),
                                             AttrInt(ref, "exclude_outside", 0) != 0)
                                  : LinearMap(in[a], out[a], scale, ctm, roi[a - 2]);
    if (maps[a - 2].idx.empty()) {
      return UnsupportedAttr(ctx, ref, "mode '" + mode + "' with coordinate_transformation_mode '" + ctm + "'",
                             "ember's Resize takes half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners, "
                             "asymmetric, tf_half_pixel_for_nn and tf_crop_and_resize");
    }
  }
  return ResizeByGathers(ctx, ref, x, in, maps, AttrFloat(ref, "extrapolation_value", 0.0f));
}

// ONNX Runtime's linear Resize as the IR's resize_linear (ops/resize_linear.cc,
// its arithmetic exactly), for the coordinate modes it has (half_pixel,
// pytorch_half_pixel, asymmetric, align_corners; the scale as ONNX Runtime
// takes it: the given one, or O/I for `sizes`, in float32):
//   - 8-bit integers (QOperator models resize the quantized tensor itself):
//     the stored values interpolated in float32 and truncated (`integers`;
//     a uint8 tensor held as int8 with `value_offset` 128); the output keeps
//     the input's quantization;
//   - float32 read from a DequantizeLinear (QDQ models): the float operator,
//     which fold-qdq makes int8 between its dequantize and quantize (ONNX
//     Runtime runs that Resize unfused, in float32).
// nullopt for another coordinate mode.
std::optional<Status> ConvertResizeLinearOrt(Context& ctx, const NodeRef& ref, ir::TensorId x, const ir::Shape& in,
                                             const ir::Shape& out, const std::vector<double>& scales) {
  const std::string ctm = AttrString(ref, "coordinate_transformation_mode", "half_pixel");
  if (!ops::linear::ParseMode(ctm)) return std::nullopt;
  const auto op = IrOp("resize_linear");
  if (!op) return UnsupportedAttr(ctx, ref, "mode 'linear'", "this build of ember has no resize_linear operator");
  // Copies: adding nodes below may move the graph's tensors.
  const ir::DType dtype = ctx.graph.tensor(x).dtype;
  const std::optional<ir::QuantParams> quant = ctx.graph.tensor(x).quant;
  const bool integers = dtype == ir::DType::kInt8;
  const bool held_u8 = ctx.u8_as_i8.count(x) > 0;
  std::vector<double> scale;
  for (size_t a = 2; a < 4; ++a) {
    scale.push_back(static_cast<double>(scales.empty() ? static_cast<float>(out[a]) / static_cast<float>(in[a])
                                                       : static_cast<float>(scales[a])));
  }
  ir::Attrs attrs{{"size", std::vector<int64_t>{out[2], out[3]}}, {"scale", scale}, {"coordinate_mode", ctm}};
  if (integers) attrs["integers"] = int64_t{1};
  if (held_u8) attrs["value_offset"] = int64_t{128};
  const std::string name = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xn, ToNhwc(ctx, ref, x));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, *op, {xn}, attrs, name + "_nhwc", dtype, quant));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, ToNchw(ctx, ref, y, name));
  if (held_u8) ctx.u8_as_i8.insert(yt);
  return Bind(ctx, ref, yt);
}

// Resize in linear mode as resize_bilinear, when ONNX's coordinate mapping is
// one TFLite's RESIZE_BILINEAR computes: half_pixel (pytorch_half_pixel for
// outputs larger than 1), align_corners, asymmetric. ONNX maps coordinates
// with the given scale (align_corners with I·scale, not floored), TFLite with
// the sizes: `scales` must be the size ratio O/I (`sizes` always are).
// Other mappings and scales: gathers and weights (above).
Status ConvertResizeLinear(Context& ctx, const NodeRef& ref, ir::TensorId x, const ir::Shape& in, const ir::Shape& out,
                           const std::vector<double>& scales) {
  const auto op = IrOp("resize_bilinear");
  if (!op) return UnsupportedAttr(ctx, ref, "mode 'linear'", "this build of ember has no resize_bilinear operator");
  const ir::DType dt = ctx.graph.tensor(x).dtype;
  bool dequantized = false;  // read from a DequantizeLinear: a QDQ model's Resize
  for (const ir::Node& n : ctx.graph.nodes) {
    dequantized = dequantized || (n.op == ir::OpKind::kDequantize && n.outputs[0] == x);
  }
  if (dt == ir::DType::kInt8 || (dt == ir::DType::kFloat32 && dequantized)) {
    if (auto s = ConvertResizeLinearOrt(ctx, ref, x, in, out, scales)) return *s;
  }
  if (dt == ir::DType::kUInt8) {  // a uint8 graph input, say: not held as int8
    return UnsupportedAttr(ctx, ref, "a linear Resize of a u8 tensor that is not the result of a QuantizeLinear",
                           "cast it to float32 first");
  }
  if (dt != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref,
                           "a linear Resize of a " + std::string(ir::DTypeName(dt)) +
                               " tensor with coordinate_transformation_mode '" +
                               AttrString(ref, "coordinate_transformation_mode", "half_pixel") + "'",
                           "ember resizes 8-bit integers linearly with half_pixel, pytorch_half_pixel, asymmetric "
                           "and align_corners; other modes on float32 (in QDQ models between DequantizeLinear and "
                           "QuantizeLinear)");
  }
  const std::string ctm = AttrString(ref, "coordinate_transformation_mode", "half_pixel");
  int64_t align = 0, half = 0;
  if (ctm == "half_pixel" || (ctm == "pytorch_half_pixel" && out[2] > 1 && out[3] > 1)) {
    half = 1;
  } else if (ctm == "align_corners") {
    align = 1;
  } else if (ctm != "asymmetric") {
    return ConvertResizeByTaps(ctx, ref, x, in, out, scales, ctm, "linear");
  }
  for (size_t a = 2; !scales.empty() && a < 4; ++a) {
    const double want = static_cast<double>(out[a]) / static_cast<double>(in[a]);
    if (std::fabs(scales[a] - want) > 1e-6 * want) return ConvertResizeByTaps(ctx, ref, x, in, out, scales, ctm, "linear");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xt, ToNhwc(ctx, ref, x));
  const std::string name = OutputName(ref, 0);
  ir::Attrs attrs{{"size", std::vector<int64_t>{out[2], out[3]}}, {"align_corners", align}, {"half_pixel_centers", half}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, *op, {xt}, attrs, name + "_nhwc"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, ToNchw(ctx, ref, y, name));
  return Bind(ctx, ref, yt);
}

// A nearest Resize whose coordinate mapping TFLite's RESIZE_NEAREST_NEIGHBOR
// does not have: gathers of rows and columns (ResizeByGathers). Exact for
// any mapping.
Status ConvertResizeByGather(Context& ctx, const NodeRef& ref, ir::TensorId x, const ir::Shape& in,
                             const ir::Shape& out, const std::vector<double>& scales, const std::string& ctm,
                             const std::string& nm) {
  EMBER_ASSIGN_OR_RETURN(const auto roi, ReadRoi(ctx, ref, ctm));
  AxisTaps maps[2];
  for (size_t a = 2; a < 4; ++a) {
    maps[a - 2] = NearestMap(in[a], out[a], AxisScale(in, out, scales, a), ctm, nm, roi[a - 2]);
    if (maps[a - 2].idx.empty()) {
      return UnsupportedAttr(ctx, ref, "coordinate_transformation_mode '" + ctm + "' with nearest_mode '" + nm + "'",
                             "ember's nearest Resize takes the coordinate modes half_pixel, half_pixel_symmetric, pytorch_half_pixel, "
                             "align_corners, asymmetric, tf_half_pixel_for_nn and tf_crop_and_resize with the "
                             "nearest modes round_prefer_floor, round_prefer_ceil, floor and ceil");
    }
  }
  if ((!maps[0].w.empty() || !maps[1].w.empty()) && ctx.graph.tensor(x).dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, "a tf_crop_and_resize of a " +
                                         std::string(ir::DTypeName(ctx.graph.tensor(x).dtype)) +
                                         " tensor whose region reaches outside the input",
                           "ember extrapolates on float32 (in QDQ models between DequantizeLinear and QuantizeLinear)");
  }
  return ResizeByGathers(ctx, ref, x, in, maps, AttrFloat(ref, "extrapolation_value", 0.0f));
}

// Resize in nearest mode over H and W of an NCHW tensor: TFLite's
// RESIZE_NEAREST_NEIGHBOR where the ONNX coordinate mapping is one it has,
// else gathers (above); linear mode as resize_bilinear.
Status ConvertResize(Context& ctx, const NodeRef& ref, ir::OpKind op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape in = ctx.graph.tensor(x).shape;
  if (in.size() != 4) return UnsupportedAttr(ctx, ref, "a Resize of a tensor that is not NCHW");
  const std::string mode = AttrString(ref, "mode", "nearest");
  if (AttrInt(ref, "antialias", 0) != 0) {
    return UnsupportedAttr(ctx, ref, "antialias = 1", "export the model with antialias off (ONNX's default)");
  }
  if (mode != "nearest" && mode != "linear" && mode != "cubic") {
    return UnsupportedAttr(ctx, ref, "mode '" + mode + "'", "ember imports nearest, linear and cubic Resize");
  }
  ir::Shape out = in;
  std::vector<double> scale_values;
  if (HasInput(ref, 3)) {
    EMBER_ASSIGN_OR_RETURN(auto sizes, ConstInput(ctx, ref, 3, "sizes"));
    if (sizes->size() != 4) return UnsupportedAttr(ctx, ref, "sizes that are not given for all four axes");
    for (int64_t a = 0; a < 4; ++a) out[static_cast<size_t>(a)] = sizes->int_at(a);
  } else {
    EMBER_ASSIGN_OR_RETURN(auto scales, ConstInput(ctx, ref, 2, "scales"));
    if (scales->size() != 4) return UnsupportedAttr(ctx, ref, "scales that are not given for all four axes");
    for (int64_t a = 0; a < 4; ++a) {
      const float s = static_cast<float>(scales->at(a));
      const double o = std::floor(static_cast<double>(in[static_cast<size_t>(a)]) * s);
      // NaN, infinite and huge scales (a few bytes of a file) are checked
      // before the size is converted to an integer.
      if (!(s > 0.0f) || !std::isfinite(s) || !(o <= static_cast<double>(kMaxFoldedElements))) {
        return UnsupportedAttr(ctx, ref, "a scale of " + std::to_string(s) + " on axis " + std::to_string(a),
                               "give finite positive scales whose output sizes hold at most 2^24 elements");
      }
      scale_values.push_back(static_cast<double>(s));
      out[static_cast<size_t>(a)] = static_cast<int64_t>(o);
    }
  }
  if (out[0] != in[0] || out[1] != in[1] || out[2] <= 0 || out[3] <= 0) {
    return UnsupportedAttr(ctx, ref, "a Resize of the batch or channel axis");
  }
  // Checked before any index table is made: a scale or size of a few bytes
  // could otherwise ask for gigabytes.
  const int64_t planes = in[0] > 0 && in[1] > kMaxFoldedElements / in[0] ? kMaxFoldedElements + 1 : in[0] * in[1];
  if (out[2] > kMaxFoldedElements / out[3] || out[2] * out[3] > kMaxFoldedElements / std::max<int64_t>(1, planes)) {
    return NodeError(ctx, ref, kTooLarge, ExitCode::kUnsupported,
                     "resizes to " + std::to_string(out[2]) + "x" + std::to_string(out[3]) + " (" +
                         std::to_string(in[0]) + "x" + std::to_string(in[1]) + " channels), over " +
                         std::to_string(kMaxFoldedElements) + " elements",
                     "no microcontroller holds a tensor this large; check the Resize's scales or sizes");
  }
  if (mode == "linear") return ConvertResizeLinear(ctx, ref, x, in, out, scale_values);
  if (mode == "cubic") {
    if (ctx.graph.tensor(x).dtype != ir::DType::kFloat32) {
      return UnsupportedAttr(ctx, ref, "a cubic Resize of a " + std::string(ir::DTypeName(ctx.graph.tensor(x).dtype)) +
                                           " tensor", "ember imports a cubic Resize on float32 (in QDQ models between "
                                                      "DequantizeLinear and QuantizeLinear)");
    }
    const std::string ctm = AttrString(ref, "coordinate_transformation_mode", "half_pixel");
    return ConvertResizeByTaps(ctx, ref, x, in, out, scale_values, ctm, "cubic");
  }
  const std::string ctm = AttrString(ref, "coordinate_transformation_mode", "half_pixel");
  const std::string nm = AttrString(ref, "nearest_mode", "round_prefer_floor");
  const bool integer_up = out[2] % in[2] == 0 && out[3] % in[3] == 0;
  int64_t align = 0, half = 0;
  if (ctm == "asymmetric" && nm == "floor") {
  } else if (ctm == "align_corners" && nm == "round_prefer_ceil") {
    align = 1;
  } else if (ctm == "tf_half_pixel_for_nn" && nm == "floor") {
    half = 1;
  } else if ((ctm == "half_pixel" || ctm == "pytorch_half_pixel") && nm == "round_prefer_floor" && integer_up) {
    // For an integer upscale, (o + 0.5)/s - 0.5 rounds to floor(o / s).
  } else {
    return ConvertResizeByGather(ctx, ref, x, in, out, scale_values, ctm, nm);
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xt, ToNhwc(ctx, ref, x));
  const std::string name = OutputName(ref, 0);
  ir::Attrs attrs{{"size", std::vector<int64_t>{out[2], out[3]}}, {"align_corners", align}, {"half_pixel_centers", half}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, {xt}, attrs, name + "_nhwc"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, ToNchw(ctx, ref, y, name));
  return Bind(ctx, ref, yt);
}

// ReduceMax, ReduceMin, ReduceProd and GlobalMaxPool: one IR reduction over
// the node's axes (GlobalMaxPool: every axis after the channels).
Status ConvertReduction(Context& ctx, const NodeRef& ref, ir::OpKind op, bool global) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const size_t rank = ctx.graph.tensor(x).shape.size();
  std::vector<int64_t> axes;
  int64_t keep = 1;
  if (global) {
    for (size_t a = 2; a < rank; ++a) axes.push_back(static_cast<int64_t>(a));
  } else {
    EMBER_ASSIGN_OR_RETURN(ReduceAxes r, GetReduceAxes(ctx, ref, rank));
    if (r.noop) return Bind(ctx, ref, x);
    axes = r.axes;
    keep = r.keep;
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, {x}, {{"axes", axes}, {"keep_dims", keep}}, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// Split along `axis` into the node's outputs: sizes from the `split` input
// (opset 13+) or attribute, else equal pieces (num_outputs at opset 18: the
// last piece may be smaller).
Status ConvertSplit(Context& ctx, const NodeRef& ref, ir::OpKind op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape in = ctx.graph.tensor(x).shape;
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", 0), in.size()));
  const int64_t dim = in[static_cast<size_t>(axis)];
  const auto outputs = static_cast<int64_t>(ref.node->output_size());
  std::vector<int64_t> sizes = AttrInts(ref, "split");
  if (HasInput(ref, 1)) {
    EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, 1, "split"));
    sizes.clear();
    for (int64_t k = 0; k < c->size(); ++k) sizes.push_back(c->int_at(k));
  }
  if (sizes.empty()) {
    const int64_t n = AttrInt(ref, "num_outputs", outputs);
    const int64_t piece = n > 0 ? (dim + n - 1) / n : 0;
    for (int64_t k = 0; k < n; ++k) sizes.push_back(std::max<int64_t>(0, std::min(piece, dim - k * piece)));
  }
  if (static_cast<int64_t>(sizes.size()) != outputs) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has " + std::to_string(sizes.size()) + " split sizes for " + std::to_string(outputs) + " outputs");
  }
  ir::Node n;
  n.op = op;
  n.name = ref.name;
  n.inputs = {x};
  n.attrs = {{"axis", axis}, {"sizes", sizes}};
  for (int64_t k = 0; k < outputs; ++k) {
    ir::Tensor t = ctx.graph.tensor(x);
    t.data.reset();
    t.source_layout.clear();
    t.name = UniqueName(ctx, OutputName(ref, static_cast<size_t>(k)));
    t.shape[static_cast<size_t>(axis)] = sizes[static_cast<size_t>(k)];
    n.outputs.push_back(ctx.graph.AddTensor(std::move(t)));
  }
  auto types = ops::GetOpDef(op).infer(ctx.graph, n);
  if (!types.ok()) {
    return NodeError(ctx, ref, types.diag().id.c_str(), ExitCode::kUnsupported, "cannot be imported as split: " + types.diag().message);
  }
  for (int64_t k = 0; k < outputs; ++k) BindOutput(ctx, ref, static_cast<size_t>(k), Value{nullptr, n.outputs[static_cast<size_t>(k)]});
  ctx.graph.nodes.push_back(std::move(n));
  return Status::Ok();
}

// DepthToSpace (mode DCR or CRD) and SpaceToDepth of an NCHW tensor: the NHWC
// operator between transposes.
Status ConvertDepthSpace(Context& ctx, const NodeRef& ref, ir::OpKind op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  if (ctx.graph.tensor(x).shape.size() != 4) return UnsupportedAttr(ctx, ref, "an input that is not NCHW");
  ir::Attrs attrs{{"block_size", AttrInt(ref, "blocksize", 0)}};
  if (op == ir::OpKind::kDepthToSpace) attrs["mode"] = AttrString(ref, "mode", "DCR");
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xt, ToNhwc(ctx, ref, x));
  const std::string name = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, {xt}, attrs, name + "_nhwc"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, ToNchw(ctx, ref, y, name));
  return Bind(ctx, ref, yt);
}

// GatherND, GatherElements and ScatterND: the IR's gather_nd with
// `batch_dims`, gather_elements with the normalized `axis`, or scatter_nd
// with `reduction`. ONNX's int64 indices (Int32Indices): a
// constant is converted to int32 (values outside int32 → E1015; the range
// of each index is checked by the IR operator), a run-time one goes
// through RuntimeIndices.
Expected<ir::TensorId> Int32Indices(Context& ctx, const NodeRef& ref, size_t pos) {
  EMBER_ASSIGN_OR_RETURN(Value iv, Input(ctx, ref, pos));
  ir::TensorId idx = ir::kNoTensor;
  if (iv.c && iv.id == ir::kNoTensor) {
    ConstTensor c;
    c.elem_type = pb::TensorProto::INT32;
    c.shape = iv.c->shape;
    for (int64_t j = 0; j < iv.c->size(); ++j) {
      const int64_t i = iv.c->int_at(j);
      if (iv.c->is_float() || i < INT32_MIN || i > INT32_MAX) {
        return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "index " + std::to_string(i) + " is out of range");
      }
      c.i.push_back(i);
    }
    EMBER_ASSIGN_OR_RETURN(idx, AddConst(ctx, OutputName(ref, 0) + "_indices", c));
  } else {
    EMBER_ASSIGN_OR_RETURN(idx, RuntimeIndices(ctx, ref, pos));
  }
  return idx;
}

Status ConvertIndexed(Context& ctx, const NodeRef& ref, ir::OpKind op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  ir::Attrs attrs;
  const std::string& type = ref.node->op_type();
  if (type == "GatherND") {
    attrs["batch_dims"] = AttrInt(ref, "batch_dims", 0);
  } else if (type == "GatherElements") {
    EMBER_ASSIGN_OR_RETURN(attrs["axis"], NormAxis(ctx, ref, AttrInt(ref, "axis", 0), ctx.graph.tensor(x).shape.size()));
  } else {  // ScatterND
    attrs["reduction"] = AttrString(ref, "reduction", "none");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId idx, Int32Indices(ctx, ref, 1));
  std::vector<ir::TensorId> ins = {x, idx};
  if (type == "ScatterND") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId u, RuntimeInput(ctx, ref, 2));
    ins.push_back(u);
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, ins, attrs, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// The row-major coordinates of element `flat` of `shape`.
std::vector<int64_t> Coordinates(int64_t flat, const ir::Shape& shape) {
  std::vector<int64_t> c(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    c[k] = flat % shape[k];
    flat /= shape[k];
  }
  return c;
}

// The constant input `pos` (an integer tensor), or E1013.
Expected<std::shared_ptr<const ConstTensor>> ConstIntegers(Context& ctx, const NodeRef& ref, size_t pos,
                                                           const std::string& what) {
  EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, pos, what));
  if (c->is_float()) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, what + " holds floating-point values",
                     "give integer " + what);
  }
  return c;
}

// ScatterElements with constant indices: scatter_nd with, for each element
// of `indices`, its own coordinates with the one on `axis` replaced by the
// index (negative ones from the end; each checked against the axis), the
// updates as they are (their shape is the indices'), and `reduction`.
Status ConvertScatterElements(Context& ctx, const NodeRef& ref, ir::OpKind scatter_nd) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  EMBER_ASSIGN_OR_RETURN(const int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", 0), shape.size()));
  EMBER_ASSIGN_OR_RETURN(auto ic, ConstIntegers(ctx, ref, 1, "indices"));
  if (ic->shape.size() != shape.size()) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "indices of shape " + ir::ShapeToString(ic->shape) + " for data of shape " +
                         ir::ShapeToString(shape),
                     "indices and data have the same rank");
  }
  const int64_t rank = static_cast<int64_t>(shape.size());
  ConstTensor nd;
  nd.elem_type = pb::TensorProto::INT32;
  nd.shape = ic->shape;
  nd.shape.push_back(rank);
  for (int64_t j = 0; j < ic->size(); ++j) {
    std::vector<int64_t> c = Coordinates(j, ic->shape);
    int64_t i = ic->int_at(j);
    const int64_t dim = shape[static_cast<size_t>(axis)];
    if (i < -dim || i >= dim) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       "index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) + " of size " +
                           std::to_string(dim));
    }
    c[static_cast<size_t>(axis)] = i < 0 ? i + dim : i;
    nd.i.insert(nd.i.end(), c.begin(), c.end());
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId idx, AddConst(ctx, OutputName(ref, 0) + "_indices", nd));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId u, RuntimeInput(ctx, ref, 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y,
                         AddNode(ctx, ref, scatter_nd, {x, idx, u}, {{"reduction", AttrString(ref, "reduction", "none")}},
                                 OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// MaxUnpool (opset 11): zeros of the output shape (output_shape when given,
// else (in − 1)·stride + kernel − pad_begin − pad_end per spatial axis) with
// X's values written at their flattened indices I (MaxPool's Indices), in
// order: scatter_nd of X into the zeros (a broadcast of one 0, so no
// constant the output's size), with I as [M, 1] int32 (run-time int64
// indices through a cast). Constant indices are checked against the output
// size; run-time ones are clamped into it by the generated C.
Status ConvertMaxUnpool(Context& ctx, const NodeRef& ref, ir::OpKind scatter_nd) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape in = ctx.graph.tensor(x).shape;
  if (ctx.graph.tensor(x).dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, std::string("MaxUnpool of ") + ir::DTypeName(ctx.graph.tensor(x).dtype),
                           "ember unpools float32 (in QDQ models between DequantizeLinear and QuantizeLinear)");
  }
  if (in.size() < 3) return UnsupportedAttr(ctx, ref, "an input of rank " + std::to_string(in.size()));
  const size_t dims = in.size() - 2;
  const std::vector<int64_t> kernel = AttrInts(ref, "kernel_shape", {});
  const std::vector<int64_t> strides = AttrInts(ref, "strides", std::vector<int64_t>(dims, 1));
  const std::vector<int64_t> pads = AttrInts(ref, "pads", std::vector<int64_t>(2 * dims, 0));
  if (kernel.size() != dims || strides.size() != dims || pads.size() != 2 * dims) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has kernel_shape, strides or pads that do not match its " + std::to_string(dims) +
                         " spatial axes");
  }
  ir::Shape out = in;
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(auto os, ConstIntegers(ctx, ref, 2, "output_shape"));
    if (os->size() != static_cast<int64_t>(in.size())) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       "output_shape has " + std::to_string(os->size()) + " values for an input of rank " +
                           std::to_string(in.size()));
    }
    for (size_t k = 0; k < in.size(); ++k) out[k] = os->int_at(static_cast<int64_t>(k));
    if (out[0] != in[0] || out[1] != in[1]) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       "output_shape " + ir::ShapeToString(out) + " changes the batch or channels of " +
                           ir::ShapeToString(in));
    }
  } else {
    for (size_t k = 0; k < dims; ++k) {
      out[2 + k] = (in[2 + k] - 1) * strides[k] + kernel[k] - pads[k] - pads[k + dims];
    }
  }
  for (int64_t d : out) {
    if (d <= 0) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has an empty output " + ir::ShapeToString(out));
    }
  }
  const int64_t total = ir::NumElements(out), m = ir::NumElements(in);
  if (total > INT32_MAX) return UnsupportedAttr(ctx, ref, "an output of 2^31 elements or more");
  const std::string name = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(Value iv, Input(ctx, ref, 1));
  if (ShapeOf(ctx, iv) != in) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "indices of shape " + ir::ShapeToString(ShapeOf(ctx, iv)) + " for X of shape " +
                         ir::ShapeToString(in),
                     "I is MaxPool's Indices output for X");
  }
  if (iv.c && iv.id == ir::kNoTensor) {
    for (int64_t j = 0; j < iv.c->size(); ++j) {
      const int64_t i = iv.c->int_at(j);
      if (iv.c->is_float() || i < 0 || i >= total) {
        return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                         "index " + std::to_string(i) + " is outside the output of " + std::to_string(total) +
                             " elements");
      }
    }
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId idx, Int32Indices(ctx, ref, 1));
  EMBER_ASSIGN_OR_RETURN(idx, AddNode(ctx, ref, ir::OpKind::kReshape, {idx}, {{"shape", std::vector<int64_t>{m, 1}}},
                                      name + "_positions"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xf, AddNode(ctx, ref, ir::OpKind::kReshape, {x}, {{"shape", std::vector<int64_t>{m}}},
                                                  name + "_values"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zero, AddConst(ctx, name + "_zero", FloatConst({1}, {0.0})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zeros, AddNode(ctx, ref, ir::OpKind::kBroadcastTo, {zero},
                                                     {{"shape", std::vector<int64_t>{total}}}, name + "_zeros"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, scatter_nd, {zeros, idx, xf},
                                                 {{"reduction", std::string("none")}}, name + "_flat"));
  EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, ir::OpKind::kReshape, {y}, {{"shape", out}}, name));
  return Bind(ctx, ref, y);
}

// Compress with a constant condition: a gather of the positions where it is
// true, along `axis`, or of the flattened input without one (positions
// beyond the condition's length are dropped, as ONNX defines it).
Status ConvertCompress(Context& ctx, const NodeRef& ref, ir::OpKind gather) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  ir::Shape shape = ctx.graph.tensor(x).shape;
  EMBER_ASSIGN_OR_RETURN(auto cond, ConstInput(ctx, ref, 1, "condition"));
  int64_t axis = 0;
  if (FindAttr(ref, "axis") != nullptr) {
    EMBER_ASSIGN_OR_RETURN(axis, NormAxis(ctx, ref, AttrInt(ref, "axis", 0), shape.size()));
  } else {
    const ir::Shape flat = {ir::NumElements(shape)};
    EMBER_ASSIGN_OR_RETURN(x, AddNode(ctx, ref, ir::OpKind::kReshape, {x}, {{"shape", flat}}, OutputName(ref, 0) + "_flat"));
    shape = flat;
  }
  ConstTensor idx;
  idx.elem_type = pb::TensorProto::INT32;
  for (int64_t k = 0; k < cond->size() && k < shape[static_cast<size_t>(axis)]; ++k) {
    if (cond->at(k) != 0) idx.i.push_back(k);
  }
  if (idx.i.empty()) {
    return UnsupportedAttr(ctx, ref, "a condition that selects nothing (an empty tensor)",
                           "ember does not compute empty tensors; remove the node from the model");
  }
  idx.shape = {static_cast<int64_t>(idx.i.size())};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId it, AddConst(ctx, OutputName(ref, 0) + "_indices", idx));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, gather, {x, it}, {{"axis", axis}}, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// ReverseSequence with constant sequence_lens (0 to the time length): a
// gather_elements along `time_axis` whose index at time t of batch b is
// len[b] − 1 − t for t < len[b], else t (the rest passes through).
Status ConvertReverseSequence(Context& ctx, const NodeRef& ref, ir::OpKind gather_elements) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  if (shape.size() < 2) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "input has rank below 2");
  EMBER_ASSIGN_OR_RETURN(const int64_t time, NormAxis(ctx, ref, AttrInt(ref, "time_axis", 0), shape.size()));
  EMBER_ASSIGN_OR_RETURN(const int64_t batch, NormAxis(ctx, ref, AttrInt(ref, "batch_axis", 1), shape.size()));
  if (time == batch || time > 1 || batch > 1) {
    return UnsupportedAttr(ctx, ref, "time_axis " + std::to_string(time) + " and batch_axis " + std::to_string(batch),
                           "time_axis and batch_axis are 0 and 1, in either order");
  }
  EMBER_ASSIGN_OR_RETURN(auto lens, ConstIntegers(ctx, ref, 1, "sequence_lens"));
  const auto b = static_cast<size_t>(batch), t = static_cast<size_t>(time);
  if (lens->size() != shape[b]) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "sequence_lens has " + std::to_string(lens->size()) + " values for a batch of " +
                         std::to_string(shape[b]));
  }
  ConstTensor idx;
  idx.elem_type = pb::TensorProto::INT32;
  idx.shape = shape;
  for (int64_t j = 0; j < ir::NumElements(shape); ++j) {
    const std::vector<int64_t> c = Coordinates(j, shape);
    const int64_t len = lens->int_at(c[b]);
    if (len < 0 || len > shape[t]) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       "sequence length " + std::to_string(len) + " is outside 0.." + std::to_string(shape[t]));
    }
    idx.i.push_back(c[t] < len ? len - 1 - c[t] : c[t]);
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId it, AddConst(ctx, OutputName(ref, 0) + "_indices", idx));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y,
                         AddNode(ctx, ref, gather_elements, {x, it}, {{"axis", time}}, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// TopK: the IR's topk_v2 along the last axis (another axis between two
// transposes that swap it with the last), K a constant (one value),
// `largest`; `sorted` 0 leaves the order to the implementation, and ember's
// is sorted. The indices are int64, as in ONNX.
Status ConvertTopK(Context& ctx, const NodeRef& ref, ir::OpKind op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const size_t rank = ctx.graph.tensor(x).shape.size();
  EMBER_ASSIGN_OR_RETURN(const int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", -1), rank));
  EMBER_ASSIGN_OR_RETURN(auto kc, ConstIntegers(ctx, ref, 1, "K"));
  if (kc->size() != 1) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "K has " + std::to_string(kc->size()) + " values",
                     "K is one integer");
  }
  const std::string out = OutputName(ref, 0);
  std::vector<int64_t> perm(rank);
  for (size_t d = 0; d < rank; ++d) perm[d] = static_cast<int64_t>(d);
  const bool moved = axis + 1 != static_cast<int64_t>(rank);
  if (moved) {
    std::swap(perm[static_cast<size_t>(axis)], perm.back());
    EMBER_ASSIGN_OR_RETURN(x, AddNode(ctx, ref, ir::OpKind::kTranspose, {x}, {{"perm", perm}}, out + "_moved"));
  }
  ir::Node n;
  n.op = op;
  n.name = ref.name;
  n.inputs = {x};
  n.attrs = {{"k", kc->int_at(0)}, {"largest", int64_t{AttrInt(ref, "largest", 1) != 0 ? 1 : 0}}};
  for (size_t k = 0; k < 2; ++k) {
    ir::Tensor t = ctx.graph.tensor(x);
    t.data.reset();
    t.source_layout.clear();
    t.name = UniqueName(ctx, OutputName(ref, k) + (moved ? "_last" : ""));
    t.shape.back() = kc->int_at(0);
    if (k == 1) {
      t.dtype = ir::DType::kInt64;
      t.quant.reset();
    }
    n.outputs.push_back(ctx.graph.AddTensor(std::move(t)));
  }
  auto types = ops::GetOpDef(op).infer(ctx.graph, n);
  if (!types.ok()) {
    return NodeError(ctx, ref, types.diag().id.c_str(), ExitCode::kUnsupported,
                     "cannot be imported as topk_v2: " + types.diag().message, types.diag().hint);
  }
  const std::vector<ir::TensorId> results = n.outputs;
  ctx.graph.nodes.push_back(std::move(n));
  for (size_t k = 0; k < 2; ++k) {
    ir::TensorId y = results[k];
    if (moved) {
      EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, ir::OpKind::kTranspose, {y}, {{"perm", perm}}, OutputName(ref, k)));
    }
    BindOutput(ctx, ref, k, Value{nullptr, y});
  }
  return Status::Ok();
}

}  // namespace

std::optional<ir::OpKind> IrOp(const char* ir_name) { return ir::OpKindFromIrName(ir_name); }

Status PrecheckMaxUnpool(Context& ctx, const pb::ModelProto& m) {
  bool any = false;
  for (const auto& n : m.graph().node()) any = any || (n.op_type() == "MaxUnpool" && n.input_size() == 2);
  if (!any) return Status::Ok();
  const std::map<std::string, int> ranks = ValueRanks(m);
  for (int i = 0; i < m.graph().node_size(); ++i) {
    const pb::NodeProto& n = m.graph().node(i);
    if (n.op_type() != "MaxUnpool" || n.input_size() != 2) continue;
    const auto x = ranks.find(n.input(0));
    if (x == ranks.end() || x->second < 2) continue;  // libonnx stops before the indices
    const auto idx = ranks.find(n.input(1));
    if (n.input(1).empty() || idx == ranks.end() || idx->second < 2) {
      const NodeRef ref = RefOf(m.graph(), i);
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       "its indices I ('" + n.input(1) + "') have no shape of rank 2 or more known before import",
                       "I is the Indices output of a MaxPool on X's shape; re-export the model");
    }
  }
  return Status::Ok();
}

const char* ExtIrName(const std::string& op) {
  static const std::map<std::string, const char*> kMap = {
      {"Sub", "sub"}, {"Div", "div"}, {"LeakyRelu", "leaky_relu"}, {"PRelu", "prelu"}, {"Clip", "clip"},
      {"HardSigmoid", "hard_sigmoid"}, {"ConvTranspose", "transpose_conv"}, {"Resize", "resize_nearest_neighbor"},
      {"GlobalMaxPool", "reduce_max"}, {"ReduceMax", "reduce_max"}, {"ReduceMin", "reduce_min"},
      {"ReduceProd", "reduce_prod"}, {"Split", "split"}, {"DepthToSpace", "depth_to_space"},
      {"SpaceToDepth", "space_to_depth"}, {"GatherND", "gather_nd"}, {"GatherElements", "gather_elements"},
      {"ScatterND", "scatter_nd"}, {"ScatterElements", "scatter_nd"}, {"Compress", "gather"},
      {"ReverseSequence", "gather_elements"}, {"TopK", "topk_v2"}, {"GridSample", "gather"},
      {"MaxUnpool", "scatter_nd"}, {"RoiAlign", "gather"}};
  const auto it = kMap.find(op);
  return it == kMap.end() ? nullptr : it->second;
}

Status ConvertExtNode(Context& ctx, const NodeRef& ref, bool* handled) {
  const std::string& op = ref.node->op_type();
  const char* ir_name = ExtIrName(op);
  std::optional<ir::OpKind> kind;
  if (ir_name != nullptr) kind = IrOp(ir_name);
  *handled = kind.has_value();
  if (!kind) return Status::Ok();
  if (op == "Sub" || op == "Div") return Elementwise(ctx, ref, *kind, 2);
  if (op == "PRelu") return Elementwise(ctx, ref, *kind, 2);
  if (op == "LeakyRelu") return Elementwise(ctx, ref, *kind, 1, {{"alpha", static_cast<double>(AttrFloat(ref, "alpha", 0.01f))}});
  if (op == "HardSigmoid") {
    return Elementwise(ctx, ref, *kind, 1, {{"alpha", static_cast<double>(AttrFloat(ref, "alpha", 0.2f))},
                                            {"beta", static_cast<double>(AttrFloat(ref, "beta", 0.5f))}});
  }
  if (op == "Clip") return ConvertClip(ctx, ref, *kind);
  if (op == "ConvTranspose") return ConvertConvTranspose(ctx, ref, *kind);
  if (op == "Resize") return ConvertResize(ctx, ref, *kind);
  if (op == "Split") return ConvertSplit(ctx, ref, *kind);
  if (op == "DepthToSpace" || op == "SpaceToDepth") return ConvertDepthSpace(ctx, ref, *kind);
  if (op == "GatherND" || op == "GatherElements" || op == "ScatterND") return ConvertIndexed(ctx, ref, *kind);
  if (op == "ScatterElements") return ConvertScatterElements(ctx, ref, *kind);
  if (op == "MaxUnpool") return ConvertMaxUnpool(ctx, ref, *kind);
  if (op == "Compress") return ConvertCompress(ctx, ref, *kind);
  if (op == "ReverseSequence") return ConvertReverseSequence(ctx, ref, *kind);
  if (op == "TopK") return ConvertTopK(ctx, ref, *kind);
  if (op == "GridSample") return ConvertGridSample(ctx, ref);
  if (op == "RoiAlign") return ConvertRoiAlign(ctx, ref);
  return ConvertReduction(ctx, ref, *kind, op == "GlobalMaxPool");
}

}  // namespace ember::frontend::onnx::detail
