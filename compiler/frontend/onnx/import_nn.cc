// Spatial and dense operators of the ONNX importer: Conv, MaxPool,
// AveragePool, GlobalAveragePool, Gemm, MatMul, BatchNormalization, Pad.
//
// NCHW spatial operators become transpose(perm=[0,2,3,1]) -> NHWC IR op ->
// transpose(perm=[0,3,1,2]); constant weights are converted at import
// (OIHW -> OHWI, depthwise [C*M,1,KH,KW] -> [1,KH,KW,C*M], Gemm/MatMul B ->
// [units, depth]); weights computed at run time get a transpose node instead.
// 1-D operators on [N, C, W] are the 2-D ones over H = 1: transpose(perm=
// [0,2,1]) -> reshape [N,1,W,C] -> NHWC IR op -> reshape [N,W',C'] ->
// transpose(perm=[0,2,1]); their weights [O, I, K] are read as [O, I, 1, K].
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

using ir::OpKind;

// Permutes a constant's axes (out.shape[k] = in.shape[perm[k]]).
ConstTensor PermuteConst(const ConstTensor& in, const std::vector<int64_t>& perm) {
  ConstTensor out;
  out.elem_type = in.elem_type;
  const size_t r = in.shape.size();
  for (size_t k = 0; k < r; ++k) out.shape.push_back(in.shape[static_cast<size_t>(perm[k])]);
  std::vector<int64_t> in_stride(r, 1);
  for (size_t k = r; k-- > 1;) in_stride[k - 1] = in_stride[k] * in.shape[k];
  const int64_t n = in.size();
  if (in.is_float()) out.f.resize(static_cast<size_t>(n)); else out.i.resize(static_cast<size_t>(n));
  std::vector<int64_t> idx(r, 0);
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (size_t k = 0; k < r; ++k) src += idx[k] * in_stride[static_cast<size_t>(perm[k])];
    if (in.is_float()) out.f[static_cast<size_t>(o)] = in.f[static_cast<size_t>(src)];
    else out.i[static_cast<size_t>(o)] = in.i[static_cast<size_t>(src)];
    for (size_t k = r; k-- > 0;) {
      if (++idx[k] < out.shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

}  // namespace

namespace {

// A 1-D convolution's weights [O, I, K] (rank 3 under a rank-4 perm) seen as
// [O, I, 1, K]; other constants as they are.
ConstTensor As2dWeights(ConstTensor c, size_t perm_rank) {
  if (perm_rank == 4 && c.shape.size() == 3) c.shape.insert(c.shape.begin() + 2, 1);
  return c;
}

// A kernel [A, B, KH, KW] with its taps spread dilation[0] rows and
// dilation[1] columns apart: [A, B, (KH - 1)·dh + 1, (KW - 1)·dw + 1], the
// new taps holding the real value 0 (`zero_point`, per index of axis
// `zp_axis` when it has more than one value).
ConstTensor DilateKernel(const ConstTensor& c, const std::array<int64_t, 2>& dilation,
                         const std::vector<int64_t>& zero_point, int32_t zp_axis) {
  ConstTensor out;
  out.elem_type = c.elem_type;
  const int64_t a = c.shape[0], b = c.shape[1], kh = c.shape[2], kw = c.shape[3];
  const int64_t dh = (kh - 1) * dilation[0] + 1, dw = (kw - 1) * dilation[1] + 1;
  out.shape = {a, b, dh, dw};
  const size_t n = static_cast<size_t>(a * b * dh * dw);
  if (c.is_float()) out.f.assign(n, 0.0); else out.i.assign(n, 0);
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j) {
      const int64_t plane = (i * b + j) * dh * dw;
      if (!c.is_float() && !zero_point.empty()) {
        const int64_t zp = zero_point.size() == 1 ? zero_point[0] : zero_point[static_cast<size_t>(zp_axis == 0 ? i : j)];
        std::fill_n(out.i.begin() + plane, dh * dw, zp);
      }
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          const int64_t src = ((i * b + j) * kh + y) * kw + x;
          const size_t dst = static_cast<size_t>(plane + y * dilation[0] * dw + x * dilation[1]);
          if (c.is_float()) out.f[dst] = c.f[static_cast<size_t>(src)]; else out.i[dst] = c.i[static_cast<size_t>(src)];
        }
    }
  return out;
}

}  // namespace

ConstTensor SliceRows(const ConstTensor& c, int64_t begin, int64_t count) {
  ConstTensor out;
  out.elem_type = c.elem_type;
  out.shape = c.shape;
  out.shape[0] = count;
  const int64_t row = c.shape[0] > 0 ? c.size() / c.shape[0] : 0;
  const auto first = static_cast<std::ptrdiff_t>(begin * row), last = static_cast<std::ptrdiff_t>((begin + count) * row);
  if (c.is_float()) out.f.assign(c.f.begin() + first, c.f.begin() + last);
  else out.i.assign(c.i.begin() + first, c.i.begin() + last);
  return out;
}

ir::QuantParams SliceRowsQuant(ir::QuantParams q, int64_t begin, int64_t count) {
  if (!q.per_axis() || q.axis != 0) return q;
  const auto b = static_cast<std::ptrdiff_t>(begin), e = static_cast<std::ptrdiff_t>(begin + count);
  q.scale.assign(q.scale.begin() + b, q.scale.begin() + e);
  if (static_cast<int64_t>(q.zero_point.size()) >= begin + count) q.zero_point.assign(q.zero_point.begin() + b, q.zero_point.begin() + e);
  return q;
}

Expected<ir::TensorId> Weights(Context& ctx, const NodeRef& ref, size_t pos, const std::vector<int64_t>& perm,
                               double factor, const std::array<int64_t, 2>& dilation, const WeightRows& rows) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, pos));
  const std::string& name = ref.node->input(static_cast<int>(pos));
  const bool dilate = dilation[0] != 1 || dilation[1] != 1;
  const bool sliced = rows.count >= 0;
  if (auto dq = ctx.dq_consts.find(name); dq != ctx.dq_consts.end() && factor == 1.0) {
    // Quantized weights: permute the integer constant, dequantize after; a
    // per-channel axis moves with its dimension.
    ConstTensor q4 = As2dWeights(dq->second.q, perm.size());
    ir::QuantParams quant = dq->second.quant;
    if (sliced) {
      q4 = SliceRows(q4, rows.begin, rows.count);
      quant = SliceRowsQuant(quant, rows.begin, rows.count);
    }
    if (dilate) {
      if (q4.shape.size() != 4 || dq->second.quant.axis >= 2) {
        return UnsupportedAttr(ctx, ref, "dilated weights quantized along a kernel axis");
      }
      q4 = DilateKernel(q4, dilation, quant.zero_point, quant.axis);
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId q, AddConst(ctx, name + "_quantized", PermuteConstTensor(q4, perm)));
    if (q4.shape.size() != dq->second.q.shape.size() && quant.axis >= 2) ++quant.axis;
    for (size_t k = 0; k < perm.size(); ++k) {
      if (perm[k] == quant.axis) {
        quant.axis = static_cast<int32_t>(k);
        break;
      }
    }
    ctx.graph.tensor(q).quant = quant;
    return AddNode(ctx, ref, OpKind::kDequantize, {q}, {}, name + "_ir_layout", ir::DType::kFloat32);
  }
  if (v.c && v.c->is_float()) {
    ConstTensor c4 = As2dWeights(*v.c, perm.size());
    if (sliced) c4 = SliceRows(c4, rows.begin, rows.count);
    if (dilate && c4.shape.size() == 4) c4 = DilateKernel(c4, dilation, {}, 0);
    ConstTensor c = PermuteConst(c4, perm);
    for (double& x : c.f) x = static_cast<double>(static_cast<float>(x) * static_cast<float>(factor));
    return AddConst(ctx, name, c);
  }
  if (factor != 1.0) return UnsupportedAttr(ctx, ref, "alpha != 1 with weights computed at run time");
  if (dilate || sliced) {
    return UnsupportedAttr(ctx, ref, "dilations or groups with weights computed at run time",
                           "export the model with constant weights (do_constant_folding=True)");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId id, RuntimeInput(ctx, ref, pos));
  if (ctx.graph.tensor(id).shape.size() != perm.size()) {
    return UnsupportedAttr(ctx, ref, "1-D convolution weights computed at run time",
                           "export the model with constant weights (do_constant_folding=True)");
  }
  return AddNode(ctx, ref, OpKind::kTranspose, {id}, {{"perm", perm}}, name + "_ir_layout");
}

ir::Shape As2dShape(const ir::Shape& in) {
  if (in.size() != 3) return in;
  return {in[0], in[1], 1, in[2]};
}

std::vector<int64_t> As2dAxes(const std::vector<int64_t>& v, int64_t fill) {
  if (v.size() == 1) return {fill, v[0]};
  if (v.size() == 2 && fill == 0) return {0, v[0], 0, v[1]};  // pads [b, e] -> [t, l, b, r]
  return v;
}

Expected<ir::TensorId> SpatialIn(Context& ctx, const NodeRef& ref, ir::TensorId x) {
  const ir::Shape in = ctx.graph.tensor(x).shape;
  if (in.size() != 3) return ToNhwc(ctx, ref, x);
  const std::string name = ctx.graph.tensor(x).name;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId t, AddNode(ctx, ref, OpKind::kTranspose, {x},
                                                 {{"perm", std::vector<int64_t>{0, 2, 1}}}, name + "_nwc"));
  return AddNode(ctx, ref, OpKind::kReshape, {t}, {{"shape", std::vector<int64_t>{in[0], 1, in[2], in[1]}}},
                 name + "_nhwc");
}

Expected<ir::TensorId> SpatialOut(Context& ctx, const NodeRef& ref, ir::TensorId y, size_t rank,
                                  const std::string& out_name) {
  if (rank != 3) return ToNchw(ctx, ref, y, out_name);
  const ir::Shape s = ctx.graph.tensor(y).shape;  // [N, 1, W, C]
  EMBER_ASSIGN_OR_RETURN(ir::TensorId r, AddNode(ctx, ref, OpKind::kReshape, {y},
                                                 {{"shape", std::vector<int64_t>{s[0], s[2], s[3]}}}, out_name + "_nwc"));
  return AddNode(ctx, ref, OpKind::kTranspose, {r}, {{"perm", std::vector<int64_t>{0, 2, 1}}}, out_name);
}

namespace {

// A rank-5 constant with axis 2 reversed.
ConstTensor FlipAxis2(const ConstTensor& c) {
  ConstTensor out = c;
  const int64_t outer = c.shape[0] * c.shape[1], k = c.shape[2], inner = c.shape[3] * c.shape[4];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t t = 0; t < k; ++t)
      for (int64_t e = 0; e < inner; ++e) {
        const size_t dst = static_cast<size_t>((o * k + t) * inner + e);
        const size_t src = static_cast<size_t>((o * k + (k - 1 - t)) * inner + e);
        if (c.is_float()) out.f[dst] = c.f[src]; else out.i[dst] = c.i[src];
      }
  return out;
}

}  // namespace

Expected<ir::TensorId> Weights3d(Context& ctx, const NodeRef& ref, const std::vector<int64_t>& perm, bool flip_depth) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 1));
  const std::string& name = ref.node->input(1);
  auto layout = [&](ConstTensor c) {
    if (flip_depth) c = FlipAxis2(c);
    c = PermuteConst(c, perm);
    c.shape = {c.shape[0], c.shape[1], c.shape[2], c.shape[3] * c.shape[4]};
    return c;
  };
  if (auto dq = ctx.dq_consts.find(name); dq != ctx.dq_consts.end() && dq->second.q.shape.size() == 5) {
    ir::QuantParams quant = dq->second.quant;
    if (quant.per_axis()) {
      if (perm[0] != quant.axis) {
        return UnsupportedAttr(ctx, ref, "3-D convolution weights quantized along axis " + std::to_string(quant.axis),
                               "quantize the weights per tensor or per output channel");
      }
      quant.axis = 0;
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId q, AddConst(ctx, name + "_quantized", layout(dq->second.q)));
    ctx.graph.tensor(q).quant = quant;
    return AddNode(ctx, ref, OpKind::kDequantize, {q}, {}, name + "_ir_layout", ir::DType::kFloat32);
  }
  if (v.c && v.c->is_float() && v.c->shape.size() == 5) return AddConst(ctx, name, layout(*v.c));
  return NodeError(ctx, ref, kNotConstant, ExitCode::kUnsupported,
                   "the weights ('" + name + "') of a 3-D convolution are computed at run time; ember needs them constant",
                   "export the model with constant weights (do_constant_folding=True)");
}

Expected<ir::TensorId> StackDepthTaps(Context& ctx, const NodeRef& ref, ir::TensorId t, int64_t kd, int64_t dilation,
                                      int64_t stride, int64_t od, const std::string& name) {
  const ir::Shape s = ctx.graph.tensor(t).shape;  // [N, D, H, W, C]
  const int64_t n = s[0], h = s[2], w = s[3], c = s[4];
  auto reshape = [&](ir::TensorId v, std::vector<int64_t> shape, const std::string& tag) {
    return AddNode(ctx, ref, OpKind::kReshape, {v}, {{"shape", std::move(shape)}}, name + tag);
  };
  if (kd == 1 && stride == 1 && od == s[1]) return reshape(t, {n * od, h, w, c}, "_taps");
  std::vector<ir::TensorId> slices;
  for (int64_t k = 0; k < kd; ++k) {
    const int64_t d0 = k * dilation;
    const ir::Attrs sa = SliceAttrs({0, d0, 0, 0, 0}, {n, d0 + (od - 1) * stride + 1, h, w, c}, {1, stride, 1, 1, 1});
    const std::string tag = "_depth_tap" + std::to_string(k);
    EMBER_ASSIGN_OR_RETURN(ir::TensorId sl, AddNode(ctx, ref, OpKind::kStridedSlice, {t}, sa, name + tag));
    if (kd == 1) return reshape(sl, {n * od, h, w, c}, "_taps");
    EMBER_ASSIGN_OR_RETURN(sl, reshape(sl, {n * od * h * w, c, 1}, tag + "_column"));
    slices.push_back(sl);
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId taps, AddNode(ctx, ref, OpKind::kConcatenation, slices,
                                                    {{"axis", int64_t{2}}}, name + "_depth_taps"));
  return reshape(taps, {n * od, h, w, c * kd}, "_taps");
}

Expected<ir::TensorId> FromNdhwc(Context& ctx, const NodeRef& ref, ir::TensorId y, const std::vector<int64_t>& ndhwc,
                                 const std::string& name) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId r, AddNode(ctx, ref, OpKind::kReshape, {y}, {{"shape", ndhwc}}, name + "_ndhwc"));
  return AddNode(ctx, ref, OpKind::kTranspose, {r}, {{"perm", std::vector<int64_t>{0, 4, 1, 2, 3}}}, name);
}

namespace {

struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads [t, l, b, r]
};

// kernel_shape/strides/dilations/pads/auto_pad of a 2-D window over input
// [N, C, H, W], of a 1-D window over [N, C, W] as the 2-D window over
// [N, C, 1, W], or of a 3-D window over [N, C, D, H, W] (pads [d, h, w
// begins, then ends]). `kernel` is given by the caller (from the weights)
// when the attribute is absent.
Expected<Window> ReadWindow(Context& ctx, const NodeRef& ref, const ir::Shape& in_shape, std::vector<int64_t> kernel) {
  const size_t rank = in_shape.size();
  const size_t dims = rank >= 3 ? rank - 2 : 0;
  Window w;
  w.kernel = AttrInts(ref, "kernel_shape", kernel);
  w.strides = AttrInts(ref, "strides", std::vector<int64_t>(dims, 1));
  w.dilations = AttrInts(ref, "dilations", std::vector<int64_t>(dims, 1));
  w.pads = AttrInts(ref, "pads", std::vector<int64_t>(2 * dims, 0));
  if (rank < 3 || rank > 5 || w.kernel.size() != dims || w.strides.size() != dims || w.dilations.size() != dims ||
      w.pads.size() != 2 * dims) {
    return UnsupportedAttr(ctx, ref, "input shape " + ir::ShapeToString(in_shape) +
                                         " with a window of rank " + std::to_string(w.kernel.size()) +
                                         " (not a 1-D signal batch [N,C,W], a 2-D image batch [N,C,H,W] or a "
                                         "3-D volume batch [N,C,D,H,W])",
                           "ember imports 1-D, 2-D and 3-D windows; reshape other ranks to [N,C,H,W]");
  }
  if (dims == 1) {
    w.kernel = As2dAxes(w.kernel, 1);
    w.strides = As2dAxes(w.strides, 1);
    w.dilations = As2dAxes(w.dilations, 1);
    w.pads = As2dAxes(w.pads, 0);
  }
  const size_t sd = w.kernel.size();  // 2 or 3 spatial axes
  const ir::Shape in = As2dShape(in_shape);
  for (size_t k = 0; k < sd; ++k) {
    if (w.kernel[k] <= 0 || w.strides[k] <= 0 || w.dilations[k] <= 0) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has a non-positive kernel, stride or dilation");
    }
  }
  for (int64_t p : w.pads) {
    if (p < 0) return UnsupportedAttr(ctx, ref, "negative pads");
  }
  // Bounded before any size is computed from them (products stay in int64).
  for (const std::vector<int64_t>* v : {&w.kernel, &w.strides, &w.dilations, &w.pads}) {
    for (int64_t e : *v) {
      if (e > kMaxFoldedElements) {
        return UnsupportedAttr(ctx, ref, "a kernel, stride, dilation or padding above " +
                                             std::to_string(kMaxFoldedElements));
      }
    }
  }
  const std::string auto_pad = AttrString(ref, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") {
    w.pads.assign(2 * sd, 0);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t k = 0; k < sd; ++k) {
      const int64_t size = in[2 + k];
      const int64_t out = (size + w.strides[k] - 1) / w.strides[k];
      const int64_t eff = (w.kernel[k] - 1) * w.dilations[k] + 1;
      const int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[k] + eff - size);
      const int64_t small = total / 2;
      w.pads[k] = auto_pad == "SAME_UPPER" ? small : total - small;
      w.pads[k + sd] = total - w.pads[k];
    }
  } else if (auto_pad != "NOTSET") {
    return UnsupportedAttr(ctx, ref, "auto_pad '" + auto_pad + "'");
  }
  return w;
}

ir::Attrs WindowAttrs(const Window& w, bool pool) {
  ir::Attrs a;
  a["stride"] = w.strides;
  a["pad"] = std::vector<int64_t>{w.pads[0], w.pads[1], w.pads[2], w.pads[3]};
  if (pool) a["filter"] = w.kernel; else a["dilation"] = w.dilations;
  return a;
}

// Conv over [N, C, D, H, W] as one 2-D convolution over (H, W) whose input
// channels are the depth taps: in NDHWC, the (zero-padded) input is sliced
// along D once per tap kd (start kd·dd, stride sd, OD slices), the KD slices
// are interleaved into channels c·KD + kd, and [N·OD, H, W, C·KD] is
// convolved with the filter [M, KH, KW, C/G·KD] (groups stay contiguous).
// Every product of the 3-D convolution is one of that 2-D convolution's, so
// int8 models accumulate exactly as a 2-D one does; the slices hold KD times
// the input.
Status ConvertConv3d(Context& ctx, const NodeRef& ref, ir::TensorId x, const ir::Shape& ws) {
  const ir::Shape in = ctx.graph.tensor(x).shape;  // [N, C, D, H, W]
  EMBER_ASSIGN_OR_RETURN(Window w, ReadWindow(ctx, ref, in, std::vector<int64_t>(ws.begin() + 2, ws.end())));
  if (w.kernel[0] != ws[2] || w.kernel[1] != ws[3] || w.kernel[2] != ws[4]) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "kernel_shape does not match the weight shape " + ir::ShapeToString(ws));
  }
  const int64_t n = in[0], c = in[1], d = in[2], kd = ws[2];
  const int64_t group = AttrInt(ref, "group", 1);
  if (group <= 0 || c % group != 0 || ws[1] * group != c || ws[0] % group != 0) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has group " + std::to_string(group) + " for " + std::to_string(c) + " input channels and weights " +
                         ir::ShapeToString(ws));
  }
  const int64_t eff = (kd - 1) * w.dilations[0] + 1;
  const int64_t od = (d + w.pads[0] + w.pads[3] - eff) / w.strides[0] + 1;
  if (d + w.pads[0] + w.pads[3] < eff) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has a kernel deeper than its padded input");
  }
  if (c * kd > kMaxFoldedElements) return UnsupportedAttr(ctx, ref, "more than 2^24 input channels times depth taps");
  EMBER_ASSIGN_OR_RETURN(ir::TensorId filter, Weights3d(ctx, ref, {0, 3, 4, 1, 2}, false));
  ir::TensorId bias = ir::kNoTensor;
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(bias, RuntimeInput(ctx, ref, 2));
  }
  const std::string name = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId t, AddNode(ctx, ref, OpKind::kTranspose, {x},
                                                 {{"perm", std::vector<int64_t>{0, 2, 3, 4, 1}}}, name + "_ndhwc_in"));
  if (w.pads[0] || w.pads[3]) {
    ir::Attrs pa{{"pads", std::vector<int64_t>{0, 0, w.pads[0], w.pads[3], 0, 0, 0, 0, 0, 0}}};
    EMBER_ASSIGN_OR_RETURN(t, AddNode(ctx, ref, OpKind::kPad, {t}, pa, name + "_depth_padded"));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId taps, StackDepthTaps(ctx, ref, t, kd, w.dilations[0], w.strides[0], od, name));
  Window w2;
  w2.strides = {w.strides[1], w.strides[2]};
  w2.dilations = {w.dilations[1], w.dilations[2]};
  w2.pads = {w.pads[1], w.pads[2], w.pads[4], w.pads[5]};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kConv2D, {taps, filter, bias},
                                                 WindowAttrs(w2, /*pool=*/false), name + "_conv2d"));
  const ir::Shape ys = ctx.graph.tensor(y).shape;  // [N·OD, OH, OW, M]
  EMBER_ASSIGN_OR_RETURN(y, FromNdhwc(ctx, ref, y, {n, od, ys[1], ys[2], ys[3]}, name));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertConv(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(Value wv, Input(ctx, ref, 1));
  const ir::Shape in = ctx.graph.tensor(x).shape;
  const ir::Shape ws = ShapeOf(ctx, wv);
  if (ws.size() == 5 && in.size() == 5) return ConvertConv3d(ctx, ref, x, ws);
  if (ws.size() != in.size() || (ws.size() != 4 && ws.size() != 3)) {
    return UnsupportedAttr(ctx, ref, "a weight of shape " + ir::ShapeToString(ws) + " for an input of shape " +
                                         ir::ShapeToString(in) + " (not 1-D, 2-D or 3-D)",
                           "ember imports 1-D, 2-D and 3-D convolution; reshape other ranks to [N,C,H,W]");
  }
  const ir::Shape ws4 = As2dShape(ws);
  EMBER_ASSIGN_OR_RETURN(Window w, ReadWindow(ctx, ref, in, std::vector<int64_t>(ws.begin() + 2, ws.end())));
  if (w.kernel[0] != ws4[2] || w.kernel[1] != ws4[3]) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "kernel_shape does not match the weight shape " + ir::ShapeToString(ws));
  }
  const int64_t group = AttrInt(ref, "group", 1);
  const int64_t channels = in[1];
  const bool depthwise = group > 1 && group == channels && ws[1] == 1;
  ir::Attrs attrs = WindowAttrs(w, /*pool=*/false);
  ir::TensorId filter;
  if (depthwise) {
    attrs["depth_multiplier"] = ws[0] / channels;
    EMBER_ASSIGN_OR_RETURN(filter, Weights(ctx, ref, 1, {1, 2, 3, 0}));
  } else {
    EMBER_ASSIGN_OR_RETURN(filter, Weights(ctx, ref, 1, {0, 2, 3, 1}));
  }
  ir::TensorId bias = ir::kNoTensor;
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(bias, RuntimeInput(ctx, ref, 2));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xt, SpatialIn(ctx, ref, x));
  const std::string out = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, depthwise ? OpKind::kDepthwiseConv2D : OpKind::kConv2D,
                                                 {xt, filter, bias}, attrs, out + "_nhwc"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, SpatialOut(ctx, ref, y, in.size(), out));
  BindOutput(ctx, ref, 0, Value{nullptr, yt});
  return Status::Ok();
}

// Output size of one pooled axis, floor or ceil.
int64_t PoolOut(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, bool ceil) {
  const int64_t span = in + pb + pe - k;
  return (ceil ? (span + s - 1) / s : span / s) + 1;
}

// The output size of a 2-D window taken tap by tap over [N, C, H, W] (with
// dilations; ceil_mode), and the end padding extended to the extent the last
// window reaches (ceil_mode: beyond the end padding).
Status TapGeometry(Context& ctx, const NodeRef& ref, const ir::Shape& in, Window* w, int64_t out[2]) {
  const bool ceil = AttrInt(ref, "ceil_mode", 0) != 0;
  for (int k = 0; k < 2; ++k) {
    const size_t a = 2 + static_cast<size_t>(k);
    const int64_t eff = (w->kernel[k] - 1) * w->dilations[k] + 1;
    out[k] = PoolOut(in[a], eff, w->strides[k], w->pads[k], w->pads[k + 2], ceil);
    if (out[k] <= 0) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has a window larger than its input");
    w->pads[k + 2] = std::max(w->pads[k + 2], (out[k] - 1) * w->strides[k] + eff - in[a] - w->pads[k]);
  }
  return Status::Ok();
}

// A MaxPool with dilations (float32): the input padded with the lowest
// float (padded taps never win, as ember's max_pool2d skips them), then the
// maximum of the kernel's taps, each a strided slice [N, out_h, out_w, C] of
// the padded NHWC input; exact, as a maximum is.
Status ConvertDilatedMaxPool(Context& ctx, const NodeRef& ref, ir::TensorId x, Window w, size_t rank) {
  const ir::Tensor& t = ctx.graph.tensor(x);
  if (t.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, std::string("pooling with dilations on a ") + ir::DTypeName(t.dtype) + " tensor",
                           "ember imports a dilated MaxPool on float32 (in QDQ models between DequantizeLinear and "
                           "QuantizeLinear)");
  }
  const ir::Shape in = As2dShape(t.shape);
  int64_t out[2];
  EMBER_RETURN_IF_ERROR(TapGeometry(ctx, ref, in, &w, out));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xt, SpatialIn(ctx, ref, x));
  const std::string name = OutputName(ref, 0);
  if (w.pads[0] || w.pads[1] || w.pads[2] || w.pads[3]) {
    ir::Attrs pa{{"pads", std::vector<int64_t>{0, 0, w.pads[0], w.pads[2], w.pads[1], w.pads[3], 0, 0}},
                 {"value", static_cast<double>(std::numeric_limits<float>::lowest())}};
    EMBER_ASSIGN_OR_RETURN(xt, AddNode(ctx, ref, OpKind::kPad, {xt}, pa, name + "_padded"));
  }
  const ir::Shape xs = ctx.graph.tensor(xt).shape;  // [N, H', W', C]
  ir::TensorId y = ir::kNoTensor;
  for (int64_t i = 0; i < w.kernel[0]; ++i) {
    for (int64_t j = 0; j < w.kernel[1]; ++j) {
      const int64_t h0 = i * w.dilations[0], w0 = j * w.dilations[1];
      const ir::Attrs sa = SliceAttrs({0, h0, w0, 0},
                                      {xs[0], h0 + (out[0] - 1) * w.strides[0] + 1, w0 + (out[1] - 1) * w.strides[1] + 1, xs[3]},
                                      {1, w.strides[0], w.strides[1], 1});
      const std::string tap = name + "_tap" + std::to_string(i) + "_" + std::to_string(j);
      EMBER_ASSIGN_OR_RETURN(ir::TensorId s, AddNode(ctx, ref, OpKind::kStridedSlice, {xt}, sa, tap));
      if (y == ir::kNoTensor) {
        y = s;
      } else {
        EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, *IrOp("maximum"), {y, s}, {}, name + "_max"));
      }
    }
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, SpatialOut(ctx, ref, y, rank, name));
  BindOutput(ctx, ref, 0, Value{nullptr, yt});
  return Status::Ok();
}

// MaxPool's Indices output (2-D or 1-D, float32): for each window, the
// flattened index into the input [N, C, H, W] of its largest value, n·C·H·W +
// c·H·W + h·W + w (storage_order 0) or + h + w·H (storage_order 1); the first
// in the window's row-major order on ties, as ONNX's reference and ONNX
// Runtime scan it. The taps are strided slices [N, C, P] (P = out_h·out_w) of
// the input padded with the lowest float (padding never wins), stacked into
// [N, C, P, K]; arg_max picks the tap k, whose row and column k / kw and
// k − (k / kw)·kw give the index through constant per-position bases.
Status ConvertMaxPoolIndices(Context& ctx, const NodeRef& ref, ir::TensorId x, Window w) {
  const ir::Tensor t = ctx.graph.tensor(x);  // a copy: adding nodes grows the tensor list
  if (t.shape.size() != 3 && t.shape.size() != 4) {
    return UnsupportedAttr(ctx, ref, "the Indices output of a " + std::to_string(t.shape.size() - 2) + "-D MaxPool",
                           "ember computes MaxPool's indices over 1-D and 2-D windows");
  }
  if (t.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, std::string("the Indices output of a MaxPool on ") + ir::DTypeName(t.dtype),
                           "ember computes MaxPool's indices on float32 (in QDQ models between DequantizeLinear and "
                           "QuantizeLinear)");
  }
  const ir::Shape in = As2dShape(t.shape);  // [N, C, H, W]
  const int64_t n = in[0], c = in[1], h = in[2], wd = in[3];
  if (ir::NumElements(in) > INT32_MAX) return UnsupportedAttr(ctx, ref, "indices beyond 2^31");
  const int64_t storage = AttrInt(ref, "storage_order", 0);
  if (storage != 0 && storage != 1) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has storage_order " + std::to_string(storage),
                     "storage_order is 0 (row major) or 1 (column major)");
  }
  int64_t out[2];
  EMBER_RETURN_IF_ERROR(TapGeometry(ctx, ref, in, &w, out));
  const std::string name = OutputName(ref, 1);
  const int64_t p = out[0] * out[1], taps = w.kernel[0] * w.kernel[1];
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xp, AddNode(ctx, ref, OpKind::kReshape, {x}, {{"shape", in}}, name + "_in"));
  if (w.pads[0] || w.pads[1] || w.pads[2] || w.pads[3]) {
    ir::Attrs pa{{"pads", std::vector<int64_t>{0, 0, 0, 0, w.pads[0], w.pads[2], w.pads[1], w.pads[3]}},
                 {"value", static_cast<double>(std::numeric_limits<float>::lowest())}};
    EMBER_ASSIGN_OR_RETURN(xp, AddNode(ctx, ref, OpKind::kPad, {xp}, pa, name + "_padded"));
  }
  std::vector<ir::TensorId> stacked;
  for (int64_t i = 0; i < w.kernel[0]; ++i) {
    for (int64_t j = 0; j < w.kernel[1]; ++j) {
      const int64_t h0 = i * w.dilations[0], w0 = j * w.dilations[1];
      const std::string tap = name + "_tap" + std::to_string(i) + "_" + std::to_string(j);
      const ir::Attrs sa = SliceAttrs({0, 0, h0, w0},
                                      {n, c, h0 + (out[0] - 1) * w.strides[0] + 1, w0 + (out[1] - 1) * w.strides[1] + 1},
                                      {1, 1, w.strides[0], w.strides[1]});
      EMBER_ASSIGN_OR_RETURN(ir::TensorId s, AddNode(ctx, ref, OpKind::kStridedSlice, {xp}, sa, tap));
      EMBER_ASSIGN_OR_RETURN(s, AddNode(ctx, ref, OpKind::kReshape, {s}, {{"shape", std::vector<int64_t>{n, c, p, 1}}},
                                        tap + "_col"));
      stacked.push_back(s);
    }
  }
  ir::TensorId all = stacked[0];
  if (taps > 1) {
    EMBER_ASSIGN_OR_RETURN(all, AddNode(ctx, ref, OpKind::kConcatenation, stacked, {{"axis", int64_t{3}}}, name + "_taps"));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId k, AddNode(ctx, ref, OpKind::kArgMax, {all}, {{"axis", int64_t{3}}}, name + "_tap",
                                                 ir::DType::kInt32));
  // k = row·kw + col; index = row·row_step + col·col_step + base[p] + plane[n, c].
  const int64_t row_step = storage == 0 ? w.dilations[0] * wd : w.dilations[0];
  const int64_t col_step = storage == 0 ? w.dilations[1] : w.dilations[1] * h;
  std::vector<int64_t> base, plane;
  for (int64_t oh = 0; oh < out[0]; ++oh) {
    for (int64_t ow = 0; ow < out[1]; ++ow) {
      const int64_t top = oh * w.strides[0] - w.pads[0], left = ow * w.strides[1] - w.pads[1];
      base.push_back(storage == 0 ? top * wd + left : top + left * h);
    }
  }
  for (int64_t b = 0; b < n * c; ++b) plane.push_back(b * h * wd);
  auto constant = [&](const std::string& tag, ir::Shape shape, std::vector<int64_t> v) {
    return AddConst(ctx, name + tag, IntConst(std::move(shape), std::move(v), pb::TensorProto::INT32));
  };
  auto binary = [&](OpKind op, ir::TensorId a, ir::TensorId b, const std::string& tag) {
    return AddNode(ctx, ref, op, {a, b}, {}, name + tag);
  };
  ir::TensorId idx = ir::kNoTensor;
  if (w.kernel[1] == 1) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId rs, constant("_row_step", {1}, {row_step}));
    EMBER_ASSIGN_OR_RETURN(idx, binary(OpKind::kMul, k, rs, "_rows"));
  } else {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId kw, constant("_kernel_w", {1}, {w.kernel[1]}));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId row, binary(OpKind::kDiv, k, kw, "_row"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId row_w, binary(OpKind::kMul, row, kw, "_row_start"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId col, binary(OpKind::kSub, k, row_w, "_col"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId rs, constant("_row_step", {1}, {row_step}));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId cs, constant("_col_step", {1}, {col_step}));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId ro, binary(OpKind::kMul, row, rs, "_row_offset"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId co, binary(OpKind::kMul, col, cs, "_col_offset"));
    EMBER_ASSIGN_OR_RETURN(idx, binary(OpKind::kAdd, ro, co, "_offset"));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId bt, constant("_base", {p}, std::move(base)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId pt, constant("_plane", {n, c, 1}, std::move(plane)));
  EMBER_ASSIGN_OR_RETURN(idx, binary(OpKind::kAdd, idx, bt, "_in_plane"));
  EMBER_ASSIGN_OR_RETURN(idx, binary(OpKind::kAdd, idx, pt, "_flat"));
  EMBER_ASSIGN_OR_RETURN(idx, AddNode(ctx, ref, OpKind::kCast, {idx}, {}, name + "_i64", ir::DType::kInt64));
  ir::Shape zs = t.shape;
  zs[zs.size() - 1] = out[1];
  if (zs.size() == 4) zs[2] = out[0];
  EMBER_ASSIGN_OR_RETURN(idx, AddNode(ctx, ref, OpKind::kReshape, {idx}, {{"shape", zs}}, name));
  BindOutput(ctx, ref, 1, Value{nullptr, idx});
  return Status::Ok();
}

// A 3-D MaxPool or AveragePool over [N, C, D, H, W] as two 2-D pools, which
// is exact for a maximum and, for an average, the same mean: the taps of a
// window inside the (optionally zero-padded) input are a box, so their count
// is the product of the per-axis counts and the mean over the box is the mean
// over D of the means over (H, W). In NDHWC: [N·D, H, W, C] pooled by
// (kh, kw), then [N, D, H'·W', C] pooled by (kd, 1).
Status ConvertPool3d(Context& ctx, const NodeRef& ref, ir::TensorId x, Window w, bool max) {
  if (w.dilations[0] != 1 || w.dilations[1] != 1 || w.dilations[2] != 1) {
    return UnsupportedAttr(ctx, ref, "3-D pooling with dilations");
  }
  const ir::Shape in = ctx.graph.tensor(x).shape;  // [N, C, D, H, W]
  const bool include_pad = !max && AttrInt(ref, "count_include_pad", 0) != 0;
  int64_t out[3];
  for (size_t k = 0; k < 3; ++k) {
    const bool ceil = AttrInt(ref, "ceil_mode", 0) != 0;
    out[k] = PoolOut(in[2 + k], w.kernel[k], w.strides[k], w.pads[k], w.pads[k + 3], ceil);
    if (out[k] <= 0) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has a window larger than its input");
    const int64_t floor_out = PoolOut(in[2 + k], w.kernel[k], w.strides[k], w.pads[k], w.pads[k + 3], false);
    if (out[k] == floor_out) continue;
    // ceil_mode's last, partial window: extend the end padding (its taps are skipped).
    if (include_pad) {
      return UnsupportedAttr(ctx, ref, "ceil_mode=1 with count_include_pad=1 where it changes the output size",
                             "export with ceil_mode=False or pad the input so the windows fit");
    }
    w.pads[k + 3] += (out[k] - 1) * w.strides[k] + w.kernel[k] - (in[2 + k] + w.pads[k] + w.pads[k + 3]);
  }
  const std::string name = OutputName(ref, 0);
  const OpKind pool = max ? OpKind::kMaxPool2D : OpKind::kAveragePool2D;
  // One 2-D stage over axes 1 and 2 of an NHWC tensor: window (k0, k1),
  // strides, pads [t, l, b, r]; padded zeros count when include_pad.
  auto stage = [&](ir::TensorId t, std::vector<int64_t> kernel, std::vector<int64_t> strides, std::vector<int64_t> pads,
                   const std::string& tag) -> Expected<ir::TensorId> {
    if (kernel == std::vector<int64_t>{1, 1} && strides == std::vector<int64_t>{1, 1} &&
        pads == std::vector<int64_t>{0, 0, 0, 0}) {
      return t;
    }
    if (include_pad && (pads[0] || pads[1] || pads[2] || pads[3])) {
      ir::Attrs pa{{"pads", std::vector<int64_t>{0, 0, pads[0], pads[2], pads[1], pads[3], 0, 0}}};
      EMBER_ASSIGN_OR_RETURN(t, AddNode(ctx, ref, OpKind::kPad, {t}, pa, name + tag + "_padded"));
      pads = {0, 0, 0, 0};
    }
    return AddNode(ctx, ref, pool, {t}, {{"filter", kernel}, {"stride", strides}, {"pad", pads}}, name + tag);
  };
  auto reshape = [&](ir::TensorId t, std::vector<int64_t> shape, const std::string& tag) {
    return AddNode(ctx, ref, OpKind::kReshape, {t}, {{"shape", std::move(shape)}}, name + tag);
  };
  const int64_t n = in[0], c = in[1], d = in[2], h = in[3], wd = in[4];
  EMBER_ASSIGN_OR_RETURN(ir::TensorId t, AddNode(ctx, ref, OpKind::kTranspose, {x},
                                                 {{"perm", std::vector<int64_t>{0, 2, 3, 4, 1}}}, name + "_ndhwc_in"));
  EMBER_ASSIGN_OR_RETURN(t, reshape(t, {n * d, h, wd, c}, "_hw_in"));
  EMBER_ASSIGN_OR_RETURN(t, stage(t, {w.kernel[1], w.kernel[2]}, {w.strides[1], w.strides[2]},
                                  {w.pads[1], w.pads[2], w.pads[4], w.pads[5]}, "_hw_pooled"));
  EMBER_ASSIGN_OR_RETURN(t, reshape(t, {n, d, out[1] * out[2], c}, "_d_in"));
  EMBER_ASSIGN_OR_RETURN(t, stage(t, {w.kernel[0], 1}, {w.strides[0], 1}, {w.pads[0], 0, w.pads[3], 0}, "_d_pooled"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, FromNdhwc(ctx, ref, t, {n, out[0], out[1], out[2], c}, name));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertPool(Context& ctx, const NodeRef& ref, bool max) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const size_t rank = ctx.graph.tensor(x).shape.size();
  if (!FindAttr(ref, "kernel_shape")) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has no kernel_shape");
  EMBER_ASSIGN_OR_RETURN(Window w, ReadWindow(ctx, ref, ctx.graph.tensor(x).shape, {}));
  if (max && ref.node->output_size() > 1 && !OutputName(ref, 1).empty()) {
    EMBER_RETURN_IF_ERROR(ConvertMaxPoolIndices(ctx, ref, x, w));
  }
  if (rank == 5) return ConvertPool3d(ctx, ref, x, w, max);
  const ir::Shape in = As2dShape(ctx.graph.tensor(x).shape);
  if (w.dilations[0] != 1 || w.dilations[1] != 1) {
    if (!max || !IrOp("maximum")) return UnsupportedAttr(ctx, ref, "pooling with dilations");
    return ConvertDilatedMaxPool(ctx, ref, x, w, rank);
  }
  const bool include_pad = !max && AttrInt(ref, "count_include_pad", 0) != 0;
  if (AttrInt(ref, "ceil_mode", 0) != 0) {
    // The last, partial window: extend the end padding (padded taps are
    // skipped, as ONNX skips taps beyond the padded input).
    for (int k = 0; k < 2; ++k) {
      const size_t a = 2 + static_cast<size_t>(k);
      const int64_t ceil_out = PoolOut(in[a], w.kernel[k], w.strides[k], w.pads[k], w.pads[k + 2], true);
      if (ceil_out == PoolOut(in[a], w.kernel[k], w.strides[k], w.pads[k], w.pads[k + 2], false)) continue;
      if (include_pad) {
        return UnsupportedAttr(ctx, ref, "ceil_mode=1 with count_include_pad=1 where it changes the output size",
                               "export with ceil_mode=False or pad the input so the windows fit");
      }
      w.pads[k + 2] += (ceil_out - 1) * w.strides[k] + w.kernel[k] - (in[a] + w.pads[k] + w.pads[k + 2]);
    }
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId xt, SpatialIn(ctx, ref, x));
  const std::string out = OutputName(ref, 0);
  const bool any_pad = w.pads[0] || w.pads[1] || w.pads[2] || w.pads[3];
  if (include_pad && any_pad) {
    // Padded zeros count: pad explicitly, then pool without padding.
    ir::Attrs pa{{"pads", std::vector<int64_t>{0, 0, w.pads[0], w.pads[2], w.pads[1], w.pads[3], 0, 0}}};
    EMBER_ASSIGN_OR_RETURN(xt, AddNode(ctx, ref, OpKind::kPad, {xt}, pa, out + "_padded"));
    w.pads = {0, 0, 0, 0};
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, max ? OpKind::kMaxPool2D : OpKind::kAveragePool2D, {xt},
                                                 WindowAttrs(w, /*pool=*/true), out + "_nhwc"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, SpatialOut(ctx, ref, y, rank, out));
  BindOutput(ctx, ref, 0, Value{nullptr, yt});
  return Status::Ok();
}

Status ConvertGlobalAveragePool(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const size_t rank = ctx.graph.tensor(x).shape.size();
  if (rank < 3) return UnsupportedAttr(ctx, ref, "an input of rank " + std::to_string(rank));
  std::vector<int64_t> axes;
  for (size_t a = 2; a < rank; ++a) axes.push_back(static_cast<int64_t>(a));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kMean, {x},
                                                 {{"axes", axes}, {"keep_dims", int64_t{1}}}, OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

// fully_connected(a, weights, bias) with an optional run-time addend.
Status EmitDense(Context& ctx, const NodeRef& ref, ir::TensorId a, ir::TensorId weights, ir::TensorId bias,
                 bool keep_num_dims, ir::TensorId addend) {
  const std::string out = OutputName(ref, 0);
  ir::Attrs attrs{{"keep_num_dims", int64_t{keep_num_dims ? 1 : 0}}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kFullyConnected, {a, weights, bias}, attrs,
                                                 addend == ir::kNoTensor ? out : out + "_fc"));
  if (addend != ir::kNoTensor) {
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, OpKind::kAdd, {y, addend}, {}, out));
  }
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertGemm(Context& ctx, const NodeRef& ref) {
  const double alpha = AttrFloat(ref, "alpha", 1.0f);
  const double beta = AttrFloat(ref, "beta", 1.0f);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId a, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(Value bv, Input(ctx, ref, 1));
  const ir::Shape bs = ShapeOf(ctx, bv);
  if (ctx.graph.tensor(a).shape.size() != 2 || bs.size() != 2) return UnsupportedAttr(ctx, ref, "operands that are not 2-D");
  if (AttrInt(ref, "transA", 0) != 0) {
    EMBER_ASSIGN_OR_RETURN(a, AddNode(ctx, ref, OpKind::kTranspose, {a}, {{"perm", std::vector<int64_t>{1, 0}}},
                                      ref.node->input(0) + "_transposed"));
  }
  const bool trans_b = AttrInt(ref, "transB", 0) != 0;
  const int64_t units = trans_b ? bs[0] : bs[1];
  const int64_t rows = ctx.graph.tensor(a).shape[0];
  EMBER_ASSIGN_OR_RETURN(ir::TensorId w, Weights(ctx, ref, 1, trans_b ? std::vector<int64_t>{0, 1} : std::vector<int64_t>{1, 0}, alpha));
  ir::TensorId bias = ir::kNoTensor, addend = ir::kNoTensor;
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(Value cv, Input(ctx, ref, 2));
    const ir::Shape cs = ShapeOf(ctx, cv);
    const int64_t cn = ir::NumElements(cs);
    const bool row_vector = cs.empty() || cs.back() == units || cs.back() == 1;
    if (cv.c && cv.c->is_float() && row_vector && (cn == units || cn == 1)) {
      std::vector<double> b(static_cast<size_t>(units));
      for (int64_t k = 0; k < units; ++k) b[static_cast<size_t>(k)] = static_cast<float>(beta) * static_cast<float>(cv.c->f[cn == 1 ? 0 : static_cast<size_t>(k)]);
      EMBER_ASSIGN_OR_RETURN(bias, AddConst(ctx, ref.node->input(2), FloatConst({units}, b)));
    } else {
      if (beta != 1.0) return UnsupportedAttr(ctx, ref, "beta != 1 with a bias C that is not a per-unit constant");
      EMBER_ASSIGN_OR_RETURN(addend, RuntimeInput(ctx, ref, 2));
    }
  }
  (void)rows;
  return EmitDense(ctx, ref, a, w, bias, false, addend);
}

// MatMul with a 1-D operand, as numpy defines it: A [K] is the row [1,K],
// B [K] the column [K,1], and the axis so added is dropped from the product
// (a reshape). A constant 2-D B makes a dense layer, anything else a
// batch_matmul.
Status ConvertVectorMatMul(Context& ctx, const NodeRef& ref, ir::TensorId a, const Value& bv, bool constant_b) {
  const ir::Shape sa = ctx.graph.tensor(a).shape, sb = ShapeOf(ctx, bv);
  const std::string out = OutputName(ref, 0);
  if (sa.size() == 1) {
    EMBER_ASSIGN_OR_RETURN(a, AddNode(ctx, ref, OpKind::kReshape, {a}, {{"shape", ir::Shape{1, sa[0]}}}, out + "_row"));
  }
  ir::TensorId y = ir::kNoTensor;
  if (constant_b && sb.size() == 2) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId w, Weights(ctx, ref, 1, {1, 0}));
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, OpKind::kFullyConnected, {a, w, ir::kNoTensor},
                                      {{"keep_num_dims", int64_t{0}}}, out + "_product"));
  } else {
    const auto kind = IrOp("batch_matmul");
    if (!kind || sa.size() > 5 || sb.size() > 5) return ConvertBatchMatMul(ctx, ref);  // its refusal
    EMBER_ASSIGN_OR_RETURN(ir::TensorId b, RuntimeInput(ctx, ref, 1));
    if (sb.size() == 1) {
      EMBER_ASSIGN_OR_RETURN(b, AddNode(ctx, ref, OpKind::kReshape, {b}, {{"shape", ir::Shape{sb[0], 1}}},
                                        out + "_column"));
    }
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, *kind, {a, b}, {}, out + "_product"));
  }
  const ir::Shape ps = ctx.graph.tensor(y).shape;
  ir::Shape os;
  for (size_t k = 0; k < ps.size(); ++k) {
    if ((sa.size() == 1 && k + 2 == ps.size()) || (sb.size() == 1 && k + 1 == ps.size())) continue;
    os.push_back(ps[k]);
  }
  EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, OpKind::kReshape, {y}, {{"shape", os}}, out));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertMatMul(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId a, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(Value bv, Input(ctx, ref, 1));
  const size_t ra = ctx.graph.tensor(a).shape.size();
  const bool constant_b = bv.c || ctx.dq_consts.count(ref.node->input(1));
  if (ra == 1 || ShapeOf(ctx, bv).size() == 1) return ConvertVectorMatMul(ctx, ref, a, bv, constant_b);
  if (!constant_b || ShapeOf(ctx, bv).size() != 2 || ra < 2) return ConvertBatchMatMul(ctx, ref);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId w, Weights(ctx, ref, 1, {1, 0}));
  return EmitDense(ctx, ref, a, w, ir::kNoTensor, ra > 2, ir::kNoTensor);
}

Status ConvertBatchNorm(Context& ctx, const NodeRef& ref) {
  if (AttrInt(ref, "training_mode", 0) != 0 && ctx.opset >= 14) return BatchNormTraining(ctx, ref);
  if (AttrInt(ref, "training_mode", 0) != 0 || (ref.node->output_size() > 1 && !OutputName(ref, 1).empty())) {
    return UnsupportedAttr(ctx, ref, "training mode", "export the model in eval() mode");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape in = ctx.graph.tensor(x).shape;
  if (in.size() < 2) return UnsupportedAttr(ctx, ref, "an input of rank " + std::to_string(in.size()));
  const int64_t c = in[1];
  std::shared_ptr<const ConstTensor> p[4];
  const char* what[4] = {"scale", "B", "input_mean", "input_var"};
  for (size_t k = 0; k < 4; ++k) {
    EMBER_ASSIGN_OR_RETURN(p[k], ConstInput(ctx, ref, k + 1, what[k]));
    if (p[k]->size() != c) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, std::string(what[k]) + " has " + std::to_string(p[k]->size()) +
                                                                     " values for " + std::to_string(c) + " channels");
    }
  }
  const float eps = AttrFloat(ref, "epsilon", 1e-5f);
  std::vector<double> mul(static_cast<size_t>(c)), add(static_cast<size_t>(c));
  for (int64_t k = 0; k < c; ++k) {
    const float s = static_cast<float>(p[0]->at(k)) / std::sqrt(static_cast<float>(p[3]->at(k)) + eps);
    mul[static_cast<size_t>(k)] = s;
    add[static_cast<size_t>(k)] = static_cast<float>(p[1]->at(k)) - static_cast<float>(p[2]->at(k)) * s;
  }
  ir::Shape cshape{c};
  for (size_t k = 2; k < in.size(); ++k) cshape.push_back(1);
  const std::string out = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId m, AddConst(ctx, ref.name + "_bn_mul", FloatConst(cshape, mul)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId b, AddConst(ctx, ref.name + "_bn_add", FloatConst(cshape, add)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kMul, {x, m}, {}, out + "_scaled"));
  EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, OpKind::kAdd, {y, b}, {}, out));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertPad(Context& ctx, const NodeRef& ref) {
  // constant: pad (with constant_value); reflect and edge: mirror_pad;
  // wrap (opset 19): a gather per padded axis of the indices (j - before)
  // mod size, as numpy's wrap, which also repeats an axis shorter than its pad.
  const std::string mode = AttrString(ref, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
    return UnsupportedAttr(ctx, ref, "mode '" + mode + "'", "constant, reflect, edge and wrap padding are imported");
  }
  EMBER_ASSIGN_OR_RETURN(Value xv, Input(ctx, ref, 0));
  const size_t rank = ShapeOf(ctx, xv).size();
  EMBER_ASSIGN_OR_RETURN(auto pads_c, ConstInput(ctx, ref, 1, "pads"));
  std::vector<int64_t> axes;
  if (HasInput(ref, 3)) {
    EMBER_ASSIGN_OR_RETURN(auto ac, ConstInput(ctx, ref, 3, "axes"));
    for (int64_t k = 0; k < ac->size(); ++k) {
      EMBER_ASSIGN_OR_RETURN(int64_t a, NormAxis(ctx, ref, ac->int_at(k), rank));
      axes.push_back(a);
    }
  } else {
    for (size_t k = 0; k < rank; ++k) axes.push_back(static_cast<int64_t>(k));
  }
  if (pads_c->size() != static_cast<int64_t>(2 * axes.size())) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has " + std::to_string(pads_c->size()) + " pads for " +
                                                                   std::to_string(axes.size()) + " axes");
  }
  std::vector<int64_t> before(rank, 0), after(rank, 0);
  const size_t na = axes.size();
  bool any = false;
  for (size_t k = 0; k < na; ++k) {
    before[static_cast<size_t>(axes[k])] = pads_c->int_at(static_cast<int64_t>(k));
    after[static_cast<size_t>(axes[k])] = pads_c->int_at(static_cast<int64_t>(k + na));
  }
  for (size_t k = 0; k < rank; ++k) {
    if (before[k] < 0 || after[k] < 0) return UnsupportedAttr(ctx, ref, "negative pads (cropping)", "use Slice to crop");
    any = any || before[k] || after[k];
  }
  ir::Attrs attrs;
  if (mode != "constant") attrs["mode"] = mode;
  if (HasInput(ref, 2) && mode == "constant") {
    EMBER_ASSIGN_OR_RETURN(auto cv, ConstInput(ctx, ref, 2, "constant_value"));
    if (cv->size() > 0 && cv->at(0) != 0.0) attrs["value"] = cv->at(0);
  }
  const OpKind pad_op = mode == "constant" ? OpKind::kPad : OpKind::kMirrorPad;
  if (!any) {  // a zero Pad (exporters write one before AveragePool): nothing to do
    BindOutput(ctx, ref, 0, xv);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const std::string out = OutputName(ref, 0);
  if (mode == "wrap") {
    const ir::Shape shape = ctx.graph.tensor(x).shape;
    std::vector<size_t> padded;
    for (size_t k = 0; k < rank; ++k)
      if (before[k] || after[k]) padded.push_back(k);
    for (size_t k : padded) {
      if (before[k] > kMaxFoldedElements || after[k] > kMaxFoldedElements || shape[k] <= 0) {
        return UnsupportedAttr(ctx, ref, "wrap padding of more than " + std::to_string(kMaxFoldedElements) +
                                             " elements on an axis, or of an empty axis");
      }
      std::vector<int64_t> idx;
      for (int64_t j = -before[k]; j < shape[k] + after[k]; ++j) idx.push_back(((j % shape[k]) + shape[k]) % shape[k]);
      const std::string name = k == padded.back() ? out : out + "_wrap" + std::to_string(k);
      EMBER_ASSIGN_OR_RETURN(x, GatherConstIndices(ctx, ref, x, static_cast<int64_t>(k), idx, name));
    }
    BindOutput(ctx, ref, 0, Value{nullptr, x});
    return Status::Ok();
  }
  if (rank == 4) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId xt, ToNhwc(ctx, ref, x));
    ir::Attrs a = attrs;
    a["pads"] = std::vector<int64_t>{before[0], after[0], before[2], after[2], before[3], after[3], before[1], after[1]};
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, pad_op, {xt}, a, out + "_nhwc"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId yt, ToNchw(ctx, ref, y, out));
    BindOutput(ctx, ref, 0, Value{nullptr, yt});
    return Status::Ok();
  }
  std::vector<int64_t> p;
  for (size_t k = 0; k < rank; ++k) { p.push_back(before[k]); p.push_back(after[k]); }
  attrs["pads"] = p;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, pad_op, {x}, attrs, out));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

}  // namespace

ConstTensor PermuteConstTensor(const ConstTensor& in, const std::vector<int64_t>& perm) { return PermuteConst(in, perm); }

Status ConvertNnNode(Context& ctx, const NodeRef& ref, bool* handled) {
  const std::string& op = ref.node->op_type();
  *handled = true;
  if (op == "Conv") return ConvertConv(ctx, ref);
  if (op == "MaxPool") return ConvertPool(ctx, ref, true);
  if (op == "AveragePool") return ConvertPool(ctx, ref, false);
  if (op == "GlobalAveragePool") return ConvertGlobalAveragePool(ctx, ref);
  if (op == "Gemm") return ConvertGemm(ctx, ref);
  if (op == "MatMul") return ConvertMatMul(ctx, ref);
  if (op == "BatchNormalization") return ConvertBatchNorm(ctx, ref);
  if (op == "Pad") return ConvertPad(ctx, ref);
  *handled = false;
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
