// logistic: C kernel for 1 / (1 + exp(-x)) elementwise (docs/numerics.md,
// "logistic").
//
// int8: the output depends on the 8-bit input value only, so the kernel is a
// 256-entry lookup table filled at compile time by the reference evaluator
// itself (gemmlowp fixed point, bit-exact by construction); 256 bytes of
// constants instead of the fixed-point code, and one load per element.
// int16: ember_logistic16 per element, which interpolates TFLite's sigmoid table
// (ember/fixed_point.h), after the input rescaling.
// float32: 1 for x > 16.619047164916992188, expf(x) for x < -9, else
// 1 / (1 + expf(-x)), as the reference.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "codegen/c/kernels/int16_sigmoid_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  if (in.dtype == ir::DType::kInt8) return EmitInt8TableKernel(ctx, {});
  if (in.dtype == ir::DType::kInt16) return EmitInt16SigmoidKernel(ctx, /*is_tanh=*/false);
  Kernel k;
  k.code = FunctionHead(ctx, {});
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) {\n";
  k.code += "    const float x = " + OperandName(ctx, 0) + "[i];\n";
  k.code += "    out0[i] = " + FloatLogisticExpr("x") + ";\n";
  k.code += "  }\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kLogisticEmitter = {ir::OpKind::kLogistic, Emit};

}  // namespace ember::codegen::c
