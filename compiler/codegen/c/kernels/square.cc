// square: C kernel for the elementwise square; float32 only:
// out0[i] = x * x, as the reference (ops/square.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "x * x", {}); }

}  // namespace

extern const KernelEmitter kSquareEmitter = {ir::OpKind::kSquare, Emit};

}  // namespace ember::codegen::c
