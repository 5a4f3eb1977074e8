// 16x8 conv2d, depthwise_conv2d and fully_connected: C emitters (see
// conv_int16.h). The reference (ops/conv_util.h EvalConvLikeInt16 and
// fully_connected's EvalInt16) sums w * x over the in-image taps, adds the
// bias, and requantizes: with an int64 bias (or none) by Mbqm64 of the int64
// sum, with an int32 bias by Mbqm of the wrapping int32 sum; then clamps to
// the activation range (zero points are 0).
//
// The generated code sums the products in int32 when the compile-time bound
// sum(|w|) * 32768 of every channel fits (exact, then widened), else in
// uint64 / uint32 (exact modulo 2^64 / wrapping like the reference), and adds
// the bias after the taps as the reference does.
#include "codegen/c/kernels/conv_int16.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "codegen/c/kernels/conv_emit_util.h"
#include "ops/conv_util.h"

namespace ember::codegen::c {

Status Int16Requant::Init(const KernelContext& ctx, int64_t channels, ops::MultiplierFormula formula) {
  EMBER_RETURN_IF_ERROR(ops::PrepareConvRequantInt16(ctx.graph, ctx.node, channels, formula, &r_));
  std::vector<int32_t> mult, shift;
  for (const auto& q : r_.mult) {
    mult.push_back(q.multiplier);
    shift.push_back(q.shift);
    if (q.multiplier != r_.mult[0].multiplier || q.shift != r_.mult[0].shift) shared_ = false;
  }
  if (shared_) {
    mult_ = CInt(r_.mult[0].multiplier);
    shift_ = std::to_string(r_.mult[0].shift);
  } else {
    mult_ = ctx.consts.AddInt32(ctx.node.name + "_mult", mult);
    shift_ = ctx.consts.AddInt32(ctx.node.name + "_shift", shift);
  }
  const ir::Node& n = ctx.node;
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor) bias_ = ctx.consts.Use(ctx.graph, n.inputs[2]);
  return Status::Ok();
}

std::string Int16Requant::Term(const std::string& p) const {
  return narrow_ ? "sum += " + p + ";" : "sum += (" + SumType() + ")(" + p + ");";
}

std::string Int16Requant::Store(const std::string& dst, const std::string& ch) const {
  const std::string m = shared_ ? mult_ : mult_ + "[" + ch + "]";
  const std::string sh = shared_ ? shift_ : shift_ + "[" + ch + "]";
  std::string acc;
  if (r_.acc64) {
    acc = bias_.empty() ? "(int64_t)sum"
                        : "(int64_t)((uint64_t)(int64_t)sum + (uint64_t)" + bias_ + "[" + ch + "])";
  } else {
    acc = bias_.empty() ? "(int32_t)sum"
                        : "(int32_t)((uint32_t)sum + (uint32_t)" + bias_ + "[" + ch + "])";
  }
  const std::string v = std::string(r_.acc64 ? "ember_mbqm64(" : "ember_mbqm(") + acc + ", " + m + ", " + sh + ")";
  return dst + " = (int16_t)ember_clamp_i32(" + v + ", " + CInt(r_.range.min) + ", " + CInt(r_.range.max) + ");\n";
}

std::string Int16Requant::Describe() const {
  std::string s = "16x8: ";
  s += r_.acc64 ? "int64 accumulation, MBQM64" : "int32 accumulation, MBQM";
  s += shared_ ? " (multiplier " + mult_ + ", shift " + shift_ + ")" : " (per-channel multipliers)";
  s += ", clamp [" + std::to_string(r_.range.min) + ", " + std::to_string(r_.range.max) + "]";
  s += narrow_ ? "; taps summed in int32 (bounded)" : "";
  return s;
}

std::string Int16Requant::SumType() const {
  if (narrow_) return "int32_t";
  return r_.acc64 ? "uint64_t" : "uint32_t";
}

int64_t SumBound(const std::vector<int8_t>& w, int64_t rows, int32_t zw,
                 int64_t (*row_of)(int64_t index, int64_t rows, int64_t size)) {
  std::vector<int64_t> per_row(static_cast<size_t>(rows), 0);
  const int64_t size = static_cast<int64_t>(w.size());
  for (int64_t i = 0; i < size; ++i)
    per_row[static_cast<size_t>(row_of(i, rows, size))] += std::abs(int64_t{w[static_cast<size_t>(i)]} - zw);
  int64_t m = 0;
  for (int64_t v : per_row) m = std::max(m, v);
  return m * 32768;
}

int64_t LeadingRow(int64_t index, int64_t rows, int64_t size) { return index / (size / rows); }

namespace {

// Channel-last [1, KH, KW, rows] (depthwise).
int64_t TrailingRow(int64_t index, int64_t rows, int64_t /*size*/) { return index % rows; }

// The "/* op 'name': i16[...] -> i16[...], " opening of a kernel comment.
std::string Opening(const KernelContext& ctx, const char* op) {
  return "/* " + std::string(op) + " '" + ctx.node.name + "': " + TypeString(ctx.graph, ctx.node.inputs[0]) +
         " -> " + TypeString(ctx.graph, ctx.node.outputs[0]);
}

std::string WindowComment(const ops::Window& w, int64_t kh, int64_t kw) {
  std::string s = ", filter " + std::to_string(kh) + "x" + std::to_string(kw) + ", stride " +
                  std::to_string(w.stride_h) + "x" + std::to_string(w.stride_w);
  if (w.dilation_h > 1 || w.dilation_w > 1)
    s += ", dilation " + std::to_string(w.dilation_h) + "x" + std::to_string(w.dilation_w);
  return s + ", pad " + PadString(w) + ", act " + ops::DescribeActivation(w.act);
}

// "for (int ky = kyb; ky < kye; ++ky)" (border) or "= 0; ky < KH" (interior).
std::string TapLoop(const char* v, bool interior, int64_t k) {
  const std::string var = v;
  const std::string b = interior ? "0" : var + "b", e = interior ? std::to_string(k) : var + "e";
  return "for (int " + var + " = " + b + "; " + var + " < " + e + "; ++" + var + ")";
}

Kernel Finish(const std::string& comment, const KernelContext& ctx, const std::string& body) {
  Kernel k;
  k.code = comment + "static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n" + body + "}\n";
  return k;
}

// The shared frame of the windowed 16x8 kernels (conv2d, depthwise_conv2d):
// the pixel loops, and per output channel `oc` a prologue, the tap sum over
// the in-image window and the requantizing store.
struct WindowOp {
  ops::Window w;
  int64_t batch = 0, in_h = 0, in_w = 0, in_c = 0, k_h = 0, k_w = 0, out_h = 0, out_w = 0;

  // The offset of tap (ky, kx) from the pixel's input channel 0, in elements.
  std::string TapOffset() const {
    return "((y0 + " + Affine("ky", w.dilation_h, 0) + ") * " + std::to_string(in_w) + " + x0 + " +
           Affine("kx", w.dilation_w, 0) + ") * " + std::to_string(in_c);
  }

  Expected<Kernel> Emit(const KernelContext& ctx, const Int16Requant& rq, int64_t out_c, const std::string& comment,
                        const std::string& prologue, const std::string& taps) const {
    auto body = [&](bool interior) {
      std::string b = "for (int oc = 0; oc < " + std::to_string(out_c) + "; ++oc) {\n";
      b += Reindent(prologue, 2) + "  " + rq.Decl();
      b += "  " + TapLoop("ky", interior, k_h) + " {\n";
      b += "    " + TapLoop("kx", interior, k_w) + " {\n" + Reindent(taps, 6) + "    }\n  }\n";
      return b + "  " + rq.Store("o[oc]", "oc") + "}\n";
    };
    const PixelLoop loop{"int16_t", batch, in_c, out_c, {in_h, k_h, w.stride_h, w.dilation_h, w.pad_top, out_h},
                         {in_w, k_w, w.stride_w, w.dilation_w, w.pad_left, out_w}};
    return Finish(comment + "\n   " + rq.Describe() + " */\n", ctx,
                  EmitPixelLoops(loop, body(true), HasBorder(loop) ? body(false) : ""));
  }
};

Expected<WindowOp> ParseWindowOp(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& f = ctx.graph.tensor(ctx.node.inputs[1]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  WindowOp op;
  EMBER_RETURN_IF_ERROR(ops::ParseWindow(ctx.node, true, false, &op.w));
  op.batch = in.shape[0], op.in_h = in.shape[1], op.in_w = in.shape[2], op.in_c = in.shape[3];
  op.k_h = f.shape[1], op.k_w = f.shape[2], op.out_h = out.shape[1], op.out_w = out.shape[2];
  return op;
}

}  // namespace

bool IsInt16ConvLike(const KernelContext& ctx) {
  return !ctx.node.inputs.empty() && ctx.graph.tensor(ctx.node.inputs[0]).dtype == ir::DType::kInt16;
}

Expected<Kernel> EmitConv2DInt16(const KernelContext& ctx) {
  EMBER_ASSIGN_OR_RETURN(const WindowOp op, ParseWindowOp(ctx));
  const ir::Tensor& f = ctx.graph.tensor(ctx.node.inputs[1]);
  const int64_t out_c = f.shape[0], f_c = f.shape[3], groups = op.in_c / f_c;
  Int16Requant rq;
  EMBER_RETURN_IF_ERROR(rq.Init(ctx, out_c, ops::MultiplierFormula::kDouble));
  rq.SetBound(SumBound(Int8Data(ctx.graph, ctx.node.inputs[1]), out_c, 0, LeadingRow));
  const std::string filter = ctx.consts.Use(ctx.graph, ctx.node.inputs[1]);
  std::string prologue = "const int8_t* wf = " + filter + " + oc * " + std::to_string(op.k_h * op.k_w * f_c) + ";\n";
  std::string xg = "in";
  if (groups > 1) {
    prologue += "const int16_t* xg = in + (oc / " + std::to_string(out_c / groups) + ") * " + std::to_string(f_c) + ";\n";
    xg = "xg";
  }
  const std::string taps = "const int16_t* xr = " + xg + " + " + op.TapOffset() + ";\n" +
                           "const int8_t* wr = wf + (ky * " + std::to_string(op.k_w) + " + kx) * " + std::to_string(f_c) +
                           ";\nfor (int ic = 0; ic < " + std::to_string(f_c) + "; ++ic) " + rq.Term("wr[ic] * xr[ic]") + "\n";
  std::string comment = Opening(ctx, "conv2d") + WindowComment(op.w, op.k_h, op.k_w);
  if (groups > 1) comment += ", groups " + std::to_string(groups);
  return op.Emit(ctx, rq, out_c, comment, prologue, taps);
}

Expected<Kernel> EmitDepthwiseConv2DInt16(const KernelContext& ctx) {
  EMBER_ASSIGN_OR_RETURN(const WindowOp op, ParseWindowOp(ctx));
  const int64_t out_c = ctx.graph.tensor(ctx.node.inputs[1]).shape[3], dm = out_c / op.in_c;
  Int16Requant rq;
  EMBER_RETURN_IF_ERROR(rq.Init(ctx, out_c, ops::MultiplierFormula::kDouble));
  rq.SetBound(SumBound(Int8Data(ctx.graph, ctx.node.inputs[1]), out_c, 0, TrailingRow));
  const std::string filter = ctx.consts.Use(ctx.graph, ctx.node.inputs[1]);
  const std::string prologue =
      "const int16_t* xc = in + " + (dm == 1 ? std::string("oc") : "oc / " + std::to_string(dm)) + ";\n";
  const std::string taps = rq.Term(filter + "[(ky * " + std::to_string(op.k_w) + " + kx) * " + std::to_string(out_c) +
                                   " + oc] * xc[" + op.TapOffset() + "]") + "\n";
  std::string comment = Opening(ctx, "depthwise_conv2d") + WindowComment(op.w, op.k_h, op.k_w);
  if (dm > 1) comment += ", depth multiplier " + std::to_string(dm);
  return op.Emit(ctx, rq, out_c, comment, prologue, taps);
}

Expected<Kernel> EmitFullyConnectedInt16(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& wt = g.tensor(n.inputs[1]);
  const int64_t units = wt.shape[0], depth = wt.shape[1], batches = in.num_elements() / depth;
  Int16Requant rq;
  int32_t zin = 0, zw = 0;
  EMBER_RETURN_IF_ERROR(InitFcRequant(ctx, units, &rq, &zin, &zw));
  rq.SetBound(SumBound(Int8Data(g, n.inputs[1]), units, zw, LeadingRow));
  const std::string weights = ctx.consts.Use(g, n.inputs[1]);
  ops::Activation act = ops::Activation::kNone;
  EMBER_RETURN_IF_ERROR(ops::GetActivationAttr(n, &act));
  std::string b = "  for (int b = 0; b < " + std::to_string(batches) + "; ++b) {\n";
  b += "    const int16_t* x = in0 + b * " + std::to_string(depth) + ";\n";
  b += "    int16_t* o = out0 + b * " + std::to_string(units) + ";\n";
  b += "    for (int u = 0; u < " + std::to_string(units) + "; ++u) {\n";
  b += "      const int8_t* w = " + weights + " + u * " + std::to_string(depth) + ";\n";
  b += "      " + rq.Decl();
  b += "      for (int d = 0; d < " + std::to_string(depth) + "; ++d) " +
       rq.Term(zw == 0 ? "w[d] * x[d]" : "(w[d] - " + CInt(zw) + ") * x[d]") + "\n";
  b += "      " + rq.Store("o[u]", "u");
  b += "    }\n  }\n";
  const std::string comment = Opening(ctx, "fully_connected") + ", " + std::to_string(batches) + " x [" +
                              std::to_string(depth) + "] -> [" + std::to_string(units) + "], act " +
                              ops::DescribeActivation(act) + (zw ? ", z_w " + std::to_string(zw) : "") + "\n   " +
                              rq.Describe() + " */\n";
  return Finish(comment, ctx, b);
}

}  // namespace ember::codegen::c
