// erf: elementwise error function (libm's erff; host and device libraries
// may differ in the last bit); ONNX Erf, which PyTorch writes for GELU.
// float32 only: out = std::erf(x) on float (erf(+-inf) = +-1, NaN passes).
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize -> erf
// -> quantize chain an int8 lookup_table.
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return unary::EvalF32(a, [](float x) -> float { return std::erf(x); });
}

}  // namespace

extern const OpDef kErfDef = {ir::OpKind::kErf, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
