// sqrt: C kernel for elementwise the square root (NaN for x < 0);
// float32 only: out0[i] = sqrtf(x), as the reference (ops/sqrt.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "sqrtf(x)", {}); }

}  // namespace

extern const KernelEmitter kSqrtEmitter = {ir::OpKind::kSqrt, Emit};

}  // namespace ember::codegen::c
