// Graph executor output (`ember compile --executor graph`): microTVM's graph
// JSON (executor-config/graph/<name>.graph) and the operator table that lets
// a graph executor call every kernel by its func_name (docs/codegen.md).
//
// The graph JSON holds:
//   - one "null" node per model input (name = the tensor's name), listed in
//     arg_nodes in input order;
//   - one "tvm_op" node per IR node, in execution order, named after its
//     func_name; its inputs are the node's non-constant operands (weights are
//     linked into the kernels, so they are not graph nodes or params);
//   - a pure copy (reshape, squeeze: Kernel::is_copy) becomes func_name
//     "__nop" and shares the storage of its input;
//   - heads: the model outputs; attrs: dltype, storage_id, shape per entry,
//     node_row_ptr.
// Storage ids: model inputs and outputs get storages of their own; other
// tensors reuse a storage whose tensors are all dead before the producing
// node runs (best fit by size, else the largest free one, which then grows).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::codegen::c {

// What the AOT generator knows about each IR node (same order as g.nodes).
struct GraphNodeCode {
  std::string fn;             // kernel function name = the node's func_name
  int64_t scratch_bytes = 0;  // > 0: the kernel takes a scratch buffer
  bool is_copy = false;       // a pure byte copy: "__nop" sharing the input's storage
};

// The func_name of a copy node, as microTVM spells it.
inline constexpr const char* kNopFuncName = "__nop";

// Storage id of every tensor that is a graph entry (index = TensorId; -1 for
// constants and unused tensors), following the rules above.
std::vector<int32_t> PlanGraphStorage(const ir::Graph& g, const std::vector<GraphNodeCode>& nodes);

// The graph JSON text (deterministic, 2-space indented). Fails with an
// internal error when a non-constant operand has no producer.
Expected<std::string> GraphJson(const ir::Graph& g, const std::vector<GraphNodeCode>& nodes);

// The C of the operator table for `lib1.c` (appended after the kernels):
// one wrapper `static int32_t <fn>_op(void* const* args, uint32_t num_args)`
// per non-copy node (args = inputs then outputs), a static scratch buffer
// sized to the largest scratch need, and
// `const struct ember_operator <prefix>_operators[]`.
std::string OperatorTableSource(const ir::Graph& g, const std::vector<GraphNodeCode>& nodes,
                                const std::string& prefix);

// Declarations for the interface header: the include of ember/model_io.h,
// TVMGEN_<NAME>_NUM_OPERATORS and the extern table.
std::string OperatorTableHeader(const std::vector<GraphNodeCode>& nodes, const std::string& prefix);

// Number of table entries (nodes that are not copies).
size_t NumOperators(const std::vector<GraphNodeCode>& nodes);

}  // namespace ember::codegen::c
