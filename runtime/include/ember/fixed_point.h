/* gemmlowp-style fixed-point helpers for generated SOFTMAX, LOGISTIC, TANH and
 * HARD_SWISH kernels.
 *
 * C99, header-only (static inline), no allocation. These are the device-side
 * twins of compiler/ops/fixed_point.cc and must stay bit-identical to it
 * (docs/numerics.md, "Fixed-point helpers"). A "Qm" value is a raw int32 with
 * m integer bits and 31 - m fractional bits; sums wrap like plain int32, only
 * rescaling to fewer integer bits saturates (ember_satshl).
 *
 * Like kernel_math.h, the code assumes what every compiler we target does:
 * an arithmetic right shift of a negative value floors, and converting an
 * out-of-range value to a signed type wraps. */
#ifndef EMBER_FIXED_POINT_H_
#define EMBER_FIXED_POINT_H_

#include <stdint.h>

#include "ember/kernel_math.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Saturating x * 2^e for 1 <= e <= 31 (gemmlowp SaturatingRoundingMultiplyByPOT<+e>). */
static inline int32_t ember_satshl(int32_t x, int e) {
  const int32_t threshold = (int32_t)(((int64_t)1 << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return ember_wrap_shl(x, e);
}

/* (a + b) / 2 rounded half away from zero (gemmlowp RoundingHalfSum). */
static inline int32_t ember_rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* Number of leading zero bits of a non-zero value. */
static inline int ember_clz32(uint32_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_clz(x);
#else
  int n = 0;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    ++n;
  }
  return n;
#endif
}

/* exp(a) for a in [-1/4, 0), Q0 in and out: Taylor expansion around -1/8,
 * exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24) with x = a + 1/8. */
static inline int32_t ember_exp_on_interval(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;
  const int32_t one_third = 715827883;
  const int32_t x = ember_wrap_add(a, (int32_t)1 << 28);
  const int32_t x2 = ember_srdhm(x, x);
  const int32_t x3 = ember_srdhm(x2, x);
  const int32_t x4 = ember_srdhm(x2, x2);
  const int32_t x4_over_4 = ember_rdbpot(x4, 2);
  const int32_t poly =
      ember_rdbpot(ember_wrap_add(ember_srdhm(ember_wrap_add(x4_over_4, x3), one_third), x2), 1);
  return ember_wrap_add(exp_minus_one_eighth,
                        ember_srdhm(exp_minus_one_eighth, ember_wrap_add(x, poly)));
}

/* exp(a) for a <= 0 in Qm (0 <= m <= 29), result Q0. The argument splits into
 * its fractional part modulo 1/4 and a multiple of 1/4 whose bits select the
 * factors exp(-2^E), E = -2..4, applied in ascending order of E. */
static inline int32_t ember_exp_on_negative_values(int32_t a, int m) {
  static const int32_t kFactors[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242};
  int fractional_bits;
  int32_t one_quarter, mask, a_mod, rescaled, result, remainder;
  int e;
  if (m < 0 || m > 29) return 0;
  fractional_bits = 31 - m;
  one_quarter = (int32_t)1 << (fractional_bits - 2);
  mask = one_quarter - 1;
  a_mod = ember_wrap_add(a & mask, -one_quarter);
  rescaled = m == 0 ? a_mod : ember_satshl(a_mod, m);
  result = ember_exp_on_interval(rescaled);
  remainder = (int32_t)((uint32_t)a_mod - (uint32_t)a);
  for (e = -2; e <= 4; ++e) {
    if (m <= e) continue;
    if (((uint32_t)remainder >> (fractional_bits + e)) & 1u)
      result = ember_srdhm(result, kFactors[e + 2]);
  }
  if (m > 5 && a < -((int32_t)1 << (36 - m))) result = 0;
  if (a == 0) result = INT32_MAX;
  return result;
}

/* Newton-Raphson for x ~ 1/h, h = (1 + a)/2, a in [0, 1) as Q0; x is Q2.29. */
static inline int32_t ember_reciprocal_of_half_denominator(int32_t a) {
  const int32_t one_q2 = (int32_t)1 << 29;
  const int32_t half_denominator = ember_rounding_half_sum(a, INT32_MAX);
  int32_t x = ember_wrap_add(1515870810, ember_srdhm(half_denominator, -1010580540));
  int i;
  for (i = 0; i < 3; ++i) {
    const int32_t hx = ember_srdhm(half_denominator, x);
    const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)hx);
    x = ember_wrap_add(x, ember_satshl(ember_srdhm(x, one_minus), 2));
  }
  return x;
}

/* 1 / (1 + a) for a in [0, 1), Q0 in and out. */
static inline int32_t ember_one_over_one_plus_x(int32_t a) {
  return ember_satshl(ember_reciprocal_of_half_denominator(a), 1);
}

/* (1 - a) / (1 + a) for a in [0, 1), Q0 in and out. */
static inline int32_t ember_one_minus_x_over_one_plus_x(int32_t a) {
  const int32_t x = ember_reciprocal_of_half_denominator(a);
  return ember_satshl((int32_t)((uint32_t)x - ((uint32_t)1 << 29)), 2);
}

static inline int32_t ember_abs32_wrapping(int32_t a) {
  return a < 0 ? (int32_t)(0u - (uint32_t)a) : a;
}

/* 1 / (1 + exp(-a)) for a in Qm, result Q0. */
static inline int32_t ember_fixed_logistic(int32_t a, int m) {
  int32_t positive;
  if (a == 0) return (int32_t)1 << 30;
  positive = ember_one_over_one_plus_x(
      ember_exp_on_negative_values((int32_t)(0u - (uint32_t)ember_abs32_wrapping(a)), m));
  return a > 0 ? positive : (int32_t)((uint32_t)INT32_MAX - (uint32_t)positive);
}

/* tanh(a) for a in Qm, result Q0: -|a| in Qm is -2|a| in Q(m+1). */
static inline int32_t ember_fixed_tanh(int32_t a, int m) {
  int32_t t;
  if (a == 0) return 0;
  t = ember_one_minus_x_over_one_plus_x(
      ember_exp_on_negative_values((int32_t)(0u - (uint32_t)ember_abs32_wrapping(a)), m + 1));
  return a > 0 ? t : (int32_t)(0u - (uint32_t)t);
}

/* ---- 16-bit primitives (HARD_SWISH) ---- */

/* floor((a*b + 2^14) / 2^15); -32768 * -32768 -> 32767. */
static inline int16_t ember_srdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * (int32_t)b + ((int32_t)1 << 14)) >> 15);
}

/* trunc(a*b / 2^15) (no rounding); -32768 * -32768 -> 32767. */
static inline int16_t ember_sdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * (int32_t)b) / ((int32_t)1 << 15));
}

/* Rounding divide by 2^e on int16, 0 <= e <= 31; the mask 2^e - 1 is formed
 * in 16 bits (all ones once e >= 16). */
static inline int16_t ember_rdbpot16(int16_t x, int e) {
  int16_t mask, remainder;
  int32_t threshold;
  if (e <= 0) return x;
  if (e > 31) e = 31;
  mask = e >= 16 ? (int16_t)-1 : (int16_t)(((int32_t)1 << e) - 1);
  remainder = (int16_t)(x & mask);
  threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
  return (int16_t)(((int32_t)x >> e) + (remainder > threshold ? 1 : 0));
}

/* clamp(x * 2^e, -32768, 32767) for 0 <= e <= 31. */
static inline int16_t ember_satshl16(int16_t x, int e) {
  int64_t v;
  if (e > 31) e = 31;
  v = (int64_t)x * ((int64_t)1 << e);
  if (v > INT16_MAX) return INT16_MAX;
  if (v < INT16_MIN) return INT16_MIN;
  return (int16_t)v;
}

#ifdef __cplusplus
}
#endif

#endif /* EMBER_FIXED_POINT_H_ */
