// OpDef: everything ember knows about one operator, defined in compiler/ops/<ir_name>.cc.
//
// Contract for every operator file:
//   - `Infer` checks the node's inputs/attributes and computes each output's
//     dtype and shape. It never trusts the node: wrong operand counts, dtypes,
//     ranks or attribute values produce a diagnostic naming the node.
//     Quantization of outputs is not inferred (it comes from the model).
//   - `Eval` is the reference evaluator: plain, obviously-correct C++ that is
//     bit-exact with TFLite's reference kernels for int8 (see
//     docs/numerics.md). It may assume `Infer` succeeded and that output
//     buffers have the declared sizes. It returns a diagnostic (never aborts)
//     for combinations the reference semantics reject (e.g. SOFTMAX int8 with
//     an output scale other than 1/256).
//   - `Macs` counts multiply-accumulates (conv, depthwise, fully-connected; 0 for others).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::ops {

struct TensorType {
  ir::DType dtype;
  ir::Shape shape;
};

// Buffers for one node evaluation, indexed like node.inputs / node.outputs.
// An absent optional input (kNoTensor) has a null pointer.
struct EvalArgs {
  const ir::Graph& graph;
  const ir::Node& node;
  std::vector<const uint8_t*> inputs;
  std::vector<uint8_t*> outputs;

  const ir::Tensor& in_tensor(size_t i) const { return graph.tensor(node.inputs[i]); }
  const ir::Tensor& out_tensor(size_t i) const { return graph.tensor(node.outputs[i]); }
  bool has_input(size_t i) const {
    return i < node.inputs.size() && node.inputs[i] != ir::kNoTensor;
  }
  template <typename T>
  const T* in(size_t i) const { return reinterpret_cast<const T*>(inputs[i]); }
  // The writable buffer of operand i, which must be a variable
  // (ir::Tensor::is_variable): the evaluator passes the variable's own state,
  // which the operator updates in place.
  template <typename T>
  T* var(size_t i) const { return reinterpret_cast<T*>(const_cast<uint8_t*>(inputs[i])); }
  template <typename T>
  T* out(size_t i) const { return reinterpret_cast<T*>(outputs[i]); }
};

using InferFn = Expected<std::vector<TensorType>> (*)(const ir::Graph&, const ir::Node&);
using EvalFn = Status (*)(const EvalArgs&);
using MacsFn = int64_t (*)(const ir::Graph&, const ir::Node&);

struct OpDef {
  ir::OpKind kind;
  const char* dtypes;  // supported data types, for `ember ops`, e.g. "i8, f32"
  InferFn infer;
  EvalFn eval;
  MacsFn macs;  // may be null: no MACs
};

// The registry, generated from ops.def: every OpKind has exactly one OpDef.
const OpDef& GetOpDef(ir::OpKind kind);

}  // namespace ember::ops
