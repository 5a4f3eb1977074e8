// hard_sigmoid: C kernel for max(0, min(1, alpha * x + beta)) elementwise
// (docs/numerics.md, "hard_sigmoid").
//
// int8: the output depends on the 8-bit input value only, so the kernel is a
// 256-entry lookup table filled at compile time by the reference evaluator
// (bit-exact by construction). float32: v = x * alpha + beta as two
// statements (a multiply, then an add), then min(max(v, 0), 1) as the reference.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const double alpha = ctx.node.GetReal("alpha", 0.2);
  const double beta = ctx.node.GetReal("beta", 0.5);
  const std::vector<std::string> details = {"alpha " + Num(alpha) + ", beta " + Num(beta)};
  if (in.dtype == ir::DType::kInt8) return EmitInt8TableKernel(ctx, details);
  Kernel k;
  k.code = FunctionHead(ctx, details);
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) {\n";
  k.code += "    const float t = " + OperandName(ctx, 0) + "[i] * " +
            CFloat(static_cast<float>(alpha)) + ";\n";
  k.code += "    float v = t + " + CFloat(static_cast<float>(beta)) + ";\n";
  k.code += FloatClamp("v", 0.0f, 1.0f, 4);
  k.code += "    out0[i] = v;\n  }\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kHardSigmoidEmitter = {ir::OpKind::kHardSigmoid, Emit};

}  // namespace ember::codegen::c
