// depthwise_conv2d for Helium (cortex-m55, MVE): int8, depth multiplier 1.
//
// Vectorised over channels (contiguous in NHWC). Up to the last multiple of
// 16 channels, sixteen at a time: per pair
// of taps, 16 input bytes and 16 weight bytes of each tap (VLDRB.8), VMULLB
// and VMULLT give the int16 products of the even and odd channels, and the
// two taps' products are added in int16 (exact: a product lies in
// [-16256, 16384], so two of them overflow only when both weights are -128,
// which the emitter checks at compile time). VMOVLB/VMOVLT widen the sums to
// int32 into four accumulators holding channels 4i, 4i + 1, 4i + 2 and
// 4i + 3; an odd last tap is widened alone. The accumulators start at
// bias - z_in * sum(w) (compile time, in the same lane order). With TFLite's
// arithmetic and at most nine taps, every 16-channel group of a pixel runs
// in one GCC assembly block, EMBER_DW16 of ember/dsp_dw.h (its C form with
// other compilers): the tap pointers in registers, and each group's start
// values, weights and requantization constants read in order from one
// stream (AddStream). Otherwise (more taps, ONNX Runtime's arithmetic) a C
// loop over the groups calls the tap-pair assembly of ember/dsp_dw.h
// (intrinsics elsewhere) with separate tables. kws's depthwise layers on
// cortex-m55: 69,125 instructions each against 81,906 with the C loop,
// whose tap pointers and tables GCC kept on the stack. When every channel
// is in those groups, the interior pixels of a row (two or more) go through
// one EMBER_DW16_RUN: after a pixel's groups the assembly moves the tap
// pointers on to the next pixel and starts the stream again, where each
// pixel cost 50-70 instructions of C to set up (kws 68,125 -> 66,250 per
// layer; vww, with its pixel pairs run likewise, -4.4 % in all).
// The channels after them (all of them when there are fewer than 16, or
// when a channel has -128 in both weights of a tap pair), eight at a time:
// a widening load of eight input bytes to int16 (VLDRB.S16), eight int16
// weights, VMULLB/VMULLT into two int32 accumulators (even and odd
// channels) per tap; when they are no multiple of eight the last group is
// predicated (VCTP16), the tables padded with zeros. With exactly eight
// channels and stride 1 along x, an interior pixel whose neighbour is
// interior too runs with it in one group of 16 lanes (a tap's 16 bytes are
// that tap of both pixels; the tables repeat the eight channels), and the
// pixel loop skips the neighbour.
//
// Requantization in vectors, bit-exact with TFLite's
// MultiplyByQuantizedMultiplier: optional left shift (VSHL), VQRDMULH (which
// is SaturatingRoundingDoublingHighMul), then RoundingDivideByPOT as VRSHL on
// x - (x < 0) (ties away from zero; lanes with no right shift skip the -1;
// no -1 at all when the clamp starts at z_out or above, where a negative
// lane ends at the clamp whichever way its tie goes),
// z_out, the activation clamp where it is narrower than int8, and
// saturating narrowings (VQMOVNB/VQMOVNT to int16, then to int8, which puts
// the channels back in order) before one VSTRB store. EMBER_DW16 clamps
// after the narrowings, in int8 lanes, and where a compile-time bound
// shows that TFLite's int32 add of z_out cannot wrap (ZOutFitsInt16, every
// layer of the four models) adds z_out to the int16 values with a
// saturating add: two instructions each instead of four. With ONNX Runtime's
// arithmetic (int8_semantics = "onnxruntime") the accumulators are
// requantized in float instead (ember_mve_requant_f32 of mve.h: VCVT, VMUL,
// VMAXNM/VMINNM, VCVTN), which also adds z_out and clamps.
#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "codegen/c/kernels/depthwise_isa.h"

namespace ember::codegen::c {
namespace {

struct MveNames {
  std::string w, init, mult, left, negr, nz, scale;  // tables ([group][even 4, odd 4])
  bool shared = false;
  bool ort = false;                           // ONNX Runtime's float requantization
  int32_t m = 0, left_s = 0, right_s = 0;     // shared parameters
  float scale_s = 0.0f;                       // shared float scale (ort)
  bool any_left = false, any_right = false, some_zero_right = false;
  // Negative lanes less one before the rounding shift (ties away from zero);
  // not needed where ops::ClampHidesNegativeRounding.
  bool tie_fix = true;
};

// Channel of table lane `lane` in the group of `width` channels from `g`:
// accumulator j = lane / 4 holds channels g + (width / 4) * i + j, i = lane % 4
// (width 8: even channels, then odd ones; width 16: channels 4i, 4i + 1,
// 4i + 2, 4i + 3).
int64_t LaneChannel(int64_t g, int64_t width, int64_t lane) { return g + (width / 4) * (lane % 4) + lane / 4; }

// True when every pair of taps (0-1, 2-3, ...) of every channel sums in
// int16 without overflow: not both weights -128.
bool PairsFitInt16(const DwPlan& p) {
  for (int64_t ch = 0; ch < p.c; ++ch)
    for (int64_t k = 0; k + 1 < p.taps(); k += 2)
      if (p.wt(k, ch) == -128 && p.wt(k + 1, ch) == -128) return false;
  return true;
}

// The requantization of accumulator `a`, whose table lanes start at q + 4 * acc.
std::string Requant(const DwPlan& p, const MveNames& nm, const std::string& a, int acc) {
  const ops::ConvRequant& r = p.rq.params();
  const std::string off = acc ? " + " + std::to_string(4 * acc) : "";
  std::string s;
  if (nm.ort) {  // ember_mve_requant_f32 (mve.h) adds z_out and clamps to the activation range
    const std::string tail = ", " + CInt(r.output_zp) + ", " + CInt(r.range.min) + ", " + CInt(r.range.max) + ");\n";
    return a + " = " +
           (nm.shared ? "ember_mve_requant_f32_n(" + a + ", " + CFloat(nm.scale_s)
                      : "ember_mve_requant_f32(" + a + ", vldrwq_s32(" + nm.scale + " + q" + off + ")") +
           tail;
  }
  if (nm.any_left) {
    s += a + " = " + (nm.shared ? "vshlq_n_s32(" + a + ", " + std::to_string(nm.left_s) + ")"
                                : "vshlq_s32(" + a + ", vldrwq_s32(" + nm.left + " + q" + off + "))") +
         ";\n";
  }
  s += a + " = " + (nm.shared ? "vqrdmulhq_n_s32(" + a + ", " + CInt(nm.m) + ")"
                              : "vqrdmulhq_s32(" + a + ", vldrwq_s32(" + nm.mult + " + q" + off + "))") +
       ";\n";
  if (nm.any_right) {
    if (nm.tie_fix) {
      std::string fix = "vshrq_n_s32(" + a + ", 31)";
      if (nm.some_zero_right) fix = "vandq_s32(" + fix + ", vldrwq_s32(" + nm.nz + " + q" + off + "))";
      s += a + " = vaddq_s32(" + a + ", " + fix + ");  /* x - (x < 0): ties away from zero */\n";
    }
    s += a + " = " + (nm.shared ? "vrshrq_n_s32(" + a + ", " + std::to_string(nm.right_s) + ")"
                                : "vrshlq_s32(" + a + ", vldrwq_s32(" + nm.negr + " + q" + off + "))") +
         ";\n";
  }
  if (r.output_zp != 0) s += a + " = vaddq_n_s32(" + a + ", " + CInt(r.output_zp) + ");\n";
  // The saturating narrowing of the store clamps to [-128, 127].
  if (r.range.min > -128) s += a + " = vmaxq_s32(" + a + ", vdupq_n_s32(" + CInt(r.range.min) + "));\n";
  if (r.range.max < 127) s += a + " = vminq_s32(" + a + ", vdupq_n_s32(" + CInt(r.range.max) + "));\n";
  return s;
}

// One group of 16 lanes: the accumulators start from the tables at lane
// offset q, tap k reads 16 bytes at `tap(k)`, the weights are read from
// `wp` in order, and the 16 results are stored at `dst`.
std::string Group16(const DwPlan& p, const MveNames& nm, const std::function<std::string(int64_t)>& tap,
                    const std::string& dst) {
  const int64_t t = p.taps();
  std::string g;
  g += "int32x4_t a0 = vldrwq_s32(" + nm.init + " + q), a1 = vldrwq_s32(" + nm.init + " + q + 4);\n";
  g += "int32x4_t a2 = vldrwq_s32(" + nm.init + " + q + 8), a3 = vldrwq_s32(" + nm.init + " + q + 12);\n";
  for (int64_t k = 0; k + 1 < t; k += 2) {
    g += "EMBER_DW_MVE_PAIR(a0, a1, a2, a3, " + tap(k) + ", " + tap(k + 1) + ", wp);  /* taps " +
         std::to_string(k) + ", " + std::to_string(k + 1) + " */\n";
  }
  if (t % 2 == 1)
    g += "EMBER_DW_MVE_TAP(a0, a1, a2, a3, " + tap(t - 1) + ", wp);  /* tap " + std::to_string(t - 1) + " */\n";
  for (int j = 0; j < 4; ++j) g += Requant(p, nm, "a" + std::to_string(j), j);
  g += "{  /* saturate to int16 (even lanes, odd lanes), then to int8 (lanes in order) */\n";
  g += "  int16x8_t ev = vqmovnbq_s32(vdupq_n_s16(0), a0);\n  ev = vqmovntq_s32(ev, a2);\n";
  g += "  int16x8_t od = vqmovnbq_s32(vdupq_n_s16(0), a1);\n  od = vqmovntq_s32(od, a3);\n";
  g += "  int8x16_t r = vqmovnbq_s16(vdupq_n_s8(0), ev);\n  r = vqmovntq_s16(r, od);\n";
  g += "  vstrbq_s8(" + dst + ", r);\n}\n";
  return g;
}

// True when z_out may be added to the requantized values after their
// saturation to int16 (EMBER_DW16's ZP 2): every channel's accumulator
// bound, shifted left by its multiplier's left shift, leaves |v| + 128
// below 2^31 (VQRDMULH and the rounding shift only shrink it, by at most one
// step of rounding), so TFLite's wrapping add of z_out cannot wrap.
bool ZOutFitsInt16(const DwPlan& p) {
  const ops::ConvRequant& r = p.rq.params();
  for (size_t ch = 0; ch < p.bound.size(); ++ch) {
    const int left = std::max(0, r.mult[ch].shift);
    if (left > 30 || p.bound[ch] > (int64_t{1} << (31 - left)) - 512) return false;
  }
  return true;
}

// `v` (an int8 or int16 value) in each lane of a word of lanes of `bits`.
uint32_t Repeat(int32_t v, int bits) {
  const uint32_t lane = static_cast<uint32_t>(v) & ((uint32_t{1} << bits) - 1);
  uint32_t w = 0;
  for (int at = 0; at < 32; at += bits) w |= lane << at;
  return w;
}

// The constant stream of 16-lane groups (ember/dsp_dw.h): its kernel
// parameter name and the requantization steps it holds (zp: 0 none, 1
// z_out added in int32, 2 in int16 lanes).
struct Stream {
  std::string name;
  int left = 0, fix = 0, right = 0, zp = 0, lo = 0, hi = 0;
  std::string Flags() const {
    std::string s;
    for (int f : {left, fix, right, zp, lo, hi}) s += (s.empty() ? "" : ", ") + std::to_string(f);
    return s;
  }
};

// The stream of 16-lane groups with TFLite's arithmetic, added to `tables`
// as a kernel parameter: channels [0, c16) in groups of 16, or (`pairs`)
// one group of 16 lanes over two pixels of 8 channels (lane v: channel
// v % 8), in the layout EMBER_DW16 reads.
Stream AddStream(const KernelContext& ctx, const DwPlan& p, const MveNames& nm, bool pairs, int64_t c16,
                 std::vector<DwTableParam>* tables) {
  const ops::ConvRequant& r = p.rq.params();
  Stream st;
  st.name = pairs ? "stabp" : "stab";
  st.left = nm.any_left;
  st.right = nm.any_right;
  st.fix = nm.any_right && nm.tie_fix ? (nm.some_zero_right ? 2 : 1) : 0;
  st.zp = r.output_zp == 0 ? 0 : ZOutFitsInt16(p) ? 2 : 1;
  st.lo = r.range.min > -128;
  st.hi = r.range.max < 127;
  const int64_t lanes = pairs ? 16 : c16;
  auto real = [&](int64_t v) { return static_cast<size_t>(pairs ? v % p.c : v); };
  std::vector<int32_t> words;
  auto vec = [&](int32_t v) { words.insert(words.end(), 4, v); };
  for (int64_t g = 0; g < lanes; g += 16) {
    for (int64_t lane = 0; lane < 16; ++lane) words.push_back(p.init[real(LaneChannel(g, 16, lane))]);
    for (int64_t k = 0; k < p.taps(); ++k) {
      for (int64_t b = 0; b < 16; b += 4) {
        uint32_t word = 0;  // four weights, little-endian
        for (int64_t i = 0; i < 4; ++i)
          word |= uint32_t{static_cast<uint8_t>(p.wt(k, static_cast<int64_t>(real(g + b + i))))} << (8 * i);
        words.push_back(static_cast<int32_t>(word));
      }
    }
    for (int64_t j = 0; j < 4; ++j) {
      std::vector<ops::QuantizedMultiplier> q;
      for (int64_t i = 0; i < 4; ++i) q.push_back(r.mult[real(LaneChannel(g, 16, 4 * j + i))]);
      if (st.left)
        for (const auto& m : q) words.push_back(m.shift > 0 ? m.shift : 0);
      for (const auto& m : q) words.push_back(m.multiplier);
      if (st.right)
        for (const auto& m : q) words.push_back(m.shift < 0 ? m.shift : 0);
    }
    if (st.zp == 1) vec(r.output_zp);
    if (st.zp == 2) vec(static_cast<int32_t>(Repeat(r.output_zp, 16)));
    if (st.lo) vec(static_cast<int32_t>(Repeat(r.range.min, 8)));
    if (st.hi) vec(static_cast<int32_t>(Repeat(r.range.max, 8)));
  }
  const std::string hint = ctx.node.name + (pairs ? "_stream16p" : "_stream16");
  tables->push_back({"const int32_t* " + st.name, ctx.consts.AddInt32(hint, words)});
  return st;
}

// A run of pixels along x for EMBER_DW16_RUN: their number, and how far
// the tap pointers and the output pointer move between two of them besides
// the 16 bytes per group that the groups move them.
struct Run {
  int64_t pixels = 0, tadj = 0, dadj = 0;
  const char* unit = "pixel";  // what one pass over the groups covers
};

// The run of each row's interior pixels (EmitPixelLoops with a run), or
// none (pixels 0): all channels in 16-lane groups read from one stream, at
// least two interior pixels per row, and moves that the assembly's ADD
// immediates hold.
Run RowRun(const DwPlan& p) {
  int64_t xa = 0, xb = 0;
  if (!DwInteriorColumns(p, &xa, &xb) || xb - xa < 1) return {};
  const int64_t step = p.w.stride_w * p.c;  // the next pixel's taps, in the visiting order
  Run r{xb - xa + 1, p.loop.reverse ? -step - p.c : step - p.c, p.loop.reverse ? -2 * p.c : 0};
  if (std::abs(r.tadj) > 4080 || std::abs(r.dadj) > 4080) return {};
  return r;
}

// The run of each row's interior pixel pairs (8 channels, stride 1 along
// x, PairOrSingle's pairs), or none: two or more pairs. A pair's group
// moves the pointers 16 bytes, onto the next pair; reversed, the pairs are
// (x - 1, x) from the last pixel down, 32 bytes back each.
Run PairRun(const DwPlan& p) {
  int64_t xa = 0, xb = 0;
  if (!DwInteriorColumns(p, &xa, &xb) || xb - xa + 1 < 4) return {};
  const int64_t back = p.loop.reverse ? -32 : 0;
  return Run{(xb - xa + 1) / 2, back, back, "pair of pixels"};
}

// `groups` groups of 16 lanes read from stream `st` by EMBER_DW16
// (ember/dsp_dw.h; at most nine taps): tap k's first 16 bytes at `tap(k)`,
// the first group's results stored at `dst`; with `run`, its pixels one
// after the other (EMBER_DW16_RUN).
std::string GroupsFromStream(const DwPlan& p, const Stream& st, const std::function<std::string(int64_t)>& tap,
                             const std::string& dst, int64_t groups, const Run& run = {}) {
  const int64_t t = p.taps();
  const std::string per =
      run.pixels > 0 ? " per " + std::string(run.unit) + ", " + std::to_string(run.pixels) + " in a run" : "";
  std::string s = "{  /* " + std::to_string(groups) + (groups == 1 ? " group" : " groups") + " of 16 lanes" + per +
                  ", constants from the stream " + st.name + " (ember/dsp_dw.h) */\n";
  s += "  ember_dw16_t g;\n  g.s = " + st.name + ";\n";
  for (int64_t k = 0; k < 9; ++k)  // the slots after the last tap are loaded, not used
    s += "  g.t[" + std::to_string(k) + "] = " + (k < t ? tap(k) : tap(0)) + ";\n";
  s += "  g.d = " + dst + ";\n  g.n = " + std::to_string(groups) + ";\n";
  if (run.pixels > 0) s += "  g.px = " + std::to_string(run.pixels) + ";\n";
  s += std::string("  ") + (run.pixels > 0 ? "EMBER_DW16_RUN(g, " : "EMBER_DW16(g, ") + std::to_string(t) + ",\n";
  const std::string ind(13, ' ');
  for (int64_t k = 0; k < t; k += 2) {
    const std::string ks = std::to_string(k), k1 = std::to_string(k + 1);
    s += ind + (k + 1 < t ? "EMBER_DW16_PAIR_ASM(" + ks + ", " + k1 + ")  /* taps " + ks + ", " + k1 + " */\n"
                          : "EMBER_DW16_TAP_ASM(" + ks + ")  /* tap " + ks + " */\n");
  }
  if (run.pixels > 0) {
    s += ind.substr(2) + ", " + st.Flags() + ", " + std::to_string(run.tadj) + ", " + std::to_string(run.dadj) +
         ");  /* left, ties fix-up, right, z_out, low, high; moves between pixels */\n";
  } else {
    s += ind.substr(2) + ", " + st.Flags() + ");  /* left, ties fix-up, right, z_out, low, high */\n";
  }
  return s + "}\n";
}

// Sixteen channels per group, tap pairs summed in int16 (PairsFitInt16) by
// the helpers of ember/dsp_dw.h: channels [0, c_end), a multiple of 16.
std::string Groups16(const DwPlan& p, const MveNames& nm, int64_t c_end) {
  std::string s = "{\n  const int8_t* wp = " + nm.w + ";  /* [group][tap][16], read in order */\n";
  s += "  for (int c = 0, q = 0; c < " + std::to_string(c_end) + "; c += 16, q += 16) {\n";
  s += Reindent(Group16(p, nm, [](int64_t k) { return "p" + std::to_string(k) + " + c"; }, "o + c"), 4);
  return s + "  }\n}\n";
}

// Eight channels and stride 1 along x (PairsFitInt16): an interior pixel
// whose neighbour in the visiting direction (the next one; the previous one
// when reversed) is interior too runs both in one group of 16 lanes, a tap's
// 16 bytes being that tap for both pixels (`np`: the tables of 16 lanes over
// two pixels); the loop then skips the neighbour. Otherwise `single`.
std::string PairOrSingle(const DwPlan& p, const std::function<std::string(const std::function<std::string(int64_t)>&,
                                                                        const std::string&)>& group16,
                         const std::string& single) {
  const bool rev = p.loop.reverse;
  const std::string cond = rev ? "ox >= 1 && x0 >= 1"
                               : "ox + 1 < " + std::to_string(p.out_w) + " && x0 + " + std::to_string(p.k_w) +
                                     " < " + std::to_string(p.in_w);
  const std::string shift = rev ? " - 8" : "";
  std::string s = "if (" + cond + ") {  /* two pixels in one group of 16 lanes */\n";
  std::string g = DwTapPointers(p, true, "");
  g += group16([&](int64_t k) { return "p" + std::to_string(k) + shift; }, "o" + shift);
  g += rev ? "--ox;  /* done with the previous pixel too */\n" : "++ox;  /* done with the next pixel too */\n";
  s += Reindent(g, 2) + "} else {\n" + Reindent(single, 2) + "}\n";
  return s;
}

// Eight channels per group, each tap widened to int32 alone: channels
// [c_begin, p.c), the tables' lanes from 0.
std::string Groups8(const DwPlan& p, const MveNames& nm, int64_t c_begin) {
  const bool pred = (p.c - c_begin) % 8 != 0;
  const int64_t groups = (p.c - c_begin + 7) / 8, t = p.taps();
  std::string s = "{\n  const int16_t* wq = " + nm.w + ";\n";
  s += "  for (int c = " + std::to_string(c_begin) + ", q = 0; c < " + std::to_string(c_begin + groups * 8) +
       "; c += 8, q += 8, wq += " + std::to_string(8 * t) + ") {\n";
  std::string g;
  if (pred) g += "const mve_pred16_t pr = vctp16q((uint32_t)(" + std::to_string(p.c) + " - c));\n";
  g += "int32x4_t ae = vldrwq_s32(" + nm.init + " + q), ao = vldrwq_s32(" + nm.init + " + q + 4);\n";
  for (int64_t k = 0; k < t; ++k) {
    const std::string pt = "p" + std::to_string(k) + " + c";
    g += "{\n  const int16x8_t xv = " +
         (pred ? "vldrbq_z_s16(" + pt + ", pr)" : "vldrbq_s16(" + pt + ")") +
         ", wv = vldrhq_s16(wq + " + std::to_string(8 * k) + ");\n";
    g += "  ae = vaddq_s32(ae, vmullbq_int_s16(xv, wv));\n";
    g += "  ao = vaddq_s32(ao, vmulltq_int_s16(xv, wv));\n}\nEMBER_DW_KEEP2(ae, ao);\n";
  }
  g += Requant(p, nm, "ae", 0) + Requant(p, nm, "ao", 1);
  g += "{  /* saturate to int16 (channels in order), then to int8 in the even bytes */\n";
  g += "  int16x8_t r = vqmovnbq_s32(vdupq_n_s16(0), ae);\n  r = vqmovntq_s32(r, ao);\n";
  g += "  r = vreinterpretq_s16_s8(vqmovnbq_s16(vdupq_n_s8(0), r));\n";
  g += pred ? "  vstrbq_p_s16(o + c, r, pr);\n}\n" : "  vstrbq_s16(o + c, r);\n}\n";
  s += Reindent(g, 4) + "  }\n}\n";
  return s;
}

// The weight, start value and requantization tables of one group width
// (`width` 8 or 16 lanes; `pairs`: 16 lanes over two pixels of 8 channels,
// lane v being channel v % 8) for channels [first, p.c) or, with `count`,
// [first, first + count), added to `tables` as kernel parameters; `base`
// holds the flags. The names of the pair tables end in "p", those of
// `sfx` (the 8-lane tables after 16-lane groups) in it.
MveNames AddTables(const KernelContext& ctx, const DwPlan& p, const MveNames& base, int64_t width, bool pairs,
                   std::vector<DwTableParam>* tables, int64_t first = 0, int64_t count = -1,
                   const std::string& tail_sfx = "") {
  const ops::ConvRequant& r = p.rq.params();
  MveNames nm = base;
  const std::string sfx = pairs ? "p" : tail_sfx, ws = std::to_string(width) + sfx;
  const int64_t lanes = pairs ? 16 : count >= 0 ? count : p.c - first;  // virtual channels
  auto real = [&](int64_t v) { return pairs ? v % p.c : first + v; };
  const int64_t groups = (lanes + width - 1) / width, t = p.taps();
  std::vector<int16_t> w;  // [group][tap][width]
  for (int64_t g = 0; g < groups * width; g += width)
    for (int64_t k = 0; k < t; ++k)
      for (int64_t v = g; v < g + width; ++v) w.push_back(v < lanes ? p.wt(k, real(v)) : 0);
  const std::string name = ctx.node.name;
  nm.w = "wtab" + sfx;
  if (width == 16) {
    tables->push_back({"const int8_t* " + nm.w, ctx.consts.AddInt8(name + "_w" + ws, std::vector<int8_t>(w.begin(), w.end()))});
  } else {
    tables->push_back({"const int16_t* " + nm.w, ctx.consts.AddInt16(name + "_w" + ws, w)});
  }
  std::vector<int32_t> init, mult, left, negr, nz, scale;
  for (int64_t g = 0; g < groups * width; g += width) {
    for (int64_t lane = 0; lane < width; ++lane) {
      const int64_t v = LaneChannel(g, width, lane);
      const bool exists = v < lanes;
      const size_t ch = static_cast<size_t>(exists ? real(v) : 0);
      init.push_back(exists ? p.init[ch] : 0);
      if (nm.ort) {  // the float32 scales' bit patterns (padding lanes: 0.0f)
        const float f = exists ? r.scale[ch] : 0.0f;
        int32_t bits = 0;
        std::memcpy(&bits, &f, sizeof bits);
        scale.push_back(bits);
        continue;
      }
      const auto q = exists ? r.mult[ch] : ops::QuantizedMultiplier{0, 0};
      mult.push_back(q.multiplier);
      left.push_back(q.shift > 0 ? q.shift : 0);
      negr.push_back(q.shift < 0 ? q.shift : 0);
      nz.push_back(q.shift < 0 ? -1 : 0);
    }
  }
  nm.init = "itab" + sfx;
  tables->push_back({"const int32_t* " + nm.init, ctx.consts.AddInt32(name + "_init" + ws, init)});
  if (nm.ort) {
    if (nm.shared) {
      nm.scale_s = r.scale[0];
    } else {
      nm.scale = "stab" + sfx;
      tables->push_back({"const int32_t* " + nm.scale, ctx.consts.AddInt32(name + "_scale" + ws, scale)});
    }
  } else if (nm.shared) {
    nm.m = r.mult[0].multiplier;
    nm.left_s = r.mult[0].shift > 0 ? r.mult[0].shift : 0;
    nm.right_s = r.mult[0].shift < 0 ? -r.mult[0].shift : 0;
  } else {
    nm.mult = "mtab" + sfx;
    tables->push_back({"const int32_t* " + nm.mult, ctx.consts.AddInt32(name + "_mult" + ws, mult)});
    if (nm.any_left) {
      nm.left = "ltab" + sfx;
      tables->push_back({"const int32_t* " + nm.left, ctx.consts.AddInt32(name + "_lshift" + ws, left)});
    }
    if (nm.any_right) {
      nm.negr = "rtab" + sfx;
      tables->push_back({"const int32_t* " + nm.negr, ctx.consts.AddInt32(name + "_nrshift" + ws, negr)});
    }
    if (nm.any_right && nm.some_zero_right && nm.tie_fix) {
      nm.nz = "ztab" + sfx;
      tables->push_back({"const int32_t* " + nm.nz, ctx.consts.AddInt32(name + "_rmask" + ws, nz)});
    }
  }
  return nm;
}

}  // namespace

std::optional<Kernel> EmitDepthwiseConv2DMve(const KernelContext& ctx) {
  std::optional<DwPlan> plan = PlanDepthwiseInt8(ctx, "Helium");
  if (!plan) return std::nullopt;
  const DwPlan& p = *plan;
  const ops::ConvRequant& r = p.rq.params();
  MveNames nm;
  nm.shared = true;
  nm.ort = r.semantics == ops::Int8Semantics::kOnnxRuntime;
  nm.tie_fix = !ops::ClampHidesNegativeRounding(r.range.min, r.output_zp);
  for (float f : r.scale)
    if (f != r.scale[0]) nm.shared = false;
  for (const auto& q : r.mult) {
    if (q.shift > 0) nm.any_left = true;
    if (q.shift < 0) nm.any_right = true;
    if (q.shift >= 0) nm.some_zero_right = true;
    if (q.multiplier != r.mult[0].multiplier || q.shift != r.mult[0].shift) nm.shared = false;
  }
  const bool fits = PairsFitInt16(p);
  // Eight channels, stride 1 along x: pixel pairs in 16 lanes where both are interior.
  const bool pairs = p.c == 8 && p.w.stride_w == 1 && p.w.dilation_w == 1 && fits && p.out_w >= 2 && DwHasInterior(p);
  // Channels [0, c16) in groups of 16, the rest in groups of 8 (the last
  // one predicated when they are no multiple of 8).
  const int64_t c16 = fits ? p.c / 16 * 16 : 0;
  std::vector<DwTableParam> tables;
  const MveNames base = nm;
  // 16-lane groups: EMBER_DW16 and one constant stream (AddStream) with
  // TFLite's arithmetic and up to nine taps; otherwise (ONNX Runtime's float
  // requantization, larger windows) Group16 and separate tables.
  const bool stream = !nm.ort && p.taps() <= 9;
  MveNames n16, n8, np;
  Stream s16, sp;
  if (c16 > 0 && stream) s16 = AddStream(ctx, p, base, false, c16, &tables);
  if (c16 > 0 && !stream) n16 = AddTables(ctx, p, base, 16, false, &tables, 0, c16);
  if (c16 < p.c) n8 = AddTables(ctx, p, base, 8, false, &tables, c16, p.c - c16, c16 > 0 ? "t" : "");
  if (pairs && stream) sp = AddStream(ctx, p, base, true, 0, &tables);
  if (pairs && !stream) np = AddTables(ctx, p, base, 16, true, &tables);
  const auto pair_group = [&](const std::function<std::string(int64_t)>& tap, const std::string& dst) {
    if (stream) return GroupsFromStream(p, sp, tap, dst, 1);
    return "const int8_t* wp = " + np.w + ";\nconst int q = 0;\n" + Group16(p, np, tap, dst);
  };
  const std::string name = ctx.node.name;
  const std::string zpad = "zpad";
  if (HasBorder(p.loop)) {
    const int64_t padded = c16 == p.c ? p.c : c16 + (p.c - c16 + 7) / 8 * 8;
    tables.push_back({"const int8_t* zpad",
                      ctx.consts.AddInt8(name + "_zpad", std::vector<int8_t>(static_cast<size_t>(padded),
                                                                             static_cast<int8_t>(p.zin)))});
  }
  const auto body = [&](bool interior) {
    std::string s = DwTapPointers(p, interior, zpad);
    if (c16 > 0) {
      s += stream ? GroupsFromStream(p, s16, [](int64_t k) { return "p" + std::to_string(k); }, "o", c16 / 16)
                  : Groups16(p, n16, c16);
    }
    if (c16 < p.c) s += Groups8(p, n8, c16);
    return s;
  };
  const std::string order = c16 == p.c ? DwAccessOrderComment(16)
                            : c16 == 0 ? DwAccessOrderComment(8)
                                       : DwAccessOrderComment(16) + "\n   (then groups of 8 from channel " +
                                             std::to_string(c16) + ").";
  // Every channel in the stream's groups: each row's interior pixels in one
  // run (EMBER_DW16_RUN), the tap pointers moving on from pixel to pixel.
  // Pixel pairs likewise: one run of a row's pairs, each a group, with the
  // pixel left over (an odd count) taken alone.
  const Run run = stream && c16 == p.c ? RowRun(p) : Run{};
  const Run prun = stream && pairs ? PairRun(p) : Run{};
  std::string loops;
  if (run.pixels > 0) {
    loops = DwRunPixelLoops(
        p,
        DwTapPointers(p, true, zpad) +
            GroupsFromStream(p, s16, [](int64_t k) { return "p" + std::to_string(k); }, "o", c16 / 16, run),
        HasBorder(p.loop) ? body(false) : "");
  } else if (prun.pixels > 0) {
    const std::string shift = p.loop.reverse ? " - 8" : "";
    loops = DwRunPixelLoops(
        p,
        DwTapPointers(p, true, "") +
            GroupsFromStream(p, sp, [&](int64_t k) { return "p" + std::to_string(k) + shift; }, "o" + shift, 1, prun),
        body(HasBorder(p.loop) ? false : true), 2 * prun.pixels);
  } else {
    loops = DwPixelLoops(p, [&](bool interior) {
      if (pairs && interior) return PairOrSingle(p, pair_group, body(true));
      return body(interior);
    });
  }
  Kernel k;
  k.code = p.comment + (pairs ? "\n   Interior pixel pairs along x in 16 lanes (stride 1, 8 channels)." : "") +
           (run.pixels > 0 || prun.pixels > 0 ? "\n   The interior pixels of a row in one run." : "") + order +
           " */\n#include \"ember/dsp_dw.h\"\n" +
           DwSharedKernel(ctx.fn_name, KernelParams(ctx, 0), loops, tables, ShareGroupOf(ctx, ctx.node_index));
  return k;
}

}  // namespace ember::codegen::c
