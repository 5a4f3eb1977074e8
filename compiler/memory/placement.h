// Offset assignment for buffers with known lifetimes: the packing heuristics
// behind the static memory planner (planner.h). This layer knows nothing of
// graphs or hints: a block is a size and a closed interval of steps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::memory {

struct Block {
  int first = 0;      // first step the block is live
  int last = 0;       // last step the block is live (inclusive, >= first)
  int64_t bytes = 0;  // size; 0 never conflicts with anything
  int64_t key = 0;    // deterministic tie-breaker (unique per block)
  // May be placed after all other blocks, into the holes they leave (a
  // kernel's scratch: live at one step, related to nothing).
  bool filler = false;
};

// Block `out` may overlap block `in` (they are live together at one step
// only, where `in` dies and `out` is written) when offset(out) <= offset(in) +
// delta; apart from that, the two must not overlap like any other pair.
// With `upward`, the mirror image: offset(out) >= offset(in) + delta.
struct Relation {
  size_t out = 0;
  size_t in = 0;
  int64_t delta = 0;
  bool upward = false;
};

struct Placement {
  std::vector<int64_t> offsets;  // one per block, multiples of the alignment
  int64_t arena_bytes = 0;       // rounded up to the alignment
  std::string algorithm;         // which ordering produced it
};

// True when the lifetimes of `a` and `b` share a step.
inline bool LiveTogether(const Block& a, const Block& b) { return a.first <= b.last && b.first <= a.last; }

// Places every block with first-fit in the given order: each block goes to the
// lowest offset (multiple of `alignment`) where it does not overlap any block
// placed before it whose lifetime intersects its own. With relations, a block
// may also overlap its related blocks as they allow; it then goes where the
// arena grows least among: the lowest free offset, and for each related block
// already placed, the free offset nearest to the relation's limit (for an
// `out`, the highest at or below offset(in) + delta, possibly below 0: the
// arena extends downwards; for an `in`, the lowest at or above offset(out) -
// delta; mirrored for upward relations). Offsets are shifted at the end so
// the lowest is 0.
Placement PlaceInOrder(const std::vector<Block>& blocks, const std::vector<size_t>& order, int64_t alignment,
                       std::string algorithm, const std::vector<Relation>& relations = {});

// Runs first-fit with several orderings (by size, by first use, by number of
// conflicts, by the live bytes around the block) and returns the smallest
// arena; ties go to the earlier ordering in that list. When some blocks are
// fillers, the four orderings run a second time with the other blocks
// ordered as if the fillers did not exist and the fillers placed after them
// (algorithm "<ordering>, fillers last"): the arena is then at most that of
// the other blocks alone plus the largest filler (rounded up to the
// alignment) when no two fillers are live together. Deterministic.
Placement PlaceBlocks(const std::vector<Block>& blocks, int64_t alignment,
                      const std::vector<Relation>& relations = {});

// `value` rounded down to a multiple of `alignment` (> 0), also when negative.
inline int64_t AlignDown(int64_t value, int64_t alignment) {
  return value >= 0 ? value / alignment * alignment : -((-value + alignment - 1) / alignment * alignment);
}

// `value` rounded up to a multiple of `alignment` (> 0).
inline int64_t AlignUp(int64_t value, int64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

}  // namespace ember::memory
