// logical_or: elementwise x || y on bool tensors (TFLite LOGICAL_OR) with numpy
// broadcasting. Semantics in compiler/ops/logical_util.h.
#include "ops/logical_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return logical::Eval(a, [](bool x, [[maybe_unused]] bool y) { return x || y; });
}

}  // namespace

extern const OpDef kLogicalOrDef = {ir::OpKind::kLogicalOr, "bool", logical::Infer, Eval, nullptr};

}  // namespace ember::ops
