// neg: elementwise x negated (sign bit flipped; -0 for 0, NaN stays NaN); TFLite NEG.
// float32 only, as TFLite Micro's reference kernel: out = -x on float.
// int8 is refused (TFLite Micro has no integer NEG either).
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return -x; });
}

}  // namespace

extern const OpDef kNegDef = {ir::OpKind::kNeg, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
