// arg_max: C kernel for the index of the largest element along an axis; see
// kernels/arg_minmax_emit.h.
#include "codegen/c/kernels/arg_minmax_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitArgMinMaxKernel(ctx, ">"); }

}  // namespace

extern const KernelEmitter kArgMaxEmitter = {ir::OpKind::kArgMax, Emit};

}  // namespace ember::codegen::c
