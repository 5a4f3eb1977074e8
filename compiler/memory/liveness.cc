#include "memory/liveness.h"

#include <algorithm>

namespace ember::memory {

std::vector<Lifetime> ComputeLifetimes(const ir::Graph& g) {
  const int end = static_cast<int>(g.nodes.size());
  std::vector<int> first(g.tensors.size(), -2);  // -2: not an activation
  std::vector<int> last(g.tensors.size(), -2);
  for (ir::TensorId id : g.inputs) {
    first[static_cast<size_t>(id)] = -1;
    last[static_cast<size_t>(id)] = -1;
  }
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    for (ir::TensorId id : g.nodes[s].outputs) {
      first[static_cast<size_t>(id)] = static_cast<int>(s);
      last[static_cast<size_t>(id)] = static_cast<int>(s);
    }
  }
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    for (ir::TensorId id : g.nodes[s].inputs) {
      if (id == ir::kNoTensor || first[static_cast<size_t>(id)] == -2) continue;
      last[static_cast<size_t>(id)] = std::max(last[static_cast<size_t>(id)], static_cast<int>(s));
    }
  }
  for (ir::TensorId id : g.outputs) {
    if (first[static_cast<size_t>(id)] != -2) last[static_cast<size_t>(id)] = end;
  }
  std::vector<Lifetime> out;
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    if (first[i] == -2 || g.tensors[i].is_const()) continue;
    out.push_back({static_cast<ir::TensorId>(i), first[i], last[i], g.tensors[i].size_bytes()});
  }
  return out;
}

std::vector<int64_t> LiveBytesPerStep(const ir::Graph& g) {
  std::vector<int64_t> live(g.nodes.size(), 0);
  for (const Lifetime& l : ComputeLifetimes(g)) {
    const int lo = std::max(l.first, 0);
    const int hi = std::min(l.last, static_cast<int>(g.nodes.size()) - 1);
    for (int s = lo; s <= hi; ++s) live[static_cast<size_t>(s)] += l.bytes;
  }
  return live;
}

int64_t ActivationLowerBound(const ir::Graph& g) {
  if (g.nodes.empty()) {
    int64_t total = 0;
    for (ir::TensorId id : g.inputs) total += g.tensor(id).size_bytes();
    return total;
  }
  const std::vector<int64_t> live = LiveBytesPerStep(g);
  return *std::max_element(live.begin(), live.end());
}

}  // namespace ember::memory
