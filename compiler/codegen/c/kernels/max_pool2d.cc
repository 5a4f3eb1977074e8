// max_pool2d: C emitter placeholder until the kernel is written.
#include "codegen/c/emitter.h"

namespace ember::codegen::c {
namespace {
Expected<Kernel> Emit(const KernelContext& ctx) {
  return EmitError(ctx, "has no C kernel yet");
}
}  // namespace

extern const KernelEmitter kMaxPool2DEmitter = {ir::OpKind::kMaxPool2D, Emit};

}  // namespace ember::codegen::c
