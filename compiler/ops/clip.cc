// clip: min(max(x, min), max) elementwise; attributes `min` and `max` (reals,
// absent = unbounded on that side). The generic form of ONNX Clip; relu and
// relu6 stay separate operators.
//
// There is no TFLite CLIP; int8 follows the generalisation of TFLite Micro's
// RELU (docs/numerics.md, "clip"): o = clamp(z_out + MBQM(x - z_in, s_in/s_out),
// lo, hi) with the multiplier from a float32 division,
// lo = max(-128, z_out + round(min / s_out)), hi = min(127, z_out +
// round(max / s_out)) (float32 division, ties away from zero), and the clamp
// written min(max(v, lo), hi) (min > max gives max everywhere, as ONNX).
// float32: the same min(max(x, min), max); NaN passes through.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

struct Bounds {
  double min = -kUnbounded;
  double max = kUnbounded;
};

Expected<Bounds> GetBounds(const ir::Node& n) {
  Bounds b;
  if (n.attrs.count("min")) EMBER_RETURN_IF_ERROR(GetRealAttr(n, "min", true, 0.0, &b.min));
  if (n.attrs.count("max")) EMBER_RETURN_IF_ERROR(GetRealAttr(n, "max", true, 0.0, &b.max));
  return b;
}

struct Int8Params {
  int32_t zi = 0, zo = 0;
  QuantizedMultiplier m;
  int32_t lo = -128, hi = 127;
};

// z_out + round(bound / s_out) clamped to the int8 range (an infinite bound
// clamps to the end of the range).
int32_t QuantizeBound(double bound, float so, int32_t zo) {
  // Bounds beyond +-1e30 are beyond any int8 range; keep the float cast defined.
  const double b = std::min(std::max(bound, -1e30), 1e30);
  const float q = std::round(static_cast<float>(b) / so);
  if (!(q > -1024.0f)) return -128;
  if (!(q < 1024.0f)) return 127;
  return std::min(std::max(static_cast<int32_t>(q) + zo, -128), 127);
}

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const Bounds b, GetBounds(n));
  Int8Params p;
  float si = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &si, &p.zi));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &so, &p.zo));
  const float ratio = si / so;  // float32 division, as TFLite's RELU
  p.m = QuantizeMultiplier(static_cast<double>(ratio));
  if (!std::isfinite(ratio) || p.m.shift > 30) {
    return NodeError(n, "input and output scales " + FormatReal(si) + " and " + FormatReal(so) +
                            " give an unusable rescale factor",
                     "scales must be positive and of similar magnitude");
  }
  p.lo = QuantizeBound(b.min, so, p.zo);
  p.hi = QuantizeBound(b.max, so, p.zo);
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const Bounds b, GetBounds(n));
  (void)b;
  return InferUnaryI8F32(g, n, PrepareInt8);
}

Status Eval(const EvalArgs& a) {
  const int64_t count = a.in_tensor(0).num_elements();
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    EMBER_ASSIGN_OR_RETURN(const Bounds b, GetBounds(a.node));
    // Bounds beyond the float range act as no bound.
    const float lo = b.min < -3.4e38 ? -std::numeric_limits<float>::infinity()
                                     : static_cast<float>(b.min);
    const float hi = b.max > 3.4e38 ? std::numeric_limits<float>::infinity()
                                    : static_cast<float>(b.max);
    const float* x = a.in<float>(0);
    float* out = a.out<float>(0);
    for (int64_t i = 0; i < count; ++i) out[i] = std::min(std::max(x[i], lo), hi);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v = WrapAdd(p.zo, Mbqm(x[i] - p.zi, p.m));
    out[i] = static_cast<int8_t>(std::min(std::max(v, p.lo), p.hi));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kClipDef = {ir::OpKind::kClip, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
