// leaky_relu: x > 0 ? x : alpha * x elementwise; attribute `alpha` (real).
//
// int8 follows TFLite Micro's reference LEAKY_RELU (docs/numerics.md,
// "leaky_relu"): two multipliers, identity = s_in / s_out and
// alpha = s_in * alpha / s_out, both computed in float32 as its Prepare does;
// v = x - z_in; o = z_out + MBQM(v, v >= 0 ? identity : alpha), clamped to
// [-128, 127]; int16 (zero points 0) the same, clamped to [-32768, 32767].
// float32: x > 0 ? x : x * alpha.
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

struct Int8Params {
  int32_t zi = 0, zo = 0;
  QuantizedMultiplier identity, alpha;
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  double alpha = 0;
  EMBER_RETURN_IF_ERROR(GetRealAttr(n, "alpha", true, 0.0, &alpha));
  float si = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.inputs[0], &si, &p.zi));
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.outputs[0], &so, &p.zo));
  const float identity = si / so;                              // float32, as TFLite
  const float with_alpha = si * static_cast<float>(alpha) / so;  // float32, as TFLite
  p.identity = QuantizeMultiplier(static_cast<double>(identity));
  p.alpha = QuantizeMultiplier(static_cast<double>(with_alpha));
  if (!std::isfinite(identity) || !std::isfinite(with_alpha) || p.identity.shift > 30 ||
      p.alpha.shift > 30) {
    return NodeError(n, "the rescale factors s_in/s_out = " + FormatReal(identity) +
                            " and s_in*alpha/s_out = " + FormatReal(with_alpha) +
                            " are outside the supported range",
                     "scales must be of similar magnitude and |alpha| below 2^30");
  }
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  double alpha = 0;
  EMBER_RETURN_IF_ERROR(GetRealAttr(n, "alpha", true, 0.0, &alpha));
  if (std::fabs(alpha) > 3.4e38)
    return NodeError(n, "attribute 'alpha' is " + FormatReal(alpha) + ", beyond float32");
  return InferUnaryI8F32(g, n, PrepareInt8, /*allow_int16=*/true);
}

// int8 and int16 alike (TFLite Micro's QuantizeLeakyRelu<T>), clamped to T's range.
template <typename T>
void EvalInt(const EvalArgs& a, const Int8Params& p, int64_t count) {
  const T* x = a.in<T>(0);
  T* out = a.out<T>(0);
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v = x[i] - p.zi;
    const int32_t o = WrapAdd(p.zo, Mbqm(v, v >= 0 ? p.identity : p.alpha));
    out[i] = static_cast<T>(std::min(std::max(o, lo), hi));
  }
}

Status Eval(const EvalArgs& a) {
  const int64_t count = a.in_tensor(0).num_elements();
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    const float alpha = static_cast<float>(a.node.GetReal("alpha"));
    const float* x = a.in<float>(0);
    float* out = a.out<float>(0);
    for (int64_t i = 0; i < count; ++i) out[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  if (a.in_tensor(0).dtype == ir::DType::kInt16) {
    EvalInt<int16_t>(a, p, count);
  } else {
    EvalInt<int8_t>(a, p, count);
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kLeakyReluDef = {ir::OpKind::kLeakyRelu, "i8, i16, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
