// div: elementwise a / b with numpy broadcasting and a fused activation `act`.
//
// float32 only: clamp(a / b) with the activation's float range, as TFLite's
// reference DIV (IEEE division: x / 0 is +-inf or NaN, never an error).
// TFLite's int8 DIV divides through a fixed-point reciprocal of the divisor
// with data-dependent shifts; ember does not implement it, and an int8 div
// is rejected with a diagnostic that says to keep the division in float.
// int32 and int64 (ONNX Div of integers, no activation): the quotient
// truncated toward zero, as C and ONNX Runtime divide; x / 0, which ONNX
// leaves undefined (ONNX Runtime's process stops), is 0, and MIN / -1 wraps
// to MIN.
#include <string>
#include <type_traits>
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
  return InferBinaryI8F32(g, n, RejectInt8, /*allow_int16=*/false, /*allow_wide_int=*/true);
}

template <typename T>
T DivTruncated(T x, T y) {
  if (y == 0) return 0;
  if (y == -1) return static_cast<T>(std::make_unsigned_t<T>{0} - static_cast<std::make_unsigned_t<T>>(x));
  return x / y;
}

Status Eval(const EvalArgs& a) {
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kInt32: EvalBroadcast<int32_t, int32_t>(a, DivTruncated<int32_t>); return Status::Ok();
    case ir::DType::kInt64: EvalBroadcast<int64_t, int64_t>(a, DivTruncated<int64_t>); return Status::Ok();
    default: return EvalBinaryFloat(a, [](float x, float y) { return x / y; });
  }
}

}  // namespace

extern const OpDef kDivDef = {ir::OpKind::kDiv, "f32, i32, i64", Infer, Eval, nullptr};

}  // namespace ember::ops
