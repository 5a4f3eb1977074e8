// leaky_relu: C kernel for x > 0 ? x : alpha * x elementwise
// (docs/numerics.md, "leaky_relu").
//
// int8: the output depends on the 8-bit input value only, so the kernel is a
// 256-entry lookup table filled at compile time by the reference evaluator
// (bit-exact by construction). int16 computes the reference's arithmetic.
// float32: x > 0 ? x : x * alpha, alpha a literal.
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

// int16 (zero points 0): o = Mbqm(x, x >= 0 ? identity : alpha) clamped to
// int16, the multipliers s_in / s_out and s_in * alpha / s_out formed in
// float32 as the reference (ops/leaky_relu.cc) and emitted as literals.
Expected<Kernel> EmitInt16(const KernelContext& ctx, double alpha, std::vector<std::string> details) {
  const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
  const TensorQuant qo = QuantOf(ctx.graph, ctx.node.outputs[0]);
  const ops::QuantizedMultiplier id = ops::QuantizeMultiplier(static_cast<double>(qi.scale / qo.scale));
  const ops::QuantizedMultiplier al =
      ops::QuantizeMultiplier(static_cast<double>(qi.scale * static_cast<float>(alpha) / qo.scale));
  details.push_back("int16: identity multiplier " + std::to_string(id.multiplier) + " shift " +
                    std::to_string(id.shift) + ", alpha multiplier " + std::to_string(al.multiplier) + " shift " +
                    std::to_string(al.shift));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  Kernel k;
  k.code = FunctionHead(ctx, details);
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) {\n";
  k.code += "    const int32_t v = " + OperandName(ctx, 0) + "[i];\n";
  k.code += "    const int32_t o = v >= 0 ? ember_mbqm(v, " + CInt(id.multiplier) + ", " + std::to_string(id.shift) +
            ") : ember_mbqm(v, " + CInt(al.multiplier) + ", " + std::to_string(al.shift) + ");\n";
  k.code += "    out0[i] = (int16_t)ember_clamp_i32(o, -32768, 32767);\n  }\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const double alpha = ctx.node.GetReal("alpha");
  const std::vector<std::string> details = {"alpha " + Num(alpha)};
  if (in.dtype == ir::DType::kInt8) return EmitInt8TableKernel(ctx, details);
  if (in.dtype == ir::DType::kInt16) return EmitInt16(ctx, alpha, details);
  const std::string a = CFloat(static_cast<float>(alpha));
  Kernel k;
  k.code = FunctionHead(ctx, details);
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) {\n";
  k.code += "    const float x = " + OperandName(ctx, 0) + "[i];\n";
  k.code += "    out0[i] = x > 0.0f ? x : x * " + a + ";\n";
  k.code += "  }\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kLeakyReluEmitter = {ir::OpKind::kLeakyRelu, Emit};

}  // namespace ember::codegen::c
