// atan: C kernel for the elementwise arctangent (libm's atanf); float32
// only: out0[i] = atanf(x), as the reference (ops/atan.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "atanf(x)", {}); }

}  // namespace

extern const KernelEmitter kAtanEmitter = {ir::OpKind::kAtan, Emit};

}  // namespace ember::codegen::c
