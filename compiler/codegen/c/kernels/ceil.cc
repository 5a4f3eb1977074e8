// ceil: C kernel for the elementwise ceil (libm's ceilf, exact everywhere);
// float32 only: out0[i] = ceilf(x), as the reference (ops/ceil.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "ceilf(x)", {}); }

}  // namespace

extern const KernelEmitter kCeilEmitter = {ir::OpKind::kCeil, Emit};

}  // namespace ember::codegen::c
