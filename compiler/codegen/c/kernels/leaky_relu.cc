// leaky_relu: C kernel for x > 0 ? x : alpha * x elementwise
// (docs/numerics.md, "leaky_relu").
//
// int8: the output depends on the 8-bit input value only, so the kernel is a
// 256-entry lookup table filled at compile time by the reference evaluator
// (bit-exact by construction). float32: x > 0 ? x : x * alpha, alpha a
// literal.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const double alpha = ctx.node.GetReal("alpha");
  const std::vector<std::string> details = {"alpha " + Num(alpha)};
  if (in.dtype == ir::DType::kInt8) return EmitInt8TableKernel(ctx, details);
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
