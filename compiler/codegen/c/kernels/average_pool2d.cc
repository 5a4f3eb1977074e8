// average_pool2d: C emitter. NHWC window average over the in-image taps only.
//
// Bit-exact with ops/average_pool2d.cc: int8 sums the raw values in int32 and
// divides by the tap count n rounding half away from zero,
// acc > 0 ? (acc + n/2) / n : (acc - n/2) / n (C division truncates), then
// clamps to the fused activation range; f32 sums in window order (rows, then
// columns) and divides by (float)n. Interior pixels divide by a constant.
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/window_overlap.h"
#include "ops/conv_util.h"

namespace ember::codegen::c {
namespace {

// One output pixel over the taps [yb, ye) x [xb, xe); `count` is the tap
// count (a literal for interior pixels).
std::string Body(const ops::PoolGeom& s, bool is_float, ops::Int32Range range, ops::Activation act,
                 const std::string& yb, const std::string& ye, const std::string& xb,
                 const std::string& xe, const std::string& count) {
  const std::string ch = std::to_string(s.channels);
  std::string b = "for (int c = 0; c < " + ch + "; ++c) {\n";
  b += is_float ? "  float acc = 0.0f;\n" : "  int32_t acc = 0;\n";
  b += "  for (int ky = " + yb + "; ky < " + ye + "; ++ky) {\n";
  b += "    for (int kx = " + xb + "; kx < " + xe + "; ++kx) acc += in[((y0 + ky) * " +
       std::to_string(s.in_w) + " + x0 + kx) * " + ch + " + c];\n  }\n";
  if (is_float) {
    const std::string div = count[0] == '(' ? "(float)" + count : CFloat(std::stof(count));
    b += "  const float v = acc / " + div + ";\n" + Reindent(FloatClamp("o[c]", "v", act), 2);
  } else {
    const std::string lo = std::to_string(range.min), hi = std::to_string(range.max);
    const std::string half = count[0] == '(' ? count + " / 2" : std::to_string(std::stoll(count) / 2);
    b += "  acc = acc > 0 ? (acc + " + half + ") / " + count + " : (acc - " + half + ") / " + count +
         ";\n";
    b += "  acc = acc < " + lo + " ? " + lo + " : acc;\n";
    b += "  o[c] = (int8_t)(acc > " + hi + " ? " + hi + " : acc);\n";
  }
  return b + "}\n";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  ops::Window w;
  ops::PoolGeom s{};
  ops::Int32Range range{};
  EMBER_RETURN_IF_ERROR(ops::ParsePool(g, n, &w, &s, &range));
  if (w.filter_h * w.filter_w >= (int64_t{1} << 24)) {
    return EmitError(ctx, "window " + std::to_string(w.filter_h) + "x" + std::to_string(w.filter_w) +
                              " has 2^24 taps or more, too many for an int32 sum",
                     "use a smaller pooling window");
  }
  const bool is_float = g.tensor(n.inputs[0]).dtype == ir::DType::kFloat32;
  const PixelLoop loop{is_float ? "float" : "int8_t", s.batch, s.channels, s.channels,
                       {s.in_h, w.filter_h, w.stride_h, 1, w.pad_top, s.out_h},
                       {s.in_w, w.filter_w, w.stride_w, 1, w.pad_left, s.out_w}};
  std::string comment = "/* average_pool2d '" + n.name + "': " + TypeString(g, n.inputs[0]) +
                        " -> " + TypeString(g, n.outputs[0]) + ", filter " +
                        std::to_string(w.filter_h) + "x" + std::to_string(w.filter_w) +
                        ", stride " + std::to_string(w.stride_h) + "x" +
                        std::to_string(w.stride_w) + ", pad " + PadString(w) + ", act " +
                        ops::ActivationName(w.act);
  if (!is_float)
    comment += "\n   int8: same quantization in and out, rounding half away from zero, clamp [" +
               std::to_string(range.min) + ", " + std::to_string(range.max) + "]";
  comment += " */\n";
  const std::string kh = std::to_string(w.filter_h), kw = std::to_string(w.filter_w);
  const std::string interior =
      Body(s, is_float, range, w.act, "0", kh, "0", kw, std::to_string(w.filter_h * w.filter_w));
  const std::string border =
      HasBorder(loop) ? Body(s, is_float, range, w.act, "kyb", "kye", "kxb", "kxe",
                             "((kye - kyb) * (kxe - kxb))")
                      : "";
  Kernel k;
  k.code = comment + "static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n" +
           EmitPixelLoops(loop, interior, border) + "}\n";
  // Per pixel, each channel is written right after summing its taps.
  DeclareOverlap(&k, ChannelStepOverlapDelta(loop, 1, is_float ? 4 : 1));
  return k;
}

}  // namespace

extern const KernelEmitter kAveragePool2DEmitter = {ir::OpKind::kAveragePool2D, Emit};

}  // namespace ember::codegen::c
