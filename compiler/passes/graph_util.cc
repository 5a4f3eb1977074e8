#include "passes/graph_util.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>

#include "ops/layout_util.h"
#include "ops/op.h"

namespace ember::passes {

Status FoldNode(ir::Graph& g, const ir::Node& n) {
  std::vector<std::vector<uint8_t>> out(n.outputs.size());
  ops::EvalArgs args{g, n, {}, {}};
  for (ir::TensorId t : n.inputs) args.inputs.push_back(t == ir::kNoTensor ? nullptr : g.tensor(t).data->data());
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    out[i].assign(static_cast<size_t>(g.tensor(n.outputs[i]).size_bytes()), 0);
    args.outputs.push_back(out[i].data());
  }
  EMBER_RETURN_IF_ERROR(ops::GetOpDef(n.op).eval(args));
  for (size_t i = 0; i < n.outputs.size(); ++i)
    if (g.tensor(n.outputs[i]).is_const()) return InternalError("a folded result is already a constant");
  for (size_t i = 0; i < n.outputs.size(); ++i) g.tensor(n.outputs[i]).data = std::move(out[i]);
  return Status::Ok();
}

std::vector<std::vector<Use>> ComputeUses(const ir::Graph& g) {
  std::vector<std::vector<Use>> uses(g.tensors.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const ir::TensorId t = n.inputs[k];
      if (t >= 0 && static_cast<size_t>(t) < uses.size()) uses[static_cast<size_t>(t)].push_back({i, k});
    }
  }
  return uses;
}

std::vector<int> ComputeProducers(const ir::Graph& g) {
  std::vector<int> prod(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (ir::TensorId t : g.nodes[i].outputs)
      if (t >= 0 && static_cast<size_t>(t) < prod.size()) prod[static_cast<size_t>(t)] = static_cast<int>(i);
  return prod;
}

bool IsGraphInput(const ir::Graph& g, ir::TensorId t) {
  return std::find(g.inputs.begin(), g.inputs.end(), t) != g.inputs.end();
}

bool IsGraphOutput(const ir::Graph& g, ir::TensorId t) {
  return std::find(g.outputs.begin(), g.outputs.end(), t) != g.outputs.end();
}

std::string UniqueName(const ir::Graph& g, const std::string& base) {
  std::set<std::string> names;
  for (const ir::Tensor& t : g.tensors) names.insert(t.name);
  if (!names.count(base)) return base;
  for (int i = 2;; ++i) {
    std::string s = base + "_" + std::to_string(i);
    if (!names.count(s)) return s;
  }
}

ir::TensorId WritableConstant(ir::Graph& g, size_t node, size_t operand, const std::string& suffix) {
  const ir::TensorId id = g.nodes[node].inputs[operand];
  size_t readers = 0;
  for (const ir::Node& n : g.nodes)
    for (ir::TensorId t : n.inputs) readers += t == id ? 1 : 0;
  if (readers == 1 && !IsGraphOutput(g, id)) return id;
  ir::Tensor copy = g.tensor(id);
  copy.name = UniqueName(g, copy.name + suffix);
  const ir::TensorId fresh = g.AddTensor(std::move(copy));
  g.nodes[node].inputs[operand] = fresh;
  return fresh;
}

void ReplaceUses(ir::Graph& g, ir::TensorId from, ir::TensorId to) {
  for (ir::Node& n : g.nodes)
    for (ir::TensorId& t : n.inputs)
      if (t == from) t = to;
  for (ir::TensorId& t : g.outputs)
    if (t == from) t = to;
}

std::vector<float> GetFloats(const ir::Tensor& t) {
  std::vector<float> v(t.data ? t.data->size() / sizeof(float) : 0);
  if (!v.empty()) std::memcpy(v.data(), t.data->data(), v.size() * sizeof(float));
  return v;
}

void SetFloats(ir::Tensor& t, const std::vector<float>& v) {
  t.data = std::vector<uint8_t>(v.size() * sizeof(float));
  if (!v.empty()) std::memcpy(t.data->data(), v.data(), v.size() * sizeof(float));
}

std::string ActOf(const ir::Node& n) { return n.GetString("act", "none"); }

bool HasFusedActAttr(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::kConv2D:
    case ir::OpKind::kDepthwiseConv2D:
    case ir::OpKind::kFullyConnected:
    case ir::OpKind::kAdd:
    case ir::OpKind::kMul:
    case ir::OpKind::kAveragePool2D:
    case ir::OpKind::kMaxPool2D:
      return true;
    default:
      return false;
  }
}

std::optional<ops::Activation> ActivationOf(const ir::Node& n) {
  if (n.op == ir::OpKind::kRelu) return ops::Activation::kRelu;
  if (n.op == ir::OpKind::kRelu6) return ops::Activation::kRelu6;
  if (n.op == ir::OpKind::kClip) {
    // An absent bound is unbounded; one beyond the float range is none either.
    constexpr double kMax = std::numeric_limits<float>::max();
    const double lo = std::max(n.HasAttr("min") ? n.GetReal("min") : -kMax, -kMax);
    const double hi = std::min(n.HasAttr("max") ? n.GetReal("max") : kMax, kMax);
    if (!(lo <= hi)) return std::nullopt;  // NaN, or a clip to its max everywhere
    if (lo == 0.0 && hi == 6.0) return ops::Activation::kRelu6;
    if (lo == 0.0 && hi == kMax) return ops::Activation::kRelu;
    if (lo == -1.0 && hi == 1.0) return ops::Activation::kReluN1To1;
    if (lo == -kMax && hi == kMax) return ops::Activation::kNone;
    return ops::Activation::Clip(lo, hi);
  }
  return std::nullopt;
}

namespace {

// FuseActivations' step for node i; whether it fused.
bool FuseIntoProducer(ir::Graph& g, size_t i, const ops::Activation& act, const std::vector<std::vector<Use>>& uses,
                      const std::vector<int>& prod) {
  const ir::Node& a = g.nodes[i];
  if (a.inputs.empty() || a.outputs.size() != 1) return false;
  const ir::TensorId x = a.inputs[0], y = a.outputs[0];
  if (x < 0 || prod[static_cast<size_t>(x)] < 0) return false;
  ir::Node& p = g.nodes[static_cast<size_t>(prod[static_cast<size_t>(x)])];
  if (!HasFusedActAttr(p.op) || ActOf(p) != "none" || p.outputs.size() != 1) return false;
  if (uses[static_cast<size_t>(x)].size() != 1 || IsGraphOutput(g, x)) return false;
  const ir::Tensor& tx = g.tensor(x);
  const ir::Tensor& ty = g.tensor(y);
  if (tx.dtype != ty.dtype || tx.shape != ty.shape) return false;
  if (tx.dtype != ir::DType::kFloat32) {
    if (tx.dtype != ir::DType::kInt8 || !tx.quant || tx.quant != ty.quant || tx.quant->per_axis()) return false;
  }
  if (act.kind == ops::Activation::Kind::kNone) {
    p.attrs["act"] = std::string("none");
  } else {
    p.attrs["act"] = std::string(ops::ActivationName(act));
    if (act.kind == ops::Activation::Kind::kClip) {
      p.attrs["act_min"] = act.min;
      p.attrs["act_max"] = act.max;
    }
  }
  p.outputs[0] = y;
  g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
  return true;
}

}  // namespace

void FuseActivations(ir::Graph& g,
                     const std::function<std::optional<ops::Activation>(const ir::Graph&, const ir::Node&)>& act_of) {
  for (bool changed = true; changed;) {
    changed = false;
    const auto uses = ComputeUses(g);
    const auto prod = ComputeProducers(g);
    for (size_t i = 0; i < g.nodes.size() && !changed; ++i) {
      const std::optional<ops::Activation> act = act_of(g, g.nodes[i]);
      changed = act && FuseIntoProducer(g, i, *act, uses, prod);
    }
  }
}

void CopyAct(const ir::Node& from, ir::Node& to) {
  if (ActOf(from) == "none") return;
  for (const char* key : {"act", "act_min", "act_max"}) {
    const auto it = from.attrs.find(key);
    if (it != from.attrs.end()) to.attrs[key] = it->second;
  }
}

bool IsPermutation(const std::vector<int64_t>& perm, size_t rank) {
  if (perm.size() != rank) return false;
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || static_cast<size_t>(p) >= rank || seen[static_cast<size_t>(p)]) return false;
    seen[static_cast<size_t>(p)] = true;
  }
  return true;
}

bool IsIdentityPerm(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

std::vector<int64_t> InversePerm(const std::vector<int64_t>& perm) {
  std::vector<int64_t> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return inv;
}

std::vector<int64_t> ComposePerms(const std::vector<int64_t>& first, const std::vector<int64_t>& second) {
  // y = T(x, first): y[i] = x[first[i]]; z = T(y, second): z[j] = y[second[j]] = x[first[second[j]]].
  std::vector<int64_t> out(second.size());
  for (size_t j = 0; j < second.size(); ++j) out[j] = first[static_cast<size_t>(second[j])];
  return out;
}

ir::Shape PermuteShape(const ir::Shape& shape, const std::vector<int64_t>& perm) {
  ir::Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = shape[static_cast<size_t>(perm[i])];
  return out;
}

ir::Tensor TransposeConstant(const ir::Tensor& t, const std::vector<int64_t>& perm) {
  ir::Tensor out = t;
  out.shape = PermuteShape(t.shape, perm);
  if (out.quant && out.quant->per_axis()) {
    const std::vector<int64_t> inv = InversePerm(perm);
    out.quant->axis = static_cast<int32_t>(inv[static_cast<size_t>(t.quant->axis)]);
  }
  if (!t.data) return out;
  // Walk the output in row-major order; each output axis i steps the input by
  // the input stride of axis perm[i].
  const std::vector<int64_t> in_strides = ops::RowMajorStrides(t.shape);
  const std::vector<int64_t> out_strides = ops::RowMajorStrides(out.shape);
  ops::StridedCopy c;
  c.shape = out.shape;
  for (size_t i = 0; i < perm.size(); ++i) {
    c.src_step.push_back(in_strides[static_cast<size_t>(perm[i])]);
    c.dst_step.push_back(out_strides[i]);
  }
  out.data = std::vector<uint8_t>(t.data->size());
  ops::RunStridedCopy(c, ir::DTypeSize(t.dtype), t.data->data(), out.data->data());
  return out;
}

void SortNodes(ir::Graph& g) {
  const size_t n = g.nodes.size();
  const std::vector<int> prod = ComputeProducers(g);
  std::vector<int> pending(n, 0);
  std::vector<std::vector<size_t>> users(n);
  // The nodes other than assign_variable that read each variable: its
  // assign_variable comes after all of them (ir::Verify, E0241), although
  // no tensor links them.
  std::map<ir::TensorId, std::vector<int>> readers;
  for (size_t i = 0; i < n; ++i) {
    if (g.nodes[i].op == ir::OpKind::kAssignVariable) continue;
    for (ir::TensorId t : g.nodes[i].inputs)
      if (t >= 0 && static_cast<size_t>(t) < g.tensors.size() && g.tensors[static_cast<size_t>(t)].is_variable)
        readers[t].push_back(static_cast<int>(i));
  }
  for (size_t i = 0; i < n; ++i) {
    std::set<int> deps;
    for (ir::TensorId t : g.nodes[i].inputs)
      if (t >= 0 && static_cast<size_t>(t) < prod.size() && prod[static_cast<size_t>(t)] >= 0)
        deps.insert(prod[static_cast<size_t>(t)]);
    if (g.nodes[i].op == ir::OpKind::kAssignVariable && !g.nodes[i].inputs.empty()) {
      if (auto it = readers.find(g.nodes[i].inputs[0]); it != readers.end()) deps.insert(it->second.begin(), it->second.end());
    }
    deps.erase(static_cast<int>(i));
    pending[i] = static_cast<int>(deps.size());
    for (int d : deps) users[static_cast<size_t>(d)].push_back(i);
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<size_t> order;
  std::vector<bool> placed(n, false);
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    placed[i] = true;
    for (size_t u : users[i])
      if (--pending[u] == 0) ready.push(u);
  }
  for (size_t i = 0; i < n; ++i)
    if (!placed[i]) order.push_back(i);
  std::vector<ir::Node> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(sorted);
}

std::vector<bool> ReferencedTensors(const ir::Graph& g) {
  std::vector<bool> ref(g.tensors.size(), false);
  auto mark = [&](ir::TensorId t) {
    if (t >= 0 && static_cast<size_t>(t) < ref.size()) ref[static_cast<size_t>(t)] = true;
  };
  for (const ir::Node& node : g.nodes) {
    for (ir::TensorId t : node.inputs) mark(t);
    for (ir::TensorId t : node.outputs) mark(t);
  }
  for (ir::TensorId t : g.inputs) mark(t);
  for (ir::TensorId t : g.outputs) mark(t);
  return ref;
}

namespace {

// Keeps the tensors of `order` (old ids), in that order, and renumbers every reference.
void Reorder(ir::Graph& g, const std::vector<size_t>& order) {
  std::vector<ir::TensorId> remap(g.tensors.size(), ir::kNoTensor);
  std::vector<ir::Tensor> kept;
  kept.reserve(order.size());
  for (size_t i : order) {
    remap[i] = static_cast<ir::TensorId>(kept.size());
    kept.push_back(std::move(g.tensors[i]));
  }
  auto map = [&](ir::TensorId& t) {
    if (t >= 0 && static_cast<size_t>(t) < remap.size()) t = remap[static_cast<size_t>(t)];
  };
  for (ir::Node& node : g.nodes) {
    for (ir::TensorId& t : node.inputs) map(t);
    for (ir::TensorId& t : node.outputs) map(t);
  }
  for (ir::TensorId& t : g.inputs) map(t);
  for (ir::TensorId& t : g.outputs) map(t);
  g.tensors = std::move(kept);
}

}  // namespace

void PruneTensors(ir::Graph& g, const std::vector<bool>& before) {
  const std::vector<bool> now = ReferencedTensors(g);
  std::vector<size_t> order;
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (now[i] || (i < before.size() && !before[i])) order.push_back(i);
  if (order.size() != g.tensors.size()) Reorder(g, order);
}

void RenumberTensors(ir::Graph& g) {
  std::vector<size_t> order;
  std::vector<bool> placed(g.tensors.size(), false);
  auto place = [&](ir::TensorId t) {
    if (t < 0 || static_cast<size_t>(t) >= placed.size() || placed[static_cast<size_t>(t)]) return;
    placed[static_cast<size_t>(t)] = true;
    order.push_back(static_cast<size_t>(t));
  };
  for (ir::TensorId t : g.inputs) place(t);
  for (const ir::Node& n : g.nodes) {
    for (ir::TensorId t : n.inputs)
      if (t >= 0 && static_cast<size_t>(t) < g.tensors.size() && g.tensor(t).is_const()) place(t);
    for (ir::TensorId t : n.outputs) place(t);
  }
  for (size_t i = 0; i < g.tensors.size(); ++i) place(static_cast<ir::TensorId>(i));
  Reorder(g, order);
}

}  // namespace ember::passes
