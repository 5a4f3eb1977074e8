// relu6: min(max(x, 0), 6) elementwise.
//
// int8 follows TFLite Micro's reference kernel (docs/numerics.md, "relu6"):
// no requantization. The clamp happens in the input's own quantization,
// between z_in and clamp(round(6 / s_in) + z_in, -128, 127) (float32 division,
// ties away from zero); the output tensor's scale and zero point are ignored.
//
// float32: x > 6 ? 6 : (x < 0 ? 0 : x).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct Int8Params {
  int32_t lo = -128;
  int32_t hi = 127;
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  float s_in = 0;
  int32_t z_in = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &z_in));
  if (!(s_in > 0.0f) || !std::isfinite(s_in) || z_in < -128 || z_in > 127) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(s_in));
    return NodeError(n, std::string("input has scale ") + buf + " and zero point " +
                            std::to_string(z_in) +
                            "; int8 needs a positive scale and a zero point in [-128, 127]");
  }
  // round(6 / s_in) is >= 0; anything at or above 255 clamps to 127 anyway.
  const float six = std::min(std::round(6.0f / s_in), 255.0f);
  Int8Params p;
  p.lo = z_in;
  p.hi = std::min(std::max(static_cast<int32_t>(six) + z_in, -128), 127);
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
    for (int64_t i = 0; i < count; ++i) out[i] = x[i] > 6.0f ? 6.0f : (x[i] < 0.0f ? 0.0f : x[i]);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v = x[i];
    out[i] = static_cast<int8_t>(v > p.hi ? p.hi : (v < p.lo ? p.lo : v));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kRelu6Def = {ir::OpKind::kRelu6, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
