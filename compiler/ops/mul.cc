// mul: elementwise a * b with numpy broadcasting and a fused activation `act`.
//
// int8 follows TFLite Micro's reference MUL (docs/numerics.md, "mul"): the
// product of the zero-point-corrected inputs is requantized with one
// multiplier s1*s2/s_out (computed in double; its shift may be positive), then
// the output zero point is added and the activation range clamps. int16
// (zero points 0) is the same arithmetic (TFLite Micro's MulElementwise on
// int16). float32 is
// clamp(a * b); int32 and int64 (no activation) wrap modulo 2^32 / 2^64.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

struct Int8Params {
  int32_t z1 = 0, z2 = 0, zo = 0;
  QuantizedMultiplier m;
  Int32Range act{-128, 127};
  Int8Semantics sem = Int8Semantics::kTflite;
  float ort_scale = 0;  // OrtMulScale, used with Int8Semantics::kOnnxRuntime
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float s1 = 0, s2 = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.inputs[0], &s1, &p.z1));
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.inputs[1], &s2, &p.z2));
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.outputs[0], &so, &p.zo));
  const double real =
      static_cast<double>(s1) * static_cast<double>(s2) / static_cast<double>(so);
  p.m = QuantizeMultiplier(real);
  if (p.m.shift > 30) {
    return NodeError(n, "the rescale factor s1*s2/s_out = " + FormatReal(real) + " is too large",
                     "the output scale is far too small for the input scales; requantize the model");
  }
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(n, &act));
  const bool int16 = g.tensor(n.outputs[0]).dtype == ir::DType::kInt16;
  p.act = int16 ? ActivationRangeInt16(act, so, p.zo) : ActivationRangeInt8(act, so, p.zo);
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(n, &p.sem));
  if (p.sem == Int8Semantics::kOnnxRuntime && int16)
    return NodeError(n, "int8_semantics \"onnxruntime\" does not apply to int16 inputs", "remove the attribute");
  p.ort_scale = OrtMulScale(s1, s2, so);
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferBinaryI8F32(g, n, PrepareInt8, /*allow_int16=*/true, /*allow_wide_int=*/true);
}

// int8 and int16 alike (int16: zero points 0; |v1 * v2| <= 2^30).
template <typename T>
void EvalInt(const EvalArgs& a, const Int8Params& p) {
  const ir::Shape& sa = a.in_tensor(0).shape;
  const ir::Shape& sb = a.in_tensor(1).shape;
  const ir::Shape& so = a.out_tensor(0).shape;
  const T* x = a.in<T>(0);
  const T* y = a.in<T>(1);
  T* out = a.out<T>(0);
  for (int64_t i = 0, count = ir::NumElements(so); i < count; ++i) {
    const int32_t v1 = x[BroadcastIndex(sa, so, i)] - p.z1;
    const int32_t v2 = y[BroadcastIndex(sb, so, i)] - p.z2;
    const int32_t r = p.sem == Int8Semantics::kOnnxRuntime
                          ? OrtRequantize(v1 * v2, p.ort_scale, p.zo, p.act.min, p.act.max)
                          : WrapAdd(p.zo, Mbqm(WrapMul(v1, v2), p.m));
    out[i] = static_cast<T>(std::min(std::max(r, p.act.min), p.act.max));
  }
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& sa = a.in_tensor(0).shape;
  const ir::Shape& sb = a.in_tensor(1).shape;
  const ir::Shape& so = a.out_tensor(0).shape;
  const int64_t count = ir::NumElements(so);
  if (a.in_tensor(0).dtype == ir::DType::kInt32 || a.in_tensor(0).dtype == ir::DType::kInt64) {
    return EvalBinaryWideInt(a, [](auto x, auto y) { return x * y; });
  }
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    Activation act = Activation::kNone;
    EMBER_RETURN_IF_ERROR(GetActivationAttr(a.node, &act));
    const FloatRange r = ActivationRangeFloat(act);
    const float* x = a.in<float>(0);
    const float* y = a.in<float>(1);
    float* out = a.out<float>(0);
    for (int64_t i = 0; i < count; ++i) {
      const float v = x[BroadcastIndex(sa, so, i)] * y[BroadcastIndex(sb, so, i)];
      out[i] = std::min(std::max(v, r.min), r.max);
    }
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  if (a.in_tensor(0).dtype == ir::DType::kInt16) {
    EvalInt<int16_t>(a, p);
  } else {
    EvalInt<int8_t>(a, p);
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kMulDef = {ir::OpKind::kMul, "i8, i16, i32, i64, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
