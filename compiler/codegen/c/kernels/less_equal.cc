// less_equal: C kernel for elementwise a <= b with numpy broadcasting into a bool
// output; see kernels/compare_emit.h.
#include "codegen/c/kernels/compare_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitCompareKernel(ctx, "<="); }

}  // namespace

extern const KernelEmitter kLessEqualEmitter = {ir::OpKind::kLessEqual, Emit};

}  // namespace ember::codegen::c
