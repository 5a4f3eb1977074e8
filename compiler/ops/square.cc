// square: elementwise x · x (TFLite SQUARE). float32 only, as TFLite
// Micro: one rounding, and no clamping, so a square past the float32 range
// is +inf (a MUL with no activation clamps to the largest finite float).
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize ->
// square -> quantize chain an int8 lookup_table.
#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return x * x; });
}

}  // namespace

extern const OpDef kSquareDef = {ir::OpKind::kSquare, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
