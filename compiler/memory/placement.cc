#include "memory/placement.h"

#include <algorithm>
#include <utility>

namespace ember::memory {

namespace {

// The lowest multiple of `alignment` >= `from` outside every [lo, hi) range
// (sorted by lo).
int64_t LowestFree(const std::vector<std::pair<int64_t, int64_t>>& forbidden, int64_t from, int64_t alignment) {
  int64_t c = AlignUp(from, alignment);
  for (const auto& [lo, hi] : forbidden) {
    if (c < lo) break;  // below this range, and every later one starts higher
    c = std::max(c, AlignUp(hi, alignment));
  }
  return c;
}

// The highest multiple of `alignment` <= `to` outside every [lo, hi) range.
int64_t HighestFree(const std::vector<std::pair<int64_t, int64_t>>& forbidden, int64_t to, int64_t alignment) {
  std::vector<std::pair<int64_t, int64_t>> by_end(forbidden);
  std::sort(by_end.begin(), by_end.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  int64_t c = AlignDown(to, alignment);
  for (const auto& [lo, hi] : by_end) {
    if (c >= hi) break;  // above this range, and every later one ends lower
    if (c >= lo) c = AlignDown(lo - 1, alignment);
  }
  return c;
}

}  // namespace

Placement PlaceInOrder(const std::vector<Block>& blocks, const std::vector<size_t>& order, int64_t alignment,
                       std::string algorithm, const std::vector<Relation>& relations) {
  Placement p;
  p.algorithm = std::move(algorithm);
  p.offsets.assign(blocks.size(), 0);
  std::vector<bool> is_placed(blocks.size(), false);
  std::vector<size_t> placed;
  placed.reserve(blocks.size());
  // Offsets of the block being placed that collide with a placed block: [lo, hi).
  std::vector<std::pair<int64_t, int64_t>> forbidden;
  std::vector<int64_t> candidates;
  int64_t top = 0, bottom = 0;
  for (size_t idx : order) {
    const Block& b = blocks[idx];
    if (b.bytes <= 0) continue;
    forbidden.clear();
    candidates.clear();
    for (size_t j : placed) {
      if (!LiveTogether(b, blocks[j])) continue;
      const int64_t at = p.offsets[j];
      int64_t lo = at - b.bytes + 1, hi = at + blocks[j].bytes;  // b at c overlaps j iff lo <= c < hi
      int64_t up_lo = hi;  // upward relations: [up_lo, hi) is allowed too
      for (const Relation& r : relations) {
        if (r.upward) {
          if (r.out == idx && r.in == j) up_lo = std::min(up_lo, at + r.delta);      // c >= at + delta
          if (r.in == idx && r.out == j) lo = std::max(lo, at - r.delta + 1);        // c <= at - delta
        } else {
          if (r.out == idx && r.in == j) lo = std::max(lo, at + r.delta + 1);  // c <= at + delta is allowed
          if (r.in == idx && r.out == j) hi = std::min(hi, at - r.delta);      // c >= at - delta is allowed
        }
      }
      hi = std::min(hi, up_lo);
      if (lo < hi) forbidden.emplace_back(lo, hi);
    }
    std::sort(forbidden.begin(), forbidden.end());
    candidates.push_back(LowestFree(forbidden, bottom, alignment));
    for (const Relation& r : relations) {
      const bool out_here = r.out == idx && is_placed[r.in], in_here = r.in == idx && is_placed[r.out];
      if (!out_here && !in_here) continue;
      const int64_t limit = out_here ? p.offsets[r.in] + r.delta : p.offsets[r.out] - r.delta;
      // Below the limit for a forward out or an upward in, above it otherwise.
      candidates.push_back(out_here != r.upward ? HighestFree(forbidden, limit, alignment)
                                                : LowestFree(forbidden, limit, alignment));
    }
    // The candidate that grows the arena least (the first of equals).
    int64_t best = candidates[0];
    int64_t best_span = std::max(top, best + b.bytes) - std::min(bottom, best);
    for (size_t k = 1; k < candidates.size(); ++k) {
      const int64_t c = candidates[k];
      const int64_t span = std::max(top, c + b.bytes) - std::min(bottom, c);
      if (span < best_span) {
        best = c;
        best_span = span;
      }
    }
    p.offsets[idx] = best;
    top = std::max(top, best + b.bytes);
    bottom = std::min(bottom, best);
    placed.push_back(idx);
    is_placed[idx] = true;
  }
  for (int64_t& o : p.offsets) o -= bottom;  // bottom is a multiple of the alignment, <= 0
  p.arena_bytes = AlignUp(top - bottom, alignment);
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

// Appends the four first-fit placements of `blocks` to `tries`, one per
// ordering key. With `fillers_last`, the fillers come after all other
// blocks, and the keys of those are computed as if the fillers did not exist.
void AddOrderings(const std::vector<Block>& blocks, bool fillers_last, int64_t alignment,
                  const std::vector<Relation>& relations, std::vector<Placement>& tries) {
  std::vector<Block> keyed(blocks);  // the blocks as the keys see them
  if (fillers_last) {
    for (Block& b : keyed) {
      if (b.filler) b.bytes = 0;
    }
  }
  const std::string suffix = fillers_last ? ", fillers last" : "";
  const Pressure pr = ComputePressure(keyed);
  auto ordered = [&](auto primary) {
    std::vector<size_t> order(blocks.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (fillers_last && blocks[a].filler != blocks[b].filler) return blocks[b].filler;
      const auto ka = primary(a);
      const auto kb = primary(b);
      if (ka != kb) return ka < kb;
      if (blocks[a].first != blocks[b].first) return blocks[a].first < blocks[b].first;
      return blocks[a].key < blocks[b].key;
    });
    return order;
  };
  tries.push_back(PlaceInOrder(blocks, ordered([&](size_t i) { return -keyed[i].bytes; }), alignment,
                               "greedy-by-size" + suffix, relations));
  tries.push_back(PlaceInOrder(
      blocks, ordered([&](size_t i) { return std::make_pair(keyed[i].first, -keyed[i].bytes); }), alignment,
      "greedy-by-first-use" + suffix, relations));
  tries.push_back(PlaceInOrder(
      blocks, ordered([&](size_t i) { return std::make_pair(-pr.conflicts[i], -keyed[i].bytes); }), alignment,
      "greedy-by-conflicts" + suffix, relations));
  tries.push_back(PlaceInOrder(
      blocks, ordered([&](size_t i) { return std::make_pair(-pr.peak[i], -keyed[i].bytes); }), alignment,
      "greedy-by-peak" + suffix, relations));
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
//
// Fillers (kernel scratch) take part in the four orders like any block, and
// the four run again with the fillers last and the ordering keys (peak,
// conflicts) computed without them: the other blocks then get exactly the
// offsets they would get if there were no scratch at all, and each filler
// goes to the lowest hole free at its step. A few hundred bytes of scratch
// counted in the keys can reorder the large blocks and cost an overlap that
// saves far more than the scratch (ic with the DSP kernels: 50,016 B with the
// scratch ordered among the tensors, 34,192 B with it last).
Placement PlaceBlocks(const std::vector<Block>& blocks, int64_t alignment, const std::vector<Relation>& relations) {
  std::vector<Placement> tries;
  AddOrderings(blocks, /*fillers_last=*/false, alignment, relations, tries);
  if (std::any_of(blocks.begin(), blocks.end(), [](const Block& b) { return b.filler && b.bytes > 0; }))
    AddOrderings(blocks, /*fillers_last=*/true, alignment, relations, tries);
  size_t best = 0;
  for (size_t i = 1; i < tries.size(); ++i) {
    if (tries[i].arena_bytes < tries[best].arena_bytes) best = i;
  }
  return std::move(tries[best]);
}

}  // namespace ember::memory
