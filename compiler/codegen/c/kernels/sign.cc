// sign: C kernel for the elementwise sign; float32 only:
// out0[i] = (float)((0.0f < x) - (x < 0.0f)), as the reference (ops/sign.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  return EmitFloatUnaryKernel(ctx, "(float)((0.0f < x) - (x < 0.0f))", {});
}

}  // namespace

extern const KernelEmitter kSignEmitter = {ir::OpKind::kSign, Emit};

}  // namespace ember::codegen::c
