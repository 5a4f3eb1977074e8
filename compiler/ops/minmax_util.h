// The shared body of MAXIMUM and MINIMUM (compiler/ops/maximum.cc,
// minimum.cc): elementwise with numpy broadcasting, no attributes, on f32, i8
// and i32 (and i64, i16: ONNX Max/Min of int64 and int16 tensors), as TFLite Micro's reference kernel: out = a > b ? a : b (maximum)
// or a < b ? a : b (minimum) on the stored values, so a NaN in `a` yields `b`
// and a NaN in `b` yields the NaN. int8 compares the raw bytes without
// requantization; the converter gives both inputs and the output one scale
// and zero point, and ember requires it (else the raw comparison would not
// compare the real values).
#pragma once

#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops::minmax {

inline Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  EMBER_ASSIGN_OR_RETURN(const ir::Shape shape, SameTypeBroadcastShape(g, n));
  if (a.dtype != ir::DType::kInt8 && a.dtype != ir::DType::kFloat32 && a.dtype != ir::DType::kInt32 &&
      a.dtype != ir::DType::kInt64 && a.dtype != ir::DType::kInt16) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(a.dtype) +
                            " is not supported; supported: i8, i16, i32, i64, f32");
  }
  if (a.dtype == ir::DType::kInt8) {
    float s[3] = {0, 0, 0};
    int32_t z[3] = {0, 0, 0};
    const ir::TensorId ids[3] = {n.inputs[0], n.inputs[1], n.outputs[0]};
    for (int i = 0; i < 3; ++i) EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, ids[i], &s[i], &z[i]));
    for (int i = 1; i < 3; ++i) {
      if (s[i] != s[0] || z[i] != z[0]) {
        return NodeError(n, "the inputs and the output have different quantization (" + FormatReal(s[0]) + ", " +
                                std::to_string(z[0]) + ") and (" + FormatReal(s[i]) + ", " + std::to_string(z[i]) +
                                ")",
                         std::string("int8 ") + ir::OpIrName(n.op) +
                             " compares the stored values: it needs one scale and zero point for all three");
      }
    }
  }
  return std::vector<TensorType>{{a.dtype, shape}};
}

// `Op` is a generic lambda (T, T) -> T.
template <typename Op>
Status Eval(const EvalArgs& a, Op op) {
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kFloat32: EvalBroadcast<float, float>(a, op); break;
    case ir::DType::kInt8: EvalBroadcast<int8_t, int8_t>(a, op); break;
    case ir::DType::kInt64: EvalBroadcast<int64_t, int64_t>(a, op); break;
    case ir::DType::kInt16: EvalBroadcast<int16_t, int16_t>(a, op); break;
    default: EvalBroadcast<int32_t, int32_t>(a, op); break;
  }
  return Status::Ok();
}

}  // namespace ember::ops::minmax
