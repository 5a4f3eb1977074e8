// rsqrt: elementwise 1 / sqrt(x); TFLite RSQRT, as TFLite Micro's reference
// kernels:
// float32: out = 1.0f / std::sqrt(x) (inf for +-0, NaN for x < 0);
// int8: v = x - z_in; v == 0 gives 127; otherwise (M, s) =
//   InvSqrtQuantizedMultiplier(v) (TFLite's GetInvSqrtQuantizedMultiplierExp),
//   d = Mbqm(1, M, s + 20), out = clamp(Mbqm(d, M_out, s_out - 20) + z_out)
//   with (M_out, s_out) = QuantizeMultiplier(1 / (double)(sqrtf(s_in) * s_out)).
//   TFLite Micro stops with an error on an input below z_in (a negative real
//   value); ember gives 127 there, as for the zero point itself.
#include <algorithm>
#include <cmath>

#include "ops/unary_util.h"

namespace ember::ops {
namespace {

struct Int8Params {
  int32_t z_in = 0, z_out = 0;
  QuantizedMultiplier m;
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float s_in = 0, s_out = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &s_in, &p.z_in));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &s_out, &p.z_out));
  const double real = 1.0 / static_cast<double>(std::sqrt(s_in) * s_out);
  p.m = QuantizeMultiplier(real);
  if (!std::isfinite(real) || p.m.shift > 30 || p.m.shift - 20 < -31) {
    return NodeError(n, "the rescale factor 1 / (sqrt(s_in) * s_out) = " + FormatReal(real) + " is out of range",
                     "the input and output scales must be of usual magnitudes");
  }
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype == ir::DType::kInt8) {
    auto p = PrepareInt8(g, n);
    if (!p.ok()) return p.diag();
    return std::vector<TensorType>{{in.dtype, in.shape}};
  }
  return unary::InferF32(g, n);
}

int8_t RsqrtInt8(int8_t x, const Int8Params& p) {
  const int32_t v = x - p.z_in;
  if (v <= 0) return 127;
  const QuantizedMultiplier inv = InvSqrtQuantizedMultiplier(v);
  const int32_t d = Mbqm(1, inv.multiplier, inv.shift + 20);
  const int32_t o = WrapAdd(Mbqm(d, p.m.multiplier, p.m.shift - 20), p.z_out);
  return static_cast<int8_t>(std::min(std::max(o, -128), 127));
}

Status Eval(const EvalArgs& a) {
  if (a.in_tensor(0).dtype == ir::DType::kInt8) {
    EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
    const int64_t count = a.in_tensor(0).num_elements();
    for (int64_t i = 0; i < count; ++i) a.out<int8_t>(0)[i] = RsqrtInt8(a.in<int8_t>(0)[i], p);
    return Status::Ok();
  }
  return unary::EvalF32(a, [](float x) -> float { return 1.0f / std::sqrt(x); });
}

}  // namespace

extern const OpDef kRsqrtDef = {ir::OpKind::kRsqrt, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
