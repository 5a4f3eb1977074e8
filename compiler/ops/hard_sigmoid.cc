// hard_sigmoid: max(0, min(1, alpha * x + beta)) elementwise (ONNX
// HardSigmoid); attributes `alpha` (default 0.2) and `beta` (default 0.5).
//
// float32: v = x * alpha + beta (a float32 multiply, then a float32 add, not
// fused), then min(max(v, 0), 1); NaN passes through.
// int8 (there is no TFLite HARD_SIGMOID, so this is ember's own definition,
// docs/numerics.md "hard_sigmoid"): the input is dequantized as DEQUANTIZE
// does, f = float(s_in * (x - z_in)), the float32 function is applied, and the
// result is quantized as QUANTIZE does, clamp(round(h / s_out) + z_out) with a
// float32 division and ties away from zero. The emitter turns this into a
// 256-entry table.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct Params {
  float alpha = 0.2f, beta = 0.5f;
};

Expected<Params> GetParams(const ir::Node& n) {
  double alpha = 0, beta = 0;
  EMBER_RETURN_IF_ERROR(GetRealAttr(n, "alpha", false, 0.2, &alpha));
  EMBER_RETURN_IF_ERROR(GetRealAttr(n, "beta", false, 0.5, &beta));
  if (std::fabs(alpha) > 3.4e38 || std::fabs(beta) > 3.4e38) {
    return NodeError(n, "attributes alpha " + FormatReal(alpha) + " and beta " +
                            FormatReal(beta) + " must fit in float32");
  }
  return Params{static_cast<float>(alpha), static_cast<float>(beta)};
}

float HardSigmoidFloat(float x, const Params& p) {
  const float v = x * p.alpha + p.beta;
  return std::min(std::max(v, 0.0f), 1.0f);
}

Expected<InOutInt8Quant> PrepareInt8(const ir::Graph& g, const ir::Node& n) { return GetInOutInt8Quant(g, n); }

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const Params p, GetParams(n));
  (void)p;
  return InferUnaryI8F32(g, n, PrepareInt8);
}

Status Eval(const EvalArgs& a) {
  const int64_t count = a.in_tensor(0).num_elements();
  EMBER_ASSIGN_OR_RETURN(const Params p, GetParams(a.node));
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    const float* x = a.in<float>(0);
    float* out = a.out<float>(0);
    for (int64_t i = 0; i < count; ++i) out[i] = HardSigmoidFloat(x[i], p);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const InOutInt8Quant q, PrepareInt8(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const float f = static_cast<float>(static_cast<double>(q.s_in) * (x[i] - q.z_in));
    // h is in [0, 1] (or NaN-free: f is finite), so h / s_out is bounded by 1 / s_out.
    const float r = std::round(HardSigmoidFloat(f, p) / q.s_out);
    const float c = std::min(std::max(r, -1024.0f), 1024.0f);
    const int32_t v = static_cast<int32_t>(c) + q.z_out;
    out[i] = static_cast<int8_t>(std::min(std::max(v, -128), 127));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kHardSigmoidDef = {ir::OpKind::kHardSigmoid, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
