// minimum: C kernel for elementwise a < b ? a : b with numpy broadcasting
// (f32, i8 with one quantization, i16, i32, i64); see kernels/minmax_emit.h.
#include "codegen/c/kernels/minmax_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitMinMaxKernel(ctx, "<"); }

}  // namespace

extern const KernelEmitter kMinimumEmitter = {ir::OpKind::kMinimum, Emit};

}  // namespace ember::codegen::c
