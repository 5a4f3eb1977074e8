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
      blocks.push_back({a.first, a.last, a.bytes, static_cast<int64_t>(root), a.tensor == ir::kNoTensor});
    }
    Block& blk = blocks[static_cast<size_t>(b)];
    blk.first = std::min(blk.first, a.first);
    blk.last = std::max(blk.last, a.last);
    blk.bytes = std::max(blk.bytes, a.bytes);
    block_of[k] = b;
  }
  return blocks;
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

// The overlap hints that apply, as relations between blocks: both tensors in
// the arena, in different blocks, the input's block (the input and all that
// aliases it) dying at the node that writes the output and the output's block
// born there, so that the two meet at that step only.
std::vector<Relation> Relations(const Problem& p, const PlanHints& hints, const std::vector<Block>& blocks,
                                const std::vector<int>& block_of) {
  std::vector<Relation> out;
  for (const Overlap& h : hints.overlaps) {
    if (!Mergeable(p, h.output, h.input)) continue;
    const int bo = block_of[static_cast<size_t>(p.index[static_cast<size_t>(h.output)])];
    const int bi = block_of[static_cast<size_t>(p.index[static_cast<size_t>(h.input)])];
    const int node = p.producer[static_cast<size_t>(h.output)];
    if (bo == bi || blocks[static_cast<size_t>(bi)].last != node || blocks[static_cast<size_t>(bo)].first != node)
      continue;
    out.push_back({static_cast<size_t>(bo), static_cast<size_t>(bi), h.delta, h.upward});
  }
  return out;
}

// The state region: the variables in tensor id order, one after the other at
// aligned offsets (nothing shares it: every byte of state is live forever).
void PlaceVariables(const ir::Graph& g, int64_t alignment, MemoryPlan& plan) {
  const int end = static_cast<int>(g.nodes.size());
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const ir::Tensor& t = g.tensors[i];
    if (!t.is_variable) continue;
    Allocation a;
    a.tensor = static_cast<ir::TensorId>(i);
    a.first = -1;
    a.last = end;
    a.bytes = t.size_bytes();
    a.in_arena = false;
    a.in_state = true;
    a.offset = plan.state_bytes;
    plan.state_bytes += (a.bytes + alignment - 1) / alignment * alignment;
    plan.allocations.push_back(a);
  }
}

}  // namespace

// The plan in four steps (and the variables' state region, PlaceVariables):
//   1. one allocation per activation (liveness.h lifetimes; graph inputs and
//      outputs outside the arena unless options.io_in_arena) and per node
//      scratch region (live at its node's step only);
//   2. alias hints merge output and input into one block whose lifetime is the
//      union of theirs (chains merge transitively); a pair involving a
//      caller-owned buffer is not merged;
//   3. overlap hints become relations between blocks (Relations above: the
//      output's block may sit at or below the input's offset + delta);
//   4. the blocks are placed by PlaceBlocks (placement.h: first fit under four
//      orderings, and the same four with the scratch regions, its fillers,
//      placed last; smallest arena wins) twice, without and with the
//      relations, and the smaller arena is kept (the one without on a tie).
// Not optimal: step 4 is a heuristic (see placement.cc) that places each
// block where the arena grows least at that moment, so chains of overlapping
// buffers drift downwards by the sum of their deltas even where a different
// choice earlier would have left more room later.
Expected<MemoryPlan> PlanMemory(const ir::Graph& g, const PlanHints& hints, const PlanOptions& options) {
  EMBER_RETURN_IF_ERROR(detail::CheckHints(g, hints, options.alignment));
  Problem p = BuildProblem(g, hints, options);
  detail::DisjointSets sets(p.allocs.size());
  MergeAliases(p, hints, sets);
  std::vector<int> block_of;
  const std::vector<Block> blocks = BuildBlocks(p, sets, block_of);
  const std::vector<Relation> relations = Relations(p, hints, blocks, block_of);
  Placement best = PlaceBlocks(blocks, options.alignment);
  if (!relations.empty()) {
    Placement overlapped = PlaceBlocks(blocks, options.alignment, relations);
    if (overlapped.arena_bytes < best.arena_bytes) best = std::move(overlapped);
  }
  MemoryPlan plan;
  plan.alignment = options.alignment;
  plan.arena_bytes = best.arena_bytes;
  plan.algorithm = best.algorithm;
  for (size_t k = 0; k < p.allocs.size(); ++k) {
    if (block_of[k] >= 0) p.allocs[k].offset = best.offsets[static_cast<size_t>(block_of[k])];
  }
  // Mark the outputs that really overlap a hinted input, and those whose
  // overlap only an upward hint allows (their kernels run in reverse).
  for (const Overlap& h : hints.overlaps) {
    if (!Mergeable(p, h.output, h.input)) continue;
    Allocation& o = p.allocs[static_cast<size_t>(p.index[static_cast<size_t>(h.output)])];
    const Allocation& i = p.allocs[static_cast<size_t>(p.index[static_cast<size_t>(h.input)])];
    if (o.bytes == 0 || i.bytes == 0 || o.offset >= i.offset + i.bytes || i.offset >= o.offset + o.bytes) continue;
    o.aliased = true;
    const bool forward = std::any_of(hints.overlaps.begin(), hints.overlaps.end(), [&](const Overlap& f) {
      return !f.upward && f.output == h.output && f.input == h.input && o.offset <= i.offset + f.delta;
    });
    if (!forward) o.reversed = true;
  }
  plan.allocations = std::move(p.allocs);
  PlaceVariables(g, options.alignment, plan);
  EMBER_RETURN_IF_ERROR(VerifyPlan(g, hints, plan));
  return plan;
}

}  // namespace ember::memory
