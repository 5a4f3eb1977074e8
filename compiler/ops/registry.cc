#include "ops/op.h"

namespace ember::ops {

#define OP(E, TFL, ONNX, IR) extern const OpDef k##E##Def;
#include "ops/ops.def"
#undef OP

namespace {
const OpDef* const kDefs[] = {
#define OP(E, TFL, ONNX, IR) &k##E##Def,
#include "ops/ops.def"
#undef OP
};
}  // namespace

const OpDef& GetOpDef(ir::OpKind kind) { return *kDefs[static_cast<int>(kind)]; }

}  // namespace ember::ops
