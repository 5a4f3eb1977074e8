#include "memory/placement.h"

#include <algorithm>
#include <utility>

namespace ember::memory {

Placement PlaceInOrder(const std::vector<Block>& blocks, const std::vector<size_t>& order, int64_t alignment,
                       std::string algorithm) {
  Placement p;
  p.algorithm = std::move(algorithm);
  p.offsets.assign(blocks.size(), 0);
  std::vector<size_t> placed;
  placed.reserve(blocks.size());
  std::vector<std::pair<int64_t, int64_t>> busy;  // [offset, end) of placed blocks live together with this one
  int64_t top = 0;
  for (size_t idx : order) {
    const Block& b = blocks[idx];
    if (b.bytes > 0) {
      busy.clear();
      for (size_t j : placed) {
        if (LiveTogether(b, blocks[j])) busy.emplace_back(p.offsets[j], p.offsets[j] + blocks[j].bytes);
      }
      std::sort(busy.begin(), busy.end());
      int64_t candidate = 0;
      for (const auto& [start, end] : busy) {
        if (candidate + b.bytes <= start) break;  // the gap below `start` is large enough
        candidate = std::max(candidate, AlignUp(end, alignment));
      }
      p.offsets[idx] = candidate;
      top = std::max(top, candidate + b.bytes);
      placed.push_back(idx);
    }
  }
  p.arena_bytes = AlignUp(top, alignment);
  return p;
}

namespace {

// Per block: the largest number of live bytes at any step of its lifetime
// (all blocks counted, itself included), and the number of blocks it is live
// together with.
struct Pressure {
  std::vector<int64_t> peak;
  std::vector<int64_t> conflicts;
};

Pressure ComputePressure(const std::vector<Block>& blocks) {
  Pressure pr;
  pr.peak.assign(blocks.size(), 0);
  pr.conflicts.assign(blocks.size(), 0);
  if (blocks.empty()) return pr;
  int lo = blocks[0].first;
  int hi = blocks[0].last;
  for (const Block& b : blocks) {
    lo = std::min(lo, b.first);
    hi = std::max(hi, b.last);
  }
  std::vector<int64_t> live(static_cast<size_t>(hi - lo + 1), 0);
  for (const Block& b : blocks) {
    for (int s = b.first; s <= b.last; ++s) live[static_cast<size_t>(s - lo)] += b.bytes;
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (int s = blocks[i].first; s <= blocks[i].last; ++s)
      pr.peak[i] = std::max(pr.peak[i], live[static_cast<size_t>(s - lo)]);
    for (size_t j = 0; j < blocks.size(); ++j) {
      if (j != i && blocks[j].bytes > 0 && LiveTogether(blocks[i], blocks[j])) ++pr.conflicts[i];
    }
  }
  return pr;
}

}  // namespace

// Offset assignment is NP-hard in general (it is dynamic storage allocation,
// a two-dimensional strip-packing problem), so we use TFLite Micro's greedy
// idea and try a few orders:
//   1. sort the blocks by an ordering key (below), ties by first use, then
//      by the block's unique key, so the result never depends on input order;
//   2. place each block, in that order, at the lowest aligned offset that is
//      free of every already-placed block whose lifetime intersects its own
//      (first fit, PlaceInOrder);
//   3. keep the ordering whose arena is smallest (the earliest on a tie).
// Orderings: by size (large blocks first: they are the hardest to fit and
// small ones fill the holes they leave), by first use (follows the program,
// good for chains), by conflicts (blocks that meet many others first), and by
// the peak live bytes around the block (the blocks of the busiest step first,
// which packs that step tightly, the step that sets the lower bound).
// Why it is not optimal: every ordering commits to a block's offset without
// looking ahead, so a hole left early can be too small for everything placed
// later; the best plan may need an order none of the four keys produces. The
// arena is always at least the peak live bytes; for the chain-like graphs of
// microcontroller models the four orders usually reach it or come close.
Placement PlaceBlocks(const std::vector<Block>& blocks, int64_t alignment) {
  const Pressure pr = ComputePressure(blocks);
  auto ordered = [&](auto primary) {
    std::vector<size_t> order(blocks.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const auto ka = primary(a);
      const auto kb = primary(b);
      if (ka != kb) return ka < kb;
      if (blocks[a].first != blocks[b].first) return blocks[a].first < blocks[b].first;
      return blocks[a].key < blocks[b].key;
    });
    return order;
  };
  std::vector<Placement> tries;
  tries.push_back(PlaceInOrder(blocks, ordered([&](size_t i) { return -blocks[i].bytes; }), alignment,
                               "greedy-by-size"));
  tries.push_back(PlaceInOrder(
      blocks, ordered([&](size_t i) { return std::make_pair(blocks[i].first, -blocks[i].bytes); }), alignment,
      "greedy-by-first-use"));
  tries.push_back(PlaceInOrder(
      blocks, ordered([&](size_t i) { return std::make_pair(-pr.conflicts[i], -blocks[i].bytes); }), alignment,
      "greedy-by-conflicts"));
  tries.push_back(PlaceInOrder(
      blocks, ordered([&](size_t i) { return std::make_pair(-pr.peak[i], -blocks[i].bytes); }), alignment,
      "greedy-by-peak"));
  size_t best = 0;
  for (size_t i = 1; i < tries.size(); ++i) {
    if (tries[i].arena_bytes < tries[best].arena_bytes) best = i;
  }
  return std::move(tries[best]);
}

}  // namespace ember::memory
