// gemmlowp-style fixed-point functions on raw int32 values, as used by the
// int8 SOFTMAX, LOGISTIC and TANH of TFLite Micro, and the int16 primitives
// of HARD_SWISH. docs/numerics.md states each algorithm.
//
// A "Qm" value is a raw int32 with m integer bits and 31 - m fractional bits
// (real = raw / 2^(31-m)). Addition and subtraction of fixed-point values wrap
// like plain int32 (they do not saturate); only rescaling to fewer integer
// bits saturates (SatShl). Products of a Qa and a Qb value are Srdhm of the
// raws, a Q(a+b) value.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>

#include "ops/quant_math.h"

namespace ember::ops {
namespace {

constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();

// exp(a) for a in [-1/4, 0), Q0 in and out: Taylor expansion of exp around
// -1/8, exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24) with x = a + 1/8.
int32_t ExpOnInterval(int32_t a) {
  constexpr int32_t kExpMinusOneEighth = 1895147668;  // exp(-1/8) in Q0
  constexpr int32_t kOneThird = 715827883;            // 1/3 in Q0
  const int32_t x = WrapAdd(a, int32_t{1} << 28);     // a + 1/8
  const int32_t x2 = Srdhm(x, x);
  const int32_t x3 = Srdhm(x2, x);
  const int32_t x4 = Srdhm(x2, x2);
  const int32_t x4_over_4 = Rdbpot(x4, 2);
  // (x^4/4 + x^3) / 3 + x^2, halved: x^4/24 + x^3/6 + x^2/2.
  const int32_t poly = Rdbpot(WrapAdd(Srdhm(WrapAdd(x4_over_4, x3), kOneThird), x2), 1);
  return WrapAdd(kExpMinusOneEighth, Srdhm(kExpMinusOneEighth, WrapAdd(x, poly)));
}

// The Newton-Raphson iteration shared by 1/(1+a) and (1-a)/(1+a), a in [0, 1)
// as Q0. It computes x ~ 1/h with h = (1+a)/2, returned as a Q2.29 raw value.
int32_t ReciprocalOfHalfDenominator(int32_t a) {
  constexpr int32_t kOneQ2 = int32_t{1} << 29;
  const int32_t half_denominator = RoundingHalfSum(a, kInt32Max);  // Q0
  // Initial guess 48/17 - 32/17 * h (Q2.29 constants).
  int32_t x = WrapAdd(1515870810, Srdhm(half_denominator, -1010580540));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = Srdhm(half_denominator, x);  // Q2
    const int32_t one_minus = WrapSub(kOneQ2, half_denominator_times_x);  // Q2
    x = WrapAdd(x, SatShl(Srdhm(x, one_minus), 2));  // Q4 product rescaled to Q2
  }
  return x;
}

int32_t Abs32Wrapping(int32_t a) { return a < 0 ? WrapSub(0, a) : a; }

}  // namespace

int32_t RoundingHalfSum(int32_t a, int32_t b) {
  const int64_t sum = int64_t{a} + int64_t{b};
  return static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// exp(a) for a <= 0 given in Qm, result Q0. The argument is split into its
// fractional part modulo 1/4 (handled by ExpOnInterval) and a non-negative
// multiple of 1/4 whose binary digits select precomputed factors
// exp(-2^E), E = -2..4, applied in ascending order of E.
int32_t ExpOnNegativeValues(int32_t a, int integer_bits) {
  const int m = integer_bits;
  if (m < 0 || m > 29) return 0;  // outside the formats this is defined for
  const int fractional_bits = 31 - m;
  const int32_t one_quarter = int32_t{1} << (fractional_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_one_quarter = WrapSub(a & mask, one_quarter);
  const int32_t rescaled =
      m == 0 ? a_mod_quarter_minus_one_quarter : SatShl(a_mod_quarter_minus_one_quarter, m);
  int32_t result = ExpOnInterval(rescaled);
  const int32_t remainder = WrapSub(a_mod_quarter_minus_one_quarter, a);

  struct Factor {
    int exponent;
    int32_t multiplier;  // exp(-2^exponent) in Q0
  };
  static constexpr Factor kFactors[] = {
      {-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
      {2, 39332535},    {3, 720401},      {4, 242},
  };
  for (const Factor& f : kFactors) {
    if (m <= f.exponent) continue;
    const int bit = fractional_bits + f.exponent;
    if ((static_cast<uint32_t>(remainder) >> bit) & 1u) result = Srdhm(result, f.multiplier);
  }
  if (m > 5) {
    // Below -32 the result underflows to zero.
    const int32_t clamp = -(int32_t{1} << (36 - m));
    if (a < clamp) result = 0;
  }
  if (a == 0) result = kInt32Max;
  return result;
}

int32_t OneOverOnePlusX(int32_t a) {
  // x is Q2 ~ 1/h = 2/(1+a); reinterpreted as Q1 it is 1/(1+a); rescale to Q0.
  return SatShl(ReciprocalOfHalfDenominator(a), 1);
}

int32_t OneMinusXOverOnePlusX(int32_t a) {
  // (1-a)/(1+a) = 2/(1+a) - 1 = x - 1 in Q2, rescaled to Q0.
  return SatShl(WrapSub(ReciprocalOfHalfDenominator(a), int32_t{1} << 29), 2);
}

int32_t FixedLogistic(int32_t a, int integer_bits) {
  if (a == 0) return int32_t{1} << 30;  // one half
  const int32_t abs_a = Abs32Wrapping(a);
  const int32_t positive = OneOverOnePlusX(ExpOnNegativeValues(WrapSub(0, abs_a), integer_bits));
  return a > 0 ? positive : WrapSub(kInt32Max, positive);
}

int32_t FixedTanh(int32_t a, int integer_bits) {
  if (a == 0) return 0;
  // -|a| in Qm has the same raw value as -2|a| in Q(m+1).
  const int32_t negative = WrapSub(0, Abs32Wrapping(a));
  const int32_t t = OneMinusXOverOnePlusX(ExpOnNegativeValues(negative, integer_bits + 1));
  return a > 0 ? t : WrapSub(0, t);
}

namespace {
int32_t SatAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(std::clamp<int64_t>(int64_t{a} + b, std::numeric_limits<int32_t>::min(), kInt32Max));
}
int32_t SatSub(int32_t a, int32_t b) {
  return static_cast<int32_t>(std::clamp<int64_t>(int64_t{a} - b, std::numeric_limits<int32_t>::min(), kInt32Max));
}
}  // namespace

// x = 2^k · r with r normalised near [sqrt(1/2), sqrt(2)) twice (z_a: r in
// [1/2, 1) then times sqrt(1/2); z_b: x times sqrt(1/2) normalised), the
// smaller r and the matching power kept; log r comes from a rational
// approximation around sqrt(sqrt(1/2)): log x = k·log 2 + num / (1 + denom').
// The sum is accumulated with one more integer bit than the output.
int32_t FixedLogGe1(int32_t x, int input_bits, int output_bits) {
  constexpr int32_t kLog2 = 1488522236, kSqrtSqrtHalf = 1805811301, kSqrtHalf = 1518500250;
  constexpr int32_t kOneQuarter = 536870912;
  constexpr int32_t kAlphaN = 117049297, kAlphaD = 127690142, kAlphaI = 1057819769, kAlphaF = 638450708;
  const int accum_bits = output_bits + 1;
  const int32_t shifted_quarter = Rdbpot(kOneQuarter, accum_bits);  // 1/4 in Q(accum)

  const int za_headroom_plus_1 = std::countl_zero(static_cast<uint32_t>(x));
  const int32_t r_a_tmp = SatShl(x, za_headroom_plus_1 - 1);
  const int32_t r_a = SatShl(Srdhm(r_a_tmp, kSqrtHalf), 1);
  const int32_t za_pow2_adj = SatAdd(SatShl(input_bits - za_headroom_plus_1, 31 - accum_bits), shifted_quarter);

  const int32_t z_b = Srdhm(x, kSqrtHalf);
  const int zb_headroom = std::countl_zero(static_cast<uint32_t>(z_b)) - 1;
  const int32_t r_b = SatShl(x, zb_headroom);
  const int32_t zb_pow2_adj = SatSub(SatShl(input_bits - zb_headroom, 31 - accum_bits), shifted_quarter);

  const int32_t r = std::min(r_a, r_b);
  const int32_t pow2_adj = std::max(za_pow2_adj, zb_pow2_adj);

  const int32_t p = RoundingHalfSum(r, kSqrtSqrtHalf);
  int32_t q = WrapSub(r, kSqrtSqrtHalf);
  q = WrapAdd(q, q);
  const int32_t common_sq = Srdhm(q, q);
  const int32_t num = WrapAdd(Srdhm(q, r), Srdhm(Srdhm(q, common_sq), kAlphaN));
  const int32_t denom_minus_one =
      WrapAdd(Srdhm(p, WrapAdd(WrapAdd(kAlphaI, q), Srdhm(kAlphaD, common_sq))), Srdhm(kAlphaF, q));
  const int32_t recip_denom = OneOverOnePlusX(denom_minus_one);
  const int32_t num_scaled = Rdbpot(num, accum_bits);  // Q0 -> Q(accum)
  const int32_t sum = WrapAdd(Srdhm(pow2_adj, kLog2), Srdhm(num_scaled, recip_denom));
  return SatShl(sum, accum_bits - output_bits);  // Q(accum) -> Q(output)
}

// ---- 16-bit primitives (HARD_SWISH) ----

int16_t Srdhm16(int16_t a, int16_t b) {
  if (a == std::numeric_limits<int16_t>::min() && b == std::numeric_limits<int16_t>::min())
    return std::numeric_limits<int16_t>::max();
  const int32_t ab = int32_t{a} * int32_t{b};
  return static_cast<int16_t>((ab + (int32_t{1} << 14)) >> 15);  // floor: ties toward +inf
}

int16_t Sdhm16(int16_t a, int16_t b) {
  if (a == std::numeric_limits<int16_t>::min() && b == std::numeric_limits<int16_t>::min())
    return std::numeric_limits<int16_t>::max();
  const int32_t ab = int32_t{a} * int32_t{b};
  return static_cast<int16_t>(ab / (int32_t{1} << 15));  // truncation toward zero
}

int16_t Rdbpot16(int16_t x, int e) {
  if (e <= 0) return x;
  if (e > 31) e = 31;
  // The mask 2^e - 1 is formed in 16 bits: all ones once e >= 16.
  const int16_t mask = static_cast<int16_t>((int64_t{1} << e) - 1);
  const int16_t remainder = static_cast<int16_t>(x & mask);
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  const int32_t threshold16 = static_cast<int16_t>(threshold);
  return static_cast<int16_t>((int32_t{x} >> e) + (remainder > threshold16 ? 1 : 0));
}

int16_t SatShl16(int16_t x, int e) {
  if (e > 31) e = 31;
  const int64_t v = int64_t{x} * (int64_t{1} << e);
  if (v > std::numeric_limits<int16_t>::max()) return std::numeric_limits<int16_t>::max();
  if (v < std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::min();
  return static_cast<int16_t>(v);
}

int16_t DownscaleMultiplierToInt16(int32_t multiplier) {
  constexpr int32_t kRounding = int32_t{1} << 15;
  if (multiplier >= kInt32Max - kRounding) return std::numeric_limits<int16_t>::max();
  return static_cast<int16_t>((multiplier + kRounding) >> 16);
}

QuantizedMultiplier InvSqrtQuantizedMultiplier(int32_t input) {
  if (input <= 1) return {kInt32Max, 0};
  int shift = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    ++shift;
  }
  const int max_left_shift_bits = std::countl_zero(static_cast<uint32_t>(input)) - 1;
  const int left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
  shift -= left_shift_bit_pairs;
  input <<= 2 * left_shift_bit_pairs;  // now in [2^27, 2^29)
  // Q3.28 values; a product of two Qm values is Q(2m), brought back by SatShl.
  const int32_t half_input = Rdbpot(input >> 1, 1);
  const int32_t half_three = (1 << 28) + (1 << 27);
  int32_t x = 1 << 28;  // 1.0
  for (int i = 0; i < 5; ++i) {
    const int32_t x3 = SatShl(Srdhm(Srdhm(x, x), x), 6);                    // Q9 -> Q3
    x = SatShl(WrapSub(Srdhm(half_three, x), Srdhm(half_input, x3)), 3);  // Q6 -> Q3
  }
  x = Srdhm(x, 1518500250);  // * sqrt(2) / 2 (Q0)
  if (shift < 0) {
    x = WrapShl(x, -shift);
    shift = 0;
  }
  return {x, -shift};
}

}  // namespace ember::ops
