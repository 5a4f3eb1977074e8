// depthwise_conv2d for DSP cores (cortex-m4/m7/m33): int8, depth multiplier 1.
//
// Channels are contiguous in NHWC, so one 32-bit load reads four channels of
// one tap. For a pair of taps u, v, PKHBT/PKHTB join their halves (channels
// 0, 1 of both: u0 u1 v0 v1; channels 2, 3: u2 u3 v2 v3), SXTB16 and
// SXTB16-ROR-8 of each give the int16 pair of one channel of both taps, and
// SMLAD adds both products to that channel's accumulator: 2 + 4
// instructions for the four pairs (sign-extending each tap first and then
// pairing took 4 + 4). The weights are rearranged at
// compile time into exactly those int16 pairs (per group of four channels,
// per tap pair: channels 0, 2, 1, 3); an odd last tap uses SMLABB/SMLATT.
// Accumulators start at bias - z_in * sum(w) (compile time). Channels beyond
// the last multiple of four run a scalar loop.
//
// Requantization: when every channel shifts right by at least 2 and twice
// the accumulator bound fits in int32, the weights and start values are
// doubled at compile time, so that SMMULR(2 * acc, m) is TFLite's
// SaturatingRoundingDoublingHighMul(acc, m) and SMMLAR(x - (x < 0),
// 2^(32 - e), z_out) its RoundingDivideByPOT(x, e) plus z_out (see
// ember/dsp_dw.h); otherwise the portable requantization.
#include <algorithm>
#include <string>
#include <vector>

#include "codegen/c/kernels/depthwise_isa.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "codegen/c/schedule.h"

namespace ember::codegen::c {
namespace {

uint32_t Pair(int32_t lo, int32_t hi) {
  return (static_cast<uint32_t>(lo) & 0xFFFFu) | (static_cast<uint32_t>(hi) << 16);
}

struct DspNames {
  std::string words, init, tail_w, mp;  // tables
  int64_t words_per_group = 0;
  bool fast = false;        // SMMULR/SMMLAR requantization on doubled sums
  bool shared = false;      // one multiplier and shift
  int32_t m = 0, pw = 0;    // shared multiplier and 2^(32-e)
};

// Words per group of four channels in the group table: start values, the
// weight pairs, then (per-channel fast requantization) multiplier and
// 2^(32-e) per channel.
int64_t WeightWords(const DwPlan& p) { return 4 * (p.taps() / 2) + 2 * (p.taps() % 2); }

// The code of the four accumulators a0..a3 of channels c..c+3 over every
// tap, reading the group's weight pairs at byte offset 16 of `wq`. Written
// in the order that keeps few values live (EMBER_DW_BARRIER keeps GCC from
// hoisting the loads of later taps).
// `barrier`: a barrier after every `barrier` tap pairs (0: none).
std::string GroupTaps(const DwPlan& p, int64_t barrier) {
  std::string s;
  const int64_t t = p.taps();
  int64_t off = 16;
  for (int64_t ta = 0; ta + 1 < t; ta += 2, off += 16) {
    const std::string a = "p" + std::to_string(ta), b = "p" + std::to_string(ta + 1);
    s += "{  /* taps " + std::to_string(ta) + " and " + std::to_string(ta + 1) + " */\n";
    s += "  const uint32_t u = ember_dw_ld4(" + a + " + c), v = ember_dw_ld4(" + b + " + c);\n";
    s += "  const uint32_t lo = ember_dw_pkbb(u, v), hi = ember_dw_pktt(u, v);  /* (u0 u1 v0 v1), (u2 u3 v2 v3) */\n";
    s += "  uint32_t w0, w1;\n";
    s += "  EMBER_DW_LD2(w0, w1, wq, " + std::to_string(off) + ");\n";
    s += "  a0 = ember_dw_smlad(ember_dw_sxtb16(lo), w0, a0);\n";
    s += "  a2 = ember_dw_smlad(ember_dw_sxtb16(hi), w1, a2);\n";
    s += "  EMBER_DW_LD2(w0, w1, wq, " + std::to_string(off + 8) + ");\n";
    s += "  a1 = ember_dw_smlad(ember_dw_sxtb16_hi(lo), w0, a1);\n";
    s += "  a3 = ember_dw_smlad(ember_dw_sxtb16_hi(hi), w1, a3);\n}\n";
    if (barrier > 0 && (ta / 2 + 1) % barrier == 0) s += "EMBER_DW_BARRIER();\n";
  }
  if (t % 2 == 1) {
    const std::string a = "p" + std::to_string(t - 1);
    s += "{  /* tap " + std::to_string(t - 1) + " */\n";
    s += "  const uint32_t u = ember_dw_ld4(" + a + " + c);\n";
    s += "  const uint32_t e = ember_dw_sxtb16(u), f = ember_dw_sxtb16_hi(u);\n";
    s += "  uint32_t w0, w1;\n  EMBER_DW_LD2(w0, w1, wq, " + std::to_string(off) + ");\n";
    s += "  a0 = ember_dw_smlabb(e, w0, a0);\n";
    s += "  a2 = ember_dw_smlatt(e, w0, a2);\n";
    s += "  a1 = ember_dw_smlabb(f, w1, a1);\n";
    s += "  a3 = ember_dw_smlatt(f, w1, a3);\n}\n";
  }
  return s;
}

// Stores the int8 result of accumulator `acc` of channel `ch`; `mp` is the
// C expression of the channel's (multiplier, 2^(32-e)) pair as a table
// pointer and a literal byte offset.
std::string Store(const DwPlan& p, const DspNames& nm, const std::string& acc,
                  const std::string& ch, const std::string& mp_ptr, int64_t mp_off) {
  if (!nm.fast) return p.rq.Store("o[" + ch + "]", acc, ch);
  const ops::ConvRequant& r = p.rq.params();
  const std::string v = std::string(ops::ClampHidesNegativeRounding(r.range.min, r.output_zp) ? "ember_dw_requant_clamped("
                                                                                              : "ember_dw_requant(") +
                        acc + ", m, pw, " + CInt(r.output_zp) + ")";
  std::string s = "{\n";
  if (nm.shared) {
    s += "  const int32_t m = " + CInt(nm.m) + ", pw = " + CInt(nm.pw) + ";\n";
  } else {
    s += "  int32_t m, pw;\n  EMBER_DW_LD2(m, pw, " + mp_ptr + ", " + std::to_string(mp_off) + ");\n";
  }
  return s + Reindent(DwClampStore(p.rq.params(), "o[" + ch + "]", v), 2) + "}\n";
}

std::string PixelBody(const DwPlan& p, const DspNames& nm, bool interior, const std::string& zpad, int64_t barrier) {
  std::string s = DwTapPointers(p, interior, zpad);
  const int64_t c4 = p.c - p.c % 4;
  if (c4 > 0) {
    s += "{\n  const int32_t* wq = " + nm.words + ";\n";
    s += "  for (int c = 0; c < " + std::to_string(c4) + "; c += 4, wq += " +
         std::to_string(nm.words_per_group) + ") {\n";
    std::string g = "int32_t a0, a1, a2, a3;\n";
    g += "EMBER_DW_LD2(a0, a1, wq, 0);\nEMBER_DW_LD2(a2, a3, wq, 8);\n";
    g += GroupTaps(p, barrier);
    const int64_t mp_off = 4 * (4 + WeightWords(p));
    for (int j = 0; j < 4; ++j)
      g += Store(p, nm, "a" + std::to_string(j), j ? "c + " + std::to_string(j) : "c", "wq",
                 mp_off + 8 * j);
    s += Reindent(g, 4) + "  }\n}\n";
  }
  if (p.c % 4 != 0) {
    const int64_t ct = p.c % 4;
    s += "for (int j = 0; j < " + std::to_string(ct) + "; ++j) {  /* the last channels */\n";
    s += "  const int c = " + std::to_string(c4) + " + j;\n";
    s += "  uint32_t acc = (uint32_t)" + nm.init + "[j];\n";
    for (int64_t t = 0; t < p.taps(); ++t) {
      s += "  acc += (uint32_t)(" + nm.tail_w + "[" + std::to_string(t * ct) + " + j] * p" +
           std::to_string(t) + "[c]);\n";
    }
    s += Reindent(Store(p, nm, "(int32_t)acc", "c", nm.mp + " + 2 * j", 0), 2) + "}\n";
  }
  return s;
}

}  // namespace

std::optional<ScheduleSpace> DepthwiseConv2DDspSpace(const KernelContext& ctx) {
  ConstPool local("space");
  const KernelContext probe{ctx.graph, ctx.node, ctx.node_index, "f", local, ctx.target};
  if (!EmitDepthwiseConv2DDsp(probe)) return std::nullopt;  // the portable kernel runs
  std::optional<DwPlan> plan = PlanDepthwiseInt8(probe, "DSP");
  if (!plan || plan->taps() < 2 || plan->c < 4) return std::nullopt;
  ScheduleSpace sp;
  sp.kernel = "dsp.depthwise_conv2d";
  std::vector<int64_t> values = {0, 1};
  if (plan->taps() >= 4) values.push_back(2);
  sp.knobs = {{"barrier", values, "a compiler barrier after every N tap pairs (0: none): how far gcc may hoist loads"}};
  sp.default_point.knobs = {{"barrier", 1}};
  return sp;
}

std::optional<Kernel> EmitDepthwiseConv2DDsp(const KernelContext& ctx) {
  std::optional<DwPlan> plan = PlanDepthwiseInt8(ctx, "DSP");
  if (!plan) return std::nullopt;
  DwPlan& p = *plan;
  int64_t barrier = ScheduleOf(ctx, ctx.node_index).Get("barrier", 1);
  if (barrier < 0 || barrier > 2) barrier = 1;
  const ops::ConvRequant r = p.rq.params();
  DspNames nm;
  nm.fast = r.semantics == ops::Int8Semantics::kTflite;  // onnxruntime: float scales, multipliers unset
  nm.shared = true;
  for (int64_t ch = 0; ch < p.c; ++ch) {
    const auto& q = r.mult[static_cast<size_t>(ch)];
    if (q.multiplier != r.mult[0].multiplier || q.shift != r.mult[0].shift) nm.shared = false;
    // A zero TFLite multiplier gives z_out for every sum, also one that
    // doubling wrapped (dsp::FastShift).
    if (q.multiplier == 0 && nm.fast) continue;
    if (q.shift > -2 || q.multiplier < 0 || 2 * p.bound[static_cast<size_t>(ch)] > INT32_MAX)
      nm.fast = false;
  }
  if (!nm.fast && !p.UsePortableRequant(ctx)) return std::nullopt;
  const int32_t scale = nm.fast ? 2 : 1;
  auto w = [&](int64_t t, int64_t ch) { return static_cast<int32_t>(p.wt(t, ch)) * scale; };
  auto init = [&](int64_t ch) { return ops::WrapMul(p.init[static_cast<size_t>(ch)], scale); };
  auto pw = [](int32_t shift) { return static_cast<int32_t>(int64_t{1} << (32 + shift)); };
  const bool mp_in_table = nm.fast && !nm.shared;
  const int64_t c4 = p.c - p.c % 4, t = p.taps();
  std::vector<int32_t> words;
  for (int64_t g = 0; g < c4; g += 4) {
    for (int64_t ch = g; ch < g + 4; ++ch) words.push_back(init(ch));
    for (int64_t ta = 0; ta + 1 < t; ta += 2) {
      for (int64_t ch : {g, g + 2, g + 1, g + 3})
        words.push_back(static_cast<int32_t>(Pair(w(ta, ch), w(ta + 1, ch))));
    }
    if (t % 2 == 1) {
      words.push_back(static_cast<int32_t>(Pair(w(t - 1, g), w(t - 1, g + 2))));
      words.push_back(static_cast<int32_t>(Pair(w(t - 1, g + 1), w(t - 1, g + 3))));
    }
    for (int64_t ch = g; mp_in_table && ch < g + 4; ++ch) {
      words.push_back(r.mult[static_cast<size_t>(ch)].multiplier);
      words.push_back(pw(dsp::FastShift(r.mult[static_cast<size_t>(ch)])));
    }
  }
  nm.words_per_group = 4 + WeightWords(p) + (mp_in_table ? 8 : 0);
  const std::string name = ctx.node.name;
  std::vector<DwTableParam> tables;
  if (!words.empty()) {
    nm.words = "tab";
    tables.push_back({"const int32_t* tab", ctx.consts.AddInt32(name + "_group", words)});
  }
  if (p.c % 4 != 0) {
    std::vector<int16_t> tail;
    for (int64_t tt = 0; tt < t; ++tt)
      for (int64_t ch = c4; ch < p.c; ++ch) tail.push_back(static_cast<int16_t>(w(tt, ch)));
    nm.tail_w = "wtail";
    tables.push_back({"const int16_t* wtail", ctx.consts.AddInt16(name + "_wtail", tail)});
    std::vector<int32_t> tail_init, tail_mp;
    for (int64_t ch = c4; ch < p.c; ++ch) {
      tail_init.push_back(init(ch));
      tail_mp.push_back(r.mult[static_cast<size_t>(ch)].multiplier);
      tail_mp.push_back(pw(std::min(dsp::FastShift(r.mult[static_cast<size_t>(ch)]), -2)));
    }
    nm.init = "itail";
    tables.push_back({"const int32_t* itail", ctx.consts.AddInt32(name + "_init_tail", tail_init)});
    if (mp_in_table) {
      nm.mp = "mptail";
      tables.push_back({"const int32_t* mptail", ctx.consts.AddInt32(name + "_mult_pow_tail", tail_mp)});
    }
  }
  std::string rq_note;
  if (nm.fast) {
    if (nm.shared) {
      nm.m = r.mult[0].multiplier;
      nm.pw = pw(dsp::FastShift(r.mult[0]));
    }
    rq_note = "\n   Sums doubled at compile time; requantization with SMMULR and SMMLAR.";
  }
  rq_note += "\n   Table per group of 4 channels: 4 start values, weight pairs" +
             std::string(mp_in_table ? ", (multiplier, 2^(32-e)) per channel." : ".");
  const std::string zpad = "zpad";
  if (HasBorder(p.loop)) {
    tables.push_back({"const int8_t* zpad",
                      ctx.consts.AddInt8(name + "_zpad", std::vector<int8_t>(static_cast<size_t>(p.c),
                                                                             static_cast<int8_t>(p.zin)))});
  }
  Kernel k;
  k.code = p.comment + rq_note + DwAccessOrderComment(4) + " */\n#include \"ember/dsp_dw.h\"\n" +
           DwSharedKernel(ctx.fn_name, KernelParams(ctx, 0),
                          DwPixelLoops(p, [&](bool interior) { return PixelBody(p, nm, interior, zpad, barrier); }),
                          tables, ShareGroupOf(ctx, ctx.node_index));
  return k;
}

}  // namespace ember::codegen::c
