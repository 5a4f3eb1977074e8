// tanh: C kernel for the hyperbolic tangent elementwise (docs/numerics.md,
// "tanh").
//
// int8: the output depends on the 8-bit input value only, so the kernel is a
// 256-entry lookup table filled at compile time by the reference evaluator
// itself (gemmlowp fixed point, bit-exact by construction).
// int16: ember_tanh16 per element, which interpolates TFLite's sigmoid table
// (ember/fixed_point.h), after the input rescaling.
// float32: tanhf(x), as the reference.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "codegen/c/kernels/int16_sigmoid_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  if (in.dtype == ir::DType::kInt8) return EmitInt8TableKernel(ctx, {});
  if (in.dtype == ir::DType::kInt16) return EmitInt16SigmoidKernel(ctx, /*is_tanh=*/true);
  Kernel k;
  k.code = FunctionHead(ctx, {});
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) out0[i] = tanhf(" +
            OperandName(ctx, 0) + "[i]);\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kTanhEmitter = {ir::OpKind::kTanh, Emit};

}  // namespace ember::codegen::c
