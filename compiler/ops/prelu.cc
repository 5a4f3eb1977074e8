// prelu: x >= 0 ? x : alpha * x elementwise, where `alpha` is the second
// operand (per-channel slopes, numpy-broadcast against the input; the output
// has the broadcast shape).
//
// int8 follows TFLite Micro's reference PRELU (docs/numerics.md, "prelu"):
// v = x - z_in; o = z_out + (v >= 0 ? MBQM(v, s_in/s_out)
// : MBQM(v * (alpha - z_alpha), s_in*s_alpha/s_out)), clamped to [-128, 127];
// both multipliers computed in double. alpha is per-tensor int8.
// float32: x >= 0 ? x : x * alpha.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

struct Int8Params {
  int32_t zi = 0, za = 0, zo = 0;
  QuantizedMultiplier identity, alpha;
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float si = 0, sa = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &si, &p.zi));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[1], &sa, &p.za));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &so, &p.zo));
  const double r1 = static_cast<double>(si) / static_cast<double>(so);
  const double r2 = static_cast<double>(si) * static_cast<double>(sa) / static_cast<double>(so);
  p.identity = QuantizeMultiplier(r1);
  p.alpha = QuantizeMultiplier(r2);
  if (p.identity.shift > 30 || p.alpha.shift > 30) {
    return NodeError(n, "the rescale factors s_in/s_out = " + FormatReal(r1) +
                            " and s_in*s_alpha/s_out = " + FormatReal(r2) + " are too large",
                     "the output scale is far too small for the input scales; requantize the model");
  }
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferBinaryI8F32(g, n, PrepareInt8);
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& sx = a.in_tensor(0).shape;
  const ir::Shape& sa = a.in_tensor(1).shape;
  const ir::Shape& so = a.out_tensor(0).shape;
  const int64_t count = ir::NumElements(so);
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    const float* x = a.in<float>(0);
    const float* alpha = a.in<float>(1);
    float* out = a.out<float>(0);
    for (int64_t i = 0; i < count; ++i) {
      const float v = x[BroadcastIndex(sx, so, i)];
      out[i] = v >= 0.0f ? v : v * alpha[BroadcastIndex(sa, so, i)];
    }
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  const int8_t* alpha = a.in<int8_t>(1);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v = x[BroadcastIndex(sx, so, i)] - p.zi;
    const int32_t s = alpha[BroadcastIndex(sa, so, i)] - p.za;
    const int32_t o = WrapAdd(p.zo, v >= 0 ? Mbqm(v, p.identity) : Mbqm(v * s, p.alpha));
    out[i] = static_cast<int8_t>(std::min(std::max(o, -128), 127));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kPreluDef = {ir::OpKind::kPrelu, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
