// pow: elementwise a^b with numpy broadcasting (TFLite POW, ONNX Pow).
//
// float32: std::pow(a, b) on float (libm's powf; host and device libraries
// may differ in the last bit), with C's special values (pow(x, 0) = 1,
// pow(1, y) = 1, a negative base to a non-integer power is NaN).
// int32: the exact power reduced modulo 2^32 (wrapping, as repeated int32
// multiplication on the device); a negative exponent gives the power's
// reciprocal truncated toward zero: 1 for a base of 1, +-1 for -1 (the sign
// of (-1)^b), 0 for every other base, 0 included (where float would give
// infinity). int64 the same modulo 2^64. TFLite's int32 POW stops with an error on a negative exponent;
// ember's generated code cannot stop, so it defines the value.
// int8 is refused: in a QDQ model fold-qdq makes dequantize -> pow with a
// constant scalar exponent -> quantize an int8 lookup_table.
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  EMBER_ASSIGN_OR_RETURN(const ir::Shape shape, SameTypeBroadcastShape(g, n));
  if (a.dtype != ir::DType::kFloat32 && a.dtype != ir::DType::kInt32 && a.dtype != ir::DType::kInt64) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(a.dtype) + " is not supported; supported: i32, i64, f32",
                     "ember runs pow in float32 (or int32): dequantize its inputs and quantize its output");
  }
  return std::vector<TensorType>{{a.dtype, shape}};
}

// base^exponent in int32 or int64 as defined above (exponentiation by
// squaring in the unsigned type, so the wrap-around is defined).
template <typename T>
T PowInt(T base, T exponent) {
  using U = std::make_unsigned_t<T>;
  if (exponent < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exponent & 1) ? -1 : 1;
    return 0;
  }
  U result = 1, b = static_cast<U>(base);
  for (U e = static_cast<U>(exponent); e != 0; e >>= 1) {
    if (e & 1u) result *= b;
    b *= b;
  }
  return static_cast<T>(result);
}

Status Eval(const EvalArgs& a) {
  if (a.in_tensor(0).dtype == ir::DType::kInt32) {
    EvalBroadcast<int32_t, int32_t>(a, PowInt<int32_t>);
  } else if (a.in_tensor(0).dtype == ir::DType::kInt64) {
    EvalBroadcast<int64_t, int64_t>(a, PowInt<int64_t>);
  } else {
    EvalBroadcast<float, float>(a, [](float x, float y) -> float { return std::pow(x, y); });
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kPowDef = {ir::OpKind::kPow, "i32, i64, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
