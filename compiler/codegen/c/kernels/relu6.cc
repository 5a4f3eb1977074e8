// relu6: C emitter placeholder until the kernel is written.
#include "codegen/c/emitter.h"

namespace ember::codegen::c {
namespace {
Expected<Kernel> Emit(const KernelContext& ctx) {
  return EmitError(ctx, "has no C kernel yet");
}
}  // namespace

extern const KernelEmitter kRelu6Emitter = {ir::OpKind::kRelu6, Emit};

}  // namespace ember::codegen::c
