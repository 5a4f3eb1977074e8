// less_equal: elementwise a <= b with numpy broadcasting, a bool output; f32, i32,
// i64 and i8 (each input rescaled to a common fixed point, as TFLite
// Micro). Semantics in compiler/ops/compare_util.h.
#include "ops/compare_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) { return compare::Infer(g, n, false); }

Status Eval(const EvalArgs& a) {
  return compare::Eval(a, [](auto x, auto y) { return x <= y; });
}

}  // namespace

extern const OpDef kLessEqualDef = {ir::OpKind::kLessEqual, "i8, i32, i64, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
