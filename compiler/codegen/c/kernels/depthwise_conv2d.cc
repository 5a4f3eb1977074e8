// depthwise_conv2d: C emitter. Input NHWC [N, H, W, C], filter
// [1, KH, KW, C * DM] compiled in as a const table, output channel
// oc = ic * DM + m reads input channel ic only.
//
// int8 (bit-exact with ops/depthwise_conv2d.cc): interior pixels start from
// init[oc] = bias[oc] - z_in * sum(w[oc]) (compile time; exact since int32
// sums wrap) and add w * x over the taps, which are unrolled with constant
// offsets for windows up to 5x5; border pixels skip outside taps and use the
// reference form bias + sum(w * (x - z_in)). f32 follows the reference order
// (ky, kx) from +0, then adds the bias, four channels per pass (depth
// multiplier 1). DSP and Helium targets get the
// variants of kernels/dsp/ and kernels/mve/ where they apply (depthwise_isa.h).
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/conv_int16.h"
#include "codegen/c/kernels/window_overlap.h"
#include "codegen/c/kernels/depthwise_isa.h"
#include "ops/conv_util.h"

namespace ember::codegen::c {
namespace {

struct Geom {
  int64_t batch, in_h, in_w, in_c, k_h, k_w, dm, out_h, out_w, out_c;
  ops::Window w;
};

struct Names {
  std::string filter, init, bias;  // bias: "" when absent
  AccType acc;
  int32_t zin = 0;
  bool is_float = false;
};

constexpr int64_t kMaxUnrolledTaps = 25;

// The taps of an interior pixel for channel (ic, oc), from the pixel origin `x`.
std::string InteriorTaps(const Geom& s, const Names& nm, const std::string& ic,
                         const std::string& oc) {
  const int64_t row = s.w.dilation_h * s.in_w * s.in_c, col = s.w.dilation_w * s.in_c;
  std::string b;
  if (s.k_h * s.k_w <= kMaxUnrolledTaps) {
    for (int64_t ky = 0; ky < s.k_h; ++ky) {
      for (int64_t kx = 0; kx < s.k_w; ++kx) {
        const int64_t wo = (ky * s.k_w + kx) * s.out_c, xo = ky * row + kx * col;
        const std::string wi = wo ? oc + " + " + std::to_string(wo) : oc;
        const std::string xi = xo ? ic + " + " + std::to_string(xo) : ic;
        b += "acc += " + nm.acc.From(nm.filter + "[" + wi + "] * x[" + xi + "]") + ";\n";
      }
    }
    return b;
  }
  b += "for (int ky = 0; ky < " + std::to_string(s.k_h) + "; ++ky) {\n";
  b += "  for (int kx = 0; kx < " + std::to_string(s.k_w) + "; ++kx) acc += " +
       nm.acc.From(nm.filter + "[(ky * " + std::to_string(s.k_w) + " + kx) * " +
                   std::to_string(s.out_c) + " + " + oc + "] * x[ky * " + std::to_string(row) +
                   " + kx * " + std::to_string(col) + " + " + ic + "]") +
       ";\n}\n";
  return b;
}

std::string BorderTaps(const Geom& s, const Names& nm, const std::string& ic,
                       const std::string& oc) {
  const std::string dy = s.w.dilation_h == 1 ? "ky" : "ky * " + std::to_string(s.w.dilation_h);
  const std::string dx = s.w.dilation_w == 1 ? "kx" : "kx * " + std::to_string(s.w.dilation_w);
  const std::string x = "in[((y0 + " + dy + ") * " + std::to_string(s.in_w) + " + x0 + " + dx +
                        ") * " + std::to_string(s.in_c) + " + " + ic + "]";
  std::string b = "for (int ky = kyb; ky < kye; ++ky) {\n";
  b += "  for (int kx = kxb; kx < kxe; ++kx) {\n";
  b += "    acc += " +
       nm.acc.From(nm.filter + "[(ky * " + std::to_string(s.k_w) + " + kx) * " +
                   std::to_string(s.out_c) + " + " + oc + "] * " +
                   (nm.is_float ? x : MinusZp(x, nm.zin))) +
       ";\n  }\n}\n";
  return b;
}

// An interior pixel's origin `x` in the input.
std::string PixelOrigin(const Geom& s, const Names& nm) {
  return "const " + std::string(nm.is_float ? "float" : "int8_t") + "* x = in + (y0 * " + std::to_string(s.in_w) +
         " + x0) * " + std::to_string(s.in_c) + ";\n";
}

// The loop over input channels `first`.. of one pixel (an interior pixel's
// `x` declared before it).
std::string ChannelLoop(const Geom& s, const Names& nm, const Requant* rq, bool interior, int64_t first) {
  std::string b;
  // With DM = 1 one index serves as input and output channel.
  const std::string ic = s.dm == 1 ? "c" : "ic";
  const std::string oc = s.dm == 1 ? "c" : "oc";
  b += "for (int " + ic + " = " + std::to_string(first) + "; " + ic + " < " + std::to_string(s.in_c) + "; ++" + ic +
       ") {\n";
  std::string inner;
  if (s.dm > 1) {
    b += "  for (int m = 0; m < " + std::to_string(s.dm) + "; ++m) {\n";
    inner += "const int oc = ic * " + std::to_string(s.dm) + " + m;\n";
  }
  std::string start;
  if (nm.is_float) start = "0.0f";
  else if (interior) start = nm.acc.From(nm.init + "[" + oc + "]");
  else start = nm.bias.empty() ? "0" : nm.acc.From(nm.bias + "[" + oc + "]");
  inner += (nm.is_float ? std::string("float") : nm.acc.Decl()) + " acc = " + start + ";\n";
  inner += interior ? InteriorTaps(s, nm, ic, oc) : BorderTaps(s, nm, ic, oc);
  if (nm.is_float) {
    inner += "const float v = acc + " +
             (nm.bias.empty() ? std::string("0.0f") : nm.bias + "[" + oc + "]") + ";\n" +
             FloatClamp("o[" + oc + "]", "v", s.w.act);
  } else {
    inner += rq->Store("o[" + oc + "]", nm.acc.ToInt32("acc"), oc);
  }
  b += Reindent(inner, s.dm > 1 ? 4 : 2);
  if (s.dm > 1) b += "  }\n";
  return b + "}\n";
}

std::string PixelBody(const Geom& s, const Names& nm, const Requant* rq, bool interior) {
  return (interior ? PixelOrigin(s, nm) : "") + ChannelLoop(s, nm, rq, interior, 0);
}

// One output pixel of a float32 depthwise conv with depth multiplier 1:
// channels in blocks of four (four accumulators; a border pixel's tap address
// computed once for the four), each adding its weight * input over the taps
// in the reference's (ky, kx) order from +0, so each output is the float
// PixelBody computes; then ChannelLoop for the channels beyond a multiple of
// four. A block's four outputs are written after its reads, which
// only delays writes against the channel-step access order the kernel
// declares.
std::string FloatPixelBody(const Geom& s, const Names& nm, bool interior) {
  const int64_t c4 = s.in_c - s.in_c % 4;
  const std::string cs = std::to_string(s.in_c);
  std::string b;
  if (interior) b += PixelOrigin(s, nm);
  b += "for (int c = 0; c < " + std::to_string(c4) + "; c += 4) {  /* four channels per pass */\n";
  b += "  float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;\n";
  auto four = [](const std::string& ind, const std::string& w, const std::string& x) {
    std::string t;
    for (int k = 0; k < 4; ++k) {
      const std::string kn = std::to_string(k);
      t += ind + "a" + kn + " += " + w + "[" + kn + "] * " + x + "[" + kn + "];\n";
    }
    return t;
  };
  const int64_t row = s.w.dilation_h * s.in_w * s.in_c, col = s.w.dilation_w * s.in_c;
  if (interior && s.k_h * s.k_w <= kMaxUnrolledTaps) {
    b += "  const float* xc = x + c;\n";
    b += "  const float* wc = " + nm.filter + " + c;\n";
    for (int64_t ky = 0; ky < s.k_h; ++ky) {
      for (int64_t kx = 0; kx < s.k_w; ++kx) {
        const int64_t wo = (ky * s.k_w + kx) * s.out_c, xo = ky * row + kx * col;
        b += "  {\n    const float* wr = wc + " + std::to_string(wo) + ";\n    const float* xr = xc + " +
             std::to_string(xo) + ";\n" + four("    ", "wr", "xr") + "  }\n";
      }
    }
  } else {
    const std::string dy = s.w.dilation_h == 1 ? "ky" : "ky * " + std::to_string(s.w.dilation_h);
    const std::string dx = s.w.dilation_w == 1 ? "kx" : "kx * " + std::to_string(s.w.dilation_w);
    const std::string ky0 = interior ? "0" : "kyb", ky1 = interior ? std::to_string(s.k_h) : "kye";
    const std::string kx0 = interior ? "0" : "kxb", kx1 = interior ? std::to_string(s.k_w) : "kxe";
    const std::string xr = interior ? "x + ky * " + std::to_string(row) + " + kx * " + std::to_string(col) + " + c"
                                    : "in + ((y0 + " + dy + ") * " + std::to_string(s.in_w) + " + x0 + " + dx +
                                          ") * " + cs + " + c";
    b += "  for (int ky = " + ky0 + "; ky < " + ky1 + "; ++ky) {\n";
    b += "    for (int kx = " + kx0 + "; kx < " + kx1 + "; ++kx) {\n";
    b += "      const float* xr = " + xr + ";\n";
    b += "      const float* wr = " + nm.filter + " + (ky * " + std::to_string(s.k_w) + " + kx) * " +
         std::to_string(s.out_c) + " + c;\n";
    b += four("      ", "wr", "xr") + "    }\n  }\n";
  }
  for (int k = 0; k < 4; ++k) {
    const std::string kn = std::to_string(k), c = k == 0 ? std::string("c") : "c + " + kn;
    b += Reindent("const float v" + kn + " = a" + kn + " + " +
                      (nm.bias.empty() ? std::string("0.0f") : nm.bias + "[" + c + "]") + ";\n" +
                      FloatClamp("o[" + c + "]", "v" + kn, s.w.act),
                  2);
  }
  b += "}\n";
  if (c4 < s.in_c) b += ChannelLoop(s, nm, nullptr, interior, c4);
  return b;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  if (IsInt16ConvLike(ctx)) return EmitDepthwiseConv2DInt16(ctx);  // 16x8, portable on every target
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  Geom s{in.shape[0], in.shape[1], in.shape[2], in.shape[3], f.shape[1], f.shape[2],
         f.shape[3] / in.shape[3], out.shape[1], out.shape[2], f.shape[3], {}};
  EMBER_RETURN_IF_ERROR(ops::ParseWindow(n, true, false, &s.w));
  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  if (std::optional<Kernel> k = EmitDepthwiseConv2DIsa(ctx)) {
    // One pixel at a time, its outputs written among its reads; forward, or
    // from the last pixel when the plan asks for the reversed kernel.
    const PixelLoop isa_loop{"int8_t", s.batch, s.in_c, s.out_c,
                             {s.in_h, s.k_h, s.w.stride_h, s.w.dilation_h, s.w.pad_top, s.out_h},
                             {s.in_w, s.k_w, s.w.stride_w, s.w.dilation_w, s.w.pad_left, s.out_w}};
    k->reversed = ctx.reverse_pixels;
    DeclareOverlap(&*k, PixelBlockOverlapDelta(isa_loop, 1, 1));
    DeclareOverlap(&*k, ReversedPixelBlockOverlapDelta(isa_loop, 1, 1), /*upward=*/true);
    return *std::move(k);
  }
  Names nm;
  nm.is_float = in.dtype == ir::DType::kFloat32;
  nm.filter = ctx.consts.Use(g, n.inputs[1]);
  const PixelLoop loop{nm.is_float ? "float" : "int8_t", s.batch, s.in_c, s.out_c,
                       {s.in_h, s.k_h, s.w.stride_h, s.w.dilation_h, s.w.pad_top, s.out_h},
                       {s.in_w, s.k_w, s.w.stride_w, s.w.dilation_w, s.w.pad_left, s.out_w},
                       ctx.reverse_pixels};
  std::string comment = "/* depthwise_conv2d '" + n.name + "': " + TypeString(g, n.inputs[0]) +
                        " -> " + TypeString(g, n.outputs[0]) + ", filter " +
                        std::to_string(s.k_h) + "x" + std::to_string(s.k_w);
  if (s.dm > 1) comment += ", depth multiplier " + std::to_string(s.dm);
  comment += ", stride " + std::to_string(s.w.stride_h) + "x" + std::to_string(s.w.stride_w);
  if (s.w.dilation_h > 1 || s.w.dilation_w > 1)
    comment += ", dilation " + std::to_string(s.w.dilation_h) + "x" + std::to_string(s.w.dilation_w);
  comment += ", pad " + PadString(s.w) + ", act " + ops::DescribeActivation(s.w.act) +
             (has_bias ? "" : ", no bias");
  if (loop.reverse) comment += ", pixels in reverse order (the output overlaps the input from above)";
  Requant rq;
  if (nm.is_float) {
    if (has_bias) nm.bias = ctx.consts.Use(g, n.inputs[2]);
    comment += " */\n";
  } else {
    EMBER_RETURN_IF_ERROR(rq.Init(ctx, s.out_c, ops::MultiplierFormula::kDouble));
    nm.zin = rq.params().input_zp;
    const std::vector<int8_t> w = Int8Data(g, n.inputs[1]);
    const std::vector<int32_t> bias = BiasData(g, n, s.out_c);
    std::vector<int32_t> init(static_cast<size_t>(s.out_c));
    int64_t bound = 0;
    for (int64_t c = 0; c < s.out_c; ++c) {
      int64_t sum = 0, abs_sum = 0;
      for (int64_t k = 0; k < s.k_h * s.k_w; ++k) {
        const int64_t v = w[static_cast<size_t>(k * s.out_c + c)];
        sum += v;
        abs_sum += std::abs(v);
      }
      const int32_t b = bias[static_cast<size_t>(c)];
      const int32_t ini = ops::WrapSub(b, ops::WrapMul(nm.zin, static_cast<int32_t>(sum)));
      init[static_cast<size_t>(c)] = ini;
      bound = std::max({bound, std::abs(int64_t{ini}) + 128 * abs_sum,
                        std::abs(int64_t{b}) + 255 * abs_sum});
    }
    nm.acc = ChooseAcc(bound);
    nm.init = ctx.consts.AddInt32(n.name + "_init", init);
    if (has_bias && HasBorder(loop)) nm.bias = ctx.consts.Use(g, n.inputs[2]);
    comment += "\n   " + rq.Describe() + "; init = bias - z_in * sum(w) */\n";
  }
  Kernel k;
  const bool blocked = nm.is_float && s.dm == 1 && s.in_c >= 4;
  k.code = comment + "static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n" +
           (blocked ? EmitPixelLoops(loop, FloatPixelBody(s, nm, true),
                                     HasBorder(loop) ? FloatPixelBody(s, nm, false) : "")
                    : EmitPixelLoops(loop, PixelBody(s, nm, &rq, true),
                                     HasBorder(loop) ? PixelBody(s, nm, &rq, false) : "")) +
           "}\n";
  // Forward: per pixel, each output channel is written right after reading
  // its input channel's taps, channels ascending. Reversed (pixels from the
  // last): each pixel is one block.
  const int64_t elem = nm.is_float ? 4 : 1;
  k.reversed = loop.reverse;
  PixelLoop forward = loop;
  forward.reverse = false;
  DeclareOverlap(&k, ChannelStepOverlapDelta(forward, s.dm, elem));
  DeclareOverlap(&k, ReversedPixelBlockOverlapDelta(forward, 1, elem), /*upward=*/true);
  return k;
}

}  // namespace

extern const KernelEmitter kDepthwiseConv2DEmitter = {ir::OpKind::kDepthwiseConv2D, Emit};

}  // namespace ember::codegen::c
