// abs: elementwise |x|; TFLite ABS. float32: std::abs(x) (clears the sign
// bit). int8, as TFLite Micro's reference kernel: v = |x - z_in|; with equal
// input and output scales out = clamp(v + z_out), else
// out = clamp(Mbqm(v, M) + z_out) with M = QuantizeMultiplier(double(s_in / s_out))
// (the quotient in float32, as its Prepare).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

struct Int8Params {
  int32_t zi = 0, zo = 0;
  bool rescale = false;
  QuantizedMultiplier m;
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float si = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &si, &p.zi));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &so, &p.zo));
  p.rescale = si != so;
  if (p.rescale) {
    const float ratio = si / so;  // float32, as TFLite
    p.m = QuantizeMultiplier(static_cast<double>(ratio));
    if (!std::isfinite(ratio) || p.m.shift > 30) {
      return NodeError(n, "the rescale factor s_in/s_out = " + FormatReal(ratio) + " is outside the supported range",
                       "input and output scales must be of similar magnitude");
    }
  }
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
    for (int64_t i = 0; i < count; ++i) out[i] = std::abs(x[i]);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v = std::abs(x[i] - p.zi);
    const int32_t o = (p.rescale ? Mbqm(v, p.m) : v) + p.zo;
    out[i] = static_cast<int8_t>(std::min(std::max(o, -128), 127));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kAbsDef = {ir::OpKind::kAbs, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
