// rsqrt: C kernel for elementwise 1 / sqrt(x): float32 out0[i] = 1.0f / sqrtf(x),
// int8 a 256-entry table computed by the reference (ops/rsqrt.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  if (ctx.graph.tensor(ctx.node.inputs[0]).dtype == ir::DType::kInt8) {
    return EmitInt8TableKernel(ctx, {"int8: TFLite Micro's fixed-point inverse square root, tabulated"});
  }
  return EmitFloatUnaryKernel(ctx, "1.0f / sqrtf(x)", {});
}

}  // namespace

extern const KernelEmitter kRsqrtEmitter = {ir::OpKind::kRsqrt, Emit};

}  // namespace ember::codegen::c
