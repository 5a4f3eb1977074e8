/* SIMD helpers of the depthwise_conv2d kernels generated for DSP cores
 * (Cortex-M4/M7/M33: SXTB16, PKHBT/PKHTB, SMLAD, SMLABB/SMLATT, SMMULR,
 * SMMLAR) and for Helium (Cortex-M55: arm_mve.h, included here).
 *
 * C99, header-only (static inline). On a core without the DSP extension
 * (and on the host) every helper has a portable C twin with the same result,
 * so the same generated C compiles and runs anywhere; int32 sums wrap like
 * the instructions do (through uint32). */
#ifndef EMBER_DSP_DW_H_
#define EMBER_DSP_DW_H_

#include <stdint.h>
#include <string.h>

#if (defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP) || \
    (defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT)
#include <arm_acle.h>
#endif
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define EMBER_DW_HAVE_DSP 1
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define EMBER_DW_HAVE_MVE 1
#include <arm_mve.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A compiler barrier between the tap blocks of the generated depthwise
 * kernels: no instruction, but loads stay in their block. Without it GCC
 * hoists the loads of every tap (pre-allocation scheduling) and sinks every
 * accumulation to the end of the channel group (temporary expression
 * replacement), which keeps all values live at once and spills. */
#if defined(__GNUC__)
#define EMBER_DW_BARRIER() __asm__ __volatile__("" ::: "memory")
#else
#define EMBER_DW_BARRIER() ((void)0)
#endif
/* The same for two MVE accumulators: their sums are complete here (GCC's
 * expression replacement would otherwise add all products at the end). */
#if defined(EMBER_DW_HAVE_MVE) && defined(__GNUC__)
#define EMBER_DW_KEEP2(a, b) __asm__ __volatile__("" : "+w"(a), "+w"(b) : : "memory")
#else
#define EMBER_DW_KEEP2(a, b) ((void)0)
#endif

/* lo = p[off / 4], hi = p[off / 4 + 1] for a 4-byte aligned constant table
 * of int32 `p`; `off` is a literal byte offset (LDRD on DSP cores). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__)
#define EMBER_DW_LD2(lo, hi, p, off) \
  __asm__("ldrd %0, %1, [%2, #" #off "]" : "=r"(lo), "=r"(hi) : "r"(p))
#else
#define EMBER_DW_LD2(lo, hi, p, off) \
  do {                               \
    (lo) = (p)[(off) / 4];           \
    (hi) = (p)[(off) / 4 + 1];       \
  } while (0)
#endif

/* Four int8 lanes from any address (one LDR on cores with unaligned access). */
static inline uint32_t ember_dw_ld4(const int8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

#ifdef EMBER_DW_HAVE_DSP
/* Lanes 0 and 2 of x sign-extended to the halves of the result. */
static inline uint32_t ember_dw_sxtb16(uint32_t x) { return (uint32_t)__sxtb16(x); }
/* Lanes 1 and 3. */
static inline uint32_t ember_dw_sxtb16_hi(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
/* Low half of a, low half of b: (a.lo, b.lo). */
static inline uint32_t ember_dw_pkbb(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* High halves: (a.hi, b.hi). */
static inline uint32_t ember_dw_pktt(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* acc + x.lo * w.lo + x.hi * w.hi (wrapping). */
static inline int32_t ember_dw_smlad(uint32_t x, uint32_t w, int32_t acc) {
  return __smlad(x, w, acc);
}
static inline int32_t ember_dw_smlabb(uint32_t x, uint32_t w, int32_t acc) {
  return __smlabb((int32_t)x, (int32_t)w, acc);
}
static inline int32_t ember_dw_smlatt(uint32_t x, uint32_t w, int32_t acc) {
  return __smlatt((int32_t)x, (int32_t)w, acc);
}
/* (a * b + 2^31) >> 32. */
static inline int32_t ember_dw_smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* c + ((a * b + 2^31) >> 32). */
static inline int32_t ember_dw_smmlar(int32_t a, int32_t b, int32_t c) {
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
  return r;
}
#else
static inline uint32_t ember_dw_half(int32_t v) { return (uint32_t)v & 0xFFFFu; }
static inline int32_t ember_dw_lo(uint32_t x) { return (int32_t)(int16_t)(uint16_t)(x & 0xFFFFu); }
static inline int32_t ember_dw_hi(uint32_t x) { return (int32_t)(int16_t)(uint16_t)(x >> 16); }
static inline uint32_t ember_dw_sxtb16(uint32_t x) {
  return ember_dw_half((int8_t)(uint8_t)(x & 0xFFu)) |
         (ember_dw_half((int8_t)(uint8_t)((x >> 16) & 0xFFu)) << 16);
}
static inline uint32_t ember_dw_sxtb16_hi(uint32_t x) { return ember_dw_sxtb16(x >> 8 | x << 24); }
static inline uint32_t ember_dw_pkbb(uint32_t a, uint32_t b) { return (a & 0xFFFFu) | (b << 16); }
static inline uint32_t ember_dw_pktt(uint32_t a, uint32_t b) { return (a >> 16) | (b & 0xFFFF0000u); }
static inline int32_t ember_dw_smlad(uint32_t x, uint32_t w, int32_t acc) {
  const uint32_t p = (uint32_t)(ember_dw_lo(x) * ember_dw_lo(w)) +
                     (uint32_t)(ember_dw_hi(x) * ember_dw_hi(w));
  return (int32_t)((uint32_t)acc + p);
}
static inline int32_t ember_dw_smlabb(uint32_t x, uint32_t w, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(ember_dw_lo(x) * ember_dw_lo(w)));
}
static inline int32_t ember_dw_smlatt(uint32_t x, uint32_t w, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(ember_dw_hi(x) * ember_dw_hi(w)));
}
static inline int32_t ember_dw_smmulr(int32_t a, int32_t b) {
  /* An arithmetic right shift of a negative value floors on every compiler we target. */
  return (int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32);
}
static inline int32_t ember_dw_smmlar(int32_t a, int32_t b, int32_t c) {
  return (int32_t)((uint32_t)c + (uint32_t)ember_dw_smmulr(a, b));
}
#endif

/* v saturated to [-128, 127]. */
static inline int32_t ember_dw_sat8(int32_t v) {
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT
  return __ssat(v, 8);
#else
  return v < -128 ? -128 : (v > 127 ? 127 : v);
#endif
}

/* The requantization of the DSP depthwise kernels, for an accumulator acc2
 * that holds 2^k times the int32 sum, with no overflow (the compiler checks
 * the bound): srdhm(sum * 2^(k-1), m) = smmulr(acc2, m) exactly; then the
 * rounding right shift by e >= 2 of TFLite (ties away from zero) is
 * smmlar(x - (x < 0), 2^(32-e), z_out); p = 2^(32-e). */
static inline int32_t ember_dw_requant(int32_t acc2, int32_t m, int32_t p, int32_t zout) {
  const int32_t x = ember_dw_smmulr(acc2, m);
  return ember_dw_smmlar(x - (int32_t)((uint32_t)x >> 31), p, zout);
}

#ifdef __cplusplus
}
#endif

#endif /* EMBER_DSP_DW_H_ */
