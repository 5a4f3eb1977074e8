// The ember IR: tensors, nodes and graphs.
//
// A Graph owns a flat list of tensors and a list of nodes in topological
// (execution) order. Nodes refer to tensors by index (TensorId). A tensor is
// either a graph input, a constant (it carries data), a variable (persistent
// state, see Tensor::is_variable), or the output of exactly one node. Optional operands that are absent (e.g. a conv without bias) are
// written as kNoTensor in Node::inputs.
//
// The text notation (ir/printer.h, ir/parser.h) is documented in docs/ir.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/dtype.h"
#include "ir/op_kind.h"

namespace ember::ir {

using Shape = std::vector<int64_t>;

// Product of the dimensions (1 for a scalar, rank 0).
int64_t NumElements(const Shape& shape);
// "[1,49,10,1]"
std::string ShapeToString(const Shape& shape);

// Affine quantization: real = scale * (q - zero_point).
// Per-tensor when scale.size() == 1; per-axis along `axis` otherwise, with one
// scale and one zero point per index of that axis.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t axis = 0;  // meaningful only when per-axis

  bool per_axis() const { return scale.size() > 1; }
  bool operator==(const QuantParams&) const = default;
};

using TensorId = int32_t;
inline constexpr TensorId kNoTensor = -1;

struct Tensor {
  std::string name;  // unique in the graph; the source model's tensor name when it has one
  DType dtype = DType::kFloat32;
  Shape shape;
  std::optional<QuantParams> quant;
  // Constant contents, little-endian, row-major; size == NumElements * DTypeSize.
  std::optional<std::vector<uint8_t>> data;
  // Layout of this tensor in the source model when it differs from the IR's
  // (e.g. "NCHW": the model file gives this graph input as NCHW and ember's
  // tensor is its NHWC transpose, see docs/passes.md). Empty: same as the IR.
  std::string source_layout;
  // Persistent state (TFLite's `is_variable` tensors, e.g. SVDF's activation
  // state): no node produces it; it starts as real zero when the model is
  // loaded (every byte VariableInitByte: TFLite Micro's reset),
  // the operators that take it as an operand may read and update it in place,
  // and its contents carry over from one inference to the next. The memory
  // plan gives it a region of its own that is never reused (docs/memory.md).
  bool is_variable = false;
  // A variable's initial contents when they are not every byte
  // VariableInitByte (TFLite resource variables: what the CALL_ONCE init
  // subgraph assigns, docs/frontend-tflite.md); size == size_bytes(). Only
  // variables have it; reset (EvalState, tvmgen_<name>_reset_state) restores it.
  std::optional<std::vector<uint8_t>> init;

  bool is_const() const { return data.has_value(); }
  int64_t num_elements() const { return NumElements(shape); }
  int64_t size_bytes() const { return NumElements(shape) * static_cast<int64_t>(DTypeSize(dtype)); }
  bool operator==(const Tensor&) const = default;
};

// The byte a variable's every byte starts as (TFLite Micro's
// ResetVariableTensors): the zero point of an int8 tensor, 0 otherwise.
inline uint8_t VariableInitByte(const Tensor& t) {
  if (t.dtype == DType::kInt8 && t.quant && !t.quant->zero_point.empty())
    return static_cast<uint8_t>(static_cast<int8_t>(t.quant->zero_point[0]));
  return 0;
}

// The bytes a variable starts as (and is reset to): Tensor::init, or every
// byte VariableInitByte.
inline std::vector<uint8_t> VariableInitBytes(const Tensor& t) {
  if (t.init) return *t.init;
  return std::vector<uint8_t>(static_cast<size_t>(t.size_bytes()), VariableInitByte(t));
}

// Typed attribute values. Integers are int64, reals double, lists are lists of
// int64 or double, strings are for enumerations (e.g. act="relu").
using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;
// Sorted by name, so printing is deterministic.
using Attrs = std::map<std::string, AttrValue>;

struct Node {
  OpKind op = OpKind::kAdd;
  std::string name;  // source name from the model file (may be empty)
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;
  Attrs attrs;

  bool operator==(const Node&) const = default;

  // Typed attribute access. The getters return `def` when the attribute is
  // absent or has another type; Has* tells which.
  bool HasAttr(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t GetInt(const std::string& key, int64_t def = 0) const;
  double GetReal(const std::string& key, double def = 0.0) const;
  std::string GetString(const std::string& key, const std::string& def = "") const;
  std::vector<int64_t> GetInts(const std::string& key, std::vector<int64_t> def = {}) const;
  std::vector<double> GetReals(const std::string& key, std::vector<double> def = {}) const;
};

struct Graph {
  std::string name = "main";
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // topological order = execution order
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;

  bool operator==(const Graph&) const = default;

  TensorId AddTensor(Tensor t) {
    tensors.push_back(std::move(t));
    return static_cast<TensorId>(tensors.size() - 1);
  }
  const Tensor& tensor(TensorId id) const { return tensors.at(static_cast<size_t>(id)); }
  Tensor& tensor(TensorId id) { return tensors.at(static_cast<size_t>(id)); }
  // Index of the tensor with this name, or kNoTensor.
  TensorId FindTensor(const std::string& name) const;
};

}  // namespace ember::ir
