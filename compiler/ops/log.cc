// log: elementwise the natural logarithm (libm's logf; -inf for 0, NaN for x < 0); TFLite LOG.
// float32 only, as TFLite Micro's reference kernel: out = std::log(x) on float.
// int8 is refused (TFLite Micro has no integer LOG either).
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::log(x); });
}

}  // namespace

extern const OpDef kLogDef = {ir::OpKind::kLog, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
