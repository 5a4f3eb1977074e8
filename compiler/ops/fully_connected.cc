// fully_connected: weights [units, depth], optional bias [units]. The input
// (any rank) is read as a flat [batches, depth] array, batches = input
// elements / depth. Output: [batches, units], or with keep_num_dims=1 the
// input shape with its last dimension (which must be depth) set to units.
//
// int8 follows TFLite Micro: a per-tensor filter uses the multiplier
// double(float(s_in * s_w)) / s_out and subtracts the filter zero point; a
// per-channel filter uses double(s_in) * double(s_w[u]) / s_out per unit and
// ignores filter zero points. int16 (16x8) is the same with int16 data, no
// activation zero points and, with an int64 bias or none, int64 sums and
// Mbqm64 (docs/numerics.md). f32 sums over depth ascending from +0, then adds
// the bias (0 when absent) and clamps. See docs/numerics.md.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct FcGeom {
  int64_t batches, depth, units;
  ir::Shape out_shape;
};

// TFLite's Prepare check for a per-tensor filter with a quantized bias:
// |s_in * s_w - s_bias| / s_out <= 0.02 (in double).
Status CheckBiasScale(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.size() < 3 || n.inputs[2] == ir::kNoTensor) return Status::Ok();
  const ir::Tensor& b = g.tensor(n.inputs[2]);
  const ir::Tensor& w = g.tensor(n.inputs[1]);
  if (!b.quant || b.quant->scale.size() != 1 || w.quant->scale.size() != 1) return Status::Ok();
  const double product = static_cast<double>(g.tensor(n.inputs[0]).quant->scale[0]) *
                         static_cast<double>(w.quant->scale[0]);
  const double s_bias = static_cast<double>(b.quant->scale[0]);
  const double s_out = static_cast<double>(g.tensor(n.outputs[0]).quant->scale[0]);
  if (!(std::fabs(product - s_bias) / s_out <= 0.02)) {
    return NodeError(n,
                     "bias scale " + std::to_string(s_bias) +
                         " does not match input scale x filter scale = " +
                         std::to_string(product),
                     "re-quantize the bias with scale s_input * s_filter");
  }
  return Status::Ok();
}

Status Parse(const ir::Graph& g, const ir::Node& n, Activation* act, FcGeom* s, bool* quantized) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 3, 1));
  EMBER_RETURN_IF_ERROR(CheckConvDtypes(g, n, quantized));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& w = g.tensor(n.inputs[1]);
  EMBER_RETURN_IF_ERROR(CheckRank(n, w, "weights", 2));
  if (in.shape.empty() || in.num_elements() < 1) {
    return NodeError(n, "input '" + in.name + "' has shape " + ir::ShapeToString(in.shape) +
                            ", expected at least one dimension and one element");
  }
  EMBER_RETURN_IF_ERROR(GetActivationAttr(n, act));
  int64_t keep = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "keep_num_dims", 0, 1, false, 0, &keep));
  s->units = w.shape[0];
  s->depth = w.shape[1];
  const int64_t elements = in.num_elements();
  if (elements % s->depth != 0) {
    return NodeError(n, "input " + ir::ShapeToString(in.shape) + " has " +
                            std::to_string(elements) + " elements, not a multiple of depth " +
                            std::to_string(s->depth) + " (weights " +
                            ir::ShapeToString(w.shape) + ")",
                     "weights must be [units, depth]");
  }
  s->batches = elements / s->depth;
  if (keep == 1) {
    if (in.shape.back() != s->depth) {
      return NodeError(n, "keep_num_dims=1 needs the input's last dimension (" +
                              std::to_string(in.shape.back()) + ") to equal depth " +
                              std::to_string(s->depth));
    }
    s->out_shape = in.shape;
    s->out_shape.back() = s->units;
  } else {
    s->out_shape = {s->batches, s->units};
  }
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor &&
      g.tensor(n.inputs[2]).num_elements() != s->units) {
    return NodeError(n, "bias has shape " + ir::ShapeToString(g.tensor(n.inputs[2]).shape) +
                            ", expected " + std::to_string(s->units) + " elements");
  }
  if (*quantized) {
    EMBER_RETURN_IF_ERROR(CheckConvQuant(g, n, s->units, /*filter_axis=*/0));
    EMBER_RETURN_IF_ERROR(CheckBiasScale(g, n));
  }
  return Status::Ok();
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  Activation act = Activation::kNone;
  FcGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(Parse(g, n, &act, &s, &quantized));
  return std::vector<TensorType>{{g.tensor(n.inputs[0]).dtype, s.out_shape}};
}

Status EvalInt8(const EvalArgs& a, const FcGeom& s) {
  const bool per_channel = a.in_tensor(1).quant->scale.size() > 1;
  ConvRequant r;
  EMBER_RETURN_IF_ERROR(PrepareConvRequant(
      a.graph, a.node, s.units,
      per_channel ? MultiplierFormula::kDouble : MultiplierFormula::kFloatProduct, &r));
  const int32_t filter_zp = per_channel ? 0 : r.filter_zp;
  const int8_t* in = a.in<int8_t>(0);
  const int8_t* w = a.in<int8_t>(1);
  const int32_t* bias = a.has_input(2) ? a.in<int32_t>(2) : nullptr;
  int8_t* out = a.out<int8_t>(0);
  for (int64_t b = 0; b < s.batches; ++b) {
    for (int64_t u = 0; u < s.units; ++u) {
      int32_t acc = 0;
      for (int64_t d = 0; d < s.depth; ++d) {
        const int32_t wv = int32_t{w[u * s.depth + d]} - filter_zp;
        const int32_t xv = int32_t{in[b * s.depth + d]} - r.input_zp;
        acc = WrapAdd(acc, wv * xv);
      }
      if (bias != nullptr) acc = WrapAdd(acc, bias[u]);
      out[b * s.units + u] = RequantizeToInt8(acc, r, u);
    }
  }
  return Status::Ok();
}

// 16x8 (TFLite Micro's FullyConnected / FullyConnectedPerChannel with int16
// input): int64 sums and Mbqm64 with an int64 bias (or none), wrapping int32
// sums and Mbqm with an int32 bias; zero points are 0 (checked).
Status EvalInt16(const EvalArgs& a, const FcGeom& s) {
  const bool per_channel = a.in_tensor(1).quant->scale.size() > 1;
  ConvRequant r;
  EMBER_RETURN_IF_ERROR(PrepareConvRequantInt16(
      a.graph, a.node, s.units,
      per_channel ? MultiplierFormula::kDouble : MultiplierFormula::kFloatProduct, &r));
  const int32_t filter_zp = per_channel ? 0 : r.filter_zp;
  const int16_t* in = a.in<int16_t>(0);
  const int8_t* w = a.in<int8_t>(1);
  const bool has_bias = a.has_input(2);
  int16_t* out = a.out<int16_t>(0);
  for (int64_t b = 0; b < s.batches; ++b) {
    for (int64_t u = 0; u < s.units; ++u) {
      uint64_t acc = 0;  // exact; the int32 path keeps its low 32 bits
      for (int64_t d = 0; d < s.depth; ++d) {
        const int64_t wv = int64_t{w[u * s.depth + d]} - filter_zp;
        acc += static_cast<uint64_t>(wv * int64_t{in[b * s.depth + d]});
      }
      if (has_bias) {
        acc += r.acc64 ? static_cast<uint64_t>(a.in<int64_t>(2)[u])
                       : static_cast<uint64_t>(int64_t{a.in<int32_t>(2)[u]});
      }
      out[b * s.units + u] = RequantizeToInt16(static_cast<int64_t>(acc), r, u);
    }
  }
  return Status::Ok();
}

Status EvalFloat(const EvalArgs& a, const FcGeom& s, Activation act) {
  const float* in = a.in<float>(0);
  const float* w = a.in<float>(1);
  const float* bias = a.has_input(2) ? a.in<float>(2) : nullptr;
  float* out = a.out<float>(0);
  const FloatRange range = ActivationRangeFloat(act);
  for (int64_t b = 0; b < s.batches; ++b) {
    for (int64_t u = 0; u < s.units; ++u) {
      float total = 0.0f;
      for (int64_t d = 0; d < s.depth; ++d) total += in[b * s.depth + d] * w[u * s.depth + d];
      const float bias_value = bias != nullptr ? bias[u] : 0.0f;
      out[b * s.units + u] = std::min(std::max(total + bias_value, range.min), range.max);
    }
  }
  return Status::Ok();
}

Status Eval(const EvalArgs& a) {
  Activation act = Activation::kNone;
  FcGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(Parse(a.graph, a.node, &act, &s, &quantized));
  if (!quantized) return EvalFloat(a, s, act);
  return a.in_tensor(0).dtype == ir::DType::kInt16 ? EvalInt16(a, s) : EvalInt8(a, s);
}

// batches * depth * units = output elements * depth.
int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.size() < 2 || n.outputs.size() != 1 || n.inputs[1] == ir::kNoTensor) return 0;
  const ir::Shape& w = g.tensor(n.inputs[1]).shape;
  if (w.size() != 2) return 0;
  return g.tensor(n.outputs[0]).num_elements() * w[1];
}

}  // namespace

extern const OpDef kFullyConnectedDef = {ir::OpKind::kFullyConnected, "i8, i16 (8-bit weights), f32", Infer, Eval,
                                         Macs};

}  // namespace ember::ops
