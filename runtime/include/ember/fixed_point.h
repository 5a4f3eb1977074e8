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

/* 1 / sqrt(input) for input >= 0 as *multiplier * 2^*shift (*shift <= 0, a
 * right shift, the form ember_mbqm takes), as TFLite's
 * GetInvSqrtQuantizedMultiplierExp with reverse shift -1: five Newton-Raphson
 * steps in Q3.28; input <= 1 gives (INT32_MAX, 0). L2_NORMALIZATION (int8). */
static inline void ember_inv_sqrt_multiplier(int32_t input, int32_t* multiplier, int* shift) {
  int s = 11, pairs, i;
  int32_t half_input, x = (int32_t)1 << 28;
  const int32_t half_three = ((int32_t)1 << 28) + ((int32_t)1 << 27);
  if (input <= 1) {
    *multiplier = INT32_MAX;
    *shift = 0;
    return;
  }
  while (input >= ((int32_t)1 << 29)) {
    input /= 4;
    ++s;
  }
  pairs = (ember_clz32((uint32_t)input) - 1) / 2 - 1;
  s -= pairs;
  input = (int32_t)((uint32_t)input << (2 * pairs));
  half_input = ember_rdbpot(input >> 1, 1);
  for (i = 0; i < 5; ++i) {
    const int32_t x3 = ember_satshl(ember_srdhm(ember_srdhm(x, x), x), 6);
    x = ember_satshl((int32_t)((uint32_t)ember_srdhm(half_three, x) - (uint32_t)ember_srdhm(half_input, x3)), 3);
  }
  x = ember_srdhm(x, 1518500250);
  if (s < 0) {
    x = (int32_t)((uint32_t)x << -s);
    s = 0;
  }
  *multiplier = x;
  *shift = -s;
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

static inline int32_t ember_sat_add32(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a + (int64_t)b;
  return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

/* log(x) for x > 0 in Q(in_bits), result Q(out_bits), 1 <= out_bits <= 29
 * (TFLite's log_x_for_x_greater_than_or_equal_to_1, LOG_SOFTMAX): x = 2^k r
 * normalised two ways, the smaller r kept; log r from a rational
 * approximation around sqrt(sqrt(1/2)); summed with out_bits + 1 integer bits. */
static inline int32_t ember_log_x_ge_1(int32_t x, int in_bits, int out_bits) {
  const int32_t log2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
  const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
  const int acc = out_bits + 1;
  const int32_t quarter = ember_rdbpot(536870912, acc);
  const int za1 = ember_clz32((uint32_t)x);
  const int32_t ra = ember_satshl(ember_srdhm(ember_satshl(x, za1 - 1), sqrt_half), 1);
  const int32_t za_adj = ember_sat_add32(ember_satshl(in_bits - za1, 31 - acc), quarter);
  const int zb = ember_clz32((uint32_t)ember_srdhm(x, sqrt_half)) - 1;
  const int32_t rb = ember_satshl(x, zb);
  const int64_t zb_diff = (int64_t)ember_satshl(in_bits - zb, 31 - acc) - quarter;
  const int32_t zb_adj = zb_diff < INT32_MIN ? INT32_MIN : (int32_t)zb_diff;
  const int32_t r = ra < rb ? ra : rb;
  const int32_t adj = za_adj > zb_adj ? za_adj : zb_adj;
  const int32_t p = ember_rounding_half_sum(r, sqrt_sqrt_half);
  int32_t q = ember_wrap_add(r, (int32_t)(0u - (uint32_t)sqrt_sqrt_half));
  int32_t sq, num, denom;
  q = ember_wrap_add(q, q);
  sq = ember_srdhm(q, q);
  num = ember_wrap_add(ember_srdhm(q, r), ember_srdhm(ember_srdhm(q, sq), alpha_n));
  denom = ember_wrap_add(ember_srdhm(p, ember_wrap_add(ember_wrap_add(alpha_i, q), ember_srdhm(alpha_d, sq))),
                         ember_srdhm(alpha_f, q));
  return ember_satshl(ember_wrap_add(ember_srdhm(adj, log2),
                                     ember_srdhm(ember_rdbpot(num, acc), ember_one_over_one_plus_x(denom))),
                      acc - out_bits);
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

/* ---- int16 SOFTMAX, LOGISTIC and TANH (16x8 quantization) ---- */
/* Twins of compiler/ops/int16_activation.cc (docs/numerics.md, "int16
 * softmax, logistic and tanh"). The softmax tables are constant arrays of
 * the generated code; the sigmoid table is TFLite's constant, here. */

/* A 513-entry table at x: lut[256 + (x >> 7)] plus the slope to the next
 * entry times the low 7 bits of x, rounded. */
static inline int16_t ember_lut16_lookup(const int16_t* lut, int16_t x) {
  const int32_t index = 256 + (x >> 7);
  const int32_t slope = (int32_t)lut[index + 1] - (int32_t)lut[index];
  return (int16_t)(lut[index] + ((slope * (x & 0x7f) + 64) >> 7));
}

/* TFLite's table of sigmoid(i / 24), i = 0..255, in unsigned Q0.16 that the
 * int16 LOGISTIC and TANH interpolate (the values TFLite ships; the twin of
 * kSigmoidTableU16 in compiler/ops/int16_activation.cc). */
static inline const uint16_t* ember_sigmoid_table_q16(void) {
  static const uint16_t table[256] = {
      32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
      40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
      47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
      53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
      57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
      60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
      62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
      63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
      64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
      64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
      65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
      65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
      65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
      65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
      65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
      65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
      65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
      65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
      65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
      65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
      65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
      65534, 65534, 65534, 65535};
  return table;
}

/* The input of the int16 LOGISTIC and TANH in units of 1 / (3 * 4096):
 * (x * multiplier + round) >> shift, |x * multiplier| < 2^30. */
static inline int32_t ember_sigmoid16_input(int16_t x, int32_t multiplier, int shift, int32_t round) {
  return ((int32_t)x * multiplier + round) >> shift;
}

/* The sigmoid table interpolated at a / 2^bits (a >= 0) with 'bits' fraction
 * bits kept: (T[j] << bits) + (a mod 2^bits) * (T[j+1] - T[j]) for
 * j = a >> bits, or `saturated` from j = 255 on. */
static inline uint32_t ember_sigmoid16_interpolate(uint32_t a, int bits, uint32_t saturated) {
  const uint16_t* table = ember_sigmoid_table_q16();
  const uint32_t j = a >> bits;
  if (j >= 255) return saturated;
  return ((uint32_t)table[j] << bits) + (a & (((uint32_t)1 << bits) - 1)) * (uint32_t)(table[j + 1] - table[j]);
}

/* LOGISTIC: the table at |v| / 2^9, mirrored for v < 0, rounded to Q0.15. */
static inline int16_t ember_logistic16(int32_t v) {
  uint32_t r = ember_sigmoid16_interpolate((uint32_t)(v < 0 ? -v : v), 9, (uint32_t)0x7FFF << 10);
  r = v >= 0 ? r + ((uint32_t)1 << 9) : ((uint32_t)1 << 25) - r + ((uint32_t)1 << 9) - 1;
  return (int16_t)(r >> 10);
}

/* TANH = 2 sigmoid(2v) - 1: the table at |v| / 2^8, rounded to Q0.15, odd
 * in v (arithmetic shift). */
static inline int16_t ember_tanh16(int32_t v) {
  int32_t r = (int32_t)ember_sigmoid16_interpolate((uint32_t)(v < 0 ? -v : v), 8, (uint32_t)0xFFFF << 8);
  r = v >= 0 ? r - ((int32_t)1 << 23) + (1 << 7) : -r + ((int32_t)1 << 23) + (1 << 7) - 1;
  return (int16_t)(r >> 8);
}

#ifdef __cplusplus
}
#endif

#endif /* EMBER_FIXED_POINT_H_ */
