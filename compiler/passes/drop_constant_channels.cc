// drop-constant-channels: an int8 conv2d, depthwise_conv2d or
// fully_connected output channel whose weights are all zero (a
// per-tensor fully_connected: all its filter zero point) gives the same value
// at every position, whatever the input: its bias, requantized and clamped.
// Trained models have such channels (MLPerf Tiny's visual wake words model:
// 234 of the 256 in its last pointwise layer). Where every reader of the
// tensor can do without the channel, it leaves the graph:
//
// - a conv2d or fully_connected reading it adds the channel's constant
//   contribution, sum of w · (v − z_in) over the channel's weights, to each
//   output's int32 bias and loses the channel's weights. Exact: the reference
//   sums in wrapping int32 (docs/numerics.md), so adding a part earlier gives
//   the same sum. A conv2d with padding takes it only where v is its input
//   zero point (padding reads real zero, so the contribution is 0 at every
//   position, in the window or not);
// - a depthwise_conv2d (depth multiplier 1), average_pool2d, max_pool2d,
//   mean over axes other than the last, or a reshape that keeps the last
//   dimension passes the channel on: evaluated with the constant channel as
//   input, its output channel is constant too (a 3x3 depthwise with padding
//   of a channel at the zero point gives its own requantized bias
//   everywhere; of any other value, another value at the border, and the
//   channel stays), and then that output must be able to lose it in turn.
//
//   %a = conv2d(%x, %w1, %b1) : i8[1,6,6,4]      // w1[3] all zero: %a[...,3] = v
//   %d = depthwise_conv2d(%a, %w2, %b2) : i8[1,6,6,4]   // %d[...,3] = u
//   %y = conv2d(%d, %w3, %b3) : i8[1,6,6,8]
//   -> %a : i8[1,6,6,3], %d : i8[1,6,6,3], %w3 : i8[8,1,1,3],
//      %b3[o] += w3[o,0,0,3] · (u − z_d)
//
// A channel stays where a reader is anything else, where the tensor is a
// graph output, and where a fold would change the quantization a kernel
// sees: every tensor keeps at least two channels (a per-channel filter with
// one scale left reads as per-tensor, which fully_connected requantizes
// otherwise). Constants that other nodes read too are copied before they
// change. Values come from the reference evaluators, so either int8
// semantics (tflite, onnxruntime) is followed as it is.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "ops/op.h"
#include "ops/quant_math.h"
#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {
namespace {

using Values = std::map<int64_t, int8_t>;  // channel -> the int8 value it holds everywhere
using Channels = std::set<int64_t>;

// Readers of a tensor are followed this deep (a chain of pools and reshapes).
constexpr int kMaxDepth = 64;

bool PerTensorInt8(const ir::Tensor& t) {
  return t.dtype == ir::DType::kInt8 && !t.is_const() && t.quant && !t.quant->per_axis() &&
         !t.quant->zero_point.empty() && !t.shape.empty() && t.shape.back() > 0;
}

int32_t ZeroPoint(const ir::Tensor& t) { return static_cast<int32_t>(t.quant->zero_point[0]); }

int64_t LastDim(const ir::Tensor& t) { return t.shape.back(); }

// Operand i of n is absent or a constant of type `dtype` and rank `rank`.
bool ConstOrAbsent(const ir::Graph& g, const ir::Node& n, size_t i, ir::DType dtype, size_t rank) {
  if (i >= n.inputs.size() || n.inputs[i] == ir::kNoTensor) return true;
  const ir::Tensor& t = g.tensor(n.inputs[i]);
  return t.is_const() && t.dtype == dtype && t.shape.size() == rank;
}

bool ConstOperand(const ir::Graph& g, const ir::Node& n, size_t i, ir::DType dtype, size_t rank) {
  return i < n.inputs.size() && n.inputs[i] != ir::kNoTensor && ConstOrAbsent(g, n, i, dtype, rank);
}

bool HasBias(const ir::Node& n) { return n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor; }

// Node n evaluated by its reference evaluator with `input` as operand 0 and
// its constants as the rest; the bytes of its one output.
std::optional<std::vector<uint8_t>> EvalWith(const ir::Graph& g, const ir::Node& n,
                                             const std::vector<uint8_t>& input) {
  if (n.outputs.size() != 1) return std::nullopt;
  std::vector<uint8_t> out(static_cast<size_t>(g.tensor(n.outputs[0]).size_bytes()));
  ops::EvalArgs a{g, n, {}, {out.data()}};
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ir::TensorId t = n.inputs[i];
    if (i == 0) {
      a.inputs.push_back(input.data());
    } else if (t == ir::kNoTensor) {
      a.inputs.push_back(nullptr);
    } else if (g.tensor(t).is_const()) {
      a.inputs.push_back(g.tensor(t).data->data());
    } else {
      return std::nullopt;
    }
  }
  if (!ops::GetOpDef(n.op).eval(a).ok()) return std::nullopt;
  return out;
}

// Bytes of channel-last int8 tensor t holding values[k] in channel k and
// its zero point elsewhere.
std::vector<uint8_t> InputWith(const ir::Tensor& t, const Values& values) {
  std::vector<uint8_t> b(static_cast<size_t>(t.num_elements()), static_cast<uint8_t>(static_cast<int8_t>(ZeroPoint(t))));
  const auto c = static_cast<size_t>(LastDim(t));
  for (const auto& [k, v] : values)
    for (size_t i = static_cast<size_t>(k); i < b.size(); i += c) b[i] = static_cast<uint8_t>(v);
  return b;
}

// Those of `candidates` that hold one value over all of `out` (channel-last int8 bytes).
Values ConstantChannels(const std::vector<uint8_t>& out, int64_t channels, const Channels& candidates) {
  Values v;
  const auto c = static_cast<size_t>(channels);
  for (int64_t k : candidates) {
    const auto first = static_cast<size_t>(k);
    if (first >= out.size()) continue;
    bool same = true;
    for (size_t i = first + c; same && i < out.size(); i += c) same = out[i] == out[first];
    if (same) v[k] = static_cast<int8_t>(out[first]);
  }
  return v;
}

Channels Keys(const Values& v) {
  Channels s;
  for (const auto& kv : v) s.insert(kv.first);
  return s;
}

// The axis of node n's weights (operand 1) along which its output channels
// run: 0 for conv2d and fully_connected, 3 for depthwise_conv2d.
int WeightOutAxis(ir::OpKind op) { return op == ir::OpKind::kDepthwiseConv2D ? 3 : 0; }

// The filter zero point fully_connected's reference subtracts: a per-tensor
// filter's own, 0 for a per-channel filter; conv2d's and depthwise's ignore it.
int32_t SubtractedFilterZero(const ir::Node& n, const ir::Tensor& w) {
  if (n.op != ir::OpKind::kFullyConnected || !w.quant || w.quant->per_axis() || w.quant->zero_point.empty()) return 0;
  return static_cast<int32_t>(w.quant->zero_point[0]);
}

// An int8 conv2d, depthwise_conv2d (depth multiplier 1) or fully_connected
// with constant int8 weights and int32 bias (or none), int8 input and output.
bool IsInt8ConvLike(const ir::Graph& g, const ir::Node& n) {
  if (n.outputs.size() != 1 || n.inputs.size() < 2 || n.inputs[0] == ir::kNoTensor) return false;
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  if (!PerTensorInt8(x) || !PerTensorInt8(g.tensor(n.outputs[0]))) return false;
  switch (n.op) {
    case ir::OpKind::kConv2D:
      return ConstOperand(g, n, 1, ir::DType::kInt8, 4) && ConstOrAbsent(g, n, 2, ir::DType::kInt32, 1);
    case ir::OpKind::kDepthwiseConv2D:
      return n.GetInt("depth_multiplier", 1) == 1 && ConstOperand(g, n, 1, ir::DType::kInt8, 4) &&
             ConstOrAbsent(g, n, 2, ir::DType::kInt32, 1) && g.tensor(n.inputs[1]).shape[3] == LastDim(x);
    case ir::OpKind::kFullyConnected:
      return ConstOperand(g, n, 1, ir::DType::kInt8, 2) && ConstOrAbsent(g, n, 2, ir::DType::kInt32, 1);
    default:
      return false;
  }
}

// Output channels of node n whose weights are all zero (all the subtracted
// filter zero point): their results do not depend on the input.
Channels ZeroWeightChannels(const ir::Graph& g, const ir::Node& n) {
  if (!IsInt8ConvLike(g, n)) return {};
  const ir::Tensor& w = g.tensor(n.inputs[1]);
  const auto* data = reinterpret_cast<const int8_t*>(w.data->data());
  const int axis = WeightOutAxis(n.op);
  const int64_t channels = w.shape[static_cast<size_t>(axis)];
  if (channels != LastDim(g.tensor(n.outputs[0]))) return {};
  const int32_t zero = SubtractedFilterZero(n, w);
  std::vector<bool> nonzero(static_cast<size_t>(channels), false);
  const int64_t count = w.num_elements();
  const int64_t per = count / std::max<int64_t>(channels, 1);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t c = axis == 0 ? i / per : i % channels;
    if (data[i] != zero) nonzero[static_cast<size_t>(c)] = true;
  }
  Channels s;
  for (int64_t c = 0; c < channels; ++c)
    if (!nonzero[static_cast<size_t>(c)]) s.insert(c);
  return s;
}

struct Ctx {
  const ir::Graph& g;
  std::vector<std::vector<Use>> uses;
};

// Readers that pass channel k of their operand 0 to channel k of their output.
bool PassesChannels(const ir::Graph& g, const ir::Node& n, const ir::Tensor& t) {
  if (n.outputs.size() != 1 || !PerTensorInt8(g.tensor(n.outputs[0]))) return false;
  if (LastDim(g.tensor(n.outputs[0])) != LastDim(t)) return false;
  switch (n.op) {
    case ir::OpKind::kDepthwiseConv2D:
      return IsInt8ConvLike(g, n);
    case ir::OpKind::kAveragePool2D:
    case ir::OpKind::kMaxPool2D:
      return n.inputs.size() == 1;
    case ir::OpKind::kMean: {
      if (n.inputs.size() != 1) return false;
      const std::vector<int64_t> axes = n.GetInts("axes");
      return std::find(axes.begin(), axes.end(), static_cast<int64_t>(t.shape.size()) - 1) == axes.end();
    }
    case ir::OpKind::kReshape:
      return n.inputs.size() == 1;
    default:
      return false;
  }
}

// The constant channels of reader n's output when its operand 0, t, holds `v`.
Values PassedValues(const ir::Graph& g, const ir::Node& n, const ir::Tensor& t, const Values& v) {
  const std::optional<std::vector<uint8_t>> out = EvalWith(g, n, InputWith(t, v));
  if (!out) return {};
  return ConstantChannels(*out, LastDim(t), Keys(v));
}

// The channels of `v` that conv2d or fully_connected n, reading t as its
// input, can fold into its bias.
Channels Foldable(const ir::Graph& g, const ir::Node& n, const ir::Tensor& t, const Values& v) {
  if ((n.op != ir::OpKind::kConv2D && n.op != ir::OpKind::kFullyConnected) || !IsInt8ConvLike(g, n)) return {};
  const ir::Tensor& w = g.tensor(n.inputs[1]);
  if (w.shape.back() != LastDim(t)) return {};  // a grouped conv2d
  const std::vector<int64_t> pad = n.GetInts("pad");
  const bool padded = std::any_of(pad.begin(), pad.end(), [](int64_t p) { return p != 0; });
  Channels s;
  for (const auto& [k, value] : v)
    if (value == ZeroPoint(t) || (!padded && HasBias(n))) s.insert(k);
  return s;
}

Channels Intersect(const Channels& a, const Channels& b) {
  Channels r;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(r, r.begin()));
  return r;
}

Channels Removable(const Ctx& c, ir::TensorId t, const Values& v, int depth);

// The channels of `v` that reader `u` of tensor t can do without.
Channels Absorbed(const Ctx& c, const Use& u, ir::TensorId t, const Values& v, int depth) {
  const ir::Node& n = c.g.nodes[u.node];
  const ir::Tensor& x = c.g.tensor(t);
  if (u.operand != 0) return {};
  if (n.op == ir::OpKind::kConv2D || n.op == ir::OpKind::kFullyConnected) return Foldable(c.g, n, x, v);
  if (!PassesChannels(c.g, n, x)) return {};
  return Removable(c, n.outputs[0], PassedValues(c.g, n, x, v), depth + 1);
}

// The channels of `v` (constant channels of t) that every reader of t can do without.
Channels Removable(const Ctx& c, ir::TensorId t, const Values& v, int depth) {
  const auto id = static_cast<size_t>(t);
  if (v.empty() || depth > kMaxDepth || IsGraphOutput(c.g, t) || c.uses[id].empty()) return {};
  Channels r = Keys(v);
  for (const Use& u : c.uses[id]) {
    r = Intersect(r, Absorbed(c, u, t, v, depth));
    if (r.empty()) break;
  }
  return r;
}

// Node `node`'s operand `operand`, a constant, as a tensor no other node
// reads (WritableConstant: a copy when another does), for the caller to change.
ir::Tensor& OwnConstant(ir::Graph& g, size_t node, size_t operand) {
  return g.tensor(WritableConstant(g, node, operand, ""));
}

// Removes the indices in `drop` of `axis` from t: its shape, its data when
// constant, its scales and zero points when quantized along that axis.
void DropIndices(ir::Tensor& t, int axis, const Channels& drop) {
  const auto a = static_cast<size_t>(axis);
  const int64_t size = t.shape[a];
  if (t.data) {
    int64_t inner = static_cast<int64_t>(ir::DTypeSize(t.dtype));
    for (size_t d = a + 1; d < t.shape.size(); ++d) inner *= t.shape[d];
    const int64_t outer = static_cast<int64_t>(t.data->size()) / std::max<int64_t>(size * inner, 1);
    std::vector<uint8_t> kept;
    kept.reserve(t.data->size());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < size; ++i)
        if (!drop.count(i)) {
          const auto* from = t.data->data() + (o * size + i) * inner;
          kept.insert(kept.end(), from, from + inner);
        }
    t.data = std::move(kept);
  }
  if (t.quant && t.quant->per_axis() && t.quant->axis == axis) {
    ir::QuantParams q = *t.quant;
    q.scale.clear();
    q.zero_point.clear();
    for (int64_t i = 0; i < size; ++i) {
      if (drop.count(i)) continue;
      q.scale.push_back(t.quant->scale[static_cast<size_t>(i)]);
      q.zero_point.push_back(t.quant->zero_point[static_cast<size_t>(i)]);
    }
    t.quant = std::move(q);
  }
  t.shape[a] = size - static_cast<int64_t>(drop.size());
}

// Conv2d or fully_connected `node` reading t, whose channels `drop` hold
// `v`: their contribution goes into the bias, their weights go.
void FoldIntoBias(ir::Graph& g, size_t node, const ir::Tensor& t, const Channels& drop, const Values& v) {
  const ir::Tensor& w = g.tensor(g.nodes[node].inputs[1]);
  const int in_axis = static_cast<int>(w.shape.size()) - 1;
  const int64_t outs = w.shape[0];
  const int64_t in_c = w.shape.back();
  const int64_t per = w.num_elements() / std::max<int64_t>(outs, 1);
  const int32_t wz = SubtractedFilterZero(g.nodes[node], w);
  const auto* wd = reinterpret_cast<const int8_t*>(w.data->data());
  std::vector<int64_t> delta(static_cast<size_t>(outs), 0);
  bool any = false;
  for (int64_t o = 0; o < outs; ++o)
    for (int64_t i = 0; i < per; ++i) {
      const int64_t k = i % in_c;
      if (!drop.count(k)) continue;
      const int64_t xv = int64_t{v.at(k)} - ZeroPoint(t);
      const int64_t d = (int64_t{wd[o * per + i]} - wz) * xv;
      delta[static_cast<size_t>(o)] += d;
      any = any || d != 0;
    }
  if (any) {
    ir::Tensor& b = OwnConstant(g, node, 2);
    auto* bd = reinterpret_cast<int32_t*>(b.data->data());
    for (int64_t o = 0; o < outs; ++o) {
      const auto low = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(delta[static_cast<size_t>(o)])));
      bd[o] = ops::WrapAdd(bd[o], low);
    }
  }
  DropIndices(OwnConstant(g, node, 1), in_axis, drop);  // (w may have moved: OwnConstant adds tensors)
}

// Removes channels `drop` (holding `v`) from tensor t and from its readers,
// as Removable found they can.
void Remove(ir::Graph& g, const std::vector<std::vector<Use>>& uses, ir::TensorId t, const Channels& drop,
            const Values& v) {
  for (const Use& u : uses[static_cast<size_t>(t)]) {
    const ir::Node& n = g.nodes[u.node];
    if (n.op == ir::OpKind::kConv2D || n.op == ir::OpKind::kFullyConnected) {
      FoldIntoBias(g, u.node, g.tensor(t), drop, v);
      continue;
    }
    const ir::TensorId out = n.outputs[0];
    const Values passed = PassedValues(g, n, g.tensor(t), v);
    Remove(g, uses, out, drop, passed);
    ir::Node& reader = g.nodes[u.node];
    if (reader.op == ir::OpKind::kDepthwiseConv2D) {
      DropIndices(OwnConstant(g, u.node, 1), 3, drop);
      if (HasBias(reader)) DropIndices(OwnConstant(g, u.node, 2), 0, drop);
    }
    if (reader.op == ir::OpKind::kReshape && reader.HasAttr("shape")) {
      const ir::Shape& shape = g.tensor(out).shape;
      reader.attrs["shape"] = std::vector<int64_t>(shape.begin(), shape.end());
    }
  }
  ir::Tensor& x = g.tensor(t);
  DropIndices(x, static_cast<int>(x.shape.size()) - 1, drop);
}

// Drops what it can of node i's constant output channels; whether it did.
bool DropFrom(ir::Graph& g, size_t i) {
  const Channels zero = ZeroWeightChannels(g, g.nodes[i]);
  if (zero.empty()) return false;
  const ir::Node& n = g.nodes[i];
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  const ir::TensorId t = n.outputs[0];
  const std::optional<std::vector<uint8_t>> out = EvalWith(g, n, InputWith(x, {}));
  if (!out) return false;
  const Values v = ConstantChannels(*out, LastDim(g.tensor(t)), zero);
  const Ctx c{g, ComputeUses(g)};
  Channels drop = Removable(c, t, v, 0);
  while (!drop.empty() && LastDim(g.tensor(t)) - static_cast<int64_t>(drop.size()) < 2) drop.erase(std::prev(drop.end()));
  if (drop.empty()) return false;
  Remove(g, c.uses, t, drop, v);
  const int axis = WeightOutAxis(g.nodes[i].op);
  DropIndices(OwnConstant(g, i, 1), axis, drop);
  if (HasBias(g.nodes[i])) DropIndices(OwnConstant(g, i, 2), 0, drop);
  return true;
}

}  // namespace

Status DropConstantChannels(ir::Graph& g, const PassOptions& options) {
  if (!options.drop_constant_channels) return Status::Ok();
  // A reader that lost channels may have new all-zero rows: rounds until none
  // is left (each round that changes anything removes channels).
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < g.nodes.size(); ++i) changed = DropFrom(g, i) || changed;
  }
  return Status::Ok();
}

}  // namespace ember::passes
