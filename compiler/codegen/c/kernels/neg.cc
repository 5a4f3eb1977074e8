// neg: C kernel for elementwise x negated (sign bit flipped; -0 for 0, NaN stays NaN);
// float32 only: out0[i] = -x, as the reference (ops/neg.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "-x", {}); }

}  // namespace

extern const KernelEmitter kNegEmitter = {ir::OpKind::kNeg, Emit};

}  // namespace ember::codegen::c
