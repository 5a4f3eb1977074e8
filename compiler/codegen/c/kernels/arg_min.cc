// arg_min: C kernel for the index of the smallest element along an axis; see
// kernels/arg_minmax_emit.h.
#include "codegen/c/kernels/arg_minmax_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitArgMinMaxKernel(ctx, "<"); }

}  // namespace

extern const KernelEmitter kArgMinEmitter = {ir::OpKind::kArgMin, Emit};

}  // namespace ember::codegen::c
