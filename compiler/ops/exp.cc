// exp: elementwise e^x (libm's expf; host and device libraries may differ in the last bit); TFLite EXP.
// float32 only, as TFLite Micro's reference kernel: out = std::exp(x) on float.
// int8 is refused (TFLite Micro has no integer EXP either).
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::exp(x); });
}

}  // namespace

extern const OpDef kExpDef = {ir::OpKind::kExp, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
