// sin: elementwise sine of an angle in radians (TFLite SIN, ONNX Sin).
// float32 only: out = std::sin(x) (the C library's sinf, as TFLite's
// kernel; infinities and NaN give NaN).
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize ->
// sin -> quantize chain an int8 lookup_table.
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::sin(x); });
}

}  // namespace

extern const OpDef kSinDef = {ir::OpKind::kSin, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
