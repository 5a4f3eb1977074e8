// The per-ISA variants of the int8 depthwise_conv2d emitter (kernels/dsp/,
// kernels/mve/, kernels/v7m/) and the pieces they share: the plan of a node (geometry,
// weights, the accumulator start values, requantization parameters) and the
// tap pointers of border pixels.
//
// The variants handle depth multiplier 1 with int8 tensors; anything else
// goes to the portable emitter (kernels/depthwise_conv2d.cc). Border pixels
// run the interior code with taps outside the image reading a row of z_in
// bytes, which adds w * (z_in - z_in) = 0 like the reference's skipped tap
// (the start value already holds -z_in * sum(w) over every tap).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/shared_kernel.h"
#include "codegen/c/schedule.h"
#include "ops/conv_util.h"

namespace ember::codegen::c {

std::optional<Kernel> EmitDepthwiseConv2DDsp(const KernelContext& ctx);
// The DSP variant's schedule space (codegen/c/schedule.h) when it applies.
std::optional<ScheduleSpace> DepthwiseConv2DDspSpace(const KernelContext& ctx);
std::optional<Kernel> EmitDepthwiseConv2DMve(const KernelContext& ctx);
// cortex-m3 (kernels/v7m/depthwise_conv2d.cc): word loads, SXTB and MLA.
std::optional<Kernel> EmitDepthwiseConv2DV7m(const KernelContext& ctx);

// The variant for ctx.target, or nullopt for the portable kernel.
inline std::optional<Kernel> EmitDepthwiseConv2DIsa(const KernelContext& ctx) {
  std::optional<Kernel> k;
  if (ctx.target.has_mve) k = EmitDepthwiseConv2DMve(ctx);
  if (!k && ctx.target.has_dsp) k = EmitDepthwiseConv2DDsp(ctx);
  if (!k && ctx.target.has_smlal) k = EmitDepthwiseConv2DV7m(ctx);
  return k;
}

struct DwPlan {
  int64_t batch, in_h, in_w, c, k_h, k_w, out_h, out_w;
  ops::Window w;
  std::vector<int8_t> filter;        // [KH * KW][C]
  std::vector<int32_t> init;         // bias - z_in * sum(w), per channel
  std::vector<int64_t> bound;        // largest |partial sum| per channel
  Requant rq;
  int32_t zin = 0;
  bool has_bias = false;
  PixelLoop loop;
  std::string comment;               // "/* depthwise_conv2d ... " without the closing "*/"

  // Makes rq.Store usable: its multiplier tables go to ctx's pool.
  bool UsePortableRequant(const KernelContext& ctx) {
    return rq.Init(ctx, c, ops::MultiplierFormula::kDouble).ok();
  }
  int64_t taps() const { return k_h * k_w; }
  int8_t wt(int64_t t, int64_t ch) const { return filter[static_cast<size_t>(t * c + ch)]; }
  // Input offset of tap t from the pixel origin, in elements.
  int64_t tap_offset(int64_t t) const {
    return ((t / k_w) * w.dilation_h * in_w + (t % k_w) * w.dilation_w) * c;
  }
};

// The plan of an int8 depthwise_conv2d with depth multiplier 1, or nullopt.
inline std::optional<DwPlan> PlanDepthwiseInt8(const KernelContext& ctx, const char* variant) {
  if (!CheckConstOperands(ctx).ok()) return std::nullopt;
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  if (in.dtype != ir::DType::kInt8 || out.dtype != ir::DType::kInt8 || f.shape[3] != in.shape[3])
    return std::nullopt;
  DwPlan p{in.shape[0], in.shape[1], in.shape[2], in.shape[3], f.shape[1], f.shape[2],
           out.shape[1], out.shape[2], {}, {}, {}, {}, {}, 0, false, {}, ""};
  if (!ops::ParseWindow(n, true, false, &p.w).ok()) return std::nullopt;
  if (p.taps() > 25) return std::nullopt;  // large windows: the portable loops
  {
    // Parameters only: the tables of the portable requantization go to the
    // kernel's pool when a variant uses it (DwPlan::UsePortableRequant).
    ConstPool scratch("unused");
    const KernelContext probe{ctx.graph, ctx.node, ctx.node_index, ctx.fn_name, scratch, ctx.target};
    if (!p.rq.Init(probe, p.c, ops::MultiplierFormula::kDouble).ok()) return std::nullopt;
  }
  p.has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  p.zin = p.rq.params().input_zp;
  p.filter = Int8Data(g, n.inputs[1]);
  const std::vector<int32_t> bias = BiasData(g, n, p.c);
  for (int64_t ch = 0; ch < p.c; ++ch) {
    int64_t sum = 0, abs_sum = 0;
    for (int64_t t = 0; t < p.taps(); ++t) {
      sum += p.wt(t, ch);
      abs_sum += std::abs(int64_t{p.wt(t, ch)});
    }
    const int32_t b = bias[static_cast<size_t>(ch)];
    const int32_t ini = ops::WrapSub(b, ops::WrapMul(p.zin, static_cast<int32_t>(sum)));
    p.init.push_back(ini);
    p.bound.push_back(std::abs(int64_t{ini}) + 128 * abs_sum);
  }
  p.loop = PixelLoop{"int8_t", p.batch, p.c, p.c,
                     {p.in_h, p.k_h, p.w.stride_h, p.w.dilation_h, p.w.pad_top, p.out_h},
                     {p.in_w, p.k_w, p.w.stride_w, p.w.dilation_w, p.w.pad_left, p.out_w},
                     ctx.reverse_pixels};
  p.comment = "/* depthwise_conv2d '" + n.name + "' (" + variant + "): " +
              TypeString(g, n.inputs[0]) + " -> " + TypeString(g, n.outputs[0]) + ", filter " +
              std::to_string(p.k_h) + "x" + std::to_string(p.k_w) + ", stride " +
              std::to_string(p.w.stride_h) + "x" + std::to_string(p.w.stride_w);
  if (p.w.dilation_h > 1 || p.w.dilation_w > 1)
    p.comment += ", dilation " + std::to_string(p.w.dilation_h) + "x" + std::to_string(p.w.dilation_w);
  p.comment += ", pad " + PadString(p.w) + ", act " + ops::DescribeActivation(p.w.act) +
               (p.has_bias ? "" : ", no bias") + "\n   " + p.rq.Describe() +
               "; init = bias - z_in * sum(w)";
  return p;
}

// The access order every variant follows, for the memory planner's
// overlapping placement (written into the kernel's comment).
inline std::string DwAccessOrderComment(int64_t group) {
  return "\n   Access order: output pixels in raster order (batch, oy, ox), one pixel at a time\n"
         "   (from the last pixel to the first when emitted reversed);\n"
         "   within a pixel, groups of " + std::to_string(group) +
         " consecutive channels in ascending order, each group's outputs\n"
         "   written after reading that group's channels (only) of the pixel's input taps.";
}

// The output columns [*xa, *xb] whose taps lie inside the image along x,
// when some output pixel has every tap inside the image; else false.
inline bool DwInteriorColumns(const DwPlan& p, int64_t* xa, int64_t* xb) {
  int64_t ya = 0, yb = 0;
  return InteriorRange(p.loop.y, &ya, &yb) && InteriorRange(p.loop.x, xa, xb);
}

// True when some output pixel has every tap inside the image.
inline bool DwHasInterior(const DwPlan& p) {
  int64_t xa = 0, xb = 0;
  return DwInteriorColumns(p, &xa, &xb);
}

// The pixel loops of a variant: `body(interior)` gives a pixel's code. When
// no pixel is interior, the border code serves every pixel (the interior
// code would address taps outside the input).
template <typename Body>
std::string DwPixelLoops(const DwPlan& p, const Body& body) {
  if (!HasBorder(p.loop)) return EmitPixelLoops(p.loop, body(true), "");
  const std::string border = body(false);
  return EmitPixelLoops(p.loop, DwHasInterior(p) ? body(true) : border, border);
}

// The same with the interior pixels of each row in one run: `run` (the
// caller has checked that some pixel is interior) for all of them or the
// first `run_pixels`, `other` for every other pixel (unused when there are
// none).
inline std::string DwRunPixelLoops(const DwPlan& p, const std::string& run, const std::string& other,
                                   int64_t run_pixels = 0) {
  return EmitPixelLoops(p.loop, "", other, &run, run_pixels);
}

// One table parameter of a shared kernel body (shared_kernel.h).
using DwTableParam = SharedParam;

// The kernel function: `body` (the pixel loops, reading in0 and writing
// out0) becomes a function with the tables as parameters, named after a
// hash of its text, and defined once per generated file under an #ifndef
// guard, so that layers with the same shape and parameters (kws: four,
// vww: five) share one copy of the code; `fn_name` calls it.
inline std::string DwSharedKernel(const std::string& fn_name, const std::string& kernel_params,
                                  const std::string& body, const std::vector<DwTableParam>& tables,
                                  const std::string& share_group) {
  return SharedKernel("ember_dw_", "depthwise_conv2d", fn_name, kernel_params, body, tables, "", share_group);
}

// Declarations of the tap bases `p0`..`p<T-1>` of a pixel. Interior: offsets
// from the pixel origin; border: taps outside the image read `zpad`.
inline std::string DwTapPointers(const DwPlan& p, bool interior, const std::string& zpad) {
  std::string s;
  if (interior) {
    s += "const int8_t* x = in + (y0 * " + std::to_string(p.in_w) + " + x0) * " +
         std::to_string(p.c) + ";\n";
  }
  for (int64_t t = 0; t < p.taps(); ++t) {
    const int64_t ky = t / p.k_w, kx = t % p.k_w;
    const std::string pt = "p" + std::to_string(t);
    if (interior) {
      s += "const int8_t* const " + pt + " = x + " + std::to_string(p.tap_offset(t)) + ";\n";
      continue;
    }
    const std::string kys = std::to_string(ky), kxs = std::to_string(kx);
    s += "const int8_t* const " + pt + " = (" + kys + " >= kyb && " + kys + " < kye && " + kxs +
         " >= kxb && " + kxs + " < kxe) ? in + ((y0 + " +
         std::to_string(ky * p.w.dilation_h) + ") * " + std::to_string(p.in_w) + " + x0 + " +
         std::to_string(kx * p.w.dilation_w) + ") * " + std::to_string(p.c) + " : " + zpad + ";\n";
  }
  return s;
}

// The clamp and store of int32 `v` (already shifted and offset by z_out) to `dst`.
inline std::string DwClampStore(const ops::ConvRequant& r, const std::string& dst,
                                const std::string& v) {
  std::string s = "{\n  int32_t v = " + v + ";\n";
  if (r.range.min > -128) s += "  v = v < " + CInt(r.range.min) + " ? " + CInt(r.range.min) + " : v;\n";
  if (r.range.max < 127) s += "  v = v > " + CInt(r.range.max) + " ? " + CInt(r.range.max) + " : v;\n";
  return s + "  " + dst + " = (int8_t)ember_dw_sat8(v);\n}\n";
}

}  // namespace ember::codegen::c
