// sqrt: elementwise the square root (NaN for x < 0); TFLite SQRT.
// float32 only, as TFLite Micro's reference kernel: out = std::sqrt(x) on float.
// int8 is refused (TFLite Micro has no integer SQRT either).
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::sqrt(x); });
}

}  // namespace

extern const OpDef kSqrtDef = {ir::OpKind::kSqrt, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
