// The shared body of the comparisons EQUAL, NOT_EQUAL, LESS, LESS_EQUAL,
// GREATER, GREATER_EQUAL (compiler/ops/equal.cc, ...): elementwise with numpy
// broadcasting, a bool output (one byte, 0 or 1), as TFLite Micro's
// reference kernels (kernels/comparisons.cc):
//   f32, i32, i64 (and bool for equal, not_equal): the stored values compared
//     directly (IEEE: a NaN compares unequal to everything);
//   i8: each input rescaled as TFLite Micro's Prepare does,
//       v = Mbqm((x - z) * 2^8, M, s) with (M, s) = QuantizeMultiplier(scale)
//       (the scale must be below 1: QuantizeMultiplierSmallerThanOneExp),
//     and the two int32 values compared, so inputs of different scales
//     compare by their real values (to the rounding of that rescale).
#pragma once

#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops::compare {

inline constexpr int kLeftShift = 8;

// The int8 rescale of one input: (M, s) of its scale and its zero point.
struct Int8Input {
  int32_t zero_point = 0;
  QuantizedMultiplier m;
};

inline Expected<Int8Input> PrepareInt8Input(const ir::Graph& g, const ir::Node& n, size_t i) {
  float s = 0;
  Int8Input p;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[i], &s, &p.zero_point));
  p.m = QuantizeMultiplier(static_cast<double>(s));
  if (!(s < 1.0f) || p.m.shift > 0) {
    return NodeError(n, std::string(i == 0 ? "the first" : "the second") + " input's scale " + FormatReal(s) +
                            " is not below 1",
                     "TFLite Micro rescales int8 comparison inputs by their scale as a multiplier below 1");
  }
  return p;
}

inline int32_t ScaleInt8(int32_t x, const Int8Input& p) {
  return Mbqm(WrapShl(x - p.zero_point, kLeftShift), p.m);
}

// `with_bool`: equal and not_equal also compare bool tensors.
inline Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n, bool with_bool) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  EMBER_ASSIGN_OR_RETURN(const ir::Shape shape, SameTypeBroadcastShape(g, n));
  const bool ok = a.dtype == ir::DType::kInt8 || a.dtype == ir::DType::kFloat32 ||
                  a.dtype == ir::DType::kInt32 || a.dtype == ir::DType::kInt64 ||
                  (with_bool && a.dtype == ir::DType::kBool);
  if (a.dtype == ir::DType::kInt16) {
    // TFLite Micro compares int16 in GREATER only, and there with scaling
    // parameters its Prepare never sets (they are set for int8 alone): its
    // result is not defined, so there is nothing to be bit-exact with.
    return NodeError(n, "int16 comparisons are not supported: TFLite Micro has none with defined results (its int16 "
                        "GREATER rescales with parameters it never prepares)",
                     "compare in int8 or float32 (requantize or dequantize the operands first)");
  }
  if (!ok) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(a.dtype) + " is not supported; supported: " +
                            (with_bool ? "i8, i32, i64, f32, bool" : "i8, i32, i64, f32"));
  }
  if (a.dtype == ir::DType::kInt8) {
    for (size_t i = 0; i < 2; ++i) {
      auto p = PrepareInt8Input(g, n, i);
      if (!p.ok()) return p.diag();
    }
  }
  return std::vector<TensorType>{{ir::DType::kBool, shape}};
}

// The comparison as a byte (0 or 1).
template <typename T, typename Cmp>
void EvalTyped(const EvalArgs& a, Cmp cmp) {
  EvalBroadcast<T, uint8_t>(a, [&](T x, T y) -> uint8_t { return cmp(x, y) ? 1 : 0; });
}

// `Cmp` is a generic lambda (T, T) -> bool.
template <typename Cmp>
Status Eval(const EvalArgs& a, Cmp cmp) {
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kFloat32: EvalTyped<float>(a, cmp); break;
    case ir::DType::kInt32: EvalTyped<int32_t>(a, cmp); break;
    case ir::DType::kInt64: EvalTyped<int64_t>(a, cmp); break;
    case ir::DType::kBool: EvalTyped<uint8_t>(a, cmp); break;
    default: {
      EMBER_ASSIGN_OR_RETURN(const Int8Input p0, PrepareInt8Input(a.graph, a.node, 0));
      EMBER_ASSIGN_OR_RETURN(const Int8Input p1, PrepareInt8Input(a.graph, a.node, 1));
      EvalTyped<int8_t>(a, [&](int8_t x, int8_t y) { return cmp(ScaleInt8(x, p0), ScaleInt8(y, p1)); });
      break;
    }
  }
  return Status::Ok();
}

}  // namespace ember::ops::compare
