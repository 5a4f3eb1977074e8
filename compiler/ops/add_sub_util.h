// The int8 arithmetic TFLite Micro's ADD and SUB share (docs/numerics.md,
// "add", "sub"): both inputs shifted left by 20 bits and rescaled to a common
// scale of twice the larger input scale, combined, then rescaled to the output
// scale. The two ops differ only in how the real multipliers are formed
// (double for ADD, float32 for SUB) and in the combination (+ or -).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {

inline constexpr int kAddSubLeftShift = 20;       // int8 inputs are pre-scaled by 2^20
inline constexpr int kAddSubLeftShiftInt16 = 15;  // int16 inputs by 2^15 (TFLite Micro's int16 path)

// The pre-scaling shift for inputs of type `t`.
inline int AddSubLeftShift(ir::DType t) { return t == ir::DType::kInt16 ? kAddSubLeftShiftInt16 : kAddSubLeftShift; }

// int8 or int16 (then the zero points are 0 and `left_shift` 15).
struct AddSubInt8Params {
  int32_t z1 = 0, z2 = 0, zo = 0;
  QuantizedMultiplier m1, m2, mo;
  Int32Range act{-128, 127};
  int left_shift = kAddSubLeftShift;
};

// Validates the three rescale factors r1, r2, ro (each in (0, 1)) into `p`'s
// multipliers and reads the activation range for output scale `so`.
inline Status FinishAddSubInt8(const ir::Node& n, double r1, double r2, double ro, float so,
                               AddSubInt8Params* p) {
  EMBER_RETURN_IF_ERROR(CheckSmallerThanOne(n, "input 1", r1, &p->m1));
  EMBER_RETURN_IF_ERROR(CheckSmallerThanOne(n, "input 2", r2, &p->m2));
  EMBER_RETURN_IF_ERROR(CheckSmallerThanOne(n, "output", ro, &p->mo));
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(n, &act));
  p->act = p->left_shift == kAddSubLeftShiftInt16 ? ActivationRangeInt16(act, so, p->zo)
                                                  : ActivationRangeInt8(act, so, p->zo);
  return Status::Ok();
}

// One input rescaled to the common scale: (x - z) * 2^left_shift times r_i.
inline int32_t AddSubRescale(int32_t x, int32_t z, QuantizedMultiplier m, int left_shift = kAddSubLeftShift) {
  return Rdbpot(Srdhm(WrapShl(x - z, left_shift), m.multiplier), -m.shift);
}

// The broadcasting evaluation: out = clamp(rescale_o(combine(a', b')) + z_out),
// over int8 data (T = int8_t) or int16 data (T = int16_t, left_shift 15).
template <typename Combine, typename T = int8_t>
void EvalAddSubInt8(const EvalArgs& a, const AddSubInt8Params& p, Combine combine) {
  const ir::Shape& sa = a.in_tensor(0).shape;
  const ir::Shape& sb = a.in_tensor(1).shape;
  const ir::Shape& so = a.out_tensor(0).shape;
  const int64_t count = ir::NumElements(so);
  const T* x = a.in<T>(0);
  const T* y = a.in<T>(1);
  T* out = a.out<T>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v1 = AddSubRescale(x[BroadcastIndex(sa, so, i)], p.z1, p.m1, p.left_shift);
    const int32_t v2 = AddSubRescale(y[BroadcastIndex(sb, so, i)], p.z2, p.m2, p.left_shift);
    const int32_t r = WrapAdd(Rdbpot(Srdhm(combine(v1, v2), p.mo.multiplier), -p.mo.shift), p.zo);
    out[i] = static_cast<T>(std::min(std::max(r, p.act.min), p.act.max));
  }
}

// EvalAddSubInt8 over the node's data type (int8 or int16).
template <typename Combine>
void EvalAddSub(const EvalArgs& a, const AddSubInt8Params& p, Combine combine) {
  if (a.in_tensor(0).dtype == ir::DType::kInt16) EvalAddSubInt8<Combine, int16_t>(a, p, combine);
  else EvalAddSubInt8<Combine, int8_t>(a, p, combine);
}

// ONNX Runtime's int8 add (QLinearAdd as MLAS computes it on x86-64 with AVX2,
// MlasQLinearAddKernelAvx2Helper; docs/numerics.md "ONNX Runtime semantics"):
//   ra = s_a / s_c, rb = s_b / s_c                      (float32)
//   fixed = float(z_c) - fma(ra, float(z_a), rb * float(z_b))  (float32)
//   c = round_half_even(fma(a, ra, fma(b, rb, fixed)))  saturated to int8
// a, b are the raw int8 values (zero points live in `fixed`); the fused
// activation, when there is one, clamps the integer result. ONNX Runtime
// computes uint8 tensors on their uint8 values, which the callers pass (with
// uint8 zero points) for nodes with onnx_uint8 (OnnxUint8Offset).
struct OrtAddParams {
  float ra = 0, rb = 0, fixed = 0;
  Int32Range act{-128, 127};
};

inline OrtAddParams PrepareOrtAdd(float sa, int32_t za, float sb, int32_t zb, float sc, int32_t zc,
                                  Int32Range act) {
  OrtAddParams p;
  p.ra = sa / sc;
  p.rb = sb / sc;
  // ra * za + rb * zb with the first product fused (one rounding), as
  // ONNX Runtime's x86-64 build computes it (measured: with two roundings
  // uint8 models differ from it by one step where zero points are large).
  const float pb = p.rb * static_cast<float>(zb);
  const float sum = std::fma(p.ra, static_cast<float>(za), pb);
  p.fixed = static_cast<float>(zc) - sum;
  p.act = act;
  return p;
}

inline int32_t OrtAdd(int32_t a, int32_t b, const OrtAddParams& p) {
  const float t = std::fma(static_cast<float>(b), p.rb, p.fixed);
  float v = std::fma(static_cast<float>(a), p.ra, t);
  const float lo = static_cast<float>(p.act.min), hi = static_cast<float>(p.act.max);
  if (!(v >= lo)) v = lo;  // cvtps_epi32 then saturating packs; NaN cannot occur
  if (v > hi) v = hi;
  return static_cast<int32_t>(std::nearbyint(v));
}

}  // namespace ember::ops
