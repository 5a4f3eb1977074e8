// Structural verifier of the IR (contract in ir/verifier.h, ids in docs/ir.md).
//
// The checks run in an order that makes each later check safe: ids and op
// kinds first (so that later checks may index tensors and name ops), then the
// tensors one by one, then the graph inputs, the nodes in execution order
// (def-before-use, single producer) and finally the graph outputs. The first
// failure is returned.
#include "ir/verifier.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember::ir {
namespace {

bool InRange(const Graph& g, TensorId id) {
  return id >= 0 && static_cast<size_t>(id) < g.tensors.size();
}

bool ValidOp(OpKind k) {
  return static_cast<int>(k) >= 0 && static_cast<size_t>(k) < kNumOpKinds;
}

std::string TensorRef(const Graph& g, TensorId id) {
  if (!InRange(g, id)) return "tensor " + std::to_string(id);
  return "tensor " + std::to_string(id) + " '" + g.tensors[static_cast<size_t>(id)].name + "'";
}

std::string NodeRef(const Graph& g, size_t i) {
  const Node& n = g.nodes[i];
  std::string s = "node " + std::to_string(i);
  if (!n.name.empty()) s += " '" + n.name + "'";
  if (ValidOp(n.op)) s += std::string(" (") + OpIrName(n.op) + ")";
  return s;
}

Diagnostic Error(const char* id, std::string message, std::string hint) {
  return MakeDiag(id, ExitCode::kFailure, std::move(message), std::move(hint));
}

// Ids in range, known op kinds, at least one output per node and no absent output.
Status CheckNodeRefs(const Graph& g) {
  const std::string count = std::to_string(g.tensors.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!ValidOp(n.op))
      return Error("E0216", NodeRef(g, i) + " has unknown op kind " + std::to_string(static_cast<int>(n.op)),
                   "op kinds come from compiler/ops/ops.def; this graph was built incorrectly");
    for (TensorId id : n.inputs)
      if (id != kNoTensor && !InRange(g, id))
        return Error("E0201", NodeRef(g, i) + " reads tensor id " + std::to_string(id) +
                                  ", outside the tensor table of " + count + " tensors",
                     "use an id returned by Graph::AddTensor, or kNoTensor for an absent operand");
    if (n.outputs.empty() && n.op != OpKind::kAssignVariable)  // it writes its variable operand
      return Error("E0217", NodeRef(g, i) + " has no outputs", "every node must define at least one tensor");
    for (TensorId id : n.outputs) {
      if (id == kNoTensor)
        return Error("E0217", NodeRef(g, i) + " has an absent output (kNoTensor)",
                     "every output of a node must be a tensor of the graph");
      if (!InRange(g, id))
        return Error("E0201", NodeRef(g, i) + " writes tensor id " + std::to_string(id) +
                                  ", outside the tensor table of " + count + " tensors",
                     "add the output tensor with Graph::AddTensor first");
    }
  }
  for (const auto* list : {&g.inputs, &g.outputs}) {
    const char* what = list == &g.inputs ? "input" : "output";
    for (TensorId id : *list)
      if (!InRange(g, id))
        return Error("E0202", std::string("graph ") + what + " refers to tensor id " + std::to_string(id) +
                                  ", outside the tensor table of " + count + " tensors",
                     std::string("list only existing tensors as graph ") + what + "s");
  }
  return Status::Ok();
}

// Number of elements, or -1 when a dimension is negative or the count overflows.
int64_t CheckedElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

bool ZeroPointFits(DType t, int64_t zp) {
  switch (t) {
    case DType::kInt8: return zp >= -128 && zp <= 127;
    case DType::kUInt8: return zp >= 0 && zp <= 255;
    case DType::kInt16: return zp >= -32768 && zp <= 32767;
    case DType::kInt32: return zp >= INT32_MIN && zp <= INT32_MAX;
    default: return true;  // i64, f32, bool: no narrower range to check
  }
}

Status CheckQuant(const Graph& g, TensorId id) {
  const Tensor& t = g.tensor(id);
  const QuantParams& q = *t.quant;
  const std::string who = TensorRef(g, id);
  if (q.scale.empty() || q.scale.size() != q.zero_point.size())
    return Error("E0212", who + " has " + std::to_string(q.scale.size()) + " quantization scales and " +
                              std::to_string(q.zero_point.size()) + " zero points",
                 "give one scale and one zero point per tensor, or one of each per index of the quantized axis");
  if (q.per_axis()) {
    const int64_t rank = static_cast<int64_t>(t.shape.size());
    if (q.axis < 0 || q.axis >= rank)
      return Error("E0214", who + " is quantized along axis " + std::to_string(q.axis) + " but has rank " +
                                std::to_string(rank),
                   "the quantized axis must be in [0, rank)");
    const int64_t dim = t.shape[static_cast<size_t>(q.axis)];
    if (dim != static_cast<int64_t>(q.scale.size()))
      return Error("E0213", who + " has " + std::to_string(q.scale.size()) + " per-axis scales but axis " +
                                std::to_string(q.axis) + " has size " + std::to_string(dim),
                   "per-axis quantization needs exactly one scale per index of the axis");
  }
  for (size_t i = 0; i < q.scale.size(); ++i) {
    const float s = q.scale[i];
    if (!std::isfinite(s) || !(s > 0.0f))
      return Error("E0215", who + " has quantization scale " + std::to_string(s) + " at index " +
                                std::to_string(i),
                   "scales must be finite and positive");
    if (!ZeroPointFits(t.dtype, q.zero_point[i]))
      return Error("E0219", who + " has zero point " + std::to_string(q.zero_point[i]) + " at index " +
                                std::to_string(i) + ", outside the range of " + DTypeName(t.dtype),
                   "a zero point must be representable in the tensor's element type");
  }
  return Status::Ok();
}

Status CheckTensors(const Graph& g) {
  std::unordered_map<std::string, TensorId> names;
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const TensorId id = static_cast<TensorId>(i);
    const Tensor& t = g.tensors[i];
    if (t.name.empty())
      return Error("E0203", "tensor " + std::to_string(id) + " has an empty name",
                   "give every tensor a unique, non-empty name");
    auto [it, fresh] = names.emplace(t.name, id);
    if (!fresh)
      return Error("E0204", TensorRef(g, id) + " has the same name as tensor " + std::to_string(it->second),
                   "tensor names must be unique in a graph; rename one of them");
    const int64_t elements = CheckedElements(t.shape);
    if (elements < 0)
      return Error("E0211", TensorRef(g, id) + " has invalid shape " + ShapeToString(t.shape) +
                                " (negative dimension or element count overflow)",
                   "dimensions must be non-negative and the element count must fit in 64 bits");
    if (t.data) {
      const size_t esize = DTypeSize(t.dtype);
      const bool fits = esize != 0 && static_cast<uint64_t>(elements) <= UINT64_MAX / esize;
      if (!fits || t.data->size() != static_cast<uint64_t>(elements) * esize)
        return Error("E0210", TensorRef(g, id) + " holds " + std::to_string(t.data->size()) +
                                  " bytes of data but " + DTypeName(t.dtype) + ShapeToString(t.shape) +
                                  " needs " + std::to_string(fits ? elements * static_cast<int64_t>(esize) : -1),
                     "constant data must be exactly element count x element size bytes");
    }
    if (t.quant) EMBER_RETURN_IF_ERROR(CheckQuant(g, id));
    if (t.is_variable && t.data)
      return Error("E0240", TensorRef(g, id) + " is a variable but also holds constant data",
                   "a variable starts as zeros; drop its data or its variable role");
    if (t.init && !t.is_variable)
      return Error("E0240", TensorRef(g, id) + " has an initial value but is not a variable",
                   "only variables (var) have an initial value; drop it or make the tensor a variable");
    if (t.init && static_cast<int64_t>(t.init->size()) != t.size_bytes())
      return Error("E0210", TensorRef(g, id) + " has an initial value of " + std::to_string(t.init->size()) +
                                " bytes but " + DTypeName(t.dtype) + ShapeToString(t.shape) + " needs " +
                                std::to_string(t.size_bytes()),
                   "a variable's initial value must be exactly element count x element size bytes");
  }
  return Status::Ok();
}

Status CheckInputs(const Graph& g) {
  std::set<TensorId> seen;
  for (TensorId id : g.inputs) {
    if (!seen.insert(id).second)
      return Error("E0218", TensorRef(g, id) + " is listed twice as a graph input",
                   "list each graph input once");
    if (g.tensor(id).is_const())
      return Error("E0218", TensorRef(g, id) + " is a graph input but also holds constant data",
                   "a tensor is either a graph input or a constant; drop its data or its input role");
    if (g.tensor(id).is_variable)
      return Error("E0240", TensorRef(g, id) + " is a graph input but also a variable",
                   "a variable is state the model keeps; drop its input role");
  }
  return Status::Ok();
}

// Walks the nodes in execution order tracking which tensors are defined.
Status CheckDataflow(const Graph& g) {
  std::vector<int64_t> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId id : g.nodes[i].outputs)
      if (producer[static_cast<size_t>(id)] < 0) producer[static_cast<size_t>(id)] = static_cast<int64_t>(i);
  std::vector<bool> defined(g.tensors.size(), false);
  std::vector<bool> is_input(g.tensors.size(), false);
  for (size_t i = 0; i < g.tensors.size(); ++i) defined[i] = g.tensors[i].is_const() || g.tensors[i].is_variable;
  for (TensorId id : g.inputs) defined[static_cast<size_t>(id)] = is_input[static_cast<size_t>(id)] = true;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    for (TensorId id : n.inputs) {
      if (id == kNoTensor || defined[static_cast<size_t>(id)]) continue;
      const int64_t p = producer[static_cast<size_t>(id)];
      if (p >= 0)
        return Error("E0205", NodeRef(g, i) + " reads " + TensorRef(g, id) + " before it is defined by " +
                                  NodeRef(g, static_cast<size_t>(p)),
                     "nodes must be in topological order: move the producer before its users");
      return Error("E0206", NodeRef(g, i) + " reads " + TensorRef(g, id) +
                                ", which is neither a graph input, a constant nor produced by a node",
                   "declare it as a graph input, give it constant data, or add the node that computes it");
    }
    for (TensorId id : n.outputs) {
      const size_t u = static_cast<size_t>(id);
      if (is_input[u] || g.tensors[u].is_const() || g.tensors[u].is_variable)
        return Error("E0208", NodeRef(g, i) + " writes " + TensorRef(g, id) + ", which is a graph " +
                                  (is_input[u] ? "input" : g.tensors[u].is_const() ? "constant" : "variable"),
                     "graph inputs and constants have no producer; write to a new tensor");
      if (defined[u] || producer[u] != static_cast<int64_t>(i))
        return Error("E0207", TensorRef(g, id) + " is written by " + NodeRef(g, static_cast<size_t>(producer[u])) +
                                  " and again by " + NodeRef(g, i),
                     "every tensor has at most one producer; give the second output a new tensor");
      defined[u] = true;
    }
  }
  for (TensorId id : g.outputs)
    if (!defined[static_cast<size_t>(id)])
      return Error("E0209", "graph output " + TensorRef(g, id) +
                                " is neither produced by a node, a graph input nor a constant",
                   "list as graph outputs only tensors that the graph defines");
  return Status::Ok();
}

// An assign_variable writes its variable (operand 0) at the end of its
// uses: a later node that used the variable would see the new value in one
// execution order and the old one in another. The TFLite importer emits each
// write last (docs/frontend-tflite.md), and passes keep it so.
Status CheckVariableWrites(const Graph& g) {
  std::vector<int64_t> written(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    for (TensorId id : n.inputs) {
      if (id == kNoTensor || written[static_cast<size_t>(id)] < 0) continue;
      return Error("E0241", NodeRef(g, i) + " uses variable " + TensorRef(g, id) + " after " +
                                NodeRef(g, static_cast<size_t>(written[static_cast<size_t>(id)])) +
                                " wrote it",
                   "write a variable once, after every other use of it in the graph");
    }
    if (n.op == OpKind::kAssignVariable && !n.inputs.empty() && n.inputs[0] != kNoTensor &&
        g.tensor(n.inputs[0]).is_variable)
      written[static_cast<size_t>(n.inputs[0])] = static_cast<int64_t>(i);
  }
  return Status::Ok();
}

}  // namespace

Status Verify(const Graph& g) {
  EMBER_RETURN_IF_ERROR(CheckNodeRefs(g));
  EMBER_RETURN_IF_ERROR(CheckTensors(g));
  EMBER_RETURN_IF_ERROR(CheckInputs(g));
  EMBER_RETURN_IF_ERROR(CheckDataflow(g));
  return CheckVariableWrites(g);
}

}  // namespace ember::ir
