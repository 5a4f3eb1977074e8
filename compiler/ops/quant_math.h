// Integer arithmetic of the TFLite quantization spec, shared by the reference
// evaluators (ops/) and, later, by code generation (multipliers are computed at
// compile time with exactly these functions). docs/numerics.md explains each
// rounding. All functions are pure and never invoke undefined behaviour: int32
// wrap-around is done through uint32.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "support/status.h"

namespace ember::ops {

// Wrapping int32 arithmetic (two's complement, as TFLite gets in practice).
inline int32_t WrapAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t WrapSub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
inline int32_t WrapMul(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
}
// x * 2^n for 0 <= n <= 31, wrapping (no saturation).
inline int32_t WrapShl(int32_t x, int n) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) << n);
}

// SaturatingRoundingDoublingHighMul: floor((a*b + 2^30) / 2^31), INT_MIN*INT_MIN -> INT_MAX.
int32_t Srdhm(int32_t a, int32_t b);
// RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero; 0 <= e <= 31.
int32_t Rdbpot(int32_t x, int e);
// Saturating x * 2^e for e > 0 (gemmlowp SaturatingRoundingMultiplyByPOT<+e>).
int32_t SatShl(int32_t x, int e);

// A real multiplier d represented as m * 2^(shift - 31), m in [2^30, 2^31).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;  // positive = left
};
// True for 1/2 as QuantizeMultiplier gives it (2^30, no shift): TFLite's add
// and sub give it to the input with the larger scale, whose rescale
// Srdhm(v, 2^30) of an even v is then v / 2 exactly.
inline bool IsHalfMultiplier(QuantizedMultiplier m) { return m.multiplier == (int32_t{1} << 30) && m.shift == 0; }
// TFLite's QuantizeMultiplier (double rounding build).
QuantizedMultiplier QuantizeMultiplier(double d);
// TFLite Micro's mean: (M, s) divided by N keeping precision, first scaled
// by 2^k (k = floor(log2 N), at most 32 and 31 + shift), then divided with
// truncation.
QuantizedMultiplier DivideMultiplierByCount(QuantizedMultiplier m, int64_t count);
// MultiplyByQuantizedMultiplier, double rounding: Rdbpot(Srdhm(x << L, m), R).
int32_t Mbqm(int32_t x, int32_t multiplier, int shift);
inline int32_t Mbqm(int32_t x, QuantizedMultiplier q) { return Mbqm(x, q.multiplier, q.shift); }
// TFLite's MultiplyByQuantizedMultiplier for an int64 accumulator (16x8
// kernels with int64 bias): the multiplier rounded to 15 bits,
// m' = m < 0x7FFF0000 ? (m + 2^15) >> 16 : 0x7FFF, then
// (x * m' + 2^(14 - shift)) >> (15 - shift), truncated to int32. TFLite
// requires -31 <= shift <= 7 and |x| < 2^47; outside that the arithmetic
// wraps (uint64) and the shift is clamped to [1, 63], so the function is total.
int32_t Mbqm64(int64_t x, int32_t multiplier, int shift);
inline int32_t Mbqm64(int64_t x, QuantizedMultiplier q) { return Mbqm64(x, q.multiplier, q.shift); }

// A fused activation, the IR attribute `act` (docs/operators.md): "none",
// "relu", "relu6", "relu_n1_to_1", or "clip" with the real bounds in the
// attributes `act_min` and `act_max` (a clamp to [act_min, act_max] in the
// output's real values; fuse-activation and fuse-clamp write it for ONNX's
// Clip and for an int8 clamp).
struct Activation {
  enum class Kind { kNone, kRelu, kRelu6, kReluN1To1, kClip };
  Kind kind = Kind::kNone;
  double min = 0.0;  // kClip only
  double max = 0.0;  // kClip only
  static const Activation kNone, kRelu, kRelu6, kReluN1To1;
  static Activation Clip(double lo, double hi) { return {Kind::kClip, lo, hi}; }
  friend bool operator==(const Activation&, const Activation&) = default;
};
// "none" "relu" "relu6" "relu_n1_to_1" (not "clip", whose bounds are other
// attributes: GetActivationAttr reads a node's); false for anything else.
bool ParseActivation(const std::string& s, Activation* out);
// The attribute value: "none", "relu", ..., "clip".
const char* ActivationName(Activation a);
// For comments in generated code: the name, and for clip its bounds, "clip[-1, 3]".
std::string DescribeActivation(Activation a);

// CalculateActivationRangeQuantized for an int8 output with (scale, zero_point).
struct Int32Range {
  int32_t min;
  int32_t max;
};
// True when an int8 output stage clamps from its zero point z_out or above
// (relu, relu6, or z_out = -128): a value whose rescaled form is negative
// then gives a result <= z_out however it was rounded, and the clamp lifts
// every such result to the same bound. The kernels use it to round negative
// values the cheap way (the DSP cores' ember_requant_rs_clamped, Helium's
// rounding shift without the tie fix-up, ember_mve_rshr_up).
inline bool ClampHidesNegativeRounding(int32_t clamp_min, int32_t z_out) { return clamp_min >= z_out; }
Int32Range ActivationRangeInt8(Activation act, float out_scale, int32_t out_zero_point);
// The same for an int16 output ([-32768, 32767]; 16x8 models have zero point 0).
Int32Range ActivationRangeInt16(Activation act, float out_scale, int32_t out_zero_point);
// Float clamp range for a fused activation: [lowest, max], [0, max], [0, 6], [-1, 1].
struct FloatRange {
  float min;
  float max;
};
FloatRange ActivationRangeFloat(Activation act);

// Which int8 arithmetic an int8 node follows (IR attribute `int8_semantics`,
// docs/numerics.md "ONNX Runtime semantics"): TFLite's fixed-point
// requantization (the default) or ONNX Runtime's fused integer kernels
// (int32 accumulation, then a float32 multiply by a float32 scale, clamp,
// round half to even, plus the zero point).
enum class Int8Semantics { kTflite, kOnnxRuntime };
// "tflite" "onnxruntime"; false for anything else.
bool ParseInt8Semantics(const std::string& s, Int8Semantics* out);
const char* Int8SemanticsName(Int8Semantics s);

// ONNX Runtime's requantization of an int32 accumulator (MlasRequantizeOutput):
// clamp(float(acc) * scale, lo - zp, hi - zp) rounded half to even, plus zp.
// `scale` is the float32 real multiplier, [lo, hi] the int8 clamp range.
inline int32_t OrtRequantize(int32_t acc, float scale, int32_t zp, int32_t lo, int32_t hi) {
  float v = static_cast<float>(acc) * scale;
  const float flo = static_cast<float>(lo - zp), fhi = static_cast<float>(hi - zp);
  if (!(v >= flo)) v = flo;  // NaN -> lo as _mm_max_ps(v, lo)
  if (v > fhi) v = fhi;
  return static_cast<int32_t>(std::nearbyint(v)) + zp;  // default rounding: half to even
}

// ONNX Runtime's QLinearMul scale (MlasQLinearMul): s_a * s_b / s_out in
// float32, in that order; the product of the zero-point-corrected inputs is
// requantized with it by OrtRequantize.
inline float OrtMulScale(float s_a, float s_b, float s_out) { return s_a * s_b / s_out; }

// ONNX Runtime's QuantizeLinear (MlasQuantizeLinear): x / scale in float32,
// clamped to [lo - zp, hi - zp] (NaN -> lo - zp), rounded half to even, plus zp.
inline int32_t OrtQuantize(float x, float scale, int32_t zp, int32_t lo, int32_t hi) {
  float v = x / scale;
  const float flo = static_cast<float>(int64_t{lo} - zp), fhi = static_cast<float>(int64_t{hi} - zp);
  if (!(v >= flo)) v = flo;
  if (v > fhi) v = fhi;
  return WrapAdd(static_cast<int32_t>(std::nearbyint(v)), zp);
}

// gemmlowp fixed-point helpers (raw int32 values), see docs/numerics.md.
// `integer_bits` is the m of the Qm input format.
int32_t ExpOnNegativeValues(int32_t a, int integer_bits);      // Qm -> Q0.31
int32_t OneOverOnePlusX(int32_t a);                             // Q0 -> Q0
int32_t OneMinusXOverOnePlusX(int32_t a);                       // Q0 -> Q0 (for tanh)
int32_t FixedLogistic(int32_t a, int integer_bits);             // Qm -> Q0.31
int32_t FixedTanh(int32_t a, int integer_bits);                 // Qm -> Q0.31
// log(x) for x >= 1 (any x > 0 works, with x >= 1/x_max), x in Q(input_bits),
// the result in Q(output_bits) (1 <= output_bits <= 29): TFLite's
// log_x_for_x_greater_than_or_equal_to_1 (LOG_SOFTMAX).
int32_t FixedLogGe1(int32_t x, int input_bits, int output_bits);

// gemmlowp RoundingHalfSum: (a + b) / 2 rounded half away from zero.
int32_t RoundingHalfSum(int32_t a, int32_t b);

// 16-bit fixed-point primitives (HARD_SWISH), implemented in fixed_point.cc.
// Srdhm16: floor((a*b + 2^14) / 2^15), -32768*-32768 -> 32767.
int16_t Srdhm16(int16_t a, int16_t b);
// Sdhm16: non-rounding doubling high multiply, trunc(a*b / 2^15), -32768*-32768 -> 32767.
int16_t Sdhm16(int16_t a, int16_t b);
// Rdbpot16: Rdbpot on int16 lanes, 0 <= e <= 31; for e >= 16 the mask is
// truncated to 16 bits as gemmlowp's int16 instantiation does.
int16_t Rdbpot16(int16_t x, int e);
// SatShl16: clamp(x * 2^e, -32768, 32767) for 0 <= e <= 31.
int16_t SatShl16(int16_t x, int e);
// A non-negative 32-bit multiplier rounded to 16 bits (saturating at 32767).
int16_t DownscaleMultiplierToInt16(int32_t multiplier);

// TFLite's GetInvSqrtQuantizedMultiplierExp(input, kReverseShift = -1):
// 1 / sqrt(input) for input >= 0 as multiplier * 2^shift (shift <= 0 is a
// right shift, the form Mbqm takes), by five Newton-Raphson steps in gemmlowp
// Q3.28 fixed point; input <= 1 gives (INT32_MAX, 0). Used by
// l2_normalization and rsqrt (int8).
QuantizedMultiplier InvSqrtQuantizedMultiplier(int32_t input);

}  // namespace ember::ops
