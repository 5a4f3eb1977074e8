// depthwise_conv2d for cortex-m3 (no SIMD): int8, depth multiplier 1.
//
// Channels are contiguous in NHWC, so one 32-bit load reads four channels
// of one tap, and one word of the group table holds the four channels'
// weights of that tap; SXTB (with ROR 8 / 16, ASR 24 for the top byte)
// splits both and MLA (ember_mla) adds each product: per tap and four channels two loads,
// about eight extends and four MLAs, where the portable kernel loads every
// byte and its weight on their own and addresses each tap from its indices.
// Every pixel runs the same code: a tap outside the image reads a row of z_in
// bytes (depthwise_isa.h), so border pixels cost what interior ones do.
// Accumulators start at bias - z_in * sum(w) (compile time) and add in
// uint32 (wrapping like the reference's int32 sums). Channels beyond the last
// multiple of four run a scalar loop. Requantization: ember_requant_rs (one
// SMLAL and a shift) when the multipliers allow, as the DSP conv kernels.
#include <string>
#include <vector>

#include "codegen/c/kernels/depthwise_isa.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "codegen/c/kernels/v7m/kernels.h"

namespace ember::codegen::c {
namespace {

using v7m::Lane;

std::string S(int64_t v) { return std::to_string(v); }

std::string PixelBody(const DwPlan& p, const dsp::DspRequant& rq, bool interior, const std::string& zpad) {
  std::string s = DwTapPointers(p, interior, zpad);
  const int64_t c4 = p.c - p.c % 4, t = p.taps();
  if (c4 > 0) {
    s += "{\n  const uint32_t* wq = (const uint32_t*)tab;\n";
    s += "  for (int c = 0; c < " + S(c4) + "; c += 4, wq += " + S(4 + t) + ") {\n";
    std::string g = "uint32_t a0 = wq[0], a1 = wq[1], a2 = wq[2], a3 = wq[3];\n";
    g += rq.BlockSetup("c");
    for (int64_t ta = 0; ta < t; ++ta) {
      g += "{  /* tap " + S(ta) + " */\n";
      g += "  const uint32_t x = (uint32_t)ember_read_s8x4(p" + S(ta) + " + c), w = wq[" + S(4 + ta) + "];\n";
      for (int k = 0; k < 4; ++k)
        g += "  a" + S(k) + " = ember_mla(" + Lane("x", k) + ", " + Lane("w", k) + ", a" + S(k) + ");\n";
      g += "}\n";
      // A compiler barrier every three taps: gcc otherwise hoists every tap's
      // loads to the top and spills them (the kws layer of the tests, on
      // mps2-an385: 385,160 instructions with it, 493,800 without).
      if ((ta + 1) % 3 == 0) g += "EMBER_DW_BARRIER();\n";
    }
    for (int k = 0; k < 4; ++k) {
      const std::string ch = k ? "c + " + S(k) : "c";
      g += rq.Store("o[" + ch + "]", "(int32_t)a" + S(k), ch, k);
    }
    s += Reindent(g, 4) + "  }\n}\n";
  }
  if (p.c % 4 != 0) {
    const int64_t ct = p.c % 4;
    s += "for (int j = 0; j < " + S(ct) + "; ++j) {  /* the last channels */\n";
    s += "  const int c = " + S(c4) + " + j;\n";
    std::string b = rq.BlockSetup("c");
    b += "uint32_t acc = (uint32_t)itail[j];\n";
    for (int64_t ta = 0; ta < t; ++ta)
      b += "acc += (uint32_t)(wtail[" + S(ta * ct) + " + j] * p" + S(ta) + "[c]);\n";
    b += rq.Store("o[c]", "(int32_t)acc", "c", 0);
    s += Reindent(b, 2) + "}\n";
  }
  return s;
}

}  // namespace

std::optional<Kernel> EmitDepthwiseConv2DV7m(const KernelContext& ctx) {
  std::optional<DwPlan> plan = PlanDepthwiseInt8(ctx, "v7-M");
  if (!plan) return std::nullopt;
  const DwPlan& p = *plan;
  dsp::DspRequant rq;
  if (!rq.Init(ctx, p.c, ops::MultiplierFormula::kDouble).ok()) return std::nullopt;
  const int64_t c4 = p.c - p.c % 4, t = p.taps();
  const std::string name = ctx.node.name;
  std::vector<DwTableParam> tables;
  if (c4 > 0) {
    // Per group of four channels: 4 start values, then per tap one word of the four weights.
    std::vector<int32_t> words;
    for (int64_t g = 0; g < c4; g += 4) {
      for (int64_t ch = g; ch < g + 4; ++ch) words.push_back(p.init[static_cast<size_t>(ch)]);
      for (int64_t ta = 0; ta < t; ++ta) {
        uint32_t word = 0;
        for (int64_t k = 0; k < 4; ++k)
          word |= static_cast<uint32_t>(static_cast<uint8_t>(p.wt(ta, g + k))) << (8 * k);
        words.push_back(static_cast<int32_t>(word));
      }
    }
    tables.push_back({"const int32_t* tab", ctx.consts.AddInt32(name + "_group", words)});
  }
  if (p.c % 4 != 0) {
    std::vector<int8_t> tail;
    for (int64_t ta = 0; ta < t; ++ta)
      for (int64_t ch = c4; ch < p.c; ++ch) tail.push_back(p.wt(ta, ch));
    tables.push_back({"const int8_t* wtail", ctx.consts.AddInt8(name + "_wtail", tail)});
    tables.push_back({"const int32_t* itail",
                      ctx.consts.AddInt32(name + "_init_tail", std::vector<int32_t>(p.init.begin() + c4, p.init.end()))});
  }
  for (const SharedParam& r : rq.ShareTables()) tables.push_back(r);
  const std::string zpad = "zpad";
  if (HasBorder(p.loop)) {
    tables.push_back({"const int8_t* zpad",
                      ctx.consts.AddInt8(name + "_zpad", std::vector<int8_t>(static_cast<size_t>(p.c),
                                                                             static_cast<int8_t>(p.zin)))});
  }
  const std::string note =
      "\n   v7-M: per tap one word of four channels' inputs and one of their weights, SXTB and MLA;"
      "\n   taps outside the image read z_in. Table per group of 4 channels: 4 start values, a weight"
      "\n   word per tap.";
  Kernel k;
  k.code = p.comment + note + DwAccessOrderComment(4) + " */\n#include \"ember/dsp.h\"\n#include \"ember/dsp_dw.h\"\n" +
           DwSharedKernel(ctx.fn_name, KernelParams(ctx, 0),
                          DwPixelLoops(p, [&](bool interior) { return PixelBody(p, rq, interior, zpad); }),
                          tables, ShareGroupOf(ctx, ctx.node_index));
  return k;
}

}  // namespace ember::codegen::c
