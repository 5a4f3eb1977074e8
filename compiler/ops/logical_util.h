// The shared body of LOGICAL_AND, LOGICAL_OR (binary, numpy broadcasting) and
// LOGICAL_NOT (compiler/ops/logical_and.cc, ...): bool tensors (one byte,
// 0 or 1) in and out, as TFLite Micro's reference kernels; any non-zero
// input byte counts as true.
#pragma once

#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops::logical {

inline Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  const size_t arity = n.op == ir::OpKind::kLogicalNot ? 1 : 2;
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, arity, arity, 1));
  ir::Shape shape = g.tensor(n.inputs[0]).shape;
  for (size_t i = 0; i < arity; ++i) {
    const ir::Tensor& t = g.tensor(n.inputs[i]);
    if (t.dtype != ir::DType::kBool) {
      return NodeError(n, std::string("input type ") + ir::DTypeName(t.dtype) + " is not supported; supported: bool");
    }
  }
  if (arity == 2 && !BroadcastShapes(g.tensor(n.inputs[0]).shape, g.tensor(n.inputs[1]).shape, &shape)) {
    return NodeError(n, "input shapes " + ir::ShapeToString(g.tensor(n.inputs[0]).shape) + " and " +
                            ir::ShapeToString(g.tensor(n.inputs[1]).shape) + " do not broadcast");
  }
  return std::vector<TensorType>{{ir::DType::kBool, shape}};
}

// `f` is (bool, bool) -> bool; for the unary operator its second argument is false.
template <typename F>
Status Eval(const EvalArgs& a, F f) {
  const ir::Shape& so = a.out_tensor(0).shape;
  const int64_t count = ir::NumElements(so);
  const bool binary = a.node.inputs.size() == 2;
  for (int64_t i = 0; i < count; ++i) {
    const bool x = a.in<uint8_t>(0)[BroadcastIndex(a.in_tensor(0).shape, so, i)] != 0;
    const bool y = binary && a.in<uint8_t>(1)[BroadcastIndex(a.in_tensor(1).shape, so, i)] != 0;
    a.out<uint8_t>(0)[i] = f(x, y) ? 1 : 0;
  }
  return Status::Ok();
}

}  // namespace ember::ops::logical
