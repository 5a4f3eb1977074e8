// log: C kernel for elementwise the natural logarithm (libm's logf; -inf for 0, NaN for x < 0);
// float32 only: out0[i] = logf(x), as the reference (ops/log.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "logf(x)", {}); }

}  // namespace

extern const KernelEmitter kLogEmitter = {ir::OpKind::kLog, Emit};

}  // namespace ember::codegen::c
