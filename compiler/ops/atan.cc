// atan: elementwise arctangent in radians (ONNX Atan; the base of the ONNX
// frontend's Asin and Acos). float32 only: out = std::atan(x) (the C
// library's atanf), in (−π/2, π/2); ±inf give ±π/2, NaN gives NaN.
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize ->
// atan -> quantize chain an int8 lookup_table.
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::atan(x); });
}

}  // namespace

extern const OpDef kAtanDef = {ir::OpKind::kAtan, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
