// cos: elementwise cosine of an angle in radians (TFLite COS, ONNX Cos).
// float32 only: out = std::cos(x) (the C library's cosf, as TFLite's
// kernel; infinities and NaN give NaN).
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize ->
// cos -> quantize chain an int8 lookup_table.
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::cos(x); });
}

}  // namespace

extern const OpDef kCosDef = {ir::OpKind::kCos, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
