// Shared pieces of the elementwise unary operators that TFLite Micro runs on
// float32 (neg, sqrt, rsqrt, exp, log) and of abs: shape/type inference and
// the float32 loop. The output has the input's shape and type.
#pragma once

#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops::unary {

// Inference of an f32-only unary operator; int8 and the rest are refused with
// a hint to keep the operator in float.
inline Expected<std::vector<TensorType>> InferF32(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: f32",
                     std::string("ember runs ") + ir::OpIrName(n.op) +
                         " in float32 only: dequantize its input and quantize its output");
  }
  return std::vector<TensorType>{{in.dtype, in.shape}};
}

// out[i] = f(x[i]) over float32 elements.
template <typename F>
Status EvalF32(const EvalArgs& a, F f) {
  const int64_t count = a.in_tensor(0).num_elements();
  const float* x = a.in<float>(0);
  float* out = a.out<float>(0);
  for (int64_t i = 0; i < count; ++i) out[i] = f(x[i]);
  return Status::Ok();
}

}  // namespace ember::ops::unary
