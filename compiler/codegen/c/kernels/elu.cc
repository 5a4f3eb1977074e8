// elu: C kernel for elementwise x < 0 ? e^x - 1 : x (ops/elu.cc): float32
// out0[i] = x < 0 ? expm1f(x) : x; int8 the reference's 256-entry table.
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  if (ctx.graph.tensor(ctx.node.inputs[0]).dtype == ir::DType::kInt8) {
    return EmitInt8TableKernel(ctx, {"int8: TFLite Micro's float32 table of e^x - 1 (x < 0) and x"});
  }
  return EmitFloatUnaryKernel(ctx, "x < 0.0f ? expm1f(x) : x", {});
}

}  // namespace

extern const KernelEmitter kEluEmitter = {ir::OpKind::kElu, Emit};

}  // namespace ember::codegen::c
