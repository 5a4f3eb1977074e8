// reduce_min: C kernel for the minimum over `axes` (docs/numerics.md,
// "reduce_max"; the loops are kernels/reduce_minmax_emit.h's).
#include "codegen/c/kernels/reduce_minmax_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitReduceMinMaxKernel(ctx, false); }

}  // namespace

extern const KernelEmitter kReduceMinEmitter = {ir::OpKind::kReduceMin, Emit};

}  // namespace ember::codegen::c
