// The shared body of reduce_max and reduce_min (compiler/ops/reduce_max.cc,
// reduce_min.cc): the largest or smallest value over `axes`, on f32 and i8,
// as TFLite's reference reducer. Each output starts at the far end of the
// type (max: the lowest value, -FLT_MAX or -128; min: the highest, FLT_MAX or
// 127) and takes in > cur ? in : cur (max) or in < cur ? in : cur (min) over
// its inputs in row-major order, so a NaN input is skipped and the order of
// the inputs never matters. int8 requires the output's scale and zero point
// to equal the input's, as TFLite Micro does; the result is the raw value,
// no requantization.
#pragma once

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops::reduce_minmax {

inline Status CheckInt8(const ir::Graph& g, const ir::Node& n) {
  float si = 0, so = 0;
  int32_t zi = 0, zo = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &si, &zi));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &so, &zo));
  if (si != so || zi != zo) {
    return NodeError(n, "input quantization (" + FormatReal(si) + ", " + std::to_string(zi) +
                            ") differs from the output's (" + FormatReal(so) + ", " + std::to_string(zo) + ")",
                     std::string("int8 ") + ir::OpIrName(n.op) +
                         " needs equal input and output quantization; add a quantize node after it");
  }
  return Status::Ok();
}

inline Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i8, f32");
  }
  EMBER_ASSIGN_OR_RETURN(const Reduction r, GetReductionAttrs(g, n));
  if (in.dtype == ir::DType::kInt8) EMBER_RETURN_IF_ERROR(CheckInt8(g, n));
  return std::vector<TensorType>{{in.dtype, r.out_shape}};
}

template <typename T, bool kMax>
void Reduce(const EvalArgs& a, const std::vector<int64_t>& map, size_t outputs) {
  T* out = a.out<T>(0);
  std::fill(out, out + outputs, kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max());
  const T* x = a.in<T>(0);
  for (size_t i = 0; i < map.size(); ++i) {
    T& cur = out[static_cast<size_t>(map[i])];
    if constexpr (kMax) {
      cur = x[i] > cur ? x[i] : cur;
    } else {
      cur = x[i] < cur ? x[i] : cur;
    }
  }
}

template <bool kMax>
Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const Reduction r, GetReductionAttrs(a.graph, a.node));
  const std::vector<int64_t> map = ReductionOutputIndexMap(a.in_tensor(0).shape, r);
  const size_t outputs = static_cast<size_t>(ir::NumElements(r.out_shape));
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    Reduce<float, kMax>(a, map, outputs);
  } else {
    EMBER_RETURN_IF_ERROR(CheckInt8(a.graph, a.node));
    Reduce<int8_t, kMax>(a, map, outputs);
  }
  return Status::Ok();
}

}  // namespace ember::ops::reduce_minmax
