// minimum: elementwise a < b ? a : b with numpy broadcasting (TFLite MINIMUM);
// f32, i8 (one quantization for inputs and output, raw comparison), i16, i32, i64.
// Semantics in compiler/ops/minmax_util.h.
#include "ops/minmax_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return minmax::Eval(a, [](auto x, auto y) { return x < y ? x : y; });
}

}  // namespace

extern const OpDef kMinimumDef = {ir::OpKind::kMinimum, "i8, i16, i32, i64, f32", minmax::Infer, Eval, nullptr};

}  // namespace ember::ops
