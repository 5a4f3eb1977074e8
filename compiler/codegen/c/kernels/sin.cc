// sin: C kernel for the elementwise sine (libm's sinf); float32 only:
// out0[i] = sinf(x), as the reference (ops/sin.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "sinf(x)", {}); }

}  // namespace

extern const KernelEmitter kSinEmitter = {ir::OpKind::kSin, Emit};

}  // namespace ember::codegen::c
