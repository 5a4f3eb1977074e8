// fuse-clamp: the int8 clamps that fold-qdq leaves after an operator with a
// fused activation attribute (`act`) whose act is "none" become that act:
//
// - an int8 relu, relu6 or clip (a QDQ model's Clip between a QuantizeLinear
//   and a DequantizeLinear, "QCDQ"), as fuse-activation fuses float ones;
// - an int8 lookup_table whose 256 entries are a clamp, table[x] =
//   min(max(x, a), b) for every x (a QDQ model's Relu, Clip or ReLU6 with its
//   own DequantizeLinear and QuantizeLinear, folded to a table of
//   quantize(f(dequantize(x)))): act="relu" for [z, 127], relu6 or
//   relu_n1_to_1 where their clamp is [a, b], else act="clip"
//   with act_min = (a - z)·s and act_max = (b - z)·s, which the producer's
//   clamp quantizes back to exactly [a, b] (checked, else no fusion); a table
//   that is the identity is dropped (act stays "none").
//
//   %t = conv2d(%x, %w, %b) : i8 quant(0.2, 3)
//   %y = lookup_table(%t, %relu_table) : i8 quant(0.2, 3)     // max(x, 3)
//   -> %y = conv2d(%x, %w, %b) {act="relu"}
//
// (a clamp to [3, 30] instead: act="clip", act_min=0, act_max=5.4).
//
// Exactness: both write min(max(v, a), b) of the producer's own int8 result v
// (FuseActivations requires one quantization for the producer's output and
// the clamp's), and every int8 kernel clamps its requantized integer, under
// TFLite's and ONNX Runtime's arithmetic alike (ONNX Runtime's clamps before
// rounding, to integer bounds, which is the same).
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "ops/op_util.h"
#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {
namespace {

// `v` rounded to `digits` significant decimal digits, as text.
std::string FormatSignificant(double v, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// [a, b] when lookup_table node `n` maps every int8 x to min(max(x, a), b).
std::optional<ops::Int32Range> ClampOfTable(const ir::Graph& g, const ir::Node& n) {
  if (n.op != ir::OpKind::kLookupTable || n.inputs.size() != 2 || n.HasAttr("axis")) return std::nullopt;
  const ir::Tensor& table = g.tensor(n.inputs[1]);
  if (table.dtype != ir::DType::kInt8 || !table.is_const() || table.data->size() != 256) return std::nullopt;
  const auto entry = [&](int x) { return static_cast<int32_t>(static_cast<int8_t>((*table.data)[static_cast<size_t>(x + 128)])); };
  const ops::Int32Range r{entry(-128), entry(127)};
  if (r.min > r.max) return std::nullopt;
  for (int x = -128; x <= 127; ++x) {
    if (entry(x) != std::min(std::max(x, r.min), r.max)) return std::nullopt;
  }
  return r;
}

// The act whose int8 clamp on the quantization of node n's output is [a, b].
std::optional<ops::Activation> ActForClamp(const ir::Graph& g, const ir::Node& n, ops::Int32Range r) {
  if (r.min == -128 && r.max == 127) return ops::Activation::kNone;
  const ir::Tensor& y = g.tensor(n.outputs[0]);
  if (!y.quant || y.quant->per_axis() || y.quant->scale.empty() || y.quant->zero_point.empty()) return std::nullopt;
  const float s = y.quant->scale[0];
  const auto z = static_cast<int32_t>(y.quant->zero_point[0]);
  if (r.min == z && r.max == 127) return ops::Activation::kRelu;
  const auto maps_back = [&](const ops::Activation& act) {
    const ops::Int32Range back = ops::ActivationRangeInt8(act, s, z);
    return back.min == r.min && back.max == r.max;
  };
  for (const ops::Activation& named : {ops::Activation::kRelu6, ops::Activation::kReluN1To1}) {
    if (maps_back(named)) return named;
  }
  ops::Activation act = ops::Activation::Clip(static_cast<double>(r.min - z) * static_cast<double>(s),
                                              static_cast<double>(r.max - z) * static_cast<double>(s));
  if (!maps_back(act)) return std::nullopt;
  // For the reader: each bound with the fewest significant digits that stays
  // within half a step and quantizes to the same integer (6, not
  // 6.000000089406967).
  for (double* bound : {&act.min, &act.max}) {
    const double exact = *bound;
    for (int digits = 1; digits <= 17; ++digits) {
      *bound = std::stod(FormatSignificant(exact, digits));
      if (std::fabs(*bound - exact) < 0.5 * static_cast<double>(s) && maps_back(act)) break;
      *bound = exact;
    }
  }
  return act;
}

std::optional<ops::Activation> Int8ActOf(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.empty() || n.outputs.size() != 1 || g.tensor(n.inputs[0]).dtype != ir::DType::kInt8) return std::nullopt;
  if (n.op == ir::OpKind::kLookupTable) {
    const std::optional<ops::Int32Range> r = ClampOfTable(g, n);
    if (!r) return std::nullopt;
    return ActForClamp(g, n, *r);
  }
  if (n.inputs.size() != 1) return std::nullopt;
  return ActivationOf(n);
}

}  // namespace

Status FuseClamp(ir::Graph& g, const PassOptions&) {
  FuseActivations(g, Int8ActOf);
  return Status::Ok();
}

}  // namespace ember::passes
