// ceil: elementwise rounding toward plus infinity (TFLite CEIL, ONNX Ceil).
// float32 only: out = std::ceil(x) (exact; -0, infinities and NaN pass
// through; ceil(-0.5) = -0).
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize ->
// ceil -> quantize chain an int8 lookup_table.
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::ceil(x); });
}

}  // namespace

extern const OpDef kCeilDef = {ir::OpKind::kCeil, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
