// Liveness of activation tensors over the execution order.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace ember::memory {

// Lifetime of one non-constant tensor, in node steps (indices into Graph::nodes).
// A graph input is born at step -1; a graph output lives until step nodes.size().
// A tensor that nothing reads dies at its birth step.
struct Lifetime {
  ir::TensorId tensor = ir::kNoTensor;
  int first = 0;      // step that produces it (-1: graph input)
  int last = 0;       // last step that reads it (nodes.size(): graph output)
  int64_t bytes = 0;  // size in bytes
};

// Lifetimes of every activation (non-constant tensor that is a graph input or a
// node output), ordered by tensor id.
std::vector<Lifetime> ComputeLifetimes(const ir::Graph& g);

// Bytes live at each step s in [0, nodes.size()): the sum over tensors with
// first <= s <= last. A step's inputs and outputs are both live, so this is the
// memory that step needs when nothing is computed in place.
std::vector<int64_t> LiveBytesPerStep(const ir::Graph& g);

// The naive activation lower bound: max over steps of LiveBytesPerStep (the
// graph-input bytes alone for a graph without nodes). No static plan without
// in-place reuse can need less arena than this.
int64_t ActivationLowerBound(const ir::Graph& g);

}  // namespace ember::memory
