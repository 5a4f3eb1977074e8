// reshape: C kernel for a new shape over the same bytes (docs/numerics.md,
// "reshape").
//
// A pure byte copy: Kernel::is_copy lets the planner alias the output with
// the input and the AOT code elide the call. The function is still correct
// when called: it copies unless the buffers coincide (memmove, so any
// overlap is safe too).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/byte_copy_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitByteCopyKernel(ctx); }

}  // namespace

extern const KernelEmitter kReshapeEmitter = {ir::OpKind::kReshape, Emit};

}  // namespace ember::codegen::c
