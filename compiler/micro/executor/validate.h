// `ember validate`: every node's output on the device against the reference
// evaluator (the numerical oracle), to find the first layer where a device
// (a kernel, a compiler flag, a board) disagrees. The device runs the graph
// host-driven (GraphExecutor), so every intermediate tensor can be read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "micro/executor/graph_executor.h"

namespace ember::micro {

struct NodeComparison {
  size_t node = 0;  // IR node index
  std::string name, op;
  uint64_t elements = 0, mismatches = 0;  // elements beyond the tolerance
  double max_abs_diff = 0;
};

struct ValidationReport {
  std::vector<NodeComparison> nodes;  // one per IR node, in order
  std::optional<size_t> first_mismatch;  // index into `nodes`
};

// Tolerance: integer tensors must be equal; float32 elements may differ by
// atol + rtol * |reference|.
struct Tolerance {
  double atol = 1e-5;
  double rtol = 1e-4;
};

// Runs `exec` node by node on `inputs` and compares each node's output with
// `reference` (the same model evaluated by the reference evaluators). The
// graph's tvm_op nodes must correspond one to one, in order, to the IR's
// nodes (what `ember compile --executor graph` emits); GraphError otherwise.
ValidationReport ValidateOnDevice(const ir::Graph& reference, GraphExecutor& exec,
                                  const std::vector<std::vector<uint8_t>>& inputs, Tolerance tol = {});

}  // namespace ember::micro
