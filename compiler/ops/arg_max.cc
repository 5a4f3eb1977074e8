// arg_max: the index of the largest element along `axis` (TFLite ARG_MAX); f32, i8,
// i32 inputs, i32 or i64 output. Semantics in compiler/ops/arg_minmax_util.h.
#include "ops/arg_minmax_util.h"

namespace ember::ops {
namespace {

Status Eval(const EvalArgs& a) {
  return argminmax::Eval(a, [](auto candidate, auto best) { return candidate > best; });
}

}  // namespace

extern const OpDef kArgMaxDef = {ir::OpKind::kArgMax, "i8, i32, f32 -> i32, i64", argminmax::Infer, Eval, nullptr};

}  // namespace ember::ops
