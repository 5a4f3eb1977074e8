#include "memory/planner.h"

#include <algorithm>

#include "memory/liveness.h"
#include "memory/plan_internal.h"
#include "memory/placement.h"

namespace ember::memory {

const Allocation* MemoryPlan::Find(ir::TensorId id) const {
  for (const Allocation& a : allocations) {
    if (a.tensor == id && id != ir::kNoTensor) return &a;
  }
  return nullptr;
}

const Allocation* MemoryPlan::Scratch(int node) const {
  for (const Allocation& a : allocations) {
    if (a.tensor == ir::kNoTensor && a.node == node) return &a;
  }
  return nullptr;
}

namespace {

// The planning problem: one allocation per activation and scratch region,
// grouped into sets whose members share one block of bytes.
struct Problem {
  std::vector<Allocation> allocs;  // activations by tensor id, then scratch by node
  std::vector<int> index;          // tensor id -> allocation index (-1: none)
  std::vector<int> producer;       // tensor id -> producing node (-1: none)
};

Problem BuildProblem(const ir::Graph& g, const PlanHints& hints, const PlanOptions& options) {
  Problem p;
  p.index.assign(g.tensors.size(), -1);
  p.producer = detail::Producers(g);
  const std::vector<bool> io = detail::IoTensors(g);
  for (const Lifetime& l : ComputeLifetimes(g)) {
    Allocation a;
    a.tensor = l.tensor;
    a.first = l.first;
    a.last = l.last;
    a.bytes = l.bytes;
    a.in_arena = options.io_in_arena || !io[static_cast<size_t>(l.tensor)];
    p.index[static_cast<size_t>(l.tensor)] = static_cast<int>(p.allocs.size());
    p.allocs.push_back(a);
  }
  for (size_t s = 0; s < hints.scratch_bytes.size(); ++s) {
    if (hints.scratch_bytes[s] == 0) continue;
    Allocation a;
    a.node = static_cast<int>(s);
    a.first = a.last = static_cast<int>(s);
    a.bytes = hints.scratch_bytes[s];
    p.allocs.push_back(a);
  }
  return p;
}

// One block per set of allocations that share bytes (arena allocations
// only); `block_of` maps each allocation to its block (-1: outside the arena).
std::vector<Block> BuildBlocks(const Problem& p, detail::DisjointSets& sets, std::vector<int>& block_of) {
  std::vector<Block> blocks;
  std::vector<int> block_of_root(p.allocs.size(), -1);
  block_of.assign(p.allocs.size(), -1);
  for (size_t k = 0; k < p.allocs.size(); ++k) {
    const Allocation& a = p.allocs[k];
    if (!a.in_arena) continue;
    const size_t root = sets.Find(k);
    int& b = block_of_root[root];
    if (b < 0) {
      b = static_cast<int>(blocks.size());
      blocks.push_back({a.first, a.last, a.bytes, static_cast<int64_t>(root)});
    }
    Block& blk = blocks[static_cast<size_t>(b)];
    blk.first = std::min(blk.first, a.first);
    blk.last = std::max(blk.last, a.last);
    blk.bytes = std::max(blk.bytes, a.bytes);
    block_of[k] = b;
  }
  return blocks;
}

Placement Place(const Problem& p, detail::DisjointSets& sets, int64_t alignment, std::vector<int>& block_of) {
  return PlaceBlocks(BuildBlocks(p, sets, block_of), alignment);
}

// Last step at which any member of allocation k's set is live.
int SetLast(const Problem& p, detail::DisjointSets& sets, size_t k) {
  const size_t root = sets.Find(k);
  int last = p.allocs[k].last;
  for (size_t j = 0; j < p.allocs.size(); ++j) {
    if (sets.Find(j) == root) last = std::max(last, p.allocs[j].last);
  }
  return last;
}

// True when both tensors of a hinted pair have allocations in the arena (not
// a constant input, not a caller-owned graph input or output).
bool Mergeable(const Problem& p, ir::TensorId out, ir::TensorId in) {
  const int o = p.index[static_cast<size_t>(out)];
  const int i = p.index[static_cast<size_t>(in)];
  return o >= 0 && i >= 0 && p.allocs[static_cast<size_t>(o)].in_arena && p.allocs[static_cast<size_t>(i)].in_arena;
}

// Merges each alias pair whose two tensors are both in the arena; a pair with
// a caller-owned or constant input, or a caller-owned output, stays apart
// (its copy runs).
void MergeAliases(Problem& p, const PlanHints& hints, detail::DisjointSets& sets) {
  for (const auto& [out, in] : hints.aliases) {
    if (!Mergeable(p, out, in)) continue;
    const auto o = static_cast<size_t>(p.index[static_cast<size_t>(out)]);
    const auto i = static_cast<size_t>(p.index[static_cast<size_t>(in)]);
    sets.Union(o, i);
    p.allocs[o].aliased = true;
  }
}

}  // namespace

// The plan in four steps:
//   1. one allocation per activation (liveness.h lifetimes; graph inputs and
//      outputs outside the arena unless options.io_in_arena) and per node
//      scratch region (live at its node's step only);
//   2. alias hints merge output and input into one block whose lifetime is the
//      union of theirs (chains merge transitively); a pair involving a
//      caller-owned buffer is not merged;
//   3. the blocks are placed by PlaceBlocks (placement.h: first fit under four
//      orderings, smallest arena wins);
//   4. in-place hints are tried one by one in hint order: a pair qualifies
//      when both are in the arena, the sizes are equal and the input's block
//      dies at the node producing the output; it is merged into the input's
//      block when re-placing does not make the arena larger.
// Not optimal: step 3 is a heuristic (see placement.cc), and step 4 decides
// greedily, one pair at a time, so a pair rejected early is not reconsidered
// after later merges change the picture.
Expected<MemoryPlan> PlanMemory(const ir::Graph& g, const PlanHints& hints, const PlanOptions& options) {
  EMBER_RETURN_IF_ERROR(detail::CheckHints(g, hints, options.alignment));
  Problem p = BuildProblem(g, hints, options);
  detail::DisjointSets sets(p.allocs.size());
  MergeAliases(p, hints, sets);
  std::vector<int> block_of;
  Placement best = Place(p, sets, options.alignment, block_of);
  for (const auto& [out, in] : hints.inplace) {
    if (!Mergeable(p, out, in)) continue;
    const auto o = static_cast<size_t>(p.index[static_cast<size_t>(out)]);
    const auto i = static_cast<size_t>(p.index[static_cast<size_t>(in)]);
    if (p.allocs[o].bytes != p.allocs[i].bytes) continue;
    if (sets.Find(o) == sets.Find(i) || SetLast(p, sets, i) != p.producer[static_cast<size_t>(out)]) continue;
    detail::DisjointSets trial = sets;
    trial.Union(o, i);
    std::vector<int> trial_block_of;
    Placement placed = Place(p, trial, options.alignment, trial_block_of);
    if (placed.arena_bytes > best.arena_bytes) continue;
    sets = trial;
    best = std::move(placed);
    block_of = std::move(trial_block_of);
    p.allocs[o].aliased = true;
  }
  MemoryPlan plan;
  plan.alignment = options.alignment;
  plan.arena_bytes = best.arena_bytes;
  plan.algorithm = best.algorithm;
  for (size_t k = 0; k < p.allocs.size(); ++k) {
    if (block_of[k] >= 0) p.allocs[k].offset = best.offsets[static_cast<size_t>(block_of[k])];
  }
  plan.allocations = std::move(p.allocs);
  EMBER_RETURN_IF_ERROR(VerifyPlan(g, hints, plan));
  return plan;
}

}  // namespace ember::memory
