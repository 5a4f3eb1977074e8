// relu: max(x, 0) elementwise.
//
// int8 requantizes like TFLite Micro's reference kernel (docs/numerics.md,
// "relu"): o = clamp(z_out + MBQM(x - z_in, s_in/s_out), max(-128, z_out), 127)
// with the multiplier from a float32 division s_in/s_out.
//
// float32: x < 0 ? 0 : x (NaN and -0.0 pass through unchanged).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

struct Int8Params {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  QuantizedMultiplier m;
  int32_t lo = -128;
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float s_in = 0, s_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &p.input_zero_point));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &p.output_zero_point));
  const float ratio = s_in / s_out;  // float32 division, as the reference kernel
  p.m = QuantizeMultiplier(static_cast<double>(ratio));
  if (!(s_in > 0.0f) || !(s_out > 0.0f) || !std::isfinite(ratio) || p.m.shift > 30) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g and %g", static_cast<double>(s_in),
                  static_cast<double>(s_out));
    return NodeError(n, std::string("input and output scales ") + buf +
                            " give an unusable rescale factor",
                     "scales must be positive and of similar magnitude");
  }
  p.lo = std::max(-128, p.output_zero_point);
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferUnaryI8F32(g, n, PrepareInt8);
}

Status Eval(const EvalArgs& a) {
  const int64_t count = a.in_tensor(0).num_elements();
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    const float* x = a.in<float>(0);
    float* out = a.out<float>(0);
    for (int64_t i = 0; i < count; ++i) out[i] = x[i] < 0.0f ? 0.0f : x[i];
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v = WrapAdd(p.output_zero_point, Mbqm(x[i] - p.input_zero_point, p.m));
    out[i] = static_cast<int8_t>(std::min(std::max(v, p.lo), 127));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kReluDef = {ir::OpKind::kRelu, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
