// abs: C kernel for elementwise |x| (docs/numerics.md, "abs").
//
// int8: the output depends on the 8-bit input value only, so the kernel is a
// 256-entry lookup table filled at compile time by the reference evaluator
// (bit-exact by construction). float32: fabsf(x).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  if (ctx.graph.tensor(ctx.node.inputs[0]).dtype == ir::DType::kInt8) return EmitInt8TableKernel(ctx, {});
  return EmitFloatUnaryKernel(ctx, "fabsf(x)", {});
}

}  // namespace

extern const KernelEmitter kAbsEmitter = {ir::OpKind::kAbs, Emit};

}  // namespace ember::codegen::c
