// rsqrt: elementwise 1 / sqrt(x) in float32 (inf for +-0, NaN for x < 0); TFLite RSQRT.
// float32 only, as TFLite Micro's reference kernel: out = 1.0f / std::sqrt(x) on float.
// int8 is refused: TFLite Micro's int8 RSQRT (an inverse square root in
// fixed point) is not implemented yet.
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return 1.0f / std::sqrt(x); });
}

}  // namespace

extern const OpDef kRsqrtDef = {ir::OpKind::kRsqrt, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
