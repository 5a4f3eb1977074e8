// resize_linear: C kernel of ONNX Runtime's linear Resize (docs/numerics.md,
// "resize_linear"), portable C for every target.
//
// The source rows and columns and their distances are computed at compile
// time with the reference's own function (ops/resize_linear_util.h) and
// emitted as tables; the kernel forms each output in float32 in the
// reference's order, ((d2x d2y) X11 + (d1x d2y) X21) + (d2x d1y) X12 +
// (d1x d1y) X22 (generated code is C99, which does not contract a * b + c
// into a fused multiply-add). int8 with integers=1 truncates the value of
// the stored integers (plus the uint8 offset); int8 otherwise dequantizes the
// four taps and quantizes the value as ONNX Runtime's QuantizeLinear.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/op_util.h"
#include "ops/resize_linear_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = ctx.graph.tensor(n.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(n.outputs[0]);
  const std::string mode_name = n.GetString("coordinate_mode");
  const ops::linear::Mode mode = *ops::linear::ParseMode(mode_name);  // CheckNode ran Infer
  const std::vector<double> scale = n.GetReals("scale");
  const bool is_float = in.dtype == ir::DType::kFloat32;
  const bool integers = n.GetInt("integers") == 1;
  const int64_t offset = n.GetInt("value_offset");
  Kernel k;
  k.code = FunctionHead(ctx, {"coordinate_mode " + mode_name + ", scale " + ops::FormatReal(scale[0]) + " x " +
                              ops::FormatReal(scale[1]) +
                              (is_float ? "" : integers ? "; interpolates the stored integers, truncates"
                                                        : "; dequantize, interpolate, quantize")});
  const auto ih = static_cast<int32_t>(in.shape[1]), iw = static_cast<int32_t>(in.shape[2]);
  const auto oh = static_cast<int32_t>(out.shape[1]), ow = static_cast<int32_t>(out.shape[2]);
  const ops::linear::Axis ys = ops::linear::MakeAxis(ih, oh, static_cast<float>(scale[0]), mode);
  const ops::linear::Axis xs = ops::linear::MakeAxis(iw, ow, static_cast<float>(scale[1]), mode);
  const int64_t c = in.shape[3];
  const std::string y1 = ctx.consts.AddInt32("linear_y1", ScaledIndices(ys.i1, iw * c));
  const std::string y2 = ctx.consts.AddInt32("linear_y2", ScaledIndices(ys.i2, iw * c));
  const std::string x1 = ctx.consts.AddInt32("linear_x1", ScaledIndices(xs.i1, c));
  const std::string x2 = ctx.consts.AddInt32("linear_x2", ScaledIndices(xs.i2, c));
  const std::string dy1 = ctx.consts.AddFloat("linear_dy1", ys.d1);
  const std::string dy2 = ctx.consts.AddFloat("linear_dy2", ys.d2);
  const std::string dx1 = ctx.consts.AddFloat("linear_dx1", xs.d1);
  const std::string dx2 = ctx.consts.AddFloat("linear_dx2", xs.d2);
  const std::string t = CType(in.dtype);
  // How a tap X is read.
  std::string value = "(float)(X)";
  if (!is_float && integers) {
    value = "(float)((int32_t)(X) + " + CInt(offset) + ")";
  } else if (!is_float) {
    const TensorQuant qi = QuantOf(ctx.graph, n.inputs[0]);
    value = CFloat(qi.scale) + " * (float)((int32_t)(X) - " + CInt(qi.zero_point) + ")";
  }
  auto tap = [&](const std::string& p) {
    std::string v = value;
    v.replace(v.find('X'), 1, p + "[ch]");
    return "(" + v + ")";
  };
  k.code += "  /* " + y1 + "/" + y2 + "[y]: element offsets of the two source rows of output row y, " + dy1 + "/" +
            dy2 + "[y] the distances to them; " + x1 + "/" + x2 + ", " + dx1 + "/" + dx2 + " the same for columns */\n";
  k.code += "  for (int32_t b = 0; b < " + CInt(out.shape[0]) + "; ++b) {\n";
  k.code += "    for (int32_t y = 0; y < " + CInt(oh) + "; ++y) {\n";
  k.code += "      const " + t + "* r1 = " + OperandName(ctx, 0) + " + b * " + CInt(in.shape[1] * iw * c) + " + " + y1 +
            "[y];\n";
  k.code += "      const " + t + "* r2 = " + OperandName(ctx, 0) + " + b * " + CInt(in.shape[1] * iw * c) + " + " + y2 +
            "[y];\n";
  k.code += "      for (int32_t x = 0; x < " + CInt(ow) + "; ++x) {\n";
  k.code += "        const " + t + "* p11 = r1 + " + x1 + "[x];\n";
  k.code += "        const " + t + "* p21 = r1 + " + x2 + "[x];\n";
  k.code += "        const " + t + "* p12 = r2 + " + x1 + "[x];\n";
  k.code += "        const " + t + "* p22 = r2 + " + x2 + "[x];\n";
  k.code += "        const float w11 = " + dx2 + "[x] * " + dy2 + "[y], w21 = " + dx1 + "[x] * " + dy2 + "[y];\n";
  k.code += "        const float w12 = " + dx2 + "[x] * " + dy1 + "[y], w22 = " + dx1 + "[x] * " + dy1 + "[y];\n";
  k.code += "        " + std::string(is_float ? "float" : "int8_t") + "* o = out0 + ((b * " + CInt(oh) + " + y) * " +
            CInt(ow) + " + x) * " + CInt(c) + ";\n";
  k.code += "        for (int32_t ch = 0; ch < " + CInt(c) + "; ++ch) {\n";
  k.code += "          float v = w11 * " + tap("p11") + " + w21 * " + tap("p21") + ";\n";
  k.code += "          v = v + w12 * " + tap("p12") + ";\n";
  k.code += "          v = v + w22 * " + tap("p22") + ";\n";
  if (is_float) {
    k.code += "          o[ch] = v;\n";
  } else if (integers) {
    k.code += "          o[ch] = (int8_t)((int32_t)v - " + CInt(offset) + ");\n";
  } else {
    const TensorQuant qo = QuantOf(ctx.graph, n.outputs[0]);
    const std::string flo = CFloat(static_cast<float>(-128 - qo.zero_point));
    const std::string fhi = CFloat(static_cast<float>(127 - qo.zero_point));
    k.code += "          float q = v / " + CFloat(qo.scale) + ";\n";
    k.code += "          q = q >= " + flo + " ? q : " + flo + ";\n          q = q > " + fhi + " ? " + fhi + " : q;\n";
    k.code += "          o[ch] = (int8_t)(ember_round_even_small(q) + " + CInt(qo.zero_point) + ");\n";
  }
  k.code += "        }\n      }\n    }\n  }\n}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kResizeLinearEmitter = {ir::OpKind::kResizeLinear, Emit};

}  // namespace ember::codegen::c
