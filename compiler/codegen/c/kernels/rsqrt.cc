// rsqrt: C kernel for elementwise 1 / sqrt(x) in float32 (inf for +-0, NaN for x < 0);
// float32 only: out0[i] = 1.0f / sqrtf(x), as the reference (ops/rsqrt.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "1.0f / sqrtf(x)", {}); }

}  // namespace

extern const KernelEmitter kRsqrtEmitter = {ir::OpKind::kRsqrt, Emit};

}  // namespace ember::codegen::c
