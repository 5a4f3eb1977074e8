// resize_bilinear: C kernel interpolating each output pixel between four
// input pixels (docs/numerics.md, "resize_bilinear").
//
// The source rows and columns and their weights are computed at compile time
// with the reference's own functions (ops/resize_bilinear_util.h) and emitted
// as tables; the kernel loops over output pixels and channels. float32 keeps
// the reference's operation order (v00 (1-dy)(1-dx) + v10 dy (1-dx) + v01
// (1-dy) dx + v11 dy dx + 0.0f); int8 forms the same 2^20-scaled sum in int32
// (its magnitude stays below 2^30) and rounds half away from zero.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/resize_bilinear_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = ctx.graph.tensor(n.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(n.outputs[0]);
  const bool align = n.GetInt("align_corners") == 1;
  const bool half = n.GetInt("half_pixel_centers") == 1;
  const bool is_float = in.dtype == ir::DType::kFloat32;
  Kernel k;
  k.code = FunctionHead(ctx, {"align_corners " + std::to_string(align) + ", half_pixel_centers " +
                              std::to_string(half) + (is_float ? "; float weights" : "; weights in 1/1024")});
  if (out.num_elements() > 0) {
    const auto ih = static_cast<int32_t>(in.shape[1]), iw = static_cast<int32_t>(in.shape[2]);
    const auto oh = static_cast<int32_t>(out.shape[1]), ow = static_cast<int32_t>(out.shape[2]);
    const ops::bilinear::Axis ys = is_float ? ops::bilinear::FloatAxis(ih, oh, align, half)
                                            : ops::bilinear::IntegerAxis(ih, oh, align, half);
    const ops::bilinear::Axis xs = is_float ? ops::bilinear::FloatAxis(iw, ow, align, half)
                                            : ops::bilinear::IntegerAxis(iw, ow, align, half);
    const int64_t c = in.shape[3];
    const std::string y0 = ctx.consts.AddInt32("bilinear_y0", ScaledIndices(ys.lo, iw * c));
    const std::string y1 = ctx.consts.AddInt32("bilinear_y1", ScaledIndices(ys.hi, iw * c));
    const std::string x0 = ctx.consts.AddInt32("bilinear_x0", ScaledIndices(xs.lo, c));
    const std::string x1 = ctx.consts.AddInt32("bilinear_x1", ScaledIndices(xs.hi, c));
    const std::string wy = is_float ? ctx.consts.AddFloat("bilinear_dy", ys.d) : ctx.consts.AddInt32("bilinear_wy", ys.w);
    const std::string wx = is_float ? ctx.consts.AddFloat("bilinear_dx", xs.d) : ctx.consts.AddInt32("bilinear_wx", xs.w);
    const std::string t = CType(in.dtype), wt = is_float ? "float" : "int32_t";
    k.code += "  /* " + y0 + "/" + y1 + "[y]: element offsets of the two source rows of output row y, " + wy +
              "[y] its weight; " + x0 + "/" + x1 + ", " + wx + " the same for columns */\n";
    k.code += "  for (int32_t b = 0; b < " + CInt(out.shape[0]) + "; ++b) {\n";
    k.code += "    for (int32_t y = 0; y < " + CInt(oh) + "; ++y) {\n";
    k.code += "      const " + t + "* r0 = " + OperandName(ctx, 0) + " + b * " + CInt(in.shape[1] * iw * c) + " + " +
              y0 + "[y];\n";
    k.code += "      const " + t + "* r1 = " + OperandName(ctx, 0) + " + b * " + CInt(in.shape[1] * iw * c) + " + " +
              y1 + "[y];\n";
    k.code += "      const " + wt + " dy = " + wy + "[y];\n";
    k.code += "      for (int32_t x = 0; x < " + CInt(ow) + "; ++x) {\n";
    k.code += "        const " + t + "* p00 = r0 + " + x0 + "[x];\n";
    k.code += "        const " + t + "* p01 = r0 + " + x1 + "[x];\n";
    k.code += "        const " + t + "* p10 = r1 + " + x0 + "[x];\n";
    k.code += "        const " + t + "* p11 = r1 + " + x1 + "[x];\n";
    k.code += "        " + t + "* o = out0 + ((b * " + CInt(oh) + " + y) * " + CInt(ow) + " + x) * " + CInt(c) + ";\n";
    k.code += "        const " + wt + " dx = " + wx + "[x];\n";
    if (is_float) {
      k.code += "        const float ody = 1.0f - dy, odx = 1.0f - dx;\n";
      k.code += "        for (int32_t ch = 0; ch < " + CInt(c) + "; ++ch) {\n";
      k.code += "          o[ch] = p00[ch] * ody * odx + p10[ch] * dy * odx + p01[ch] * ody * dx + p11[ch] * dy * dx + 0.0f;\n";
    } else {
      k.code += "        const int32_t w00 = (1024 - dy) * (1024 - dx), w10 = dy * (1024 - dx);\n";
      k.code += "        const int32_t w01 = (1024 - dy) * dx, w11 = dy * dx;\n";
      k.code += "        for (int32_t ch = 0; ch < " + CInt(c) + "; ++ch) {\n";
      k.code += "          const int32_t s = p00[ch] * w00 + p10[ch] * w10 + p01[ch] * w01 + p11[ch] * w11;\n";
      k.code += "          o[ch] = (int8_t)((s + (s > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));\n";
    }
    k.code += "        }\n      }\n    }\n  }\n";
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kResizeBilinearEmitter = {ir::OpKind::kResizeBilinear, Emit};

}  // namespace ember::codegen::c
