// Hint checking, plan verification and the human-readable plan summary.
#include <algorithm>
#include <cstdio>
#include <string>

#include "memory/liveness.h"
#include "memory/plan_internal.h"
#include "memory/planner.h"

namespace ember::memory {
namespace detail {

std::vector<int> Producers(const ir::Graph& g) {
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    for (ir::TensorId id : g.nodes[s].outputs) {
      if (id >= 0 && static_cast<size_t>(id) < producer.size()) producer[static_cast<size_t>(id)] = static_cast<int>(s);
    }
  }
  return producer;
}

std::vector<bool> IoTensors(const ir::Graph& g) {
  std::vector<bool> io(g.tensors.size(), false);
  for (ir::TensorId id : g.inputs) io[static_cast<size_t>(id)] = true;
  for (ir::TensorId id : g.outputs) io[static_cast<size_t>(id)] = true;
  return io;
}

namespace {

Diagnostic HintError(const std::string& what) {
  return MakeDiag("E0601", ExitCode::kInternal, "memory plan: " + what,
                  "the kernel emitters gave inconsistent memory hints; this is a bug in ember, please report it");
}

std::string Pair(const ir::Graph& g, const char* kind, ir::TensorId out, ir::TensorId in) {
  auto name = [&](ir::TensorId id) {
    if (id < 0 || static_cast<size_t>(id) >= g.tensors.size()) return "#" + std::to_string(id);
    return "'" + g.tensor(id).name + "'";
  };
  return std::string(kind) + " hint (output " + name(out) + ", input " + name(in) + ")";
}

// One hinted pair: both in range; `out` is a node output and `in` an
// activation or a constant read by that node.
Status CheckPair(const ir::Graph& g, const std::vector<int>& producer, const std::vector<bool>& io,
                 const char* kind, ir::TensorId out, ir::TensorId in) {
  const auto n = static_cast<ir::TensorId>(g.tensors.size());
  if (out < 0 || in < 0 || out >= n || in >= n) return HintError(Pair(g, kind, out, in) + " names no tensor");
  const auto o = static_cast<size_t>(out);
  const auto i = static_cast<size_t>(in);
  if (g.tensors[o].is_const()) return HintError(Pair(g, kind, out, in) + ": the output is a constant");
  // A constant input is consistent (the kernel may copy or overwrite only
  // activations, so the pair is simply never applied); anything else must be
  // an activation.
  if (!g.tensors[i].is_const() && producer[i] < 0 && !io[i])
    return HintError(Pair(g, kind, out, in) + ": the input is not an activation");
  if (producer[o] < 0) return HintError(Pair(g, kind, out, in) + ": no node produces the output");
  const ir::Node& node = g.nodes[static_cast<size_t>(producer[o])];
  if (std::find(node.inputs.begin(), node.inputs.end(), in) == node.inputs.end())
    return HintError(Pair(g, kind, out, in) + ": node " + std::to_string(producer[o]) +
                     " does not read the input");
  return Status::Ok();
}

}  // namespace

Status CheckHints(const ir::Graph& g, const PlanHints& hints, int64_t alignment) {
  if (alignment <= 0) return HintError("alignment " + std::to_string(alignment) + " is not positive");
  if (hints.scratch_bytes.size() > g.nodes.size())
    return HintError("scratch sizes for " + std::to_string(hints.scratch_bytes.size()) + " nodes, graph has " +
                     std::to_string(g.nodes.size()));
  for (size_t s = 0; s < hints.scratch_bytes.size(); ++s) {
    if (hints.scratch_bytes[s] < 0)
      return HintError("node " + std::to_string(s) + " asks for " + std::to_string(hints.scratch_bytes[s]) +
                       " scratch bytes");
  }
  const std::vector<int> producer = Producers(g);
  const std::vector<bool> io = IoTensors(g);
  std::vector<bool> seen_out(g.tensors.size(), false);
  for (const auto& [out, in] : hints.aliases) {
    EMBER_RETURN_IF_ERROR(CheckPair(g, producer, io, "alias", out, in));
    if (g.tensor(out).size_bytes() != g.tensor(in).size_bytes())
      return HintError(Pair(g, "alias", out, in) + ": sizes differ (" + std::to_string(g.tensor(out).size_bytes()) +
                       " and " + std::to_string(g.tensor(in).size_bytes()) + " bytes)");
    if (seen_out[static_cast<size_t>(out)]) return HintError(Pair(g, "alias", out, in) + ": output hinted twice");
    seen_out[static_cast<size_t>(out)] = true;
  }
  for (size_t k = 0; k < hints.overlaps.size(); ++k) {
    const Overlap& h = hints.overlaps[k];
    EMBER_RETURN_IF_ERROR(CheckPair(g, producer, io, "overlap", h.output, h.input));
    if (seen_out[static_cast<size_t>(h.output)])
      return HintError(Pair(g, "overlap", h.output, h.input) + ": the output is also an alias");
    for (size_t j = 0; j < k; ++j) {
      if (hints.overlaps[j].output == h.output && hints.overlaps[j].input == h.input &&
          hints.overlaps[j].upward == h.upward)
        return HintError(Pair(g, "overlap", h.output, h.input) + ": hinted twice");
    }
  }
  return Status::Ok();
}

}  // namespace detail

namespace {

Diagnostic PlanError(const std::string& what) {
  return MakeDiag("E0602", ExitCode::kInternal, "memory plan: " + what,
                  "the memory planner produced an invalid plan; this is a bug in ember, please report it");
}

std::string BufferName(const ir::Graph& g, const Allocation& a) {
  if (a.tensor == ir::kNoTensor) return "scratch of node " + std::to_string(a.node);
  return "tensor '" + g.tensor(a.tensor).name + "'";
}

// Every activation has exactly one allocation matching its liveness, every
// node with scratch exactly one scratch allocation, and nothing else exists.
Status CheckCoverage(const ir::Graph& g, const PlanHints& hints, const MemoryPlan& plan) {
  const std::vector<bool> io = detail::IoTensors(g);
  std::vector<const Lifetime*> life(g.tensors.size(), nullptr);
  const std::vector<Lifetime> lifetimes = ComputeLifetimes(g);
  for (const Lifetime& l : lifetimes) life[static_cast<size_t>(l.tensor)] = &l;
  std::vector<int> count(g.tensors.size(), 0);
  std::vector<int> scratch_count(g.nodes.size(), 0);
  for (const Allocation& a : plan.allocations) {
    if (a.tensor == ir::kNoTensor) {
      const auto n = static_cast<size_t>(a.node);
      if (a.node < 0 || n >= hints.scratch_bytes.size() || hints.scratch_bytes[n] == 0)
        return PlanError("scratch allocation for node " + std::to_string(a.node) + ", which asks for none");
      if (a.bytes < hints.scratch_bytes[n] || a.first != a.node || a.last != a.node || !a.in_arena)
        return PlanError("scratch of node " + std::to_string(a.node) + " is not " +
                         std::to_string(hints.scratch_bytes[n]) + " arena bytes live at its step");
      ++scratch_count[n];
      continue;
    }
    const auto t = static_cast<size_t>(a.tensor);
    if (a.in_state) {
      if (a.tensor < 0 || t >= g.tensors.size() || !g.tensors[t].is_variable || a.in_arena)
        return PlanError("state allocation for tensor #" + std::to_string(a.tensor) + ", which is not a variable");
      if (a.bytes != g.tensors[t].size_bytes() || a.offset < 0 || a.offset % plan.alignment != 0 ||
          a.offset > plan.state_bytes - a.bytes)
        return PlanError(BufferName(g, a) + " at state offset " + std::to_string(a.offset) + " with " +
                         std::to_string(a.bytes) + " bytes does not fit the state region of " +
                         std::to_string(plan.state_bytes) + " bytes");
      if (++count[t] != 1) return PlanError("variable '" + g.tensors[t].name + "' has two state allocations");
      continue;
    }
    if (a.tensor < 0 || t >= g.tensors.size() || life[t] == nullptr)
      return PlanError("allocation for tensor #" + std::to_string(a.tensor) + ", which is not an activation");
    const Lifetime& l = *life[t];
    if (a.bytes != l.bytes || a.first != l.first || a.last != l.last)
      return PlanError(BufferName(g, a) + " has " + std::to_string(a.bytes) + " bytes live " +
                       std::to_string(a.first) + ".." + std::to_string(a.last) + "; liveness says " +
                       std::to_string(l.bytes) + " bytes live " + std::to_string(l.first) + ".." +
                       std::to_string(l.last));
    if (!a.in_arena && !io[t]) return PlanError(BufferName(g, a) + " is outside the arena but not a graph input/output");
    ++count[t];
  }
  for (const Lifetime& l : lifetimes) {
    if (count[static_cast<size_t>(l.tensor)] != 1)
      return PlanError("tensor '" + g.tensor(l.tensor).name + "' has " +
                       std::to_string(count[static_cast<size_t>(l.tensor)]) + " allocations, expected 1");
  }
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].is_variable && count[t] != 1)
      return PlanError("variable '" + g.tensors[t].name + "' has no state allocation");
  }
  // State allocations never overlap each other.
  std::vector<std::pair<int64_t, int64_t>> state;
  for (const Allocation& a : plan.allocations)
    if (a.in_state && a.bytes > 0) state.emplace_back(a.offset, a.offset + a.bytes);
  std::sort(state.begin(), state.end());
  for (size_t k = 1; k < state.size(); ++k)
    if (state[k].first < state[k - 1].second)
      return PlanError("two variables overlap in the state region at offset " + std::to_string(state[k].first));
  for (size_t s = 0; s < hints.scratch_bytes.size(); ++s) {
    if (hints.scratch_bytes[s] > 0 && scratch_count[s] != 1)
      return PlanError("node " + std::to_string(s) + " has " + std::to_string(scratch_count[s]) +
                       " scratch allocations, expected 1");
  }
  return Status::Ok();
}

Status CheckBounds(const ir::Graph& g, const MemoryPlan& plan) {
  const int64_t align = plan.alignment;
  if (align <= 0) return PlanError("alignment " + std::to_string(align) + " is not positive");
  if (plan.arena_bytes < 0 || plan.arena_bytes % align != 0)
    return PlanError("arena size " + std::to_string(plan.arena_bytes) + " is not a multiple of " +
                     std::to_string(align));
  for (const Allocation& a : plan.allocations) {
    if (!a.in_arena) continue;
    if (a.offset < 0 || a.offset % align != 0)
      return PlanError(BufferName(g, a) + " at offset " + std::to_string(a.offset) + " is not aligned to " +
                       std::to_string(align));
    if (a.offset > plan.arena_bytes - a.bytes)
      return PlanError(BufferName(g, a) + " at offset " + std::to_string(a.offset) + " with " +
                       std::to_string(a.bytes) + " bytes ends past the arena of " +
                       std::to_string(plan.arena_bytes) + " bytes");
  }
  return Status::Ok();
}

// Sets of allocations that share bytes through alias hints (both in the arena).
detail::DisjointSets AliasSets(const PlanHints& hints, const MemoryPlan& plan, const std::vector<int>& index) {
  const auto& allocs = plan.allocations;
  detail::DisjointSets alias(allocs.size());
  for (const auto& [out, in] : hints.aliases) {
    const int o = index[static_cast<size_t>(out)];
    const int i = index[static_cast<size_t>(in)];
    if (o >= 0 && i >= 0 && allocs[static_cast<size_t>(o)].in_arena && allocs[static_cast<size_t>(i)].in_arena)
      alias.Union(static_cast<size_t>(o), static_cast<size_t>(i));
  }
  return alias;
}

// True when an overlap hint allows allocation `o` (an output) to overlap
// allocation `b`: b is the hint's input or aliases it, b dies at the node
// that writes o, and o starts at most delta bytes above b (upward hints, for
// an output marked reversed: at least delta bytes above b).
bool OverlapAllowed(const ir::Graph& g, const PlanHints& hints, const MemoryPlan& plan,
                    const std::vector<int>& index, const std::vector<int>& producer, detail::DisjointSets& alias,
                    size_t o, size_t b) {
  const Allocation& out = plan.allocations[o];
  const Allocation& in = plan.allocations[b];
  if (out.tensor == ir::kNoTensor) return false;
  for (const Overlap& h : hints.overlaps) {
    if (h.output != out.tensor || h.upward != out.reversed || g.tensor(h.input).is_const()) continue;
    const int i = index[static_cast<size_t>(h.input)];
    if (i < 0 || alias.Find(static_cast<size_t>(i)) != alias.Find(b)) continue;
    const int node = producer[static_cast<size_t>(out.tensor)];
    const bool placed = h.upward ? out.offset >= in.offset + h.delta : out.offset <= in.offset + h.delta;
    if (in.last == node && out.first == node && placed) return true;
  }
  return false;
}

Status CheckOverlaps(const ir::Graph& g, const PlanHints& hints, const MemoryPlan& plan) {
  const auto& allocs = plan.allocations;
  std::vector<int> index(g.tensors.size(), -1);
  for (size_t k = 0; k < allocs.size(); ++k) {
    if (allocs[k].tensor != ir::kNoTensor) index[static_cast<size_t>(allocs[k].tensor)] = static_cast<int>(k);
  }
  detail::DisjointSets alias = AliasSets(hints, plan, index);
  const std::vector<int> producer = detail::Producers(g);
  for (size_t i = 0; i < allocs.size(); ++i) {
    const Allocation& a = allocs[i];
    if (!a.in_arena || a.bytes == 0) continue;
    for (size_t j = i + 1; j < allocs.size(); ++j) {
      const Allocation& b = allocs[j];
      if (!b.in_arena || b.bytes == 0 || a.first > b.last || b.first > a.last) continue;
      if (a.offset >= b.offset + b.bytes || b.offset >= a.offset + a.bytes) continue;
      if (alias.Find(i) == alias.Find(j) && a.offset == b.offset && a.bytes == b.bytes) continue;
      if (OverlapAllowed(g, hints, plan, index, producer, alias, i, j) ||
          OverlapAllowed(g, hints, plan, index, producer, alias, j, i))
        continue;
      return PlanError(BufferName(g, a) + " [" + std::to_string(a.offset) + ", " + std::to_string(a.offset + a.bytes) +
                       ") live " + std::to_string(a.first) + ".." + std::to_string(a.last) + " overlaps " +
                       BufferName(g, b) + " [" + std::to_string(b.offset) + ", " +
                       std::to_string(b.offset + b.bytes) + ") live " + std::to_string(b.first) + ".." +
                       std::to_string(b.last));
    }
  }
  return Status::Ok();
}

}  // namespace

Status VerifyPlan(const ir::Graph& g, const PlanHints& hints, const MemoryPlan& plan) {
  EMBER_RETURN_IF_ERROR(detail::CheckHints(g, hints, plan.alignment));
  EMBER_RETURN_IF_ERROR(CheckCoverage(g, hints, plan));
  EMBER_RETURN_IF_ERROR(CheckBounds(g, plan));
  return CheckOverlaps(g, hints, plan);
}

// A tensor name for a column of at most kNameColumn characters: a long
// (TFLite-style "model/block_3/conv/BiasAdd;...") name keeps its end.
namespace {
constexpr size_t kNameColumn = 48;
std::string ColumnName(const std::string& name) {
  return name.size() > kNameColumn ? "..." + name.substr(name.size() - (kNameColumn - 3)) : name;
}
}  // namespace

std::string PlanSummary(const ir::Graph& g, const MemoryPlan& plan) {
  std::string s = "arena " + std::to_string(plan.arena_bytes) + " bytes, alignment " +
                  std::to_string(plan.alignment) + ", " + plan.algorithm + "\n";
  if (plan.state_bytes > 0) s += "state " + std::to_string(plan.state_bytes) + " bytes (variables, kept across inferences)\n";
  size_t width = 6;
  for (const Allocation& a : plan.allocations) {
    width = std::max(width, ColumnName(a.tensor == ir::kNoTensor ? BufferName(g, a) : g.tensor(a.tensor).name).size());
  }
  char line[96];
  std::snprintf(line, sizeof line, " %10s %10s  %-11s %s\n", "bytes", "offset", "live", "note");
  s += "buffer" + std::string(width - 6, ' ') + line;
  for (const Allocation& a : plan.allocations) {
    const std::string name = ColumnName(a.tensor == ir::kNoTensor ? BufferName(g, a) : g.tensor(a.tensor).name);
    const std::string offset = a.in_arena   ? std::to_string(a.offset)
                               : a.in_state ? "state+" + std::to_string(a.offset)
                                            : "caller";
    const std::string live = std::to_string(a.first) + ".." + std::to_string(a.last);
    const char* note = a.reversed ? "shares bytes (written in reverse)" : a.aliased ? "shares bytes" : "";
    std::snprintf(line, sizeof line, " %10lld %10s  %-11s %s", static_cast<long long>(a.bytes), offset.c_str(),
                  live.c_str(), note);
    std::string row = name + std::string(width - name.size(), ' ') + line;
    while (!row.empty() && row.back() == ' ') row.pop_back();
    s += row + "\n";
  }
  return s;
}

}  // namespace ember::memory
