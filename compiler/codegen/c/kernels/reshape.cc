// reshape: C emitter placeholder until the kernel is written.
#include "codegen/c/emitter.h"

namespace ember::codegen::c {
namespace {
Expected<Kernel> Emit(const KernelContext& ctx) {
  return EmitError(ctx, "has no C kernel yet");
}
}  // namespace

extern const KernelEmitter kReshapeEmitter = {ir::OpKind::kReshape, Emit};

}  // namespace ember::codegen::c
