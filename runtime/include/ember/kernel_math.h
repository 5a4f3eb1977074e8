/* Integer arithmetic of the TFLite quantization spec for generated kernels.
 *
 * C99, header-only (static inline), no allocation, no undefined behaviour:
 * int32 wrap-around goes through uint32. These are the device-side twins of
 * compiler/ops/quant_math.h, and must stay bit-identical to them (the
 * reference evaluators are the oracle; docs/numerics.md gives the formulas). */
#ifndef EMBER_KERNEL_MATH_H_
#define EMBER_KERNEL_MATH_H_

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Alignment of constant arrays and the arena. */
#if defined(__GNUC__) || defined(__clang__)
#define EMBER_ALIGNED(n) __attribute__((aligned(n)))
#else
#define EMBER_ALIGNED(n)
#endif

static inline int32_t ember_wrap_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t ember_wrap_mul(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a * (uint32_t)b);
}

/* x * 2^n for 0 <= n <= 31, wrapping. */
static inline int32_t ember_wrap_shl(int32_t x, int n) { return (int32_t)((uint32_t)x << n); }

/* SaturatingRoundingDoublingHighMul: floor((a*b + 2^30) / 2^31); INT32_MIN^2 -> INT32_MAX. */
static inline int32_t ember_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  /* An arithmetic right shift of a negative value is implementation-defined
   * in C99; every compiler we target (gcc, clang, arm-none-eabi-gcc) floors. */
  return (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
}

/* RoundingDivideByPOT: x / 2^e, to nearest, ties away from zero; 0 <= e <= 31. */
static inline int32_t ember_rdbpot(int32_t x, int e) {
  const int32_t mask = (int32_t)(((uint32_t)1 << e) - 1u);
  const int32_t rem = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > threshold ? 1 : 0);
}

/* MultiplyByQuantizedMultiplier (double rounding): left shift, high multiply, rounding shift. */
static inline int32_t ember_mbqm(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return ember_rdbpot(ember_srdhm(ember_wrap_shl(x, left), multiplier), right);
}

/* MultiplyByQuantizedMultiplier of an int64 accumulator (16x8 kernels with
 * int64 bias), TFLite's int64 overload: the multiplier rounded to 15 bits,
 * then (x * m' + 2^(14 - shift)) >> (15 - shift), truncated to 32 bits.
 * -31 <= shift <= 7 and |x| < 2^47 (the compiler checks the shift); the
 * arithmetic goes through uint64 so that nothing is undefined. */
static inline int32_t ember_mbqm64(int64_t x, int32_t multiplier, int shift) {
  const int64_t reduced = multiplier < 0x7FFF0000 ? ((int64_t)multiplier + (1 << 15)) >> 16 : 0x7FFF;
  const int total = 15 - shift;
  const uint64_t prod = (uint64_t)x * (uint64_t)reduced + ((uint64_t)1 << (total - 1));
  return (int32_t)(uint32_t)(uint64_t)((int64_t)prod >> total);
}

static inline int32_t ember_clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* base^exponent in int32 (the pow operator, compiler/ops/pow.cc): the power
 * modulo 2^32 by squaring in uint32; a negative exponent gives the reciprocal
 * truncated toward zero (1 for base 1, +-1 for base -1, else 0). */
static inline int32_t ember_pow_i32(int32_t base, int32_t exponent) {
  uint32_t result = 1u, b = (uint32_t)base, e;
  if (exponent < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exponent & 1) ? -1 : 1;
    return 0;
  }
  for (e = (uint32_t)exponent; e != 0u; e >>= 1) {
    if (e & 1u) result *= b;
    b *= b;
  }
  return (int32_t)result;
}

/* base^exponent in int64, as ember_pow_i32 modulo 2^64. */
static inline int64_t ember_pow_i64(int64_t base, int64_t exponent) {
  uint64_t result = 1u, b = (uint64_t)base, e;
  if (exponent < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exponent & 1) ? -1 : 1;
    return 0;
  }
  for (e = (uint64_t)exponent; e != 0u; e >>= 1) {
    if (e & 1u) result *= b;
    b *= b;
  }
  return (int64_t)result;
}

/* The remainder of the mod operator (compiler/ops/mod.cc): truncated (C's %),
 * or, with floor_mode, taking the divisor's sign (TFLite's FloorMod); a
 * divisor of 0 or -1 gives 0 (no INT_MIN % -1 trap, no division by zero). */
static inline int32_t ember_mod_i32(int32_t a, int32_t b, int floor_mode) {
  int32_t t;
  if (b == 0 || b == -1) return 0;
  t = a % b;
  return (floor_mode && t != 0 && ((b < 0) != (t < 0))) ? t + b : t;
}

/* int16 through int32: the remainder's magnitude is below the divisor's. */
static inline int16_t ember_mod_i16(int16_t a, int16_t b, int floor_mode) {
  return (int16_t)ember_mod_i32(a, b, floor_mode);
}

static inline int64_t ember_mod_i64(int64_t a, int64_t b, int floor_mode) {
  int64_t t;
  if (b == 0 || b == -1) return 0;
  t = a % b;
  return (floor_mode && t != 0 && ((b < 0) != (t < 0))) ? t + b : t;
}

/* TFLite's float FloorMod: fmodf (exact), then the divisor's sign. */
static inline float ember_floor_mod_f32(float a, float b) {
  const float t = fmodf(a, b);
  return (t != 0.0f && ((b < 0.0f) != (t < 0.0f))) ? t + b : t;
}

/* A float32 value rounded to the nearest float16 value, held in float32
 * (ONNX's Cast to float16; docs/numerics.md, "cast"): ties to even, on the
 * bit pattern; from 65520 (65504 plus half a step) up, infinity; below
 * 2^-14 to a multiple of 2^-24 (float16's subnormals); ±0, infinities
 * and NaN as they are. */
static inline float ember_round_f16(float x) {
  uint32_t u, a, sign;
  memcpy(&u, &x, sizeof u);
  sign = u & 0x80000000u;
  a = u & 0x7FFFFFFFu;
  if (a >= 0x7F800000u) return x;
  if (a >= 0x38800000u) { /* 2^-14 and up: 10 of the 23 fraction bits */
    a = (a + 0x0FFFu + ((a >> 13) & 1u)) & ~0x1FFFu;
    if (a >= 0x47800000u) a = 0x7F800000u; /* 65536: beyond float16 */
  } else if (a < 0x00800000u) {            /* float32 subnormal: below 2^-126 */
    a = 0u;
  } else { /* |x| = m * 2^(e - 23) = (m >> s) steps of 2^-24, s = -(e + 1) >= 14 */
    const uint32_t m = (a & 0x7FFFFFu) | 0x800000u;
    const uint32_t s = 126u - (a >> 23); /* e = (a >> 23) - 127 */
    uint32_t q = 0u;
    if (s < 32u) {
      const uint32_t rem = m & ((1u << s) - 1u), half = 1u << (s - 1u);
      q = m >> s;
      if (rem > half || (rem == half && (q & 1u))) ++q;
    }
    x = (float)q * 0x1p-24f; /* exact: q <= 1024 */
    memcpy(&a, &x, sizeof a);
  }
  u = sign | a;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* The same for bfloat16 (the high 16 bits of a float32): ties to even on
 * the low 16 bits; past the largest finite value, infinity; NaN as it is. */
static inline float ember_round_bf16(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return x;
  u = (u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* ONNX Runtime's int8 arithmetic (docs/numerics.md, "ONNX Runtime semantics").
 * The generated code is compiled as ISO C99, so the compiler does not contract
 * a * b + c into a fused multiply-add (-ffp-contract=off); where ONNX Runtime
 * does fuse, the code calls fmaf() explicitly. */

/* Round half to even of a float in [-2^22, 2^22] (callers clamp first):
 * 1.5 * 2^23 added and subtracted in float32 leaves the nearest integer, ties
 * to even (IEEE 754 round to nearest). */
static inline int32_t ember_round_even_small(float v) {
  const float magic = 12582912.0f;
  const float t = v + magic;
  return (int32_t)(t - magic);
}

/* Fused multiply-add a * b + c rounded once, for a an int8 value (|a| <= 255):
 * VFMA.F32 where the FPU has it (Cortex-M4F/M7/M33/M55), else in double,
 * exactly for every operand: the product of a (8 bits) and b (24 bits) is
 * exact in double; the sum s = p + c is rounded, and its error e (TwoSum,
 * exact) tells on which side the exact value lies; rounding s to odd (an
 * inexact s takes the neighbour with an odd last bit, on e's side) and then
 * to float gives the correctly rounded result, since double has more than
 * float's 24 + 2 bits. */
#if defined(__ARM_FEATURE_FMA) && defined(__ARM_FP) && (__ARM_FP & 4)
static inline float ember_fma_i8(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
#else
static inline float ember_fma_i8(float a, float b, float c) {
  const double p = (double)a * (double)b;
  double s = p + (double)c;
  const double bv = s - p;
  const double e = (p - (s - bv)) + ((double)c - bv);
  if (e != 0.0) {
    uint64_t u;
    memcpy(&u, &s, sizeof u);
    if ((u & 1u) == 0u) {
      /* Bit patterns grow with the magnitude: one step away from zero when
       * e has s's sign, towards it otherwise (s != 0 whenever e != 0). */
      u = ((e > 0.0) == (s > 0.0)) ? u + 1u : u - 1u;
      memcpy(&s, &u, sizeof s);
    }
  }
  return (float)s;
}
#endif

/* A float rounded half to even to int32 (saturating) in one instruction
 * where the core has a single-precision FPU: VCVTR, which rounds by the
 * FPSCR rounding mode, round to nearest even at reset (ember never changes
 * it; an application that does must restore it around a model run). For
 * clamps to integer bounds, rounding first and clamping the integer gives
 * what clamping the float and rounding gives (rounding is monotonic and
 * leaves integers as they are). Not for NaN. */
#if defined(__GNUC__) && defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 4)
#define EMBER_HAVE_VCVT_RNE 1
static inline int32_t ember_vcvt_rne(float v) {
  float r;
  int32_t i;
  __asm__("vcvtr.s32.f32 %0, %1" : "=t"(r) : "t"(v));
  memcpy(&i, &r, sizeof i);
  return i;
}
#endif

/* MlasRequantizeOutput: clamp(float(acc) * scale, lo - zp, hi - zp) rounded
 * half to even, plus zp. NaN goes to lo (as _mm_max_ps); float(acc) * scale
 * is never NaN for a finite scale. */
static inline int32_t ember_requant_f32(int32_t acc, float scale, int32_t zp, int32_t lo, int32_t hi) {
  float v = (float)acc * scale;
#ifdef EMBER_HAVE_VCVT_RNE
  return ember_clamp_i32(ember_vcvt_rne(v), lo - zp, hi - zp) + zp;
#else
  const float flo = (float)(lo - zp);
  const float fhi = (float)(hi - zp);
  v = v >= flo ? v : flo;
  v = v > fhi ? fhi : v;
  return ember_round_even_small(v) + zp;
#endif
}

/* ONNX Runtime's QLinearAdd of the raw int8 values a and b (ops/add.cc):
 * fma(a, ra, fma(b, rb, fixed)) clamped to [lo, hi] (integers; NaN to lo,
 * which finite int8 operands and factors never give), rounded half to even. */
static inline int32_t ember_qlinear_add(int32_t a, int32_t b, float ra, float rb, float fixed, float lo, float hi) {
  float v = ember_fma_i8((float)a, ra, ember_fma_i8((float)b, rb, fixed));
#ifdef EMBER_HAVE_VCVT_RNE
  return ember_clamp_i32(ember_vcvt_rne(v), (int32_t)lo, (int32_t)hi);
#else
  v = v >= lo ? v : lo;
  v = v > hi ? hi : v;
  return ember_round_even_small(v);
#endif
}

#ifdef __cplusplus
}
#endif

#endif /* EMBER_KERNEL_MATH_H_ */
