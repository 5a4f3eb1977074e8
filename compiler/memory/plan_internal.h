// Helpers shared by the memory planner (planner.cc) and its verifier
// (plan_verify.cc). Not part of the public interface.
#pragma once

#include <cstddef>
#include <numeric>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "memory/planner.h"
#include "support/status.h"

namespace ember::memory::detail {

// Union-find over indices; the root of a set is its smallest member, so the
// representative never depends on the order of the unions.
class DisjointSets {
 public:
  explicit DisjointSets(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), size_t{0}); }
  size_t Find(size_t i) {
    while (parent_[i] != i) {
      parent_[i] = parent_[parent_[i]];
      i = parent_[i];
    }
    return i;
  }
  void Union(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent_[b] = a;
  }

 private:
  std::vector<size_t> parent_;
};

// Index of the node producing each tensor (-1: graph input, constant or unused).
std::vector<int> Producers(const ir::Graph& g);

// True for tensors listed in Graph::inputs or Graph::outputs.
std::vector<bool> IoTensors(const ir::Graph& g);

// Checks the hints and options against the graph: every hinted pair is
// (output of node n, one of n's inputs), the input an activation or a
// constant (a pair with a constant input is valid but never applied); alias pairs have
// equal sizes; no output appears in two hints and no input in two in-place
// hints; scratch sizes are non-negative and not listed past the last node;
// the alignment is positive. Fails with E0601 (exit 70) naming the pair.
Status CheckHints(const ir::Graph& g, const PlanHints& hints, int64_t alignment);

}  // namespace ember::memory::detail
