/* SIMD helpers of the DSP extension (Armv7E-M and Armv8-M Mainline with DSP:
 * cortex-m4, m7, m33) for generated kernels, and the few scalar helpers the
 * cortex-m3 kernels share with them (ember_ssat8, ember_mla, ember_requant_rs).
 *
 * C99, header-only (static inline). With __ARM_FEATURE_DSP each helper is one
 * instruction (ACLE intrinsics from arm_acle.h, or a one-line asm where gcc
 * does not fuse an ACLE expression into one instruction); elsewhere a portable
 * C fallback computes the same bits, so that the kernels generated for a DSP
 * core also compile and run on the host (the tests do so).
 *
 * Values: a "s8x4" word holds four int8 lanes (lane 0 in the low byte, the
 * little-endian order of memory); a "s16x2" word holds two int16 lanes. */
#ifndef EMBER_DSP_H_
#define EMBER_DSP_H_

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define EMBER_DSP_NATIVE 1
#else
#define EMBER_DSP_NATIVE 0
#endif

/* On a kernel function: not inlined into the model's main function, where
 * gcc's register allocation of the SMLAD loops degrades (spills in every
 * iteration); a call costs a few instructions. */
#if defined(__GNUC__) || defined(__clang__)
#define EMBER_NOINLINE __attribute__((noinline))
#else
#define EMBER_NOINLINE
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Four int8 from any address (unaligned word loads are legal on v7E-M/v8-M). */
static inline int32_t ember_read_s8x4(const int8_t* p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

#if EMBER_DSP_NATIVE

/* Two words at *p (word-aligned) into *a, *b, then *p += 2: one LDRD with
 * post-increment (gcc does not form it from C in the SMLAD loops). */
static inline void ember_ld2(const int32_t** p, int32_t* a, int32_t* b) {
#if defined(__GNUC__)
  __asm__("ldrd %0, %1, [%2], #8" : "=r"(*a), "=r"(*b), "+r"(*p) : "m"(*(const int32_t(*)[2])*p));
#else
  *a = (*p)[0];
  *b = (*p)[1];
  *p += 2;
#endif
}

/* a, b = p[k], p[k + 1] (p word-aligned; k an integer literal with
 * 0 <= 4 k <= 1016): one LDRD with an immediate offset, so that a loop
 * reading several rows of words at fixed distances moves one pointer. */
#if defined(__GNUC__)
#define EMBER_LD2_AT(p, k, a, b)                                   \
  __asm__("ldrd %0, %1, [%2, %3]"                                  \
          : "=r"(a), "=r"(b)                                       \
          : "r"(p), "n"(4 * (k)), "m"(*(const int32_t(*)[2])((p) + (k))))
#else
#define EMBER_LD2_AT(p, k, a, b) ((a) = (p)[k], (b) = (p)[(k) + 1])
#endif

/* a, b to the two words at *p (word-aligned), then *p += 2: one STRD with
 * post-increment. */
static inline void ember_st2(int32_t** p, int32_t a, int32_t b) {
#if defined(__GNUC__)
  __asm__("strd %2, %3, [%0], #8" : "+r"(*p), "=m"(*(int32_t(*)[2])*p) : "r"(a), "r"(b));
#else
  (*p)[0] = a;
  (*p)[1] = b;
  *p += 2;
#endif
}

/* SXTB16: lanes 0 and 2 of `x` sign-extended to two int16 lanes. */
static inline int32_t ember_sxtb16(int32_t x) { return (int32_t)__sxtb16((int8x4_t)x); }

/* SXTB16 with ROR #8: lanes 1 and 3 of `x` sign-extended to two int16 lanes. */
static inline int32_t ember_sxtb16_ror8(int32_t x) {
#if defined(__GNUC__)
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
#else
  return (int32_t)__sxtb16((int8x4_t)(((uint32_t)x >> 8) | ((uint32_t)x << 24)));
#endif
}

/* SMLAD: acc + a.lo * b.lo + a.hi * b.hi (int16 lanes), wrapping. */
static inline int32_t ember_smlad(int32_t a, int32_t b, int32_t acc) {
  return __smlad((int16x2_t)a, (int16x2_t)b, acc);
}

/* SSAT #8: v clamped to [-128, 127]. */
static inline int32_t ember_ssat8(int32_t v) { return __ssat(v, 8); }

/* SADD16: the two int16 lanes of a and b added lane by lane, wrapping. */
static inline int32_t ember_sadd16(int32_t a, int32_t b) { return (int32_t)__sadd16((int16x2_t)a, (int16x2_t)b); }

/* SSUB16: the two int16 lanes of b subtracted from a's lane by lane, wrapping. */
static inline int32_t ember_ssub16(int32_t a, int32_t b) { return (int32_t)__ssub16((int16x2_t)a, (int16x2_t)b); }

#else /* portable C with the same results */

static inline void ember_ld2(const int32_t** p, int32_t* a, int32_t* b) {
  *a = (*p)[0];
  *b = (*p)[1];
  *p += 2;
}

static inline void ember_st2(int32_t** p, int32_t a, int32_t b) {
  (*p)[0] = a;
  (*p)[1] = b;
  *p += 2;
}

#define EMBER_LD2_AT(p, k, a, b) ((a) = (p)[k], (b) = (p)[(k) + 1])

static inline int32_t ember_dsp_lane8(int32_t x, int lane) {
  const int32_t b = (int32_t)(((uint32_t)x >> (8 * lane)) & 0xffu);
  return b >= 128 ? b - 256 : b;
}

static inline int32_t ember_dsp_pack16(int32_t lo, int32_t hi) {
  return (int32_t)(((uint32_t)lo & 0xffffu) | ((uint32_t)hi << 16));
}

static inline int32_t ember_dsp_lane16(int32_t x, int lane) {
  const int32_t h = (int32_t)(((uint32_t)x >> (16 * lane)) & 0xffffu);
  return h >= 32768 ? h - 65536 : h;
}

static inline int32_t ember_sxtb16(int32_t x) {
  return ember_dsp_pack16(ember_dsp_lane8(x, 0), ember_dsp_lane8(x, 2));
}

static inline int32_t ember_sadd16(int32_t a, int32_t b) {
  return ember_dsp_pack16(ember_dsp_lane16(a, 0) + ember_dsp_lane16(b, 0), ember_dsp_lane16(a, 1) + ember_dsp_lane16(b, 1));
}

static inline int32_t ember_sxtb16_ror8(int32_t x) {
  return ember_dsp_pack16(ember_dsp_lane8(x, 1), ember_dsp_lane8(x, 3));
}

static inline int32_t ember_ssub16(int32_t a, int32_t b) {
  return ember_dsp_pack16(ember_dsp_lane16(a, 0) - ember_dsp_lane16(b, 0), ember_dsp_lane16(a, 1) - ember_dsp_lane16(b, 1));
}

/* SSAT is in every Armv7-M core (cortex-m3 too), not in Armv6-M. */
static inline int32_t ember_ssat8(int32_t v) {
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT && defined(__GNUC__)
  int32_t r;
  __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(v));
  return r;
#else
  return v < -128 ? -128 : (v > 127 ? 127 : v);
#endif
}

static inline int32_t ember_smlad(int32_t a, int32_t b, int32_t acc) {
  const uint32_t p0 = (uint32_t)(ember_dsp_lane16(a, 0) * ember_dsp_lane16(b, 0));
  const uint32_t p1 = (uint32_t)(ember_dsp_lane16(a, 1) * ember_dsp_lane16(b, 1));
  return (int32_t)((uint32_t)acc + p0 + p1);
}

#endif

/* acc + a * b, wrapping: one MLA wherever Thumb-2 has it. In C, gcc turns a
 * run of them into a multiply tree plus one add (the sums are unsigned, so
 * it may reassociate), which costs registers and an instruction per run. */
static inline uint32_t ember_mla(int32_t a, int32_t b, uint32_t acc) {
#if defined(__GNUC__) && defined(__ARM_ARCH_ISA_THUMB) && __ARM_ARCH_ISA_THUMB >= 2
  uint32_t r;
  __asm__("mla %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
#else
  return acc + (uint32_t)a * (uint32_t)b;
#endif
}

/* ember_rdbpot(ember_srdhm(acc, m), e) of kernel_math.h for 0 <= m and
 * 2 <= e <= 31, in one 32x32+64 multiply-accumulate (SMLAL) and one shift,
 * with rnd = 2^(e-2) and s = e-1 given. Exact: the two roundings compose
 * into floor((acc*m + 2^30 + (2^(e-1) - [x<0]) * 2^31) / 2^(31+e)) where x
 * is srdhm's result, and for m >= 0, x < 0 exactly when acc < 0 gives a
 * different value only where both forms round to 0. The saturating case of
 * srdhm (INT32_MIN * INT32_MIN) needs m < 0 and cannot occur. Adding z << s
 * to rnd adds z to the result (an output zero point) when |z << s| <= 2^29
 * and s <= 22 (then no intermediate leaves int32). */
static inline int32_t ember_requant_rs(int32_t acc, int32_t m, int32_t rnd, int s) {
  const uint32_t neg = (uint32_t)acc >> 31;
  const uint64_t k = ((uint64_t)(uint32_t)(rnd - (int32_t)neg) << 32) | (0x40000000u | (neg << 31));
  return (int32_t)(((int64_t)acc * m + (int64_t)k) >> 32) >> s;
}

/* ember_requant_rs for a result the caller clamps at or above the output
 * zero point (relu, or z_out = -128): rounds a negative acc as a
 * non-negative one. That changes only results of a negative acc, which are
 * <= 0 both ways (m >= 0 normalized in [2^30, 2^31) or 0, s >= 1) and so
 * clamp to the same bound; rnd may carry z_out << s as for
 * ember_requant_rs. One SMLAL from a constant and one shift. */
static inline int32_t ember_requant_rs_clamped(int32_t acc, int32_t m, int32_t rnd, int s) {
  const uint64_t k = ((uint64_t)(uint32_t)rnd << 32) | 0x40000000u;
  return (int32_t)(((int64_t)acc * m + (int64_t)k) >> 32) >> s;
}

/* The biased pair form of an int8 dot product: one instruction per weight
 * word (AND) where sign-extending it takes two (SXTB16, SXTB16-ROR-8), and
 * two per row word (SXTB16, EOR).
 * A row word x = (x0, x1, x2, x3) of four int8 lanes gives two int16x2
 * words (both lanes of each stay inside int16):
 *   p = (x0, x2)                                 ember_bp_p: SXTB16
 *   r = (256 x1 + 127 - x0, 256 x3 + 127 - x2)   ember_bp_r: x ^ 0x007f007f
 * (the low byte x0 ^ 0x7f is 127 - x0 read unsigned). A weight word stored
 * as (w1 ^ 0x80, w0, w3 ^ 0x80, w2) reads as the int16 lanes
 * (256 w0 + w1 + 128, 256 w2 + w3 + 128) as it is, and as (w1 + 128,
 * w3 + 128) with its high bytes cleared (ember_bp_lo: AND). Per lane
 * (256 w0 + b) x0 + b (256 x1 + 127 - x0) with b = w1 + 128, so
 *   smlad(wq, p) + smlad(ember_bp_lo(wq), r)
 *     = 256 (w0 x0 + w1 x1 + w2 x2 + w3 x3) + 32768 (x1 + x3)
 *       + 127 (w1 + w3 + 256)
 * and an accumulator that starts at -32768 times the sum of its row's odd
 * lanes (ember_bp_start, once per row) ends at 256 A + T, A the dot product
 * and T = 127 (S + 128 n) >= 0, S the sum of the n weights stored in the
 * low bytes (zero padding included), wrapping. Where 256 A + T stays inside
 * int32 for every input (the compiler checks it from the weights) that is
 * exact, and ember_bp_result gives A + floor(T / 256) + base: the compiler
 * puts base = init - floor(T / 256). */
static inline int32_t ember_bp_p(int32_t x) { return ember_sxtb16(x); }

static inline int32_t ember_bp_r(int32_t x) { return (int32_t)((uint32_t)x ^ 0x007f007fu); }

static inline int32_t ember_bp_lo(int32_t w) { return (int32_t)((uint32_t)w & 0x00ff00ffu); }

/* acc - 32768 (x1 + x3) for the row word x: one AND and one SMLAD with the
 * lanes (-128, -128). */
static inline int32_t ember_bp_start(int32_t x, int32_t acc) {
  return ember_smlad((int32_t)((uint32_t)x & 0xff00ff00u), (int32_t)0xff80ff80u, acc);
}

/* floor(acc / 128) + base, wrapping: 2 A + floor(T / 128) + base, so that
 * base = 2 init - floor(T / 128) gives twice the int32 sum (for
 * ember_requant_mm). */
static inline int32_t ember_bp_result2(int32_t acc, int32_t base) {
  return (int32_t)((uint32_t)(acc >> 7) + (uint32_t)base);
}

/* floor(acc / 256) + base, wrapping (an arithmetic shift: gcc and clang
 * shift signed values arithmetically). One ADD with a shifted operand. */
static inline int32_t ember_bp_result(int32_t acc, int32_t base) {
  return (int32_t)((uint32_t)(acc >> 8) + (uint32_t)base);
}

/* The biased pair form's dot products of one row of 4 * groups int8 (x, any
 * alignment) with a block of eight weight rows packed for it (w: per group,
 * eight words; 8-byte aligned), groups >= 1: acc[0] holds the start value of
 * all eight accumulators (ember_bp_start's sum) on entry, acc[0..7] the eight
 * sums on return. On DSP cores one assembly function: the eight
 * accumulators, both row words and two weight words take the fourteen
 * registers a C loop has (it spills its loop bound), four groups per pass (31
 * instructions per group and 3 per pass, where the C loop takes 34 per
 * group). */
#if EMBER_DSP_NATIVE && defined(__GNUC__)
#define EMBER_BP8_PAIR(a, b)              \
  "ldrd r12, lr, [r1], #8\n\t"            \
  "smlad " a ", r12, r2, " a "\n\t"       \
  "smlad " b ", lr, r2, " b "\n\t"        \
  "and r12, r12, #0x00ff00ff\n\t"         \
  "and lr, lr, #0x00ff00ff\n\t"           \
  "smlad " a ", r12, r3, " a "\n\t"       \
  "smlad " b ", lr, r3, " b "\n\t"
#define EMBER_BP8_GROUP(load)                                         \
  "ldr r3, " load "\n\t"                                              \
  "sxtb16 r2, r3\n\t"                                                 \
  "eor r3, r3, #0x007f007f\n\t"                                       \
  EMBER_BP8_PAIR("r4", "r5") EMBER_BP8_PAIR("r6", "r7")               \
  EMBER_BP8_PAIR("r8", "r9") EMBER_BP8_PAIR("r10", "r11")
/* r0 x, r1 w, r2 groups, r3 acc; the stack holds the end of the passes of
 * four groups, the end of the row and acc. A naked function may hold only
 * basic asm statements; they make one stream, so labels reach across them. */
#define EMBER_BP8_ARG __attribute__((unused)) /* read from r0-r3 */
__attribute__((naked, noinline, unused)) static void ember_bp_dot8(EMBER_BP8_ARG const int8_t* x,
                                                                   EMBER_BP8_ARG const int32_t* w,
                                                                   EMBER_BP8_ARG int32_t groups,
                                                                   EMBER_BP8_ARG int32_t* acc) {
  __asm__(
      "push {r4-r11, lr}\n\t"
      "sub sp, sp, #12\n\t"
      "str r3, [sp, #8]\n\t"
      "add r12, r0, r2, lsl #2\n\t"
      "str r12, [sp, #4]\n\t"
      "bic r2, r2, #3\n\t"
      "add r2, r0, r2, lsl #2\n\t"
      "str r2, [sp]\n\t"
      "ldr r4, [r3]\n\t"
      "mov r5, r4\n\t"
      "mov r6, r4\n\t"
      "mov r7, r4\n\t"
      "mov r8, r4\n\t"
      "mov r9, r4\n\t"
      "mov r10, r4\n\t"
      "mov r11, r4\n\t"
      "cmp r0, r2\n\t"
      "beq 2f\n");
  __asm__(  /* (three statements: each string below C99's 4095 characters) */
      "1:\n\t"
      EMBER_BP8_GROUP("[r0], #16")
      EMBER_BP8_GROUP("[r0, #-12]")
      EMBER_BP8_GROUP("[r0, #-8]")
      EMBER_BP8_GROUP("[r0, #-4]")
      "ldr r12, [sp]\n\t"
      "cmp r0, r12\n\t"
      "bne 1b\n");
  __asm__(
      "2:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "cmp r0, r12\n\t"
      "beq 3f\n"
      "4:\n\t"
      EMBER_BP8_GROUP("[r0], #4")
      "ldr r12, [sp, #4]\n\t"
      "cmp r0, r12\n\t"
      "bne 4b\n"
      "3:\n\t"
      "ldr r3, [sp, #8]\n\t"
      "stm r3, {r4-r11}\n\t"
      "add sp, sp, #12\n\t"
      "pop {r4-r11, pc}\n\t");
}
#undef EMBER_BP8_ARG
#undef EMBER_BP8_GROUP
#undef EMBER_BP8_PAIR
#else
static inline void ember_bp_dot8(const int8_t* x, const int32_t* w, int32_t groups, int32_t* acc) {
  int32_t a[8];
  int u;
  int32_t g;
  for (u = 0; u < 8; ++u) a[u] = acc[0];
  for (g = 0; g < groups; ++g) {
    const int32_t xw = ember_read_s8x4(x + 4 * g);
    const int32_t p = ember_bp_p(xw), r = ember_bp_r(xw);
    for (u = 0; u < 8; ++u, ++w) {
      a[u] = ember_smlad(*w, p, a[u]);
      a[u] = ember_smlad(ember_bp_lo(*w), r, a[u]);
    }
  }
  for (u = 0; u < 8; ++u) acc[u] = a[u];
}
#endif

/* TFLite's requantization of an int32 sum from twice the sum, acc2 (the
 * compiler checks |sum| < 2^30), for m >= 0 and a right shift e >= 2:
 * SMMULR(acc2, m) = floor((sum * m + 2^30) / 2^31) is the rounding doubling
 * high multiply for every sum (its nudge 1 - 2^30 and truncation of negative
 * products give the same), and SMMLAR(x - (x < 0), 2^(32 - e), z) its
 * rounding shift (ties away from zero) plus z; p = 2^(32 - e). */
#if EMBER_DSP_NATIVE && defined(__GNUC__)
static inline int32_t ember_smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
static inline int32_t ember_smmlar(int32_t a, int32_t b, int32_t c) {
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
  return r;
}
#else
static inline int32_t ember_smmulr(int32_t a, int32_t b) {
  /* An arithmetic right shift of a negative value floors on every compiler we target. */
  return (int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32);
}
static inline int32_t ember_smmlar(int32_t a, int32_t b, int32_t c) {
  return (int32_t)((uint32_t)c + (uint32_t)ember_smmulr(a, b));
}
#endif

static inline int32_t ember_requant_mm(int32_t acc2, int32_t m, int32_t p, int32_t z) {
  const int32_t x = ember_smmulr(acc2, m);
  return ember_smmlar(x - (int32_t)((uint32_t)x >> 31), p, z);
}

/* ember_requant_mm for a result the caller clamps at or above z: without
 * the correction for a negative x, which changes only results <= z (both
 * forms give a result <= z there). */
static inline int32_t ember_requant_mm_clamped(int32_t acc2, int32_t m, int32_t p, int32_t z) {
  return ember_smmlar(ember_smmulr(acc2, m), p, z);
}

#ifdef __cplusplus
}
#endif

#endif /* EMBER_DSP_H_ */
