// floor: elementwise rounding toward minus infinity (TFLite FLOOR, ONNX
// Floor). float32 only: out = std::floor(x) (exact; -0, infinities and NaN
// pass through).
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize ->
// floor -> quantize chain an int8 lookup_table.
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::floor(x); });
}

}  // namespace

extern const OpDef kFloorDef = {ir::OpKind::kFloor, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
