// sign: elementwise sign (TFLite SIGN, ONNX Sign). float32 only:
// out = (0 < x) − (x < 0), as TFLite's kernel: 1, −1 or 0; both zeros and
// NaN give +0.
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize ->
// sign -> quantize chain an int8 lookup_table.
#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float {
    return static_cast<float>(static_cast<int>(0.0f < x) - static_cast<int>(x < 0.0f));
  });
}

}  // namespace

extern const OpDef kSignDef = {ir::OpKind::kSign, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
