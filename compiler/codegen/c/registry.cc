#include "codegen/c/emitter.h"

namespace ember::codegen::c {

#define OP(E, TFL, ONNX, IR) extern const KernelEmitter k##E##Emitter;
#include "ops/ops.def"
#undef OP

namespace {
const KernelEmitter* const kEmitters[] = {
#define OP(E, TFL, ONNX, IR) &k##E##Emitter,
#include "ops/ops.def"
#undef OP
};
}  // namespace

const KernelEmitter& GetEmitter(ir::OpKind kind) { return *kEmitters[static_cast<int>(kind)]; }

}  // namespace ember::codegen::c
