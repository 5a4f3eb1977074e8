// conv2d for cortex-m3 (SMLAL, no SMLAD): int8, ungrouped, any filter,
// stride, dilation and padding. Bit-exact with ops/conv2d.cc.
//
// Two output pixels share every multiply. Pixels go in raster order (batch,
// oy, ox) in blocks of two (the last block of an odd count has one). For a
// block:
//  1. its two rows of K = KH * KW * C_in taps (im2col into scratch, taps
//     outside the image = z_in, as in dsp/conv2d.cc; a pointwise conv reads
//     the input directly) are packed into K words X[j] = a[j] + b[j] * 2^23;
//  2. for each block of four output channels, one SMLAL per weight adds
//     w[j] * X[j] to a 64-bit sum S = S_a + S_b * 2^23, where S_a and S_b
//     are the two pixels' sums of w * x. With |S_a| <= 128 * sum(|w|) < 2^22
//     (checked at compile time for every channel), S_a is S's low 23 bits
//     sign-extended and S_b = (S - S_a) / 2^23, both exact;
//  3. acc = init + S (init = bias - z_in * sum(w), wrapping like the
//     reference's int32 sums), then requantization and clamp fused into the
//     store (ember_requant_rs when the multipliers allow, as the DSP kernels).
// One weight load and one SMLAL per two multiply-accumulates: 24
// instructions per 16 MACs in the inner loop (gcc 12), against 3.5 per MAC
// for the portable loop. Pointwise layers whose kernel text differs only in
// sizes and tables share one body taking them as parameters
// (shared_kernel.h), as in the DSP variant; a layer alone keeps literals.
// Access order (for the memory planner): a block's outputs are written only
// after all of the block's input pixels were read; blocks go in raster order.
#include "codegen/c/kernels/v7m/kernels.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "ops/conv_util.h"

namespace ember::codegen::c::v7m {
namespace {

using dsp::ConvShape;

std::string S(int64_t v) { return std::to_string(v); }

// Output channels per pass (four 64-bit sums: 8 of the 13 free registers).
constexpr int kBlock = 4;
// |S_a| must stay below 2^22: 128 * sum(|w|) of every channel at most this.
constexpr int64_t kPairBound = (int64_t{1} << 22) - 1;

// Weights [out_c][K] as int8 in the loop's order: per block of four channels
// (the last padded with zero rows), per tap j, the four channels' w[j].
std::vector<int8_t> PackPairWeights(const std::vector<int8_t>& w, int64_t rows, int64_t depth) {
  const int64_t blocks = (rows + kBlock - 1) / kBlock;
  std::vector<int8_t> out;
  out.reserve(static_cast<size_t>(blocks * kBlock * depth));
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t d = 0; d < depth; ++d)
      for (int64_t u = 0; u < kBlock; ++u) {
        const int64_t r = b * kBlock + u;
        out.push_back(r < rows ? w[static_cast<size_t>(r * depth + d)] : int8_t{0});
      }
  return out;
}

// One tap: the block's word and four SMLALs.
std::string Tap() {
  std::string s = "{\n  const int32_t x = *xp++;\n";
  for (int u = 0; u < kBlock; ++u)
    s += "  s" + S(u) + " += (int64_t)wp[" + S(u) + "] * x;\n";
  return s + "  wp += " + S(kBlock) + ";\n}\n";
}

// The sizes and tables of a body: C literals, or parameter names in a shared body.
struct Sizes {
  std::string pixels, cout, depth, weights, inits;
  bool odd;      // the last block may have one pixel (`two` tells); always in a shared body
  bool literal;  // the sizes are the layer's literals (loop bounds folded)
};

// The loop over blocks of two pixels: `gather` declares the block's rows xa
// and xb ("": read from the input, a pointwise conv), then the packing and
// the passes over blocks of four channels. Literal sizes give literal loop
// bounds; the depth's parity and the channel count's remainder are fixed in
// the text either way (layers differing in them do not share a body).
std::string BlockLoop(const ConvShape& s, const Sizes& z, const dsp::DspRequant& rq, const std::string& gather) {
  const int64_t k = s.depth();
  const bool lit = z.literal;
  std::string b = "int8_t* o = out0;\n";
  b += "for (int p = 0; p < " + z.pixels + "; p += 2, o += " + (lit ? S(2 * s.out_c) : "2 * " + z.cout) + ") {\n";
  std::string blk;
  if (z.odd) blk += "const int two = p + 1 < " + z.pixels + ";  /* the block has a 2nd pixel */\n";
  blk += "int8_t* const ob = " + (z.odd ? "two ? o + " + z.cout + " : o" : "o + " + z.cout) +
         ";  /* pixel b's outputs (a lone last pixel: stored twice) */\n";
  if (gather.empty()) {
    blk += "const int8_t* const xa = in0 + p * " + z.depth + ";\n";
    blk += "const int8_t* const xb = " + (z.odd ? "two ? xa + " + z.depth + " : xa" : "xa + " + z.depth) + ";\n";
  } else {
    blk += gather;
  }
  blk += "{  /* pack the block: x_a + x_b * 2^23 per tap */\n  int j;\n  for (j = 0; j < " + z.depth +
         "; ++j) xs[j] = (int32_t)xa[j] + (int32_t)xb[j] * 8388608;\n}\n";

  std::string pass;  // one block of four channels
  pass += "int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;\n";
  pass += rq.BlockSetup("c");
  pass += "const int32_t* xp = xs;\n";
  const int64_t pairs = k / 2;
  const std::string two_taps = Reindent(Tap() + Tap(), 2);
  if (!lit) pass += "for (int j = " + z.depth + " >> 1; j != 0; --j) {  /* two taps per pass */\n" + two_taps + "}\n";
  else if (pairs > 1) pass += "for (int j = " + S(pairs) + "; j != 0; --j) {  /* two taps per pass */\n" + two_taps + "}\n";
  else if (pairs == 1) pass += Tap() + Tap();
  if (k % 2 == 1) pass += Tap();
  for (int u = 0; u < kBlock; ++u) {
    const std::string us = S(u), ch = u == 0 ? std::string("c") : "c + " + us;
    std::string st = "{  /* channel " + ch + ": pixel a's sum is the low 23 bits, pixel b's the rest */\n";
    st += "  const int32_t sa = (int32_t)((uint32_t)s" + us + " << 9) >> 9;\n";
    st += "  const int32_t sb = (int32_t)((s" + us + " - sa) >> 23);\n";
    st += "  const uint32_t i0 = (uint32_t)" + z.inits + "[" + ch + "];\n";
    st += Reindent(rq.Store("o[" + ch + "]", "(int32_t)(i0 + (uint32_t)sa)", ch, u), 2);
    st += Reindent(rq.Store("ob[" + ch + "]", "(int32_t)(i0 + (uint32_t)sb)", ch, u), 2) + "}\n";
    if (u >= s.out_c % kBlock && s.out_c % kBlock != 0) st = "if (" + ch + " < " + z.cout + ") " + st;
    pass += st;
  }
  const std::string oc4 = lit ? S((s.out_c + kBlock - 1) / kBlock * kBlock) : z.cout;
  blk += "{\n  const int8_t* wp = " + z.weights + ";\n  for (int c = 0; c < " + oc4 + "; c += " + S(kBlock) +
         ") {\n" + Reindent(pass, 4) + "  }\n}\n";
  return b + Reindent(blk, 2) + "}\n";
}

// The body shared by pointwise layers: sizes and tables are the parameters
// pixels, cout, depth, wts, inits and the requantization tables
// (DspRequant::ShareTables).
std::string SharedDirectBody(const ConvShape& s, dsp::DspRequant* rq) {
  rq->ShareTables();
  const Sizes z{"pixels", "cout", "depth", "wts", "inits", true, false};
  return Reindent("int32_t* const xs = (int32_t*)scratch;\n" + BlockLoop(s, z, *rq, ""), 2);
}

// The shared body of node `index` of `g` for `target`, "" when the node is
// not a pointwise conv2d this variant handles.
std::string SharedDirectBodyOf(const ir::Graph& g, size_t index, const Target& target) {
  const ir::Node& n = g.nodes[index];
  if (n.op != ir::OpKind::kConv2D) return "";
  ConstPool unused("unused");
  const KernelContext ctx{g, n, index, "f", unused, target};
  ConvShape s;
  dsp::DspRequant rq;
  if (!Conv2DApplies(ctx) || !dsp::GetConvShape(ctx, &s) || !s.pointwise() ||
      !rq.Init(ctx, s.out_c, ops::MultiplierFormula::kDouble).ok())
    return "";
  return SharedDirectBody(s, &rq);
}

}  // namespace

bool Conv2DApplies(const KernelContext& ctx) {
  ConvShape s;
  if (!ctx.target.has_smlal || !dsp::GetConvShape(ctx, &s) || !CheckConstOperands(ctx).ok()) return false;
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  if (g.tensor(n.inputs[0]).dtype != ir::DType::kInt8 || g.tensor(n.inputs[1]).dtype != ir::DType::kInt8 ||
      g.tensor(n.outputs[0]).dtype != ir::DType::kInt8)
    return false;
  if (g.tensor(n.inputs[1]).shape[3] != s.in_c || s.depth() > dsp::kMaxIm2colDepth || s.out_c <= 0) return false;
  const std::vector<int8_t> w = Int8Data(g, n.inputs[1]);
  const int64_t k = s.depth();
  if (static_cast<int64_t>(w.size()) != s.out_c * k) return false;
  for (int64_t c = 0; c < s.out_c; ++c) {
    int64_t sum = 0;
    for (int64_t j = 0; j < k; ++j) sum += std::abs(static_cast<int>(w[static_cast<size_t>(c * k + j)]));
    if (128 * sum > kPairBound) return false;
  }
  return true;
}

Expected<Kernel> EmitConv2D(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  ConvShape s;
  if (!dsp::GetConvShape(ctx, &s)) return EmitError(ctx, "has an unsupported shape for the v7-M conv2d");
  dsp::DspRequant rq;
  EMBER_RETURN_IF_ERROR(rq.Init(ctx, s.out_c, ops::MultiplierFormula::kDouble));
  const int32_t zin = rq.params().input_zp;
  const int64_t k = s.depth(), k4 = s.padded_depth();
  const int64_t pixels = s.batch * s.out_h * s.out_w, hw = s.out_h * s.out_w;
  const int64_t oc4 = (s.out_c + kBlock - 1) / kBlock * kBlock;
  const bool direct = s.pointwise();

  // A body shared with another pointwise layer of the graph (same text, same share group), or literals.
  const std::string mine = SharedDirectBodyOf(g, ctx.node_index, ctx.target);
  const bool shared = AnotherLayerHasBody(ctx, mine, [&](size_t i) { return SharedDirectBodyOf(g, i, ctx.target); });

  const std::vector<int8_t> w = Int8Data(g, n.inputs[1]);
  std::vector<int32_t> init = FoldZeroPoints(w, BiasData(g, n, s.out_c), s.out_c, k, zin, 0);
  init.resize(static_cast<size_t>(oc4), 0);
  const std::string wt = ctx.consts.AddInt8(n.name + "_w_pairs", PackPairWeights(w, s.out_c, k));
  const std::string it = ctx.consts.AddInt32(n.name + "_init", init);

  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  std::string code = "/* conv2d '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
                     TypeString(g, n.outputs[0]) + ", filter " + S(s.k_h) + "x" + S(s.k_w) + ", stride " +
                     S(s.w.stride_h) + "x" + S(s.w.stride_w);
  if (s.w.dilation_h > 1 || s.w.dilation_w > 1) code += ", dilation " + S(s.w.dilation_h) + "x" + S(s.w.dilation_w);
  code += ", pad " + PadString(s.w) + ", act " + ops::DescribeActivation(s.w.act) + (has_bias ? "" : ", no bias") +
          "\n   " + rq.Describe() + "; init = bias - z_in * sum(w)\n" +
          "   v7-M (SMLAL): " + (direct ? std::string("rows read from the input") : "im2col rows in scratch") +
          ", two pixels per word x_a + x_b * 2^23 (K " + S(k) +
          "),\n   4 channels per pass, one SMLAL per weight for both pixels; every channel's\n"
          "   128 * sum(|w|) < 2^22, so the low 23 bits of the 64-bit sum are pixel a's" +
          (shared ? std::string(";\n   in a body shared by the layers with the same text") : "") + ".\n"
          "   Access order: pixels in raster order (batch, oy, ox) in blocks of 2; a block's outputs\n"
          "   are written after all its input pixels were read. */\n";

  // Scratch: [col8: 2 x k4 int8, gathered taps] [xs: K int32 words].
  const int64_t col8_bytes = direct ? 0 : 2 * k4;
  const int64_t scratch = col8_bytes + 4 * k;
  Kernel kernel;
  kernel.scratch_bytes = scratch;
  if (shared) {
    std::vector<SharedParam> params = {{"int pixels", S(pixels)}, {"int cout", S(s.out_c)}, {"int depth", S(k)},
                                       {"const int8_t* wts", wt}, {"const int32_t* inits", it}};
    for (const SharedParam& t : rq.ShareTables()) params.push_back(t);
    kernel.code = code + SharedKernel("ember_conv_", "conv2d", ctx.fn_name, KernelParams(ctx, scratch), mine,
                                      params, "EMBER_NOINLINE ", ShareGroupOf(ctx, ctx.node_index));
    return kernel;
  }
  const std::string im2col = ctx.fn_name + "_im2col";
  if (!direct) code += dsp::Im2colFunction(s, im2col, zin);
  const Sizes z{S(pixels), S(s.out_c), S(k), wt, it, pixels % 2 == 1, true};
  std::string b;
  if (!direct) b += "int8_t* const col8 = (int8_t*)scratch;\n";
  b += "int32_t* const xs = (int32_t*)(scratch + " + S(col8_bytes) + ");\n";
  std::string gather;
  if (!direct) {
    gather += std::string("{\n  int q;\n  for (q = 0; q < ") + (z.odd ? "1 + two" : "2") + "; ++q) {\n";
    gather += "    const int i = (p + q) % " + S(hw) + ";\n";
    gather += "    " + im2col + "(in0 + (p + q) / " + S(hw) + " * " + S(s.in_h * s.in_w * s.in_c) + ", i / " +
              S(s.out_w) + ", i % " + S(s.out_w) + ", col8 + q * " + S(k4) + ");\n  }\n}\n";
    gather += "const int8_t* const xa = col8;\n";
    gather += "const int8_t* const xb = " + (z.odd ? "two ? col8 + " + S(k4) + " : col8" : "col8 + " + S(k4)) + ";\n";
  }
  b += BlockLoop(s, z, rq, direct ? "" : gather);
  kernel.code = code + "EMBER_NOINLINE static void " + ctx.fn_name + "(" + KernelParams(ctx, scratch) + ") {\n" +
                Reindent(b, 2) + "}\n";
  return kernel;
}

}  // namespace ember::codegen::c::v7m
