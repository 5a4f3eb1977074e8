// floor: C kernel for the elementwise floor (libm's floorf, exact everywhere);
// float32 only: out0[i] = floorf(x), as the reference (ops/floor.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "floorf(x)", {}); }

}  // namespace

extern const KernelEmitter kFloorEmitter = {ir::OpKind::kFloor, Emit};

}  // namespace ember::codegen::c
