// exp: C kernel for elementwise e^x (libm's expf; host and device libraries may differ in the last bit);
// float32 only: out0[i] = expf(x), as the reference (ops/exp.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "expf(x)", {}); }

}  // namespace

extern const KernelEmitter kExpEmitter = {ir::OpKind::kExp, Emit};

}  // namespace ember::codegen::c
