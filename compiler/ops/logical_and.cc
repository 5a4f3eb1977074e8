// logical_and: elementwise x && y on bool tensors (TFLite LOGICAL_AND) with numpy
// broadcasting. Semantics in compiler/ops/logical_util.h.
#include "ops/logical_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return logical::Eval(a, [](bool x, [[maybe_unused]] bool y) { return x && y; });
}

}  // namespace

extern const OpDef kLogicalAndDef = {ir::OpKind::kLogicalAnd, "bool", logical::Infer, Eval, nullptr};

}  // namespace ember::ops
