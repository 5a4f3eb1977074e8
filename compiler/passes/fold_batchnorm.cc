// fold-batchnorm: a float `mul` by a per-channel constant, or `add` of one,
// right after a conv2d / depthwise_conv2d / fully_connected with constant float
// weights folds into that producer's weights and bias. This is how the ONNX
// frontend's BatchNormalization (x * scale + shift, per channel) disappears:
//
//   %t = conv2d(%x, %w, %b) ; %u = mul(%t, %s) ; %y = add(%u, %c)
//   -> %y = conv2d(%x, %w', %b')   with w'[o,...] = w[o,...] * s[o], b' = b * s + c
//
// Conditions: the producer's act is "none" (the mul/add must apply before any
// clamp), its output is read by the mul/add only and is no graph output, the
// constant varies at most along the last (channel) axis (every other dimension
// 1, last dimension C or 1) and does not broadcast the output to a larger
// shape. The producer takes over the mul/add's output tensor and its act. A
// bias is created when the producer had none and an add folds in. Weights and
// biases read by other nodes too are copied, not changed. A mul/add that does
// not qualify stays as it is. The folded graph computes the same values up to
// float rounding (the product is taken once per weight instead of once per
// output).
#include <optional>

#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {
namespace {

bool IsFoldTarget(ir::OpKind op) {
  return op == ir::OpKind::kConv2D || op == ir::OpKind::kDepthwiseConv2D || op == ir::OpKind::kFullyConnected;
}

// Per-channel values of constant `c` for `channels` output channels, or nullopt.
std::optional<std::vector<float>> PerChannel(const ir::Tensor& c, const ir::Shape& out_shape, int64_t channels) {
  if (!c.is_const() || c.dtype != ir::DType::kFloat32 || c.shape.size() > out_shape.size()) return std::nullopt;
  for (size_t i = 0; i + 1 < c.shape.size(); ++i)
    if (c.shape[i] != 1) return std::nullopt;
  const int64_t n = c.shape.empty() ? 1 : c.shape.back();
  if (n != channels && n != 1) return std::nullopt;
  const std::vector<float> v = GetFloats(c);
  if (static_cast<int64_t>(v.size()) != n) return std::nullopt;
  return n == channels ? v : std::vector<float>(static_cast<size_t>(channels), v[0]);
}

// Folds node i (mul or add) into its producer when legal.
bool TryFold(ir::Graph& g, size_t i, const std::vector<std::vector<Use>>& uses, const std::vector<int>& prod) {
  const ir::Node m = g.nodes[i];
  const bool is_mul = m.op == ir::OpKind::kMul;
  if ((!is_mul && m.op != ir::OpKind::kAdd) || m.inputs.size() != 2 || m.outputs.size() != 1) return false;
  if (m.inputs[0] < 0 || m.inputs[1] < 0) return false;
  const size_t k = g.tensor(m.inputs[0]).is_const() ? 1 : 0;  // the operand from the producer
  const ir::TensorId x = m.inputs[k], y = m.outputs[0];
  if (prod[static_cast<size_t>(x)] < 0 || uses[static_cast<size_t>(x)].size() != 1 || IsGraphOutput(g, x))
    return false;
  const size_t pi = static_cast<size_t>(prod[static_cast<size_t>(x)]);
  ir::Node& p = g.nodes[pi];
  if (!IsFoldTarget(p.op) || ActOf(p) != "none" || p.inputs.size() < 2 || p.outputs.size() != 1) return false;
  const ir::Tensor& tx = g.tensor(x);
  if (tx.dtype != ir::DType::kFloat32 || tx.shape.empty() || g.tensor(y).shape != tx.shape) return false;
  const ir::Tensor& w = g.tensor(p.inputs[1]);
  if (!w.is_const() || w.dtype != ir::DType::kFloat32 || w.shape.empty()) return false;
  const bool has_bias = p.inputs.size() > 2 && p.inputs[2] != ir::kNoTensor;
  if (has_bias && (!g.tensor(p.inputs[2]).is_const() || g.tensor(p.inputs[2]).dtype != ir::DType::kFloat32))
    return false;
  const int64_t channels = tx.shape.back();
  if (channels <= 0) return false;
  const auto values = PerChannel(g.tensor(m.inputs[1 - k]), tx.shape, channels);
  if (!values) return false;
  // Output channel o of the weights: dim 0 (conv OHWI, fully_connected
  // [units, in]) or the last dim (depthwise [1, KH, KW, C*DM]).
  const bool channel_last = p.op == ir::OpKind::kDepthwiseConv2D;
  if ((channel_last ? w.shape.back() : w.shape[0]) != channels) return false;

  if (is_mul) {
    const ir::TensorId wid = WritableConstant(g, pi, 1, "/folded");
    std::vector<float> wv = GetFloats(g.tensor(wid));
    const size_t per = wv.size() / static_cast<size_t>(channels);
    for (size_t j = 0; j < wv.size(); ++j)
      wv[j] *= (*values)[channel_last ? j % static_cast<size_t>(channels) : j / per];
    SetFloats(g.tensor(wid), wv);
    if (has_bias) {
      const ir::TensorId bid = WritableConstant(g, pi, 2, "/folded");
      std::vector<float> bv = GetFloats(g.tensor(bid));
      for (size_t o = 0; o < bv.size(); ++o) bv[o] *= (*values)[o];
      SetFloats(g.tensor(bid), bv);
    }
  } else {
    ir::TensorId bid = ir::kNoTensor;
    if (has_bias) {
      bid = WritableConstant(g, pi, 2, "/folded");
    } else {
      ir::Tensor b;
      b.name = UniqueName(g, g.tensor(p.inputs[1]).name + "/bias");
      b.shape = {channels};
      SetFloats(b, std::vector<float>(static_cast<size_t>(channels), 0.0f));
      bid = g.AddTensor(std::move(b));
      p.inputs.resize(3, ir::kNoTensor);
      p.inputs[2] = bid;
    }
    std::vector<float> bv = GetFloats(g.tensor(bid));
    for (size_t o = 0; o < bv.size(); ++o) bv[o] += (*values)[o];
    SetFloats(g.tensor(bid), bv);
  }
  p.outputs[0] = y;
  CopyAct(m, p);
  g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
  return true;
}

}  // namespace

Status FoldBatchNorm(ir::Graph& g, const PassOptions&) {
  for (bool changed = true; changed;) {
    changed = false;
    const auto uses = ComputeUses(g);
    const auto prod = ComputeProducers(g);
    for (size_t i = 0; i < g.nodes.size() && !changed; ++i) changed = TryFold(g, i, uses, prod);
  }
  return Status::Ok();
}

}  // namespace ember::passes
