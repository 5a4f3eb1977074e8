// div: elementwise a / b with numpy broadcasting and a fused activation `act`.
//
// float32 only: clamp(a / b) with the activation's float range, as TFLite's
// reference DIV (IEEE division: x / 0 is +-inf or NaN, never an error).
// TFLite's int8 DIV divides through a fixed-point reciprocal of the divisor
// with data-dependent shifts; ember does not implement it, and an int8 div
// is rejected with a diagnostic that says to keep the division in float.
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct NoInt8 {};

Expected<NoInt8> RejectInt8(const ir::Graph&, const ir::Node& n) {
  return NodeError(n, "int8 division is not supported (only f32)",
                   "keep the division in float: dequantize its inputs and quantize its output");
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferBinaryI8F32(g, n, RejectInt8);
}

Status Eval(const EvalArgs& a) {
  return EvalBinaryFloat(a, [](float x, float y) { return x / y; });
}

}  // namespace

extern const OpDef kDivDef = {ir::OpKind::kDiv, "f32", Infer, Eval, nullptr};

}  // namespace ember::ops
