// Static analysis of a graph: per-node cost and size figures and the naive
// activation lower bound (what `ember analyze` prints).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::memory {

struct NodeFigures {
  size_t index = 0;
  ir::OpKind op = ir::OpKind::kAdd;
  std::string name;          // source name
  ir::Shape output_shape;    // of the first output
  int64_t macs = 0;          // multiply-accumulates (conv, depthwise, fully-connected)
  int64_t param_bytes = 0;   // bytes of the constant operands this node reads
};

struct GraphFigures {
  std::vector<NodeFigures> nodes;
  int64_t macs = 0;
  int64_t param_bytes = 0;             // all constant tensors of the graph, each counted once
  int64_t activation_lower_bound = 0;  // see ActivationLowerBound
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
};

// Requires a graph that passed ir::Verify and ops::CheckGraph.
GraphFigures Analyze(const ir::Graph& g);

}  // namespace ember::memory
