// fuse-activation: relu / relu6 (and clip with the bounds of relu, relu6 or
// relu_n1_to_1, once the clip operator exists) that directly follows an
// operator with a fused activation attribute (`act`, docs/operators.md) whose
// act is "none" becomes that act, when the producer's output has no other
// reader and is no graph output:
//
//   %t = conv2d(%x, %w, %b) {act="none"} ; %y = relu(%t)
//   -> %y = conv2d(%x, %w, %b) {act="relu"}
//
// The producer takes over the activation's output tensor (name, type,
// quantization), so graph outputs and later readers are untouched.
//
// Exactness. float32: the fused clamp is min(max(v, lo), hi), the same values
// as the separate operator (NaN aside). int8: the fused clamp is TFLite's
// CalculateActivationRangeQuantized on the output's scale and zero point,
// [max(-128, z), 127] for relu and [z, min(127, z + round(6 / s))] for relu6;
// the separate relu (requantizing by s_in/s_out) and relu6 (clamping in its
// input's quantization) give exactly these values when the activation's input
// and output quantization are equal, which the pass requires.
#include <cmath>
#include <optional>

#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {
namespace {

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

// The fused act equivalent to activation node `n`, if any.
std::optional<std::string> ActFor(const ir::Node& n) {
  if (n.op == ir::OpKind::kRelu) return "relu";
  if (n.op == ir::OpKind::kRelu6) return "relu6";
  static const std::optional<ir::OpKind> kClip = ir::OpKindFromIrName("clip");
  if (kClip && n.op == *kClip) {
    // An absent bound is unbounded; a max at or above FLT_MAX is none either.
    const double lo = n.HasAttr("min") ? n.GetReal("min") : -HUGE_VAL;
    const double hi = n.HasAttr("max") ? n.GetReal("max") : HUGE_VAL;
    if (lo == 0.0 && hi == 6.0) return "relu6";
    if (lo == 0.0 && hi >= 3.4028234663852886e38) return "relu";
    if (lo == -1.0 && hi == 1.0) return "relu_n1_to_1";
  }
  return std::nullopt;
}

// Fuses activation node i into its producer when legal.
bool TryFuse(ir::Graph& g, size_t i, const std::vector<std::vector<Use>>& uses,
             const std::vector<int>& prod) {
  const ir::Node& act = g.nodes[i];
  const std::optional<std::string> name = ActFor(act);
  if (!name || act.inputs.size() != 1 || act.outputs.size() != 1) return false;
  const ir::TensorId x = act.inputs[0], y = act.outputs[0];
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
  p.attrs["act"] = *name;
  p.outputs[0] = y;
  g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
  return true;
}

}  // namespace

Status FuseActivation(ir::Graph& g, const PassOptions&) {
  for (bool changed = true; changed;) {
    changed = false;
    const auto uses = ComputeUses(g);
    const auto prod = ComputeProducers(g);
    for (size_t i = 0; i < g.nodes.size() && !changed; ++i) changed = TryFuse(g, i, uses, prod);
  }
  return Status::Ok();
}

}  // namespace ember::passes
