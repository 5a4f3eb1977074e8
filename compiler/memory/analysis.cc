#include "memory/analysis.h"

#include <algorithm>

#include "memory/liveness.h"
#include "memory/plan_internal.h"
#include "ops/op.h"

namespace ember::memory {

int64_t InplaceLowerBound(const ir::Graph& g, const PlanHints& hints) {
  if (g.nodes.empty()) return ActivationLowerBound(g);
  const std::vector<Lifetime> lifetimes = ComputeLifetimes(g);
  std::vector<const Lifetime*> life(g.tensors.size(), nullptr);
  for (const Lifetime& l : lifetimes) life[static_cast<size_t>(l.tensor)] = &l;
  detail::DisjointSets alias(g.tensors.size());
  for (const auto& [out, in] : hints.aliases) {
    if (life[static_cast<size_t>(out)] && life[static_cast<size_t>(in)])
      alias.Union(static_cast<size_t>(out), static_cast<size_t>(in));
  }
  const std::vector<int> producer = detail::Producers(g);
  int64_t bound = 0;
  for (int s = 0; s < static_cast<int>(g.nodes.size()); ++s) {
    // Live bytes, each alias set counted once (its largest member live now).
    std::vector<int64_t> set_bytes(g.tensors.size(), -1);
    for (const Lifetime& l : lifetimes) {
      if (l.first > s || l.last < s) continue;
      int64_t& b = set_bytes[alias.Find(static_cast<size_t>(l.tensor))];
      b = std::max(b, l.bytes);
    }
    int64_t live = 0;
    for (int64_t b : set_bytes) live += std::max<int64_t>(b, 0);
    // Overlaps of this node's outputs with inputs dying here: the best saving
    // per output, each input shared at most once (largest savings first).
    struct Saving {
      int64_t bytes;
      ir::TensorId out, in;
    };
    std::vector<Saving> savings;
    for (const Overlap& h : hints.overlaps) {
      const Lifetime* o = life[static_cast<size_t>(h.output)];
      const Lifetime* i = life[static_cast<size_t>(h.input)];
      if (!o || !i || producer[static_cast<size_t>(h.output)] != s || i->last != s) continue;
      // Forward: out at in + min(delta, 0) at best; upward: at in + max(delta, 0).
      const int64_t save = h.upward ? std::min(o->bytes, i->bytes - std::max<int64_t>(0, h.delta))
                                    : std::min(o->bytes - std::max<int64_t>(0, -h.delta), i->bytes);
      if (save > 0) savings.push_back({save, h.output, h.input});
    }
    std::stable_sort(savings.begin(), savings.end(), [](const Saving& a, const Saving& b) { return a.bytes > b.bytes; });
    std::vector<bool> used(g.tensors.size(), false);
    for (const Saving& sv : savings) {
      if (used[static_cast<size_t>(sv.out)] || used[static_cast<size_t>(sv.in)]) continue;
      used[static_cast<size_t>(sv.out)] = used[static_cast<size_t>(sv.in)] = true;
      live -= sv.bytes;
    }
    bound = std::max(bound, live);
  }
  return bound;
}

GraphFigures Analyze(const ir::Graph& g, const PlanHints* hints) {
  GraphFigures f;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    NodeFigures nf;
    nf.index = i;
    nf.op = n.op;
    nf.name = n.name;
    if (!n.outputs.empty()) nf.output_shape = g.tensor(n.outputs[0]).shape;
    const ops::OpDef& def = ops::GetOpDef(n.op);
    nf.macs = def.macs ? def.macs(g, n) : 0;
    for (ir::TensorId id : n.inputs) {
      if (id != ir::kNoTensor && g.tensor(id).is_const()) nf.param_bytes += g.tensor(id).size_bytes();
    }
    f.macs += nf.macs;
    f.nodes.push_back(std::move(nf));
  }
  for (const ir::Tensor& t : g.tensors) {
    if (t.is_const()) f.param_bytes += t.size_bytes();
    if (t.is_variable) {
      // An initial value is a constant too (the image reset_state copies).
      if (t.init) f.param_bytes += static_cast<int64_t>(t.init->size());
      f.state_bytes += t.size_bytes();
      ++f.variables;
    }
  }
  for (ir::TensorId id : g.inputs) f.input_bytes += g.tensor(id).size_bytes();
  for (ir::TensorId id : g.outputs) f.output_bytes += g.tensor(id).size_bytes();
  f.activation_lower_bound = ActivationLowerBound(g);
  f.inplace_lower_bound = hints ? InplaceLowerBound(g, *hints) : f.activation_lower_bound;
  return f;
}

}  // namespace ember::memory
