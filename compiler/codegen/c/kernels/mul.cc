// mul: C kernel for elementwise a * b with numpy broadcasting and a fused
// activation (docs/numerics.md, "mul").
//
// The broadcast becomes a loop nest with literal bounds and strides. int8:
// out = clamp(z_out + Mbqm((x1 - z1) * (x2 - z2), M, shift)) with (M, shift)
// from s1 * s2 / s_out (double), computed here and emitted as literals;
// int16 (zero points 0) the same. With int8_semantics "onnxruntime"
// (QLinearMul): ember_requant_f32(p, s1 * s2 / s_out, z_out, lo, hi), the
// float32 scale emitted exactly (ops/mul.cc).
// float32: min(max(a * b, lo), hi).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  ops::Activation act = ops::Activation::kNone;
  EMBER_RETURN_IF_ERROR(ops::GetActivationAttr(n, &act));
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, g.tensor(n.inputs[1]).shape}));
  const std::string x = OperandName(ctx, 0);
  const std::string y = OperandName(ctx, 1);
  std::vector<std::string> details = {"activation " + ops::DescribeActivation(act)};
  LoopBody body;
  if (a.dtype == ir::DType::kFloat32) {
    body = FloatBinaryBody(x, y, "*", act);
  } else if (a.dtype == ir::DType::kInt32 || a.dtype == ir::DType::kInt64) {
    details = {std::string(ir::DTypeName(a.dtype)) + ", wrapping modulo 2^" + (a.dtype == ir::DType::kInt64 ? "64" : "32")};
    body = WideIntBinaryBody(x, y, "*", a.dtype);
  } else {
    const TensorQuant q1 = QuantOf(g, n.inputs[0]);
    const TensorQuant q2 = QuantOf(g, n.inputs[1]);
    const TensorQuant qo = QuantOf(g, n.outputs[0]);
    const ops::QuantizedMultiplier m = ops::QuantizeMultiplier(
        static_cast<double>(q1.scale) * static_cast<double>(q2.scale) / static_cast<double>(qo.scale));
    const bool int16 = a.dtype == ir::DType::kInt16;
    const ops::Int32Range r = int16 ? ops::ActivationRangeInt16(act, qo.scale, qo.zero_point)
                                    : ops::ActivationRangeInt8(act, qo.scale, qo.zero_point);
    const std::string ctype = int16 ? "int16_t" : "int8_t";
    details.push_back("multiplier " + std::to_string(m.multiplier) + " shift " +
                      std::to_string(m.shift) + ", output range [" + std::to_string(r.min) + ", " +
                      std::to_string(r.max) + "]");
    // int8: |x - z| <= 255, int16 (z = 0): |x| <= 32768: the product fits in int32.
    const bool ort = OnnxRuntimeInt8(ctx);
    const float ort_scale = ops::OrtMulScale(q1.scale, q2.scale, qo.scale);
    if (ort) details.back() = "ONNX Runtime arithmetic, scale " + CFloat(ort_scale) + ", output range [" +
                              std::to_string(r.min) + ", " + std::to_string(r.max) + "]";
    body = [&, q1, q2, qo, m, r, ctype, ort, ort_scale](const std::vector<std::string>& i, int in) {
      const std::string product = Spaces(in) + "const int32_t p = ((int32_t)" + x + "[" + i[1] + "]" +
                                  MinusZ(q1.zero_point) + ") * ((int32_t)" + y + "[" + i[2] + "]" +
                                  MinusZ(q2.zero_point) + ");\n";
      if (ort)
        return product + Spaces(in) + "out0[" + i[0] + "] = (int8_t)ember_requant_f32(p, " + CFloat(ort_scale) +
               ", " + CInt(qo.zero_point) + ", " + CInt(r.min) + ", " + CInt(r.max) + ");\n";
      return product + Spaces(in) + "const int32_t o = ember_wrap_add(" + CInt(qo.zero_point) + ", ember_mbqm(p, " +
             CInt(m.multiplier) + ", " + std::to_string(m.shift) + "));\n" + Spaces(in) + "out0[" + i[0] +
             "] = (" + ctype + ")ember_clamp_i32(o, " + CInt(r.min) + ", " + CInt(r.max) + ");\n";
    };
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + EmitLoops(nest, 2, body) + "}\n";
  // Output element i reads in0 element i only (in0 is not broadcast).
  k.inplace_ok = !a.is_const() && a.shape == out.shape;
  // Likewise for in1 when it is not broadcast (a residual add may overwrite
  // whichever operand dies here).
  const ir::Tensor& b = g.tensor(n.inputs[1]);
  if (!b.is_const() && b.shape == out.shape && b.dtype == out.dtype) k.overlaps.push_back({1, 0});
  return k;
}

}  // namespace

extern const KernelEmitter kMulEmitter = {ir::OpKind::kMul, Emit};

}  // namespace ember::codegen::c
