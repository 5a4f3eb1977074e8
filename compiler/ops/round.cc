// round: elementwise rounding to the nearest integer, ties to even (TFLite
// ROUND, ONNX Round). float32 only, as TFLite's reference RoundToNearest:
// f = floor(x), d = x - f; f when d < 0.5 or (d == 0.5 and f is even),
// else f + 1. So -0 stays -0, but a negative x that rounds to zero gives +0
// (-0.4 -> 0 where nearbyint gives -0; ONNX compares them equal), and NaN
// passes. (f is even exactly when fmod(f, 2) == 0; TFLite casts f to int,
// which the tie case keeps in range.)
// int8 is refused here; in a QDQ model fold-qdq makes the dequantize ->
// round -> quantize chain an int8 lookup_table.
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

float RoundToNearest(float x) {
  const float f = std::floor(x);
  const float d = x - f;
  return d < 0.5f || (d == 0.5f && std::fmod(f, 2.0f) == 0.0f) ? f : f + 1.0f;
}

Status Eval(const EvalArgs& a) { return unary::EvalF32(a, RoundToNearest); }

}  // namespace

extern const OpDef kRoundDef = {ir::OpKind::kRound, "f32", unary::InferF32, Eval, nullptr};

}  // namespace ember::ops
