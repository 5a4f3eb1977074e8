// cos: C kernel for the elementwise cosine (libm's cosf); float32 only:
// out0[i] = cosf(x), as the reference (ops/cos.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "cosf(x)", {}); }

}  // namespace

extern const KernelEmitter kCosEmitter = {ir::OpKind::kCos, Emit};

}  // namespace ember::codegen::c
