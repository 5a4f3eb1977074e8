/* Helium (M-profile Vector Extension) helpers for the generated int8
 * convolution and fully connected kernels of cortex-m55 targets.
 *
 * C99, header-only (static inline). With integer MVE (__ARM_FEATURE_MVE & 1)
 * every helper is one or a few MVE instructions through the ACLE intrinsics
 * of <arm_mve.h>; elsewhere (the host, tests) a portable C version computes
 * the same bits, so the generated code also runs on the host:
 *
 *   ember_v8    16 int8 lanes           ember_v32   4 int32 lanes
 *   ember_mve_dot(acc, a, b)    acc + sum(a[i] * b[i]), int32 wrapping (VMLADAVA.S8)
 *   ember_mve_requant steps     SRDHM (VQRDMULH) and RDBPOT (a sign fix-up and
 *                               VRSHL) of kernel_math.h, lane by lane, bit-exact;
 *                               ember_mve_requant_f32: ONNX Runtime's float one.
 *
 * No undefined behaviour: int32 wrap-around goes through uint32. */
#ifndef EMBER_MVE_H_
#define EMBER_MVE_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ember/kernel_math.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define EMBER_HAVE_MVE 1
#include <arm_mve.h>
/* GCC inline assembly for the inner loops (its register allocation of
 * VMLADAVA accumulators through the intrinsics costs a move per product). */
#if defined(__GNUC__) && !defined(__clang__)
#define EMBER_MVE_ASM 1
#else
#define EMBER_MVE_ASM 0
#endif
#else
#define EMBER_HAVE_MVE 0
#define EMBER_MVE_ASM 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if EMBER_HAVE_MVE

typedef int8x16_t ember_v8;
typedef int32x4_t ember_v32;

/* 16 bytes at p (any alignment). */
static inline ember_v8 ember_mve_ld8(const int8_t* p) { return __arm_vldrbq_s8(p); }
/* The first n bytes at p (0 <= n <= 16), the other lanes 0; reads only n bytes. */
static inline ember_v8 ember_mve_ld8_n(const int8_t* p, int n) {
  return __arm_vldrbq_z_s8(p, __arm_vctp8q((uint32_t)n));
}
static inline void ember_mve_st8(int8_t* p, ember_v8 v) { __arm_vstrbq_s8(p, v); }
/* The first n lanes of v to p[0..n-1] (0 <= n <= 16). */
static inline void ember_mve_st8_n(int8_t* p, ember_v8 v, int n) {
  __arm_vstrbq_p_s8(p, v, __arm_vctp8q((uint32_t)n));
}
static inline ember_v8 ember_mve_dup8(int8_t x) { return __arm_vdupq_n_s8(x); }
/* acc + sum of the 16 products, wrapping. */
static inline int32_t ember_mve_dot(int32_t acc, ember_v8 a, ember_v8 b) {
  return __arm_vmladavaq_s8(acc, a, b);
}
/* acc + sum of the 16 lanes, wrapping. */
static inline int32_t ember_mve_sum8(int32_t acc, ember_v8 a) { return __arm_vaddvaq_s8(acc, a); }

static inline ember_v32 ember_mve_set4(int32_t a, int32_t b, int32_t c, int32_t d) {
  ember_v32 v = __arm_vdupq_n_s32(a);
  v = __arm_vsetq_lane_s32(b, v, 1);
  v = __arm_vsetq_lane_s32(c, v, 2);
  return __arm_vsetq_lane_s32(d, v, 3);
}
static inline ember_v32 ember_mve_ld32(const int32_t* p) { return __arm_vldrwq_s32(p); }
static inline void ember_mve_st32(int32_t* p, ember_v32 v) { __arm_vstrwq_s32(p, v); }
static inline ember_v32 ember_mve_add(ember_v32 a, ember_v32 b) { return __arm_vaddq_s32(a, b); }
static inline ember_v32 ember_mve_add_n(ember_v32 a, int32_t b) { return __arm_vaddq_n_s32(a, b); }
/* a << s lane by lane (0 <= s <= 31), wrapping. */
static inline ember_v32 ember_mve_shl(ember_v32 a, ember_v32 s) { return __arm_vshlq_s32(a, s); }
static inline ember_v32 ember_mve_shl_n(ember_v32 a, int s) { return __arm_vshlq_r_s32(a, s); }
/* ember_srdhm lane by lane. */
static inline ember_v32 ember_mve_srdhm(ember_v32 a, ember_v32 m) { return __arm_vqrdmulhq_s32(a, m); }
static inline ember_v32 ember_mve_srdhm_n(ember_v32 a, int32_t m) { return __arm_vqrdmulhq_n_s32(a, m); }
/* ember_rdbpot(a, -ns) lane by lane, ns = minus the shift (-31 <= ns <= 0):
 * negative lanes less one (saturating; only where ns < 0), then a rounding
 * shift, whose ties go up: together ties away from zero. */
static inline ember_v32 ember_mve_rdbpot(ember_v32 a, ember_v32 ns) {
  const ember_v32 fix = __arm_vshrq_n_s32(__arm_vandq_s32(a, ns), 31);
  return __arm_vrshlq_s32(__arm_vqaddq_s32(a, fix), ns);
}
/* The same when every lane's shift is >= 1 (-31 <= ns <= -1). */
static inline ember_v32 ember_mve_rdbpot_pos(ember_v32 a, ember_v32 ns) {
  return __arm_vrshlq_s32(__arm_vqaddq_s32(a, __arm_vshrq_n_s32(a, 31)), ns);
}
/* The same with one shift e for every lane, 1 <= e <= 31. */
static inline ember_v32 ember_mve_rdbpot_n(ember_v32 a, int e) {
  return __arm_vrshlq_n_s32(__arm_vqaddq_s32(a, __arm_vshrq_n_s32(a, 31)), -e);
}
/* The rounding shift of ember_mve_rdbpot alone (ties up, VRSHL), without
 * its fix-up of negative lanes: for an output stage whose clamp starts at
 * z_out or above, where a negative lane gives a result <= 0 either way and
 * the clamp lifts both to the same bound. */
static inline ember_v32 ember_mve_rshr_up(ember_v32 a, ember_v32 ns) { return __arm_vrshlq_s32(a, ns); }
static inline ember_v32 ember_mve_rshr_up_n(ember_v32 a, int e) { return __arm_vrshlq_n_s32(a, -e); }
/* a * k + c lane by lane, wrapping (VMLAS, k in a vector). */
static inline ember_v32 ember_mve_mul_add_n(ember_v32 a, int32_t k, int32_t c) {
  return __arm_vmlasq_n_s32(a, __arm_vdupq_n_s32(k), c);
}
/* acc + ember_srdhm(a, m) lane by lane with one rounding, saturated
 * (VQRDMLAH): (acc * 2^32 + 2 * a * m + 2^31) >> 32. */
static inline ember_v32 ember_mve_srdhm_acc_n(ember_v32 acc, ember_v32 a, int32_t m) {
  return __arm_vqrdmlahq_n_s32(acc, a, m);
}
/* -1 in the negative lanes, 0 elsewhere. */
static inline ember_v32 ember_mve_neg_mask(ember_v32 a) { return __arm_vshrq_n_s32(a, 31); }
static inline ember_v32 ember_mve_clamp(ember_v32 a, int32_t lo, int32_t hi) {
  return __arm_vminq_s32(__arm_vmaxq_s32(a, __arm_vdupq_n_s32(lo)), __arm_vdupq_n_s32(hi));
}
/* The low byte of each lane to p[0..3]. */
static inline void ember_mve_st8x4(int8_t* p, ember_v32 v) { __arm_vstrbq_s32(p, v); }
/* The same for the first n lanes (0 <= n <= 4). */
static inline void ember_mve_st8x4_n(int8_t* p, ember_v32 v, int n) {
  __arm_vstrbq_p_s32(p, v, __arm_vctp32q((uint32_t)n));
}
/* ember_requant_f32 (kernel_math.h, ONNX Runtime's requantization) lane by
 * lane: float(a) * scale, clamped to [lo - zp, hi - zp], rounded half to even,
 * plus zp; `scale_bits` holds four float32 scales as their bit patterns, the
 * _n form one scale for every lane. With floating-point MVE: VCVT, VMUL,
 * VMAXNM/VMINNM, VCVTN (round to nearest, ties to even), VADD. */
#if (__ARM_FEATURE_MVE & 2)
static inline ember_v32 ember_mve_requant_f32_v(ember_v32 a, float32x4_t scale, int32_t zp, int32_t lo, int32_t hi) {
  float32x4_t v = __arm_vmulq_f32(__arm_vcvtq_f32_s32(a), scale);
  v = __arm_vmaxnmq_f32(v, __arm_vdupq_n_f32((float)(lo - zp)));
  v = __arm_vminnmq_f32(v, __arm_vdupq_n_f32((float)(hi - zp)));
  return __arm_vaddq_n_s32(__arm_vcvtnq_s32_f32(v), zp);
}
static inline ember_v32 ember_mve_requant_f32(ember_v32 a, ember_v32 scale_bits, int32_t zp, int32_t lo, int32_t hi) {
  return ember_mve_requant_f32_v(a, __arm_vreinterpretq_f32_s32(scale_bits), zp, lo, hi);
}
static inline ember_v32 ember_mve_requant_f32_n(ember_v32 a, float scale, int32_t zp, int32_t lo, int32_t hi) {
  return ember_mve_requant_f32_v(a, __arm_vdupq_n_f32(scale), zp, lo, hi);
}
/* ONNX Runtime's QLinearAdd lane by lane (ops/add.cc): v = fma(a, ra,
 * fma(b, rb, fixed)) on the raw int8 values, clamped to [lo, hi], rounded
 * half to even (VFMA.F32 twice, VMAXNM/VMINNM, VCVTN). */
static inline ember_v32 ember_mve_qlinear_add(ember_v32 a, ember_v32 b, float ra, float rb, float fixed, float lo,
                                              float hi) {
  float32x4_t v = __arm_vfmaq_n_f32(__arm_vdupq_n_f32(fixed), __arm_vcvtq_f32_s32(b), rb);
  v = __arm_vfmaq_n_f32(v, __arm_vcvtq_f32_s32(a), ra);
  v = __arm_vminnmq_f32(__arm_vmaxnmq_f32(v, __arm_vdupq_n_f32(lo)), __arm_vdupq_n_f32(hi));
  return __arm_vcvtnq_s32_f32(v);
}
#else /* integer MVE only: the scalar form, lane by lane */
static inline ember_v32 ember_mve_qlinear_add(ember_v32 a, ember_v32 b, float ra, float rb, float fixed, float lo,
                                              float hi) {
  int32_t x[4], y[4];
  int i;
  __arm_vst1q_s32(x, a);
  __arm_vst1q_s32(y, b);
  for (i = 0; i < 4; ++i) x[i] = ember_qlinear_add(x[i], y[i], ra, rb, fixed, lo, hi);
  return __arm_vld1q_s32(x);
}
static inline ember_v32 ember_mve_requant_f32(ember_v32 a, ember_v32 scale_bits, int32_t zp, int32_t lo, int32_t hi) {
  int32_t v[4], s[4];
  float f;
  int i;
  __arm_vst1q_s32(v, a);
  __arm_vst1q_s32(s, scale_bits);
  for (i = 0; i < 4; ++i) {
    memcpy(&f, &s[i], sizeof f);
    v[i] = ember_requant_f32(v[i], f, zp, lo, hi);
  }
  return __arm_vld1q_s32(v);
}
static inline ember_v32 ember_mve_requant_f32_n(ember_v32 a, float scale, int32_t zp, int32_t lo, int32_t hi) {
  int32_t v[4];
  int i;
  __arm_vst1q_s32(v, a);
  for (i = 0; i < 4; ++i) v[i] = ember_requant_f32(v[i], scale, zp, lo, hi);
  return __arm_vld1q_s32(v);
}
#endif
/* out[i] = table[in[i] + 128] for the first n of 16 elements (1 <= n <= 16):
 * the offsets are in[i] ^ 0x80 as bytes, one VLDRB gather (tail-predicated). */
static inline void ember_mve_lut16(int8_t* out, const int8_t* in, const int8_t* table, int n) {
  const mve_pred16_t p = __arm_vctp8q((uint32_t)n);
  const uint8x16_t idx = __arm_vreinterpretq_u8_s8(__arm_veorq_s8(__arm_vldrbq_z_s8(in, p), __arm_vdupq_n_s8(-128)));
  __arm_vstrbq_p_s8(out, __arm_vldrbq_gather_offset_z_s8(table, idx, p), p);
}
/* p[0..3] sign-extended to 4 lanes; the _n form reads the first n (others 0). */
static inline ember_v32 ember_mve_ld8x4(const int8_t* p) { return __arm_vldrbq_s32(p); }
static inline ember_v32 ember_mve_ld8x4_n(const int8_t* p, int n) {
  return __arm_vldrbq_z_s32(p, __arm_vctp32q((uint32_t)n));
}

#else /* portable C */

typedef struct { int8_t v[16]; } ember_v8;
typedef struct { int32_t v[4]; } ember_v32;

static inline ember_v8 ember_mve_ld8(const int8_t* p) {
  ember_v8 r;
  memcpy(r.v, p, 16);
  return r;
}
static inline ember_v8 ember_mve_ld8_n(const int8_t* p, int n) {
  ember_v8 r;
  memset(r.v, 0, 16);
  memcpy(r.v, p, (size_t)(n < 16 ? n : 16)); /* the bound for GCC's -Warray-bounds: 0 <= n <= 16 */
  return r;
}
static inline void ember_mve_st8(int8_t* p, ember_v8 v) { memcpy(p, v.v, 16); }
static inline void ember_mve_st8_n(int8_t* p, ember_v8 v, int n) { memcpy(p, v.v, (size_t)(n < 16 ? n : 16)); }
static inline ember_v8 ember_mve_dup8(int8_t x) {
  ember_v8 r;
  memset(r.v, (unsigned char)x, 16);
  return r;
}
static inline int32_t ember_mve_dot(int32_t acc, ember_v8 a, ember_v8 b) {
  uint32_t s = (uint32_t)acc;
  int i;
  for (i = 0; i < 16; ++i) s += (uint32_t)((int32_t)a.v[i] * (int32_t)b.v[i]);
  return (int32_t)s;
}
static inline int32_t ember_mve_sum8(int32_t acc, ember_v8 a) {
  uint32_t s = (uint32_t)acc;
  int i;
  for (i = 0; i < 16; ++i) s += (uint32_t)(int32_t)a.v[i];
  return (int32_t)s;
}
static inline ember_v32 ember_mve_set4(int32_t a, int32_t b, int32_t c, int32_t d) {
  ember_v32 r;
  r.v[0] = a;
  r.v[1] = b;
  r.v[2] = c;
  r.v[3] = d;
  return r;
}
static inline ember_v32 ember_mve_ld32(const int32_t* p) {
  ember_v32 r;
  memcpy(r.v, p, 16);
  return r;
}
static inline void ember_mve_st32(int32_t* p, ember_v32 v) { memcpy(p, v.v, 16); }
static inline ember_v32 ember_mve_add(ember_v32 a, ember_v32 b) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_wrap_add(a.v[i], b.v[i]);
  return a;
}
static inline ember_v32 ember_mve_add_n(ember_v32 a, int32_t b) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_wrap_add(a.v[i], b);
  return a;
}
static inline ember_v32 ember_mve_shl(ember_v32 a, ember_v32 s) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_wrap_shl(a.v[i], s.v[i]);
  return a;
}
static inline ember_v32 ember_mve_shl_n(ember_v32 a, int s) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_wrap_shl(a.v[i], s);
  return a;
}
static inline ember_v32 ember_mve_srdhm(ember_v32 a, ember_v32 m) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_srdhm(a.v[i], m.v[i]);
  return a;
}
static inline ember_v32 ember_mve_srdhm_n(ember_v32 a, int32_t m) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_srdhm(a.v[i], m);
  return a;
}
static inline ember_v32 ember_mve_rdbpot(ember_v32 a, ember_v32 ns) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_rdbpot(a.v[i], -ns.v[i]);
  return a;
}
static inline ember_v32 ember_mve_rdbpot_pos(ember_v32 a, ember_v32 ns) { return ember_mve_rdbpot(a, ns); }
static inline ember_v32 ember_mve_rdbpot_n(ember_v32 a, int e) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_rdbpot(a.v[i], e);
  return a;
}
static inline int32_t ember_mve_rshr_up_1(int32_t a, int e) {
  return e <= 0 ? a : (int32_t)(((int64_t)a + ((int64_t)1 << (e - 1))) >> e);
}
static inline ember_v32 ember_mve_rshr_up(ember_v32 a, ember_v32 ns) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_mve_rshr_up_1(a.v[i], -ns.v[i]);
  return a;
}
static inline ember_v32 ember_mve_rshr_up_n(ember_v32 a, int e) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_mve_rshr_up_1(a.v[i], e);
  return a;
}
static inline ember_v32 ember_mve_mul_add_n(ember_v32 a, int32_t k, int32_t c) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_wrap_add((int32_t)((uint32_t)a.v[i] * (uint32_t)k), c);
  return a;
}
static inline ember_v32 ember_mve_srdhm_acc_n(ember_v32 acc, ember_v32 a, int32_t m) {
  int i;
  for (i = 0; i < 4; ++i) {
    const int64_t t = (int64_t)acc.v[i] + (((int64_t)a.v[i] * m + ((int64_t)1 << 30)) >> 31);
    acc.v[i] = t > INT32_MAX ? INT32_MAX : t < INT32_MIN ? INT32_MIN : (int32_t)t;
  }
  return acc;
}
static inline ember_v32 ember_mve_neg_mask(ember_v32 a) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = a.v[i] < 0 ? -1 : 0;
  return a;
}
static inline ember_v32 ember_mve_clamp(ember_v32 a, int32_t lo, int32_t hi) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_clamp_i32(a.v[i], lo, hi);
  return a;
}
static inline void ember_mve_st8x4(int8_t* p, ember_v32 v) {
  int i;
  for (i = 0; i < 4; ++i) p[i] = (int8_t)v.v[i];
}
static inline void ember_mve_st8x4_n(int8_t* p, ember_v32 v, int n) {
  int i;
  for (i = 0; i < n; ++i) p[i] = (int8_t)v.v[i];
}
static inline ember_v32 ember_mve_ld8x4_n(const int8_t* p, int n) {
  ember_v32 r;
  int i;
  for (i = 0; i < 4; ++i) r.v[i] = i < n ? p[i] : 0;
  return r;
}
static inline ember_v32 ember_mve_ld8x4(const int8_t* p) { return ember_mve_ld8x4_n(p, 4); }
static inline void ember_mve_lut16(int8_t* out, const int8_t* in, const int8_t* table, int n) {
  int8_t v[16];
  int i;
  memcpy(v, in, (size_t)n); /* all reads before the writes, as the vector form */
  for (i = 0; i < n; ++i) out[i] = table[v[i] + 128];
}
static inline ember_v32 ember_mve_requant_f32(ember_v32 a, ember_v32 scale_bits, int32_t zp, int32_t lo, int32_t hi) {
  float f;
  int i;
  for (i = 0; i < 4; ++i) {
    memcpy(&f, &scale_bits.v[i], sizeof f);
    a.v[i] = ember_requant_f32(a.v[i], f, zp, lo, hi);
  }
  return a;
}
static inline ember_v32 ember_mve_requant_f32_n(ember_v32 a, float scale, int32_t zp, int32_t lo, int32_t hi) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_requant_f32(a.v[i], scale, zp, lo, hi);
  return a;
}
static inline ember_v32 ember_mve_qlinear_add(ember_v32 a, ember_v32 b, float ra, float rb, float fixed, float lo,
                                              float hi) {
  int i;
  for (i = 0; i < 4; ++i) a.v[i] = ember_qlinear_add(a.v[i], b.v[i], ra, rb, fixed, lo, hi);
  return a;
}

#endif

/* Matrix-product step of the conv2d / fully_connected kernels: 4 units
 * (weights w[0..63]: 16 of each unit) times 16 inputs at *x; a[u] accumulates
 * unit u's dot product (VMLADAVA.S8, whose accumulator is an even register),
 * *w advances by 64 and *x by 16. The _first form starts from 0. */
#if EMBER_HAVE_MVE && EMBER_MVE_ASM
#define EMBER_MVE_DOT4(acc, op)                                                                    \
  __asm__("vldrb.8 q0, [%[w]], #64\n\tvldrb.8 q1, [%[w], #-48]\n\t"                                 \
          "vldrb.8 q2, [%[w], #-32]\n\tvldrb.8 q3, [%[w], #-16]\n\t"                                \
          "vldrb.8 q4, [%[x]], #16\n\t" op " %[a0], q4, q0\n\t" op " %[a1], q4, q1\n\t" op          \
          " %[a2], q4, q2\n\t" op " %[a3], q4, q3"                                                  \
          : [a0] acc(a[0]), [a1] acc(a[1]), [a2] acc(a[2]), [a3] acc(a[3]), [w] "+r"(*w), [x] "+r"(*x) \
          : "m"(*(const int8_t(*)[64]) * w), "m"(*(const int8_t(*)[16]) * x)                      \
          : "q0", "q1", "q2", "q3", "q4")
static inline void ember_mve_dot4(int32_t* a, const int8_t** w, const int8_t** x) {
  EMBER_MVE_DOT4("+Te", "vmladava.s8");
}
static inline void ember_mve_dot4_first(int32_t* a, const int8_t** w, const int8_t** x) {
  EMBER_MVE_DOT4("=Te", "vmladav.s8");
}
#else
static inline void ember_mve_dot4(int32_t* a, const int8_t** w, const int8_t** x) {
  const ember_v8 v = ember_mve_ld8(*x);
  int u;
  for (u = 0; u < 4; ++u) a[u] = ember_mve_dot(a[u], v, ember_mve_ld8(*w + 16 * u));
  *w += 64;
  *x += 16;
}
static inline void ember_mve_dot4_first(int32_t* a, const int8_t** w, const int8_t** x) {
  int u;
  for (u = 0; u < 4; ++u) a[u] = 0;
  ember_mve_dot4(a, w, x);
}
#endif
/* The last n (1 <= n <= 15) inputs at x, lanes past n read as 0 (the weights
 * there are 0 too); *w advances by 64. With GCC the four products are in
 * assembly as above (the loop over a[] kept the accumulators in memory). */
#if EMBER_HAVE_MVE && EMBER_MVE_ASM
static inline void ember_mve_dot4_tail(int32_t* a, const int8_t** w, const int8_t* x, int n) {
  const ember_v8 v = ember_mve_ld8_n(x, n);
  __asm__("vldrb.8 q0, [%[w]], #64\n\tvldrb.8 q1, [%[w], #-48]\n\t"
          "vldrb.8 q2, [%[w], #-32]\n\tvldrb.8 q3, [%[w], #-16]\n\t"
          "vmladava.s8 %[a0], %q[xv], q0\n\tvmladava.s8 %[a1], %q[xv], q1\n\t"
          "vmladava.s8 %[a2], %q[xv], q2\n\tvmladava.s8 %[a3], %q[xv], q3"
          : [a0] "+Te"(a[0]), [a1] "+Te"(a[1]), [a2] "+Te"(a[2]), [a3] "+Te"(a[3]), [w] "+r"(*w)
          : [xv] "w"(v), "m"(*(const int8_t(*)[64]) * w)
          : "q0", "q1", "q2", "q3");
}
#else
static inline void ember_mve_dot4_tail(int32_t* a, const int8_t** w, const int8_t* x, int n) {
  const ember_v8 v = ember_mve_ld8_n(x, n);
  int u;
  for (u = 0; u < 4; ++u) a[u] = ember_mve_dot(a[u], v, ember_mve_ld8(*w + 16 * u));
  *w += 64;
}
#endif

/* Two rows times 4 units: acc[u] = sum_k w[u][k] * x[k] and acc[4 + u] the
 * same over y, for the weights as ember_mve_dot4 reads them (64 bytes per
 * 16-byte chunk): kfull full chunks (kfull >= 1), then, when N > 0, the last
 * N (1..15) inputs with the lanes past N read as 0 (the weights there are 0
 * too). Each weight load serves both rows: 6 loads and 8 VMLADAVA.S8 per
 * chunk, where two ember_mve_dot4 passes take 10 and 8. After the first chunk
 * the loop takes U (1, 2 or 4) chunks per pass, the rest one at a time.
 * EMBER_MVE_DOT24_N is the form without full chunks (depth N < 16, kfull
 * unused), EMBER_MVE_DOT24_K(d, K, N) the one with exactly K full chunks in
 * line (kfull unused; no loop: about 10 instructions fewer per call when
 * K = 4). N, U and K must be integer literals: with GCC they are assembled
 * into the loop. `d` is an ember_mve_dot24_t lvalue; w, x, y and kfull are read,
 * acc written.
 *
 * With GCC the whole product is one assembly block with fixed registers and
 * its arguments in memory: the 8 accumulators must sit in even registers, and
 * as operands of the block they leave GCC 12's register allocator nothing to
 * spare (no solution at -O0; no end with -fno-omit-frame-pointer). Its only
 * operand is r0, the address of d.w; it saves that on the stack, uses r1-r6,
 * r8-r10, r12, lr and the predicate (p0: VPR, for the tail), and stores the
 * sums with one STMDB to the 8 words before d.w. */
typedef struct {
  int32_t acc[8]; /* row x's 4 sums, then row y's */
  const int8_t* w;
  const int8_t* x;
  const int8_t* y;
  int32_t kfull;
} ember_mve_dot24_t;

/* EMBER_MVE_DOT24 over nblk (>= 1) consecutive blocks of 4 units (block
 * b + 1's weights right after block b's), each block's 8 sums requantized
 * in the same pass, as the C of the matrix product does for a per-channel
 * table: q holds per block S bytes, the 4 start values (bias and zero-point
 * terms) at byte 0, the 4 multipliers at 16, the 4 left shifts (each >= 0)
 * at L and the 4 right shifts (negated, each <= 0) at R (L or R 0: none);
 * the sum plus its start value, shifted left, ember_mve_srdhm by the
 * multiplier, the rounding shift (FIX 0: ember_mve_rshr_up, 1:
 * ember_mve_rdbpot_pos, 2: ember_mve_rdbpot), plus ZP, clamped to [LO, HI];
 * row x's 4 results to o0 + 4b, row y's to o1 + 4b. L, R, S, FIX, ZP, LO
 * and HI must be integer literals.
 * With GCC one assembly block for all the blocks: the C loop around
 * EMBER_MVE_DOT24 keeps its state on the stack across each call, which cost
 * about 10 instructions per block more (kws's 1x1 layers on cortex-m55:
 * 106,656 against 96,781 for their 1,008 blocks). */
typedef struct {
  const int8_t* w;
  const int8_t* x;
  const int8_t* y;
  int32_t nblk;
  int32_t kfull;
  const int32_t* q;
  int8_t* o0;
  int8_t* o1;
} ember_mve_dot24q_t;
#if EMBER_HAVE_MVE && EMBER_MVE_ASM
/* The layout the assembly relies on: LDM of the first six words, LDRD of o0 and o1. */
typedef char ember_mve_dot24q_layout_check[(offsetof(ember_mve_dot24q_t, nblk) == 12 &&
                                            offsetof(ember_mve_dot24q_t, q) == 20 &&
                                            offsetof(ember_mve_dot24q_t, o0) == 24) ? 1 : -1];
#endif
#if EMBER_HAVE_MVE && EMBER_MVE_ASM
/* The layout the assembly relies on: acc right before w, x, y, kfull (words). */
typedef char ember_mve_dot24_layout_check[(offsetof(ember_mve_dot24_t, w) == 32 &&
                                           offsetof(ember_mve_dot24_t, kfull) == 44) ? 1 : -1];
/* Registers: w r1, x r3, y r5, chunks left r9; row x's sums r0 r2 r4 r6, row y's r8 r10 r12 lr. */
#define EMBER_MVE_DOT24_CHUNK_ASM(op)                                                                      \
  "vldrb.8 q0, [r1], #64\n\tvldrb.8 q1, [r1, #-48]\n\tvldrb.8 q2, [r1, #-32]\n\t"                           \
  "vldrb.8 q3, [r1, #-16]\n\tvldrb.8 q4, [r3], #16\n\tvldrb.8 q5, [r5], #16\n\t" op " r0, q4, q0\n\t" op      \
  " r2, q4, q1\n\t" op " r4, q4, q2\n\t" op " r6, q4, q3\n\t" op " r8, q5, q0\n\t" op " r10, q5, q1\n\t" op \
  " r12, q5, q2\n\t" op " lr, q5, q3\n\t"
/* The chunks after the first: passes of U while U or more are left, then one at a time. */
#define EMBER_MVE_DOT24_LOOP_ASM(U)                                                                        \
  "subs r9, r9, #1\n\tbeq 2f\n\t.if " #U " > 1\n\tcmp r9, #" #U "\n\tblt 3f\n"                              \
  "1:\n\t.rept " #U "\n\t" EMBER_MVE_DOT24_CHUNK_ASM("vmladava.s8") ".endr\n\tsubs r9, r9, #" #U "\n\t"       \
  "cmp r9, #" #U "\n\tbge 1b\n\tcmp r9, #0\n\tbeq 2f\n\t.endif\n"                                              \
  "3:\n\t" EMBER_MVE_DOT24_CHUNK_ASM("vmladava.s8") "subs r9, r9, #1\n\tbne 3b\n"                              \
  "2:\n\t"
#define EMBER_MVE_DOT24_TAIL_ASM(N, op)                                                                    \
  ".if " #N "\n\tmov r9, #" #N "\n\tvctp.8 r9\n\tvpstt\n\tvldrbt.8 q4, [r3]\n\tvldrbt.8 q5, [r5]\n\t"            \
  "vldrb.8 q0, [r1], #64\n\tvldrb.8 q1, [r1, #-48]\n\tvldrb.8 q2, [r1, #-32]\n\tvldrb.8 q3, [r1, #-16]\n\t" op \
  " r0, q4, q0\n\t" op " r2, q4, q1\n\t" op " r4, q4, q2\n\t" op " r6, q4, q3\n\t" op " r8, q5, q0\n\t" op   \
  " r10, q5, q1\n\t" op " r12, q5, q2\n\t" op " lr, q5, q3\n\t.endif\n\t"
#define EMBER_MVE_DOT24_BLOCK(d, body)                                                                     \
  do {                                                                                                     \
    register const int8_t** p_ __asm__("r0") = &(d).w;                                                     \
    __asm__ volatile("push {r0}\n\tldm r0, {r1, r3, r5, r9}\n\t" body                                    \
                     "pop {r1}\n\tstmdb r1, {r0, r2, r4, r6, r8, r10, r12, lr}"                              \
                     : "+r"(p_)                                                                            \
                     :                                                                                     \
                     : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r12", "lr", "q0", "q1", "q2", \
                       "q3", "q4", "q5", "p0", "cc", "memory");                                            \
  } while (0)
#define EMBER_MVE_DOT24(d, N, U)                                                                           \
  EMBER_MVE_DOT24_BLOCK(d, EMBER_MVE_DOT24_CHUNK_ASM("vmladav.s8") EMBER_MVE_DOT24_LOOP_ASM(U)             \
                               EMBER_MVE_DOT24_TAIL_ASM(N, "vmladava.s8"))
#define EMBER_MVE_DOT24_N(d, N) EMBER_MVE_DOT24_BLOCK(d, EMBER_MVE_DOT24_TAIL_ASM(N, "vmladav.s8"))
/* K (an integer literal, 1 <= K) full chunks in line, without the loop. */
#define EMBER_MVE_DOT24_INLINE_ASM(K)                                                                      \
  EMBER_MVE_DOT24_CHUNK_ASM("vmladav.s8") ".rept " #K " - 1\n\t" EMBER_MVE_DOT24_CHUNK_ASM("vmladava.s8")      \
  ".endr\n\t"
#define EMBER_MVE_DOT24_K(d, K, N)                                                                         \
  EMBER_MVE_DOT24_BLOCK(d, EMBER_MVE_DOT24_INLINE_ASM(K) EMBER_MVE_DOT24_TAIL_ASM(N, "vmladava.s8"))
/* EMBER_MVE_DOT24Q: registers as above; r7 counts the blocks left, r11
 * walks q. The stack holds a block's 8 sums at [sp] (STM, then two VLDRW:
 * row x's in q0, row y's in q1), x, y and kfull at [sp, #32], o0 and o1 at
 * [sp, #44]; q6 and q7 hold the clamp's bounds. */
/* The ties fix-up of ember_mve_rdbpot before the VRSHL by register ns (the
 * negated right shifts) on register v, in assembly: FIX 1 (every lane
 * shifts, ember_mve_rdbpot_pos) negative lanes less one, saturating; FIX 2
 * (ember_mve_rdbpot) only where ns is negative too, v & ns having the sign
 * bit of both; FIX 0 none (ember_mve_rshr_up). t: a scratch register. */
#define EMBER_MVE_TIES_ASM(v, FIX, ns, t)                                                                  \
  ".if " #FIX " == 1\n\tvshr.s32 " t ", " v ", #31\n\tvqadd.s32 " v ", " v ", " t "\n\t.endif\n\t"            \
  ".if " #FIX " == 2\n\tvand " t ", " v ", " ns "\n\tvshr.s32 " t ", " t ", #31\n\tvqadd.s32 " v ", " v ", " t \
  "\n\t.endif\n\t"
#define EMBER_MVE_DOT24Q_FIX_ASM(v, FIX) EMBER_MVE_TIES_ASM(v, FIX, "q2", "q3")
#define EMBER_MVE_DOT24Q_BLOCK(d, L, R, S, FIX, ZP, LO, HI, body)                                          \
  do {                                                                                                     \
    register ember_mve_dot24q_t* p_ __asm__("r0") = &(d);                                                  \
    __asm__ volatile("push {r0, r7, r11}\n\tldrd r2, r4, [r0, #24]\n\tldm r0, {r1, r3, r5, r7, r9, r11}\n\t" \
                     "push {r2, r4}\n\tpush {r3, r5, r9}\n\tsub sp, sp, #32\n\t"                            \
                     "mov r2, #" #LO "\n\tvdup.32 q6, r2\n\tmov r2, #" #HI "\n\tvdup.32 q7, r2\n"          \
                     "4:\n\tadd r3, sp, #32\n\tldm r3, {r3, r5, r9}\n\t" body                               \
                     "stm sp, {r0, r2, r4, r6, r8, r10, r12, lr}\n\t"                                      \
                     "vldrw.u32 q0, [sp]\n\tvldrw.u32 q1, [sp, #16]\n\t"                                   \
                     "vldrw.u32 q2, [r11], #" #S "\n\tvadd.i32 q0, q0, q2\n\tvadd.i32 q1, q1, q2\n\t"     \
                     ".if " #L "\n\tvldrw.u32 q2, [r11, #(" #L " - " #S ")]\n\tvshl.s32 q0, q0, q2\n\t"        \
                     "vshl.s32 q1, q1, q2\n\t.endif\n\tvldrw.u32 q2, [r11, #(16 - " #S ")]\n\t"              \
                     "vqrdmulh.s32 q0, q0, q2\n\tvqrdmulh.s32 q1, q1, q2\n\t"                               \
                     ".if " #R "\n\tvldrw.u32 q2, [r11, #(" #R " - " #S ")]\n\t"                               \
                     EMBER_MVE_DOT24Q_FIX_ASM("q0", FIX) EMBER_MVE_DOT24Q_FIX_ASM("q1", FIX)                  \
                     "vrshl.s32 q0, q0, q2\n\tvrshl.s32 q1, q1, q2\n\t.endif\n\t"                           \
                     ".if " #ZP "\n\tmov r0, #" #ZP "\n\tvadd.i32 q0, q0, r0\n\t"                          \
                     "vadd.i32 q1, q1, r0\n\t.endif\n\t"                                                     \
                     "vmax.s32 q0, q0, q6\n\tvmax.s32 q1, q1, q6\n\tvmin.s32 q0, q0, q7\n\t"              \
                     "vmin.s32 q1, q1, q7\n\tldrd r0, r2, [sp, #44]\n\tvstrb.32 q0, [r0], #4\n\t"        \
                     "vstrb.32 q1, [r2], #4\n\tstrd r0, r2, [sp, #44]\n\tsubs r7, r7, #1\n\tbne 4b\n\t"   \
                     "add sp, sp, #52\n\tpop {r0, r7, r11}"                                                \
                     : "+r"(p_)                                                                            \
                     :                                                                                     \
                     : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r12", "lr", "q0", "q1", "q2", \
                       "q3", "q4", "q5", "q6", "q7", "p0", "cc", "memory");                                \
  } while (0)
#define EMBER_MVE_DOT24Q(d, N, U, L, R, S, FIX, ZP, LO, HI)                                                \
  EMBER_MVE_DOT24Q_BLOCK(d, L, R, S, FIX, ZP, LO, HI,                                                      \
                         EMBER_MVE_DOT24_CHUNK_ASM("vmladav.s8") EMBER_MVE_DOT24_LOOP_ASM(U)               \
                             EMBER_MVE_DOT24_TAIL_ASM(N, "vmladava.s8"))
#define EMBER_MVE_DOT24Q_N(d, N, L, R, S, FIX, ZP, LO, HI)                                                 \
  EMBER_MVE_DOT24Q_BLOCK(d, L, R, S, FIX, ZP, LO, HI, EMBER_MVE_DOT24_TAIL_ASM(N, "vmladav.s8"))
#define EMBER_MVE_DOT24Q_K(d, K, N, L, R, S, FIX, ZP, LO, HI)                                              \
  EMBER_MVE_DOT24Q_BLOCK(d, L, R, S, FIX, ZP, LO, HI,                                                      \
                         EMBER_MVE_DOT24_INLINE_ASM(K) EMBER_MVE_DOT24_TAIL_ASM(N, "vmladava.s8"))
/* KR rows of CPR full chunks in line (integer literals >= 1); after each row
 * but the last, x and y move J bytes on (0 <= J <= 4095): rows of a window
 * read where they lie in the image, CPR * 16 + J bytes apart. */
#define EMBER_MVE_DOT24_ROWS_ASM(KR, CPR, J)                                                               \
  EMBER_MVE_DOT24_CHUNK_ASM("vmladav.s8") ".rept " #CPR " - 1\n\t" EMBER_MVE_DOT24_CHUNK_ASM("vmladava.s8")    \
  ".endr\n\t.rept " #KR " - 1\n\tadd r3, r3, #(" #J ")\n\tadd r5, r5, #(" #J ")\n\t.rept " #CPR "\n\t"        \
  EMBER_MVE_DOT24_CHUNK_ASM("vmladava.s8") ".endr\n\t.endr\n\t"
#define EMBER_MVE_DOT24Q_W(d, KR, CPR, J, L, R, S, FIX, ZP, LO, HI)                                        \
  EMBER_MVE_DOT24Q_BLOCK(d, L, R, S, FIX, ZP, LO, HI, EMBER_MVE_DOT24_ROWS_ASM(KR, CPR, J))
#else
/* Also the C form of EMBER_MVE_DOT24_ROWS_ASM: with cpr > 0, x and y move
 * `jump` bytes more after every cpr chunks. */
static inline void ember_mve_dot24_rows(ember_mve_dot24_t* d, int kfull, int n, int cpr, int jump) {
  const int8_t *w = d->w, *x = d->x, *y = d->y;
  int c, u;
  for (u = 0; u < 8; ++u) d->acc[u] = 0;
  for (c = 0; c < kfull + (n > 0); ++c, w += 64, x += 16, y += 16) {
    const int m = c < kfull ? 16 : n;
    if (cpr > 0 && c > 0 && c % cpr == 0) x += jump, y += jump;
    const ember_v8 vx = ember_mve_ld8_n(x, m), vy = ember_mve_ld8_n(y, m);
    for (u = 0; u < 4; ++u) {
      const ember_v8 vw = ember_mve_ld8(w + 16 * u);
      d->acc[u] = ember_mve_dot(d->acc[u], vx, vw);
      d->acc[4 + u] = ember_mve_dot(d->acc[4 + u], vy, vw);
    }
  }
}
static inline void ember_mve_dot24(ember_mve_dot24_t* d, int kfull, int n) { ember_mve_dot24_rows(d, kfull, n, 0, 0); }
#define EMBER_MVE_DOT24(d, N, U) ember_mve_dot24(&(d), (d).kfull, N)
#define EMBER_MVE_DOT24_N(d, N) ember_mve_dot24(&(d), 0, N)
#define EMBER_MVE_DOT24_K(d, K, N) ember_mve_dot24(&(d), K, N)
#endif

#if !(EMBER_HAVE_MVE && EMBER_MVE_ASM)
static inline void ember_mve_dot24q(const ember_mve_dot24q_t* d, int kfull, int n, int l, int r, int stride, int fix,
                                    int32_t zp, int32_t lo, int32_t hi, int cpr, int jump) {
  ember_mve_dot24_t e;
  const int32_t* q = d->q;
  int b, i;
  e.w = d->w;
  e.x = d->x;
  e.y = d->y;
  e.kfull = kfull;
  for (b = 0; b < d->nblk; ++b, q += stride / 4, e.w += 64 * (kfull + (n > 0))) {
    ember_mve_dot24_rows(&e, kfull, n, cpr, jump);
    for (i = 0; i < 2; ++i) {
      ember_v32 v = ember_mve_add(ember_mve_ld32(e.acc + 4 * i), ember_mve_ld32(q));
      if (l) v = ember_mve_shl(v, ember_mve_ld32(q + l / 4));
      v = ember_mve_srdhm(v, ember_mve_ld32(q + 4));
      if (r)
        v = fix == 0   ? ember_mve_rshr_up(v, ember_mve_ld32(q + r / 4))
            : fix == 1 ? ember_mve_rdbpot_pos(v, ember_mve_ld32(q + r / 4))
                       : ember_mve_rdbpot(v, ember_mve_ld32(q + r / 4));
      v = ember_mve_clamp(ember_mve_add_n(v, zp), lo, hi);
      ember_mve_st8x4((i ? d->o1 : d->o0) + 4 * b, v);
    }
  }
}
#define EMBER_MVE_DOT24Q(d, N, U, L, R, S, FIX, ZP, LO, HI) \
  ember_mve_dot24q(&(d), (d).kfull, N, L, R, S, FIX, ZP, LO, HI, 0, 0)
#define EMBER_MVE_DOT24Q_N(d, N, L, R, S, FIX, ZP, LO, HI) ember_mve_dot24q(&(d), 0, N, L, R, S, FIX, ZP, LO, HI, 0, 0)
#define EMBER_MVE_DOT24Q_K(d, K, N, L, R, S, FIX, ZP, LO, HI) \
  ember_mve_dot24q(&(d), K, N, L, R, S, FIX, ZP, LO, HI, 0, 0)
#define EMBER_MVE_DOT24Q_W(d, KR, CPR, J, L, R, S, FIX, ZP, LO, HI) \
  ember_mve_dot24q(&(d), (KR) * (CPR), 0, L, R, S, FIX, ZP, LO, HI, CPR, J)
#endif

/* N (an integer literal >= 1) 16-byte chunks from src to dst (no overlap);
 * dst and src are pointer variables and advance past them. With GCC a
 * post-incremented load and store per chunk (C's constant offsets beyond
 * VLDRB's 7-bit range cost GCC an address register each). */
#if EMBER_HAVE_MVE && EMBER_MVE_ASM
#define EMBER_MVE_COPY16(dst, src, N)                                                                      \
  __asm__ volatile(".rept " #N "\n\tvldrb.8 q0, [%1], #16\n\tvstrb.8 q0, [%0], #16\n\t.endr"               \
                   : "+r"(dst), "+r"(src)                                                                  \
                   :                                                                                       \
                   : "q0", "memory")
#else
#define EMBER_MVE_COPY16(dst, src, N)                                                                      \
  do {                                                                                                     \
    int i_;                                                                                                \
    for (i_ = 0; i_ < (N); ++i_, (dst) += 16, (src) += 16) ember_mve_st8(dst, ember_mve_ld8(src));         \
  } while (0)
#endif

/* N (an integer literal >= 1) 16-byte chunks of the lanes of x at dst, a
 * pointer variable that advances past them (one post-incremented store each
 * with GCC). */
#if EMBER_HAVE_MVE && EMBER_MVE_ASM
#define EMBER_MVE_FILL16(dst, x, N)                                                                        \
  __asm__ volatile(".rept " #N "\n\tvstrb.8 %q1, [%0], #16\n\t.endr" : "+r"(dst) : "w"(x) : "memory")
#else
#define EMBER_MVE_FILL16(dst, x, N)                                                                        \
  do {                                                                                                     \
    int i_;                                                                                                \
    for (i_ = 0; i_ < (N); ++i_, (dst) += 16) ember_mve_st8(dst, x);                                       \
  } while (0)
#endif

/* n bytes from src to dst (n >= 0, no overlap) in 16-byte steps, the last
 * one predicated: reads and writes exactly n bytes. */
static inline void ember_mve_copy(int8_t* dst, const int8_t* src, int n) {
  for (; n >= 16; n -= 16, dst += 16, src += 16) ember_mve_st8(dst, ember_mve_ld8(src));
  if (n > 0) ember_mve_st8_n(dst, ember_mve_ld8_n(src, n), n);
}
/* n bytes of the lanes of x at dst (n >= 0). */
static inline void ember_mve_fill(int8_t* dst, ember_v8 x, int n) {
  for (; n >= 16; n -= 16, dst += 16) ember_mve_st8(dst, x);
  if (n > 0) ember_mve_st8_n(dst, x, n);
}

#ifdef __cplusplus
}
#endif

#endif /* EMBER_MVE_H_ */
