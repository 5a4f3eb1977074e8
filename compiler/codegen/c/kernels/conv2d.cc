// conv2d: C emitter. Input NHWC, filter OHWI [C_out, KH, KW, C_in/groups]
// compiled in as a const table, optional bias, output NHWC.
//
// int8 (bit-exact with ops/conv2d.cc): for a pixel whose taps are all inside
// the image, acc = init[c] + sum(w * x) with init[c] = bias[c] - z_in * sum(w[c])
// computed at compile time (exact: int32 sums wrap, so the order of terms does
// not matter). Border pixels skip the outside taps and use the reference form
// acc = bias[c] + sum(w * (x - z_in)). A 1x1 stride-1 unpadded ungrouped conv
// is a plain matrix product over pixels. f32 accumulates in the reference's
// (ky, kx, ic) order from +0, then adds the bias; four output channels share
// each input load (the matrix product: two pixels by four channels), which
// leaves every output's sum as it is.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/conv_int16.h"
#include "codegen/c/kernels/window_overlap.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "codegen/c/kernels/mve/kernels.h"
#include "codegen/c/kernels/v7m/kernels.h"
#include "ops/conv_util.h"

namespace ember::codegen::c {
namespace {

struct Geom {
  int64_t batch, in_h, in_w, in_c, k_h, k_w, f_c, out_h, out_w, out_c, groups;
  ops::Window w;
};

// Names and numbers the body generators share.
struct Names {
  std::string filter, init, bias;  // bias: a table name or "" when absent
  AccType acc;
  int32_t zin = 0;
  bool is_float = false;
};

// The statements that accumulate all taps of an interior pixel into `acc`
// for output channel `oc` (filter row `w`, pixel origin `x`).
std::string InteriorTaps(const Geom& s, const Names& nm) {
  const std::string t = nm.is_float ? "float" : "int8_t";
  const int64_t row = s.w.dilation_h * s.in_w * s.in_c;
  auto term = [&](const std::string& a, const std::string& b) {
    return "acc += " + nm.acc.From(a + " * " + b) + ";\n";
  };
  std::string b;
  std::string xg = "x";
  if (s.groups > 1) {
    b += "const " + t + "* xg = x + (oc / " + std::to_string(s.out_c / s.groups) + ") * " +
         std::to_string(s.f_c) + ";\n";
    xg = "xg";
  }
  if (s.groups == 1 && s.w.dilation_w == 1) {
    // A filter row (kx, ic) and an input row segment are both contiguous.
    const std::string n = std::to_string(s.k_w * s.f_c);
    b += "for (int ky = 0; ky < " + std::to_string(s.k_h) + "; ++ky) {\n";
    b += "  const " + t + "* xr = " + xg + " + ky * " + std::to_string(row) + ";\n";
    b += "  const " + t + "* wr = w + ky * " + n + ";\n";
    b += "  for (int j = 0; j < " + n + "; ++j) " + term("wr[j]", "xr[j]") + "}\n";
    return b;
  }
  b += "for (int ky = 0; ky < " + std::to_string(s.k_h) + "; ++ky) {\n";
  b += "  for (int kx = 0; kx < " + std::to_string(s.k_w) + "; ++kx) {\n";
  b += "    const " + t + "* xr = " + xg + " + ky * " + std::to_string(row) + " + kx * " +
       std::to_string(s.w.dilation_w * s.in_c) + ";\n";
  b += "    const " + t + "* wr = w + (ky * " + std::to_string(s.k_w) + " + kx) * " +
       std::to_string(s.f_c) + ";\n";
  b += "    for (int ic = 0; ic < " + std::to_string(s.f_c) + "; ++ic) " + term("wr[ic]", "xr[ic]");
  return b + "  }\n}\n";
}

// "k" or "k * 2".
std::string Scaled(const std::string& v, int64_t m) {
  return m == 1 ? v : v + " * " + std::to_string(m);
}

// Border pixels: only the taps in [kyb, kye) x [kxb, kxe), reference form.
std::string BorderTaps(const Geom& s, const Names& nm) {
  const std::string t = nm.is_float ? "float" : "int8_t";
  std::string group;
  if (s.groups > 1)
    group = " + (oc / " + std::to_string(s.out_c / s.groups) + ") * " + std::to_string(s.f_c);
  std::string b = "for (int ky = kyb; ky < kye; ++ky) {\n";
  b += "  for (int kx = kxb; kx < kxe; ++kx) {\n";
  b += "    const " + t + "* xr = in + ((y0 + " + Scaled("ky", s.w.dilation_h) + ") * " +
       std::to_string(s.in_w) + " + x0 + " + Scaled("kx", s.w.dilation_w) + ") * " +
       std::to_string(s.in_c) + group + ";\n";
  b += "    const " + t + "* wr = w + (ky * " + std::to_string(s.k_w) + " + kx) * " +
       std::to_string(s.f_c) + ";\n";
  const std::string x = nm.is_float ? "xr[ic]" : MinusZp("xr[ic]", nm.zin);
  b += "    for (int ic = 0; ic < " + std::to_string(s.f_c) + "; ++ic) acc += " +
       nm.acc.From("wr[ic] * " + x) + ";\n";
  return b + "  }\n}\n";
}

// An interior pixel's origin `x` in the input.
std::string PixelOrigin(const Geom& s, const Names& nm) {
  return "const " + std::string(nm.is_float ? "float" : "int8_t") + "* x = in + (y0 * " + std::to_string(s.in_w) +
         " + x0) * " + std::to_string(s.in_c) + ";\n";
}

// The loop over output channels `first`.. of one pixel around `taps`
// (an interior pixel's `x` declared before it).
std::string ChannelLoop(const Geom& s, const Names& nm, const Requant* rq, bool interior, int64_t first) {
  const int64_t kk = s.k_h * s.k_w * s.f_c;
  const std::string t = nm.is_float ? "float" : "int8_t";
  std::string b;
  b += "for (int oc = " + std::to_string(first) + "; oc < " + std::to_string(s.out_c) + "; ++oc) {\n";
  b += "  const " + t + "* w = " + nm.filter + " + oc * " + std::to_string(kk) + ";\n";
  std::string start;
  if (nm.is_float) start = "0.0f";
  else if (interior) start = nm.acc.From(nm.init + "[oc]");
  else start = nm.bias.empty() ? "0" : nm.acc.From(nm.bias + "[oc]");
  b += "  " + (nm.is_float ? std::string("float") : nm.acc.Decl()) + " acc = " + start + ";\n";
  std::string taps = interior ? InteriorTaps(s, nm) : BorderTaps(s, nm);
  std::string end;
  if (nm.is_float) {
    end = "const float v = acc + " + (nm.bias.empty() ? std::string("0.0f") : nm.bias + "[oc]") +
          ";\n" + FloatClamp("o[oc]", "v", s.w.act);
  } else {
    end = rq->Store("o[oc]", nm.acc.ToInt32("acc"), "oc");
  }
  for (const std::string* part : {&taps, &end}) {
    size_t pos = 0;
    while (pos < part->size()) {
      const size_t e = part->find('\n', pos);
      b += "  " + part->substr(pos, e - pos) + "\n";
      pos = e + 1;
    }
  }
  return b + "}\n";
}

// One output pixel: every output channel.
std::string PixelBody(const Geom& s, const Names& nm, const Requant* rq, bool interior) {
  return (interior ? PixelOrigin(s, nm) : "") + ChannelLoop(s, nm, rq, interior, 0);
}

// One output pixel of an ungrouped float32 conv: output channels in blocks
// of four sharing each input load (four accumulators, each adding its
// weight * input in the reference's (ky, kx, ic) order from +0, so each
// output is the float PixelBody computes), then ChannelLoop for the
// channels beyond a multiple of four.
std::string FloatPixelBody(const Geom& s, const Names& nm, bool interior) {
  const int64_t kk = s.k_h * s.k_w * s.f_c;
  const int64_t oc4 = s.out_c - s.out_c % 4;
  const std::string kks = std::to_string(kk), fc = std::to_string(s.f_c);
  std::string b;
  if (interior) b += PixelOrigin(s, nm);
  b += "for (int oc = 0; oc < " + std::to_string(oc4) + "; oc += 4) {  /* four output channels per pass */\n";
  b += "  const float* w0 = " + nm.filter + " + oc * " + kks + ";\n";
  b += "  const float* w1 = w0 + " + kks + ";\n";
  b += "  const float* w2 = w1 + " + kks + ";\n";
  b += "  const float* w3 = w2 + " + kks + ";\n";
  b += "  float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;\n";
  auto four = [](const std::string& ind, const std::string& x, const std::string& off) {
    std::string t = ind + "const float xv = " + x + ";\n";
    for (int k = 0; k < 4; ++k) {
      const std::string kn = std::to_string(k);
      t += ind + "a" + kn + " += w" + kn + "[" + off + "] * xv;\n";
    }
    return t;
  };
  if (interior && s.w.dilation_w == 1) {
    // A filter row (kx, ic) and an input row segment are both contiguous.
    const std::string n = std::to_string(s.k_w * s.f_c);
    b += "  for (int ky = 0; ky < " + std::to_string(s.k_h) + "; ++ky) {\n";
    b += "    const float* xr = x + ky * " + std::to_string(s.w.dilation_h * s.in_w * s.in_c) + ";\n";
    b += "    const int r = ky * " + n + ";\n";
    b += "    for (int j = 0; j < " + n + "; ++j) {\n" + four("      ", "xr[j]", "r + j") + "    }\n  }\n";
  } else {
    const std::string ky0 = interior ? "0" : "kyb", ky1 = interior ? std::to_string(s.k_h) : "kye";
    const std::string kx0 = interior ? "0" : "kxb", kx1 = interior ? std::to_string(s.k_w) : "kxe";
    const std::string xr = interior ? "x + ky * " + std::to_string(s.w.dilation_h * s.in_w * s.in_c) + " + kx * " +
                                          std::to_string(s.w.dilation_w * s.in_c)
                                    : "in + ((y0 + " + Scaled("ky", s.w.dilation_h) + ") * " + std::to_string(s.in_w) +
                                          " + x0 + " + Scaled("kx", s.w.dilation_w) + ") * " + std::to_string(s.in_c);
    b += "  for (int ky = " + ky0 + "; ky < " + ky1 + "; ++ky) {\n";
    b += "    for (int kx = " + kx0 + "; kx < " + kx1 + "; ++kx) {\n";
    b += "      const float* xr = " + xr + ";\n";
    b += "      const int r = (ky * " + std::to_string(s.k_w) + " + kx) * " + fc + ";\n";
    b += "      for (int ic = 0; ic < " + fc + "; ++ic) {\n" + four("        ", "xr[ic]", "r + ic") + "      }\n";
    b += "    }\n  }\n";
  }
  for (int k = 0; k < 4; ++k) {
    const std::string kn = std::to_string(k), oc = k == 0 ? std::string("oc") : "oc + " + kn;
    std::string end = "const float v" + kn + " = a" + kn + " + " +
                      (nm.bias.empty() ? std::string("0.0f") : nm.bias + "[" + oc + "]") + ";\n" +
                      FloatClamp("o[" + oc + "]", "v" + kn, s.w.act);
    b += Reindent(end, 2);
  }
  b += "}\n";
  if (oc4 < s.out_c) b += ChannelLoop(s, nm, nullptr, interior, oc4);
  return b;
}

// The 1x1, stride 1, unpadded, ungrouped conv: a matrix product over pixels.
bool IsPointwise(const Geom& s) {
  return s.k_h == 1 && s.k_w == 1 && s.w.stride_h == 1 && s.w.stride_w == 1 && s.groups == 1 &&
         s.w.pad_top == 0 && s.w.pad_left == 0 && s.w.pad_bottom == 0 && s.w.pad_right == 0;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  if (IsInt16ConvLike(ctx)) return EmitConv2DInt16(ctx);  // 16x8, portable on every target
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  Geom s{in.shape[0], in.shape[1], in.shape[2], in.shape[3], f.shape[1], f.shape[2], f.shape[3],
         0, 0, f.shape[0], in.shape[3] / f.shape[3], {}};
  EMBER_RETURN_IF_ERROR(ops::ParseWindow(n, true, false, &s.w));
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  s.out_h = out.shape[1];
  s.out_w = out.shape[2];
  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  const bool use_mve = ctx.target.has_mve && mve::Conv2DApplies(ctx);              // int8, VMLADAVA
  const bool use_dsp = !use_mve && ctx.target.has_dsp && dsp::Conv2DApplies(ctx);  // int8, SMLAD
  const bool use_pairs = !use_mve && !use_dsp && v7m::Conv2DApplies(ctx);          // int8, SMLAL
  if (use_mve || use_dsp || use_pairs) {
    EMBER_ASSIGN_OR_RETURN(Kernel k, use_mve ? mve::EmitConv2D(ctx)
                                     : use_dsp ? dsp::EmitConv2D(ctx)
                                               : v7m::EmitConv2D(ctx));
    // Blocks of one or two pixels (the schedule's), each gathered before its outputs are written.
    const PixelLoop block_loop{"int8_t", s.batch, s.in_c, s.out_c,
                               {s.in_h, s.k_h, s.w.stride_h, s.w.dilation_h, s.w.pad_top, s.out_h},
                               {s.in_w, s.k_w, s.w.stride_w, s.w.dilation_w, s.w.pad_left, s.out_w}};
    const int block = use_mve ? mve::Conv2DPixelBlock(ctx) : use_dsp ? dsp::Conv2DPixelBlock(ctx) : 2;
    DeclareOverlap(&k, PixelBlockOverlapDelta(block_loop, block, 1, use_dsp && dsp::Conv2DRowBlocks(ctx)));
    return k;
  }

  Names nm;
  nm.is_float = in.dtype == ir::DType::kFloat32;
  nm.filter = ctx.consts.Use(g, n.inputs[1]);
  Requant rq;
  const PixelLoop loop{nm.is_float ? "float" : "int8_t", s.batch, s.in_c, s.out_c,
                       {s.in_h, s.k_h, s.w.stride_h, s.w.dilation_h, s.w.pad_top, s.out_h},
                       {s.in_w, s.k_w, s.w.stride_w, s.w.dilation_w, s.w.pad_left, s.out_w}};
  std::string comment = "/* conv2d '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
                        TypeString(g, n.outputs[0]) + ", filter " + std::to_string(s.k_h) + "x" +
                        std::to_string(s.k_w);
  if (s.groups > 1) comment += ", groups " + std::to_string(s.groups);
  comment += ", stride " + std::to_string(s.w.stride_h) + "x" + std::to_string(s.w.stride_w);
  if (s.w.dilation_h > 1 || s.w.dilation_w > 1)
    comment += ", dilation " + std::to_string(s.w.dilation_h) + "x" + std::to_string(s.w.dilation_w);
  comment += ", pad " + PadString(s.w) + ", act " + ops::DescribeActivation(s.w.act) +
             (has_bias ? "" : ", no bias");

  if (nm.is_float) {
    nm.acc.wrap = false;
    if (has_bias) nm.bias = ctx.consts.Use(g, n.inputs[2]);
  } else {
    EMBER_RETURN_IF_ERROR(rq.Init(ctx, s.out_c, ops::MultiplierFormula::kDouble));
    nm.zin = rq.params().input_zp;
    const std::vector<int8_t> w = Int8Data(g, n.inputs[1]);
    const std::vector<int32_t> bias = BiasData(g, n, s.out_c);
    int64_t bound = 0;
    const std::vector<int32_t> init =
        FoldZeroPoints(w, bias, s.out_c, s.k_h * s.k_w * s.f_c, nm.zin, 0, true, &bound);
    nm.acc = ChooseAcc(bound);
    nm.init = ctx.consts.AddInt32(n.name + "_init", init);
    if (has_bias && HasBorder(loop) && !IsPointwise(s)) nm.bias = ctx.consts.Use(g, n.inputs[2]);
    comment += "\n   " + rq.Describe() + "; init = bias - z_in * sum(w) */\n";
  }
  if (nm.is_float) comment += " */\n";

  std::string body;
  int64_t block_pixels = 1;
  if (IsPointwise(s) && nm.is_float) {
    const std::string bias = nm.bias;
    const ops::Activation act = s.w.act;
    body = EmitFloatGemm2x4(s.batch * s.out_h * s.out_w, s.in_c, s.out_c, nm.filter,
                            [&](const std::string& acc, const std::string& row, const std::string& u) {
                              const std::string v = "v_" + acc;
                              return "const float " + v + " = " + acc + " + " +
                                     (bias.empty() ? std::string("0.0f") : bias + "[" + u + "]") + ";\n" +
                                     FloatClamp(row + "[" + u + "]", v, act);
                            });
    block_pixels = 2;
  } else if (IsPointwise(s)) {
    const Gemm gm{loop.ctype, s.batch * s.out_h * s.out_w, s.in_c, s.out_c, nm.filter, nm.init, true,
                  nm.acc.Decl(), nm.acc.wrap ? "(uint32_t)" : ""};
    body = EmitGemm(gm, [&](const std::string& acc, const std::string& u) {
      return rq.Store("o[" + u + "]", nm.acc.ToInt32(acc), u);
    });
  } else if (nm.is_float && s.groups == 1 && s.out_c >= 4) {
    body = EmitPixelLoops(loop, FloatPixelBody(s, nm, true), HasBorder(loop) ? FloatPixelBody(s, nm, false) : "");
  } else {
    body = EmitPixelLoops(loop, PixelBody(s, nm, &rq, true),
                          HasBorder(loop) ? PixelBody(s, nm, &rq, false) : "");
  }
  Kernel k;
  k.code = comment + "static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n" + body +
           "}\n";
  // Pixel by pixel (int8 matrix product: row by row; float32: blocks of two
  // rows), each output channel written after its own reads of the pixel's
  // window (the block's), before the next channel's.
  DeclareOverlap(&k, PixelBlockOverlapDelta(loop, block_pixels, nm.is_float ? 4 : 1));
  return k;
}

}  // namespace

extern const KernelEmitter kConv2DEmitter = {ir::OpKind::kConv2D, Emit};

}  // namespace ember::codegen::c
