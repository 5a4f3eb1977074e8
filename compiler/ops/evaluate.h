// Whole-graph reference evaluation and op-level checking.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::ops {

// Runs every node's Infer and checks the result against the declared output
// tensors (dtype and shape). Run after ir::Verify. Diagnostics name the node.
Status CheckGraph(const ir::Graph& g);

// The persistent state of a graph's variables (ir::Tensor::is_variable),
// kept between evaluations: pass the same EvalState to consecutive
// EvaluateGraph calls to run them as consecutive inferences of one model
// instance. Empty (or sized for another graph): every variable starts as its
// initial value (ir::VariableInitBytes: real zero unless Tensor::init says otherwise).
struct EvalState {
  std::vector<std::vector<uint8_t>> vars;  // per tensor id; empty for non-variables
};

struct EvalOptions {
  // Keep every intermediate tensor's bytes in EvalResult::all (for debugging
  // and per-layer comparison); otherwise only graph outputs are returned.
  bool keep_intermediates = false;
  // Variables' state across calls; null: a fresh zero state for this call only.
  EvalState* state = nullptr;
};

struct EvalResult {
  std::vector<std::vector<uint8_t>> outputs;  // one per graph output, in order
  std::vector<std::vector<uint8_t>> all;      // per tensor id, when keep_intermediates
};

// Evaluates the graph with the reference evaluators. `inputs` holds one byte
// buffer per graph input, in order; each must have the tensor's exact size
// (E0402 otherwise). Assumes CheckGraph passed. Operators update variables in
// place, in options.state when given.
Expected<EvalResult> EvaluateGraph(const ir::Graph& g,
                                   const std::vector<std::vector<uint8_t>>& inputs,
                                   const EvalOptions& options = {});

}  // namespace ember::ops
