// add: elementwise a + b with numpy broadcasting and a fused activation `act`.
//
// int8 follows TFLite Micro's reference ADD (docs/numerics.md, "add"): both
// inputs are shifted left by 20 bits, rescaled to a common scale of twice the
// larger input scale, summed, then rescaled to the output scale. Input order
// matters for the rounding (input 1 gets multiplier 1). float32 is
// clamp(a + b) with the activation's float range.
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

constexpr int kLeftShift = 20;  // int8 inputs are pre-scaled by 2^20

struct Int8Params {
  int32_t z1 = 0, z2 = 0, zo = 0;
  QuantizedMultiplier m1, m2, mo;
  Int32Range act{-128, 127};
};

// A multiplier below one, as QuantizeMultiplierSmallerThanOneExp demands
// (TFLite aborts otherwise; we report it).
Status SmallerThanOne(const ir::Node& n, const char* what, double real, QuantizedMultiplier* q) {
  *q = QuantizeMultiplier(real);
  if (!(real > 0.0 && real < 1.0) || q->shift > 0) {
    return NodeError(n, std::string("the ") + what + " rescale factor is " + FormatReal(real) +
                            ", outside (0, 1)",
                     "the output scale is too small for the input scales; requantize the model");
  }
  return Status::Ok();
}

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float s1 = 0, s2 = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &s1, &p.z1));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[1], &s2, &p.z2));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &so, &p.zo));
  const double twice_max = 2.0 * static_cast<double>(std::max(s1, s2));
  const double r1 = static_cast<double>(s1) / twice_max;
  const double r2 = static_cast<double>(s2) / twice_max;
  const double ro = twice_max / (static_cast<double>(1 << kLeftShift) * static_cast<double>(so));
  EMBER_RETURN_IF_ERROR(SmallerThanOne(n, "input 1", r1, &p.m1));
  EMBER_RETURN_IF_ERROR(SmallerThanOne(n, "input 2", r2, &p.m2));
  EMBER_RETURN_IF_ERROR(SmallerThanOne(n, "output", ro, &p.mo));
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(n, &act));
  p.act = ActivationRangeInt8(act, so, p.zo);
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferBinaryI8F32(g, n, PrepareInt8);
}

// One int8 input rescaled to the common scale: (x - z) * 2^20 times r_i.
int32_t Rescale(int32_t x, int32_t z, QuantizedMultiplier m) {
  const int32_t shifted = WrapShl(x - z, kLeftShift);
  return Rdbpot(Srdhm(shifted, m.multiplier), -m.shift);
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& sa = a.in_tensor(0).shape;
  const ir::Shape& sb = a.in_tensor(1).shape;
  const ir::Shape& so = a.out_tensor(0).shape;
  const int64_t count = ir::NumElements(so);
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    Activation act = Activation::kNone;
    EMBER_RETURN_IF_ERROR(GetActivationAttr(a.node, &act));
    const FloatRange r = ActivationRangeFloat(act);
    const float* x = a.in<float>(0);
    const float* y = a.in<float>(1);
    float* out = a.out<float>(0);
    for (int64_t i = 0; i < count; ++i) {
      const float v = x[BroadcastIndex(sa, so, i)] + y[BroadcastIndex(sb, so, i)];
      out[i] = std::min(std::max(v, r.min), r.max);
    }
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  const int8_t* y = a.in<int8_t>(1);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v1 = Rescale(x[BroadcastIndex(sa, so, i)], p.z1, p.m1);
    const int32_t v2 = Rescale(y[BroadcastIndex(sb, so, i)], p.z2, p.m2);
    const int32_t sum = WrapAdd(v1, v2);
    const int32_t r = WrapAdd(Rdbpot(Srdhm(sum, p.mo.multiplier), -p.mo.shift), p.zo);
    out[i] = static_cast<int8_t>(std::min(std::max(r, p.act.min), p.act.max));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kAddDef = {ir::OpKind::kAdd, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
