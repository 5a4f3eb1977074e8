// Static memory planning: offsets of every activation buffer in one arena.
//
// Inputs: the graph's execution order, each activation's lifetime
// (liveness.h), per-node scratch needs and aliasing hints from the kernel
// emitters. Output: one offset per buffer such that buffers whose lifetimes
// overlap never overlap in memory (except where a hint allows it), every
// offset aligned, and the arena as small as the heuristic finds.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::memory {

struct PlanOptions {
  int64_t alignment = 16;    // every offset and the arena size are multiples of this
  bool io_in_arena = false;  // place graph inputs and outputs in the arena too
};

// A kernel's declaration that its output may overlap one of its inputs: the
// output may start at any offset <= the input's offset + delta (bytes; may be
// negative), because every output byte is written only after the last read
// of any input byte at or below it. Valid only at the node that writes the
// output, when the input's lifetime ends there and both are in the arena;
// elementwise same-size in place is delta 0.
// An `upward` overlap is the mirror image, for a kernel that can also be
// emitted visiting its pixels in reverse order: the output may start at any
// offset >= the input's offset + delta, and the plan then marks the output
// Allocation::reversed so that code generation emits that order.
struct Overlap {
  ir::TensorId output = ir::kNoTensor;
  ir::TensorId input = ir::kNoTensor;
  int64_t delta = 0;
  bool upward = false;
};

struct PlanHints {
  // Scratch bytes each node needs during its own step (indexed like Graph::nodes; may be shorter).
  std::vector<int64_t> scratch_bytes;
  // (output, input) pairs whose kernel is a pure byte copy (reshape, squeeze):
  // the output may occupy exactly the input's bytes, and the copy is elided.
  std::vector<std::pair<ir::TensorId, ir::TensorId>> aliases;
  // Outputs that may overlap an input of their node (see Overlap). "No
  // overlap" is the default: a pair not listed here never shares bytes.
  std::vector<Overlap> overlaps;
};

struct Allocation {
  ir::TensorId tensor = ir::kNoTensor;  // kNoTensor for a node's scratch
  int node = -1;                        // for scratch: the node index
  int first = 0;                        // lifetime in steps (liveness.h conventions)
  int last = 0;
  int64_t bytes = 0;
  int64_t offset = 0;     // in the arena; meaningful only when in_arena
  bool in_arena = true;   // false for graph inputs/outputs kept in the caller's buffers
  bool aliased = false;   // shares the bytes of another buffer (an alias or overlap hint)
  bool reversed = false;  // overlaps its input through an upward hint: its node must visit
                          // its pixels in reverse order
  bool in_state = false;  // a variable (ir::Tensor::is_variable): `offset` is in the state
                          // region, live for the whole program (first -1, last = node count)
};

struct MemoryPlan {
  int64_t arena_bytes = 0;
  int64_t alignment = 16;
  // The state region: every variable, each at its own aligned offset, never
  // shared with anything and never reused; zero when the model is loaded and
  // kept across inferences. Separate from the arena (a caller may reuse the
  // arena between inferences; the state must survive them).
  int64_t state_bytes = 0;
  std::vector<Allocation> allocations;  // activations by tensor id, then scratch by node,
                                        // then variables by tensor id
  std::string algorithm;                // e.g. "greedy-by-size"

  // The allocation of tensor `id`, or nullptr.
  const Allocation* Find(ir::TensorId id) const;
  // The scratch allocation of node `node`, or nullptr.
  const Allocation* Scratch(int node) const;
};

// Plans the arena and the state region. Fails with E0601 (internal) only if a hint is inconsistent
// (and with E0602, internal, if the plan fails VerifyPlan, which would be a
// planner bug: every plan is verified before it is returned).
// The algorithm is described in planner.cc and placement.cc; docs/memory.md.
Expected<MemoryPlan> PlanMemory(const ir::Graph& g, const PlanHints& hints, const PlanOptions& options);

// Checks a plan: no two buffers that are live at the same step overlap unless
// one aliases the other through a hint, or an overlap hint allows it (the
// output at most delta bytes above an input that dies at the output's node);
// offsets aligned; everything within the arena. Used by tests and, in debug builds, after every plan.
Status VerifyPlan(const ir::Graph& g, const PlanHints& hints, const MemoryPlan& plan);

// A human-readable table of the plan: the arena size and algorithm, then one
// row per allocation (tensor name or "scratch of node N", bytes, offset or
// "caller", live steps first..last, and whether it shares another buffer's
// bytes). For `ember compile --verbose` and debugging.
std::string PlanSummary(const ir::Graph& g, const MemoryPlan& plan);

}  // namespace ember::memory
