// squared_difference: elementwise (a - b)^2 with numpy broadcasting; TFLite
// SQUARED_DIFFERENCE. float32: d = a - b; d * d (no clamp, as TFLite Micro).
//
// int8, as TFLite Micro's reference kernel (Prepare with left_shift 7):
// t = 2 * double(max(s_a, s_b)); M_a, M_b = QuantizeMultiplier(double(s_a) / t,
// double(s_b) / t) (both below one, shift <= 0); M_o = QuantizeMultiplier(
// t * t / double(2^14 * s_o)) (the product 2^14 * s_o in float32, exact).
// Per element: a' = Mbqm((a - z_a) * 128, M_a), b' = Mbqm((b - z_b) * 128, M_b),
// d = a' - b', out = clamp(Mbqm(d * d, M_o) + z_o, -128, 127). |d| < 2^15, so
// d * d never overflows.
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
  int32_t za = 0, zb = 0, zo = 0;
  QuantizedMultiplier ma, mb, mo;
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float sa = 0, sb = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &sa, &p.za));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[1], &sb, &p.zb));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &so, &p.zo));
  const double twice_max = 2.0 * static_cast<double>(std::max(sa, sb));
  p.ma = QuantizeMultiplier(static_cast<double>(sa) / twice_max);
  p.mb = QuantizeMultiplier(static_cast<double>(sb) / twice_max);
  const double real_out = twice_max * twice_max / static_cast<double>(static_cast<float>(1 << 14) * so);
  p.mo = QuantizeMultiplier(real_out);
  if (!std::isfinite(real_out) || p.mo.shift > 30 || p.mo.shift < -31) {
    return NodeError(n, "the output multiplier (2 max(s_a, s_b))^2 / (2^14 s_out) = " + FormatReal(real_out) +
                            " is outside the supported range",
                     "input and output scales must be of similar magnitude");
  }
  return p;
}

// No attributes (InferBinaryI8F32 reads an absent `act` as none).
Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferBinaryI8F32(g, n, PrepareInt8);
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& sa = a.in_tensor(0).shape;
  const ir::Shape& sb = a.in_tensor(1).shape;
  const ir::Shape& so = a.out_tensor(0).shape;
  const int64_t count = ir::NumElements(so);
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {  // no clamp: inf stays inf
    const float* x = a.in<float>(0);
    const float* y = a.in<float>(1);
    float* out = a.out<float>(0);
    for (int64_t i = 0; i < count; ++i) {
      const float d = x[BroadcastIndex(sa, so, i)] - y[BroadcastIndex(sb, so, i)];
      out[i] = d * d;
    }
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  const int8_t* y = a.in<int8_t>(1);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t va = Mbqm((x[BroadcastIndex(sa, so, i)] - p.za) * 128, p.ma);
    const int32_t vb = Mbqm((y[BroadcastIndex(sb, so, i)] - p.zb) * 128, p.mb);
    const int32_t d = va - vb;
    const int32_t o = Mbqm(d * d, p.mo) + p.zo;
    out[i] = static_cast<int8_t>(std::min(std::max(o, -128), 127));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kSquaredDifferenceDef = {ir::OpKind::kSquaredDifference, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
