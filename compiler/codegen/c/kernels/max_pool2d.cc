// max_pool2d: C emitter. NHWC window maximum, padded taps skipped.
//
// Bit-exact with ops/max_pool2d.cc: each output channel starts at -128 (int16:
// -32768, f32: the lowest finite float), takes m = m < x ? x : m over the in-image taps in
// window order, then min(max(m, lo), hi) with the fused activation range. The
// running maximum lives in the output pixel itself so that the inner loops run
// over contiguous channels.
#include <limits>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/window_overlap.h"
#include "ops/conv_util.h"

namespace ember::codegen::c {
namespace {

// One output pixel over the taps [yb, ye) x [xb, xe) (C expressions).
std::string Body(const ops::PoolGeom& s, ir::DType dtype, ops::Int32Range range, ops::Activation act,
                 const std::string& yb, const std::string& ye, const std::string& xb,
                 const std::string& xe) {
  const bool is_float = dtype == ir::DType::kFloat32, int16 = dtype == ir::DType::kInt16;
  const std::string t = CType(dtype), ch = std::to_string(s.channels);
  const std::string lowest = is_float ? CFloat(std::numeric_limits<float>::lowest()) : int16 ? "-32768" : "-128";
  const int32_t type_min = int16 ? -32768 : -128, type_max = int16 ? 32767 : 127;
  std::string b = "for (int c = 0; c < " + ch + "; ++c) o[c] = " + lowest + ";\n";
  b += "for (int ky = " + yb + "; ky < " + ye + "; ++ky) {\n";
  b += "  for (int kx = " + xb + "; kx < " + xe + "; ++kx) {\n";
  b += "    const " + t + "* x = in + ((y0 + ky) * " + std::to_string(s.in_w) + " + x0 + kx) * " +
       ch + ";\n";
  b += "    for (int c = 0; c < " + ch + "; ++c) if (o[c] < x[c]) o[c] = x[c];\n  }\n}\n";
  if (is_float) {
    b += "for (int c = 0; c < " + ch + "; ++c) {\n  const float v = o[c];\n" +
         Reindent(FloatClamp("o[c]", "v", act), 2) + "}\n";
  } else if (range.min > type_min || range.max < type_max) {
    const std::string lo = std::to_string(range.min), hi = std::to_string(range.max);
    b += "for (int c = 0; c < " + ch + "; ++c) {\n  int v = o[c];\n  v = v < " + lo + " ? " + lo +
         " : v;\n  o[c] = (" + t + ")(v > " + hi + " ? " + hi + " : v);\n}\n";
  }
  return b;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  ops::Window w;
  ops::PoolGeom s{};
  ops::Int32Range range{};
  EMBER_RETURN_IF_ERROR(ops::ParsePool(g, n, &w, &s, &range));
  const ir::DType dtype = g.tensor(n.inputs[0]).dtype;
  const bool is_float = dtype == ir::DType::kFloat32;
  const PixelLoop loop{CType(dtype), s.batch, s.channels, s.channels,
                       {s.in_h, w.filter_h, w.stride_h, 1, w.pad_top, s.out_h},
                       {s.in_w, w.filter_w, w.stride_w, 1, w.pad_left, s.out_w}};
  std::string comment = "/* max_pool2d '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
                        TypeString(g, n.outputs[0]) + ", filter " + std::to_string(w.filter_h) +
                        "x" + std::to_string(w.filter_w) + ", stride " +
                        std::to_string(w.stride_h) + "x" + std::to_string(w.stride_w) + ", pad " +
                        PadString(w) + ", act " + ops::DescribeActivation(w.act);
  if (!is_float)
    comment += "\n   " + std::string(dtype == ir::DType::kInt16 ? "int16" : "int8") + ": same quantization in and out, clamp [" + std::to_string(range.min) +
               ", " + std::to_string(range.max) + "]";
  comment += " */\n";
  const std::string kh = std::to_string(w.filter_h), kw = std::to_string(w.filter_w);
  Kernel k;
  k.code = comment + "static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n" +
           EmitPixelLoops(loop, Body(s, dtype, range, w.act, "0", kh, "0", kw),
                          HasBorder(loop)
                              ? Body(s, dtype, range, w.act, "kyb", "kye", "kxb", "kxe")
                              : "") +
           "}\n";
  // The running maximum lives in the output pixel: it is written before the
  // pixel's taps are read, so the whole pixel is one block.
  DeclareOverlap(&k, PixelBlockOverlapDelta(loop, 1, static_cast<int64_t>(ir::DTypeSize(dtype))));
  return k;
}

}  // namespace

extern const KernelEmitter kMaxPool2DEmitter = {ir::OpKind::kMaxPool2D, Emit};

}  // namespace ember::codegen::c
