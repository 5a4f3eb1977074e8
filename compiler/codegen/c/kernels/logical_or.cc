// logical_or: C kernel for elementwise x || y on bool tensors (0 or 1 bytes); see
// kernels/logical_emit.h.
#include "codegen/c/kernels/logical_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitLogicalKernel(ctx, "||"); }

}  // namespace

extern const KernelEmitter kLogicalOrEmitter = {ir::OpKind::kLogicalOr, Emit};

}  // namespace ember::codegen::c
