// The shared body of MAXIMUM and MINIMUM (compiler/ops/maximum.cc,
// minimum.cc): elementwise with numpy broadcasting, no attributes, on f32, i8
// and i32, as TFLite Micro's reference kernel: out = a > b ? a : b (maximum)
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
  const ir::Tensor& b = g.tensor(n.inputs[1]);
  if (a.dtype != b.dtype) {
    return NodeError(n, std::string("inputs have different types ") + ir::DTypeName(a.dtype) + " and " +
                            ir::DTypeName(b.dtype));
  }
  if (a.dtype != ir::DType::kInt8 && a.dtype != ir::DType::kFloat32 && a.dtype != ir::DType::kInt32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(a.dtype) + " is not supported; supported: i8, i32, f32");
  }
  ir::Shape shape;
  if (!BroadcastShapes(a.shape, b.shape, &shape)) {
    return NodeError(n, "input shapes " + ir::ShapeToString(a.shape) + " and " + ir::ShapeToString(b.shape) +
                            " do not broadcast");
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

template <typename T, typename Op>
void EvalTyped(const EvalArgs& a, Op op) {
  const ir::Shape& sa = a.in_tensor(0).shape;
  const ir::Shape& sb = a.in_tensor(1).shape;
  const ir::Shape& so = a.out_tensor(0).shape;
  const int64_t count = ir::NumElements(so);
  const T* x = a.in<T>(0);
  const T* y = a.in<T>(1);
  T* out = a.out<T>(0);
  for (int64_t i = 0; i < count; ++i) out[i] = op(x[BroadcastIndex(sa, so, i)], y[BroadcastIndex(sb, so, i)]);
}

// `Op` is a generic lambda (T, T) -> T.
template <typename Op>
Status Eval(const EvalArgs& a, Op op) {
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kFloat32: EvalTyped<float>(a, op); break;
    case ir::DType::kInt8: EvalTyped<int8_t>(a, op); break;
    default: EvalTyped<int32_t>(a, op); break;
  }
  return Status::Ok();
}

}  // namespace ember::ops::minmax
