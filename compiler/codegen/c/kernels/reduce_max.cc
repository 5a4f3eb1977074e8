// reduce_max: C kernel for the maximum over `axes` (docs/numerics.md,
// "reduce_max"; the loops are kernels/reduce_minmax_emit.h's).
#include "codegen/c/kernels/reduce_minmax_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitReduceMinMaxKernel(ctx, true); }

}  // namespace

extern const KernelEmitter kReduceMaxEmitter = {ir::OpKind::kReduceMax, Emit};

}  // namespace ember::codegen::c
