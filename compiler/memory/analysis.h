// Static analysis of a graph: per-node cost and size figures, the naive
// activation lower bound and the in-place lower bound (what `ember analyze`
// prints).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "memory/planner.h"

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
  int64_t param_bytes = 0;             // all constant tensors of the graph, each counted once,
                                       // and the variables' initial values (ir::Tensor::init)
  int64_t activation_lower_bound = 0;  // see ActivationLowerBound
  int64_t inplace_lower_bound = 0;     // see InplaceLowerBound (the naive bound without hints)
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
  // Persistent state: the bytes of every variable (ir::Tensor::is_variable),
  // each counted once and exactly (the plan's state region aligns each to
  // the plan alignment). Not part of the activation bounds: it is never reused.
  int64_t state_bytes = 0;
  int64_t variables = 0;
};

// The in-place activation lower bound: like ActivationLowerBound (inputs and
// outputs included, scratch and alignment not), but at each step a buffer
// that aliases another (hints.aliases) counts once, and an output that may
// overlap an input dying at its node (hints.overlaps, delta d) needs only the
// bytes the pair cannot share: the two together take at least
// max(in + max(0, -d), out) bytes (upward: max(in, out + max(0, d))), the
// most either kind of sharing can save (each input shared with one output). No plan that honours the hints can
// need less arena than this.
int64_t InplaceLowerBound(const ir::Graph& g, const PlanHints& hints);

// Requires a graph that passed ir::Verify and ops::CheckGraph. `hints` are
// the kernels' memory hints (codegen::c::KernelHints); without them the
// in-place bound equals the naive one.
GraphFigures Analyze(const ir::Graph& g, const PlanHints* hints = nullptr);

}  // namespace ember::memory
