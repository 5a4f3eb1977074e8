// elu: elementwise x < 0 ? e^x - 1 : x (alpha 1); TFLite ELU, as TFLite
// Micro's kernels:
// float32: out = x < 0 ? std::expm1(x) : x (libm's expm1f; host and device
//   libraries may differ in the last bit);
// int8: a 256-entry table built as TFLite Micro's Prepare does, in float32:
//   d = s_in * (v - z_in), t = d < 0 ? std::exp(d) - 1 : d,
//   out = clamp((int32)(round(t * (1 / s_out)) + z_out)) with round half away
//   from zero.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/unary_util.h"

namespace ember::ops {
namespace {

using Int8Params = InOutInt8Quant;

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, GetInOutInt8Quant(g, n));
  if (!std::isfinite(1.0f / p.s_out)) {
    return NodeError(n, "the scales " + FormatReal(p.s_in) + " and " + FormatReal(p.s_out) + " are not usable",
                     "input and output scales must be positive and finite");
  }
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferUnaryI8F32(g, n, PrepareInt8);
}

int8_t EluInt8(int8_t v, const Int8Params& p) {
  const float inverse_scale = 1.0f / p.s_out;
  const float d = p.s_in * static_cast<float>(v - p.z_in);
  const float t = d < 0.0f ? std::exp(d) - 1.0f : d;
  const float rescaled = std::round(t * inverse_scale);
  const auto q = static_cast<int32_t>(rescaled + static_cast<float>(p.z_out));
  return static_cast<int8_t>(std::min(std::max(q, -128), 127));
}

Status Eval(const EvalArgs& a) {
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    return unary::EvalF32(a, [](float x) -> float { return x < 0.0f ? std::expm1(x) : x; });
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  int8_t table[256];
  for (int v = -128; v <= 127; ++v) table[v + 128] = EluInt8(static_cast<int8_t>(v), p);
  const int64_t count = a.in_tensor(0).num_elements();
  for (int64_t i = 0; i < count; ++i) a.out<int8_t>(0)[i] = table[a.in<int8_t>(0)[i] + 128];
  return Status::Ok();
}

}  // namespace

extern const OpDef kEluDef = {ir::OpKind::kElu, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
