// logical_not: elementwise !x on bool tensors (TFLite LOGICAL_NOT). Semantics in compiler/ops/logical_util.h.
#include "ops/logical_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return logical::Eval(a, [](bool x, [[maybe_unused]] bool y) { return !x; });
}

}  // namespace

extern const OpDef kLogicalNotDef = {ir::OpKind::kLogicalNot, "bool", logical::Infer, Eval, nullptr};

}  // namespace ember::ops
