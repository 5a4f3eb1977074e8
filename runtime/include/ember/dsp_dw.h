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

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ember/dsp.h" /* ember_requant_mm */

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

/* Helium, sixteen channels: a0..a3 (channels 4i, 4i + 1, 4i + 2, 4i + 3 of
 * the group) += the products of the 16 input bytes at xa and xb (two taps)
 * with the next 32 weight bytes at w (w advances by 32). The two taps'
 * int16 products are added in int16, exact when the channel's two weights
 * are not both -128 (the emitter checks). EMBER_DW_MVE_TAP: one tap, w
 * advances by 16. In assembly with GCC: four scratch registers hold every
 * temporary (the input of tap b is loaded twice rather than kept), where
 * GCC's allocation of the intrinsics spills. */
#if defined(EMBER_DW_HAVE_MVE) && defined(__GNUC__) && !defined(__clang__)
#define EMBER_DW_MVE_WIDEN                                                        \
  "vmovlb.s16 q0, q2\n\tvadd.i32 %q[a0], %q[a0], q0\n\t"                            \
  "vmovlt.s16 q0, q2\n\tvadd.i32 %q[a2], %q[a2], q0\n\t"                            \
  "vmovlb.s16 q0, q3\n\tvadd.i32 %q[a1], %q[a1], q0\n\t"                            \
  "vmovlt.s16 q0, q3\n\tvadd.i32 %q[a3], %q[a3], q0"
#define EMBER_DW_MVE_PAIR(a0, a1, a2, a3, xa, xb, w)                                             \
  __asm__("vldrb.8 q0, [%[pa]]\n\tvldrb.8 q1, [%[pw]], #16\n\t"                                \
          "vmullb.s8 q2, q0, q1\n\tvmullt.s8 q3, q0, q1\n\t"                                    \
          "vldrb.8 q0, [%[pb]]\n\tvldrb.8 q1, [%[pw]], #16\n\t"                                 \
          "vmullb.s8 q0, q0, q1\n\tvadd.i16 q2, q2, q0\n\t"                                     \
          "vldrb.8 q0, [%[pb]]\n\tvmullt.s8 q0, q0, q1\n\tvadd.i16 q3, q3, q0\n\t"               \
          EMBER_DW_MVE_WIDEN                                                                    \
          : [a0] "+w"(a0), [a1] "+w"(a1), [a2] "+w"(a2), [a3] "+w"(a3), [pw] "+r"(w)             \
          : [pa] "r"(xa), [pb] "r"(xb), "m"(*(const int8_t(*)[16])(xa)),                        \
            "m"(*(const int8_t(*)[16])(xb)), "m"(*(const int8_t(*)[32])(w))                     \
          : "q0", "q1", "q2", "q3")
#define EMBER_DW_MVE_TAP(a0, a1, a2, a3, xa, w)                                                  \
  __asm__("vldrb.8 q0, [%[pa]]\n\tvldrb.8 q1, [%[pw]], #16\n\t"                                \
          "vmullb.s8 q2, q0, q1\n\tvmullt.s8 q3, q0, q1\n\t"                                    \
          EMBER_DW_MVE_WIDEN                                                                    \
          : [a0] "+w"(a0), [a1] "+w"(a1), [a2] "+w"(a2), [a3] "+w"(a3), [pw] "+r"(w)             \
          : [pa] "r"(xa), "m"(*(const int8_t(*)[16])(xa)), "m"(*(const int8_t(*)[16])(w))      \
          : "q0", "q1", "q2", "q3")
#elif defined(EMBER_DW_HAVE_MVE)
static inline void ember_dw_mve_widen(int32x4_t* a, int16x8_t ev, int16x8_t od) {
  a[0] = vaddq_s32(a[0], vmovlbq_s16(ev));
  a[2] = vaddq_s32(a[2], vmovltq_s16(ev));
  a[1] = vaddq_s32(a[1], vmovlbq_s16(od));
  a[3] = vaddq_s32(a[3], vmovltq_s16(od));
}
static inline void ember_dw_mve_pair(int32x4_t* a, const int8_t* xa, const int8_t* xb, const int8_t** w) {
  const int8x16_t x0 = vldrbq_s8(xa), w0 = vldrbq_s8(*w), x1 = vldrbq_s8(xb), w1 = vldrbq_s8(*w + 16);
  *w += 32;
  ember_dw_mve_widen(a, vaddq_s16(vmullbq_int_s8(x0, w0), vmullbq_int_s8(x1, w1)),
                     vaddq_s16(vmulltq_int_s8(x0, w0), vmulltq_int_s8(x1, w1)));
}
static inline void ember_dw_mve_tap(int32x4_t* a, const int8_t* xa, const int8_t** w) {
  const int8x16_t x0 = vldrbq_s8(xa), w0 = vldrbq_s8(*w);
  *w += 16;
  ember_dw_mve_widen(a, vmullbq_int_s8(x0, w0), vmulltq_int_s8(x0, w0));
}
#define EMBER_DW_MVE_PAIR(a0, a1, a2, a3, xa, xb, w)         \
  do {                                                      \
    int32x4_t ember_dw_a_[4] = {a0, a1, a2, a3};            \
    ember_dw_mve_pair(ember_dw_a_, xa, xb, &(w));           \
    a0 = ember_dw_a_[0], a1 = ember_dw_a_[1];               \
    a2 = ember_dw_a_[2], a3 = ember_dw_a_[3];               \
  } while (0)
#define EMBER_DW_MVE_TAP(a0, a1, a2, a3, xa, w)              \
  do {                                                      \
    int32x4_t ember_dw_a_[4] = {a0, a1, a2, a3};            \
    ember_dw_mve_tap(ember_dw_a_, xa, &(w));                \
    a0 = ember_dw_a_[0], a1 = ember_dw_a_[1];               \
    a2 = ember_dw_a_[2], a3 = ember_dw_a_[3];               \
  } while (0)
#endif

/* Helium, sixteen channels per group, every group of a pixel in one go:
 * EMBER_DW16(g, T, TAPS, LEFT, FIX, RIGHT, ZP, LO, HI) for an ember_dw16_t
 * g holding T (1..9) tap pointers, the output pointer d, the number of
 * groups n (>= 1) and the constant stream s, int32 words, per group in this
 * order:
 *   the accumulators' start values (16 lanes: a0, a1, a2, a3 of 4 lanes
 *   each, accumulator j holding channels 4i + j);
 *   per tap, its 16 weight bytes in channel order (4 words, little-endian);
 *   per accumulator j = 0..3: the left shifts (4 lanes, when LEFT), the
 *   multipliers (4), the negated right shifts (4, when RIGHT);
 *   z_out (ZP 1: 4 int32 lanes; ZP 2: 8 int16 lanes), the clamp's low bound
 *   (16 int8 lanes, when LO) and its high bound (16 int8 lanes, when HI).
 * Each tap reads 16 bytes per group from its pointer on, and the group's 16
 * results go to d + 16 * group. Taps are summed in pairs (0-1, 2-3, ...)
 * in int16, exact when no channel has -128 in both weights of a pair (the
 * emitter checks). The requantization is TFLite's
 * MultiplyByQuantizedMultiplier, bit-exact, as mve.h's steps compute it:
 * VSHL, VQRDMULH, the rounding shift with FIX as in EMBER_MVE_DOT24Q (0
 * ember_mve_rshr_up, where the clamp hides the tie's direction; 1
 * ember_mve_rdbpot_pos, every lane shifting; 2 ember_mve_rdbpot), z_out
 * (ZP 1: added in int32, TFLite's wrapping add; ZP 2: added to the values
 * saturated to int16 with a saturating add, equal after the narrowing to
 * int8 where the emitter has bounded |v| + 128 below 2^31 so that the
 * int32 add cannot wrap), the saturating narrowings to int8 in channel
 * order, and the clamp in int8 lanes (the clamp of a saturated value to a
 * range inside [-128, 127] is the clamp of the value). TAPS lists
 * EMBER_DW16_PAIR_ASM(k, k + 1) for the pairs and EMBER_DW16_TAP_ASM(T - 1)
 * for an odd last tap; T, LEFT, FIX, RIGHT, ZP, LO and HI are integer
 * literals.
 *
 * With GCC one assembly block (TAPS) with fixed registers and its arguments
 * in memory, like EMBER_MVE_DOT24 (mve.h): with a register operand per
 * pointer GCC 12 finds no allocation. Its only operand is r0, the address of
 * g; LDM loads s into r0, the taps into r1-r6 and r8-r10, d into r12 and n
 * into lr (the loop count of DLS/LE); the accumulators are q4-q7, q0-q3
 * scratch. Other compilers (and EMBER_DW16_NO_ASM) take the C form
 * ember_dw16_groups: intrinsics reading the same stream. */
typedef struct {
  const int32_t* s;
  const int8_t* t[9];
  int8_t* d;
  int32_t n;
  int32_t px; /* EMBER_DW16_RUN: the pixels of the run (>= 1) */
} ember_dw16_t;
#if defined(EMBER_DW_HAVE_MVE) && defined(__GNUC__) && !defined(__clang__) && !defined(EMBER_DW16_NO_ASM)
#define EMBER_DW16_ASM 1
#else
#define EMBER_DW16_ASM 0
#endif
#if defined(EMBER_DW_HAVE_MVE) && defined(__ARM_BIG_ENDIAN)
#error "ember: the Helium depthwise kernels' weight streams are little-endian"
#endif
#ifdef EMBER_DW_HAVE_MVE
#include "ember/mve.h" /* the requantization steps */
#endif
#if EMBER_DW16_ASM
/* The layout LDM relies on: s, t[0..8], d, n in consecutive words. */
typedef char ember_dw16_layout_check[(offsetof(ember_dw16_t, t) == 4 && offsetof(ember_dw16_t, d) == 40 &&
                                      offsetof(ember_dw16_t, n) == 44 && offsetof(ember_dw16_t, px) == 48)
                                         ? 1
                                         : -1];
#define EMBER_DW16_R0 "r1"
#define EMBER_DW16_R1 "r2"
#define EMBER_DW16_R2 "r3"
#define EMBER_DW16_R3 "r4"
#define EMBER_DW16_R4 "r5"
#define EMBER_DW16_R5 "r6"
#define EMBER_DW16_R6 "r8"
#define EMBER_DW16_R7 "r9"
#define EMBER_DW16_R8 "r10"
/* q2, q3: the int16 products (or tap-pair sums) of the even and odd
 * channels, widened into a0 = q4, a2 = q6 (even) and a1 = q5, a3 = q7 (odd). */
#define EMBER_DW16_WIDEN_ASM                                                              \
  "vmovlb.s16 q0, q2\n\tvadd.i32 q4, q4, q0\n\t"                                          \
  "vmovlt.s16 q0, q2\n\tvadd.i32 q6, q6, q0\n\t"                                          \
  "vmovlb.s16 q0, q3\n\tvadd.i32 q5, q5, q0\n\t"                                          \
  "vmovlt.s16 q0, q3\n\tvadd.i32 q7, q7, q0\n\t"
/* Taps a and b (no register is left to keep b's input: it is loaded twice). */
#define EMBER_DW16_PAIR_ASM(a, b)                                                         \
  "vldrb.8 q0, [" EMBER_DW16_R##a "], #16\n\tvldrb.8 q1, [r0], #16\n\t"                   \
  "vmullb.s8 q2, q0, q1\n\tvmullt.s8 q3, q0, q1\n\t"                                      \
  "vldrb.8 q0, [" EMBER_DW16_R##b "]\n\tvldrb.8 q1, [r0], #16\n\t"                        \
  "vmullb.s8 q0, q0, q1\n\tvadd.i16 q2, q2, q0\n\t"                                       \
  "vldrb.8 q0, [" EMBER_DW16_R##b "], #16\n\tvmullt.s8 q0, q0, q1\n\tvadd.i16 q3, q3, q0\n\t" \
  EMBER_DW16_WIDEN_ASM
#define EMBER_DW16_TAP_ASM(a)                                                             \
  "vldrb.8 q0, [" EMBER_DW16_R##a "], #16\n\tvldrb.8 q1, [r0], #16\n\t"                   \
  "vmullb.s8 q2, q0, q1\n\tvmullt.s8 q3, q0, q1\n\t" EMBER_DW16_WIDEN_ASM
/* Accumulator register v up to its rounding shift (EMBER_MVE_TIES_ASM, mve.h). */
#define EMBER_DW16_RQ_ASM(v, LEFT, FIX, RIGHT)                                            \
  ".if " #LEFT "\n\tvldrw.u32 q0, [r0], #16\n\tvshl.s32 " v ", " v ", q0\n\t.endif\n\t"    \
  "vldrw.u32 q0, [r0], #16\n\tvqrdmulh.s32 " v ", " v ", q0\n\t"                          \
  ".if " #RIGHT "\n\tvldrw.u32 q0, [r0], #16\n\t" EMBER_MVE_TIES_ASM(v, FIX, "q0", "q1")   \
  "vrshl.s32 " v ", " v ", q0\n\t.endif\n\t"
#define EMBER_DW16_EACH_ASM(op) op " q4, q4, q0\n\t" op " q5, q5, q0\n\t" op " q6, q6, q0\n\t" op " q7, q7, q0\n\t"
/* The loop over the groups of one pixel (label 1, LE), lr groups. */
#define EMBER_DW16_GROUPS_ASM(TAPS, LEFT, FIX, RIGHT, ZP, LO, HI)                                             \
        "1:\n\tvldrw.u32 q4, [r0], #16\n\tvldrw.u32 q5, [r0], #16\n\t"                                        \
        "vldrw.u32 q6, [r0], #16\n\tvldrw.u32 q7, [r0], #16\n\t" TAPS                                         \
        EMBER_DW16_RQ_ASM("q4", LEFT, FIX, RIGHT) EMBER_DW16_RQ_ASM("q5", LEFT, FIX, RIGHT)                   \
        EMBER_DW16_RQ_ASM("q6", LEFT, FIX, RIGHT) EMBER_DW16_RQ_ASM("q7", LEFT, FIX, RIGHT)                   \
        ".if " #ZP " == 1\n\tvldrw.u32 q0, [r0], #16\n\t" EMBER_DW16_EACH_ASM("vadd.i32") ".endif\n\t"         \
        "vqmovnb.s32 q0, q4\n\tvqmovnt.s32 q0, q6\n\tvqmovnb.s32 q1, q5\n\tvqmovnt.s32 q1, q7\n\t"             \
        ".if " #ZP " == 2\n\tvldrw.u32 q2, [r0], #16\n\tvqadd.s16 q0, q0, q2\n\tvqadd.s16 q1, q1, q2\n\t"      \
        ".endif\n\tvqmovnb.s16 q2, q0\n\tvqmovnt.s16 q2, q1\n\t"                                                \
        ".if " #LO "\n\tvldrw.u32 q0, [r0], #16\n\tvmax.s8 q2, q2, q0\n\t.endif\n\t"                            \
        ".if " #HI "\n\tvldrw.u32 q0, [r0], #16\n\tvmin.s8 q2, q2, q0\n\t.endif\n\t"                            \
        "vstrb.8 q2, [r12], #16\n\tle lr, 1b\n\t"
#define EMBER_DW16(g, T, TAPS, LEFT, FIX, RIGHT, ZP, LO, HI)                                                  \
  do {                                                                                                        \
    register ember_dw16_t* p_ __asm__("r0") = &(g);                                                           \
    __asm__ volatile(                                                                                         \
        "ldm r0, {r0, r1, r2, r3, r4, r5, r6, r8, r9, r10, r12, lr}\n\tdls lr, lr\n"                          \
        EMBER_DW16_GROUPS_ASM(TAPS, LEFT, FIX, RIGHT, ZP, LO, HI)                                             \
        : "+r"(p_)                                                                                            \
        :                                                                                                     \
        : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r12", "lr", "q0", "q1", "q2", "q3", "q4",    \
          "q5", "q6", "q7", "cc", "memory");                                                                  \
  } while (0)
/* Tap pointer k (k < T) moved by ADJ bytes. */
#define EMBER_DW16_ADJ1_ASM(k, T, ADJ) ".if " #T " > " #k "\n\tadd " EMBER_DW16_R##k ", #(" #ADJ ")\n\t.endif\n\t"
#define EMBER_DW16_ADJ_ASM(T, ADJ)                                                                              \
  ".if " #ADJ "\n\t" EMBER_DW16_ADJ1_ASM(0, T, ADJ) EMBER_DW16_ADJ1_ASM(1, T, ADJ) EMBER_DW16_ADJ1_ASM(2, T, ADJ) \
      EMBER_DW16_ADJ1_ASM(3, T, ADJ) EMBER_DW16_ADJ1_ASM(4, T, ADJ) EMBER_DW16_ADJ1_ASM(5, T, ADJ)               \
          EMBER_DW16_ADJ1_ASM(6, T, ADJ) EMBER_DW16_ADJ1_ASM(7, T, ADJ) EMBER_DW16_ADJ1_ASM(8, T, ADJ) ".endif\n\t"
/* A run of g.px pixels: after each pixel (its groups leave the tap
 * pointers and d 16 * n bytes on) the tap pointers move TADJ bytes more and
 * d DADJ more, and the stream starts again; r11 keeps &g. */
#define EMBER_DW16_RUN(g, T, TAPS, LEFT, FIX, RIGHT, ZP, LO, HI, TADJ, DADJ)                                  \
  do {                                                                                                        \
    register ember_dw16_t* p_ __asm__("r0") = &(g);                                                           \
    __asm__ volatile(                                                                                         \
        "mov r11, r0\n\tldm r0, {r0, r1, r2, r3, r4, r5, r6, r8, r9, r10, r12, lr}\n"                         \
        "2:\n\tdls lr, lr\n" EMBER_DW16_GROUPS_ASM(TAPS, LEFT, FIX, RIGHT, ZP, LO, HI)                         \
        "ldr r0, [r11, #48]\n\tsubs r0, r0, #1\n\tbeq 3f\n\tstr r0, [r11, #48]\n\t"                            \
        EMBER_DW16_ADJ_ASM(T, TADJ) ".if " #DADJ "\n\tadd r12, #(" #DADJ ")\n\t.endif\n\t"                    \
        "ldr r0, [r11]\n\tldr lr, [r11, #44]\n\tb 2b\n3:"                                                      \
        : "+r"(p_)                                                                                            \
        :                                                                                                     \
        : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "q0", "q1", "q2", "q3",   \
          "q4", "q5", "q6", "q7", "cc", "memory");                                                            \
  } while (0)
#elif defined(EMBER_DW_HAVE_MVE)
static inline void ember_dw16_init(int32x4_t* a, const int32_t** s) {
  const int32_t* p = *s;
  a[0] = vldrwq_s32(p), a[1] = vldrwq_s32(p + 4), a[2] = vldrwq_s32(p + 8), a[3] = vldrwq_s32(p + 12);
  *s = p + 16;
}
/* The requantization, narrowing and store of one group; *s at its
 * requantization words, moved past them; *d advances by 16. */
static inline void ember_dw16_out(int32x4_t* a, const int32_t** s, int8_t** d, int left, int fix, int right,
                                  int zp, int lo, int hi) {
  const int32_t* p = *s;
  int j;
  for (j = 0; j < 4; ++j) {
    ember_v32 v = a[j];
    if (left) v = ember_mve_shl(v, ember_mve_ld32(p)), p += 4;
    v = ember_mve_srdhm(v, ember_mve_ld32(p)), p += 4;
    if (right) {
      const ember_v32 ns = ember_mve_ld32(p);
      p += 4;
      v = fix == 0 ? ember_mve_rshr_up(v, ns) : fix == 1 ? ember_mve_rdbpot_pos(v, ns) : ember_mve_rdbpot(v, ns);
    }
    a[j] = v;
  }
  if (zp == 1) {
    const int32x4_t z = vldrwq_s32(p);
    p += 4;
    for (j = 0; j < 4; ++j) a[j] = vaddq_s32(a[j], z);
  }
  {
    int16x8_t ev = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), a[0]), a[2]);
    int16x8_t od = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), a[1]), a[3]);
    int8x16_t r;
    if (zp == 2) {
      const int16x8_t z = vldrhq_s16((const int16_t*)(const void*)p);
      p += 4;
      ev = vqaddq_s16(ev, z), od = vqaddq_s16(od, z);
    }
    r = vqmovntq_s16(vqmovnbq_s16(vdupq_n_s8(0), ev), od);
    if (lo) {
      r = vmaxq_s8(r, vldrbq_s8((const int8_t*)(const void*)p));
      p += 4;
    }
    if (hi) {
      r = vminq_s8(r, vldrbq_s8((const int8_t*)(const void*)p));
      p += 4;
    }
    vstrbq_s8(*d, r);
  }
  *d += 16;
  *s = p;
}
static inline void ember_dw16_groups(const ember_dw16_t* g, int taps, int left, int fix, int right, int zp, int lo,
                                     int hi) {
  const int32_t* s = g->s;
  int8_t* d = g->d;
  const int8_t* t[9];
  int n, k;
  for (k = 0; k < taps; ++k) t[k] = g->t[k];
  for (n = 0; n < g->n; ++n) {
    int32x4_t a[4], a0, a1, a2, a3;
    const int8_t* w;
    ember_dw16_init(a, &s);
    a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    w = (const int8_t*)(const void*)s;
    for (k = 0; k + 1 < taps; k += 2) {
      EMBER_DW_MVE_PAIR(a0, a1, a2, a3, t[k], t[k + 1], w);
      t[k] += 16, t[k + 1] += 16;
    }
    if (k < taps) {
      EMBER_DW_MVE_TAP(a0, a1, a2, a3, t[k], w);
      t[k] += 16;
    }
    a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
    s = (const int32_t*)(const void*)w;
    ember_dw16_out(a, &s, &d, left, fix, right, zp, lo, hi);
  }
}
static inline void ember_dw16_run(ember_dw16_t* g, int taps, int left, int fix, int right, int zp, int lo, int hi,
                                  int tadj, int dadj) {
  for (;;) {
    int k;
    ember_dw16_groups(g, taps, left, fix, right, zp, lo, hi);
    if (--g->px == 0) break;
    for (k = 0; k < taps; ++k) g->t[k] += 16 * g->n + tadj;
    g->d += 16 * g->n + dadj;
  }
}
#define EMBER_DW16(g, T, TAPS, LEFT, FIX, RIGHT, ZP, LO, HI) ember_dw16_groups(&(g), T, LEFT, FIX, RIGHT, ZP, LO, HI)
#define EMBER_DW16_RUN(g, T, TAPS, LEFT, FIX, RIGHT, ZP, LO, HI, TADJ, DADJ) \
  ember_dw16_run(&(g), T, LEFT, FIX, RIGHT, ZP, LO, HI, TADJ, DADJ)
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
 * that holds twice the int32 sum, with no overflow (the compiler checks the
 * bound): ember_requant_mm of dsp.h (SMMULR, SMMLAR); p = 2^(32-e). */
static inline int32_t ember_dw_requant(int32_t acc2, int32_t m, int32_t p, int32_t zout) {
  return ember_requant_mm(acc2, m, p, zout);
}

/* ember_dw_requant for a result the caller clamps at or above zout (relu,
 * relu6 with z_out at the clamp's bottom): ember_requant_mm_clamped, one
 * instruction less. */
static inline int32_t ember_dw_requant_clamped(int32_t acc2, int32_t m, int32_t p, int32_t zout) {
  return ember_requant_mm_clamped(acc2, m, p, zout);
}

#ifdef __cplusplus
}
#endif

#endif /* EMBER_DSP_DW_H_ */
