// mod: elementwise remainder with numpy broadcasting (TFLite FLOOR_MOD, ONNX
// Mod). Attribute `fmod` (0 or 1, default 0):
//   fmod = 0: the remainder takes the sign of the divisor (floor modulo), as
//     TFLite's FloorMod computes it: t = a rem b (truncated, C's % or fmodf),
//     then t + b when t != 0 and t and b differ in sign. ONNX Mod with
//     fmod = 0 (integers) is the same (numpy's mod).
//   fmod = 1: the truncated remainder, sign of the dividend (C's % and
//     fmodf, ONNX Mod with fmod = 1).
// float32: fmodf is exact (IEEE 754), so host and device agree bit for bit;
// a zero divisor gives NaN, as fmodf does. int32 and int64: a zero divisor
// gives 0, and so does -1 (its remainder is always 0; C's INT_MIN % -1 would
// trap): TFLite stops with an error on a zero divisor and ONNX leaves it
// undefined; ember's generated code cannot stop, so it defines the value.
// int8 is refused: TFLite Micro has no quantized FLOOR_MOD.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  int64_t fmod = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "fmod", 0, 1, false, 0, &fmod));
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  EMBER_ASSIGN_OR_RETURN(const ir::Shape shape, SameTypeBroadcastShape(g, n));
  if (a.dtype != ir::DType::kFloat32 && a.dtype != ir::DType::kInt32 && a.dtype != ir::DType::kInt64 &&
      a.dtype != ir::DType::kInt16) {
    return NodeError(n,
                     std::string("input type ") + ir::DTypeName(a.dtype) +
                         " is not supported; supported: f32, i16, i32, i64",
                     "ember computes mod in float32, int16, int32 or int64: dequantize its inputs and quantize its output");
  }
  return std::vector<TensorType>{{a.dtype, shape}};
}

template <typename T>
T IntMod(T a, T b, bool floor) {
  if (b == 0 || b == -1) return 0;
  const T t = static_cast<T>(a % b);
  return floor && t != 0 && ((b < 0) != (t < 0)) ? static_cast<T>(t + b) : t;
}

float FloatMod(float a, float b, bool floor) {
  const float t = std::fmod(a, b);
  return floor && t != 0.0f && ((b < 0.0f) != (t < 0.0f)) ? t + b : t;
}

Status Eval(const EvalArgs& a) {
  const bool floor = a.node.GetInt("fmod", 0) == 0;
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kInt32:
      EvalBroadcast<int32_t, int32_t>(a, [&](int32_t x, int32_t y) { return IntMod(x, y, floor); });
      break;
    case ir::DType::kInt64:
      EvalBroadcast<int64_t, int64_t>(a, [&](int64_t x, int64_t y) { return IntMod(x, y, floor); });
      break;
    case ir::DType::kInt16:
      EvalBroadcast<int16_t, int16_t>(a, [&](int16_t x, int16_t y) { return IntMod(x, y, floor); });
      break;
    default: EvalBroadcast<float, float>(a, [&](float x, float y) { return FloatMod(x, y, floor); });
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kModDef = {ir::OpKind::kMod, "f32, i16, i32, i64", Infer, Eval, nullptr};

}  // namespace ember::ops
