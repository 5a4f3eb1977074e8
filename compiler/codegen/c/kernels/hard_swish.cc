// hard_swish: C kernel for x * relu6(x + 3) / 6 elementwise
// (docs/numerics.md, "hard_swish").
//
// int8: the output depends on the 8-bit input value only, so the kernel is a
// 256-entry lookup table filled at compile time by the reference evaluator
// itself (16-bit fixed point, bit-exact by construction).
// float32: x * min(6, max(0, x + 3)) / 6, multiplying before dividing.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  if (in.dtype == ir::DType::kInt8) return EmitInt8TableKernel(ctx, {});
  Kernel k;
  k.code = FunctionHead(ctx, {});
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) {\n";
  k.code += "    const float x = " + OperandName(ctx, 0) + "[i];\n";
  k.code += "    const float t = x + 3.0f;\n";
  // std::max(0, t) is (0 < t ? t : 0); std::min(6, m) is (m < 6 ? m : 6).
  k.code += "    const float m = 0.0f < t ? t : 0.0f;\n";
  k.code += "    out0[i] = x * (m < 6.0f ? m : 6.0f) / 6.0f;\n";
  k.code += "  }\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kHardSwishEmitter = {ir::OpKind::kHardSwish, Emit};

}  // namespace ember::codegen::c
