// fully_connected for cortex-m3 (no SIMD): int8 input and weights,
// per-tensor (with any filter zero point) or per-channel. Bit-exact with
// ops/fully_connected.cc.
//
// For each input row, units are taken in blocks of four (the weight table
// of dsp::PackWeights, padded with zero units; padded units are never
// stored). Per group of four inputs, one 32-bit load reads the row's four
// int8 and SXTB (ROR 8 / 16, ASR 24) splits them once for the block; each
// unit's weight word is split the same way and four MLAs add its products:
// per sixteen multiply-accumulates 5 + 4 * 9 instructions, where the
// portable loop spends 3.5 per one. A last group of one to three inputs is
// assembled byte by byte (nothing is read past the row). acc starts at
// init[u] = bias[u] - z_in * sum(w[u]) + depth * z_w * z_in (compile time)
// and adds in uint32 (wrapping like the reference); a per-tensor filter zero
// point adds the row's -z_w * sum(x) in the store. Requantization: the DSP
// kernels' (ember_requant_rs when the multipliers allow).
// Access order (for the memory planner): rows in order; row r's input is read
// again for every block of units while row r's outputs are being written.
#include <string>
#include <vector>

#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "codegen/c/kernels/v7m/kernels.h"
#include "ops/conv_util.h"

namespace ember::codegen::c::v7m {
namespace {

std::string S(int64_t v) { return std::to_string(v); }

constexpr int kUnits = 4;

// One group of four inputs: `word` is the C expression of the row's word.
std::string Group(const std::string& word, bool advance) {
  std::string s = "{\n  const uint32_t xw = (uint32_t)" + word + ";\n";
  if (advance) s += "  xq += 4;\n";
  s += "  const int32_t x0 = " + Lane("xw", 0) + ", x1 = " + Lane("xw", 1) + ", x2 = " + Lane("xw", 2) +
       ", x3 = " + Lane("xw", 3) + ";\n";
  for (int u = 0; u < kUnits; ++u) {
    s += "  {\n    const uint32_t w = (uint32_t)wp[" + S(u) + "];\n";
    for (int k = 0; k < 4; ++k)
      s += "    a" + S(u) + " = ember_mla(x" + S(k) + ", " + Lane("w", k) + ", a" + S(u) + ");\n";
    s += "  }\n";
  }
  return s + "  wp += " + S(kUnits) + ";\n}\n";
}

}  // namespace

bool FullyConnectedApplies(const KernelContext& ctx) {
  // The DSP variant's conditions: int8 operands, 2-d constant weights, a row
  // sum far from int32's limits for the z_w term.
  return ctx.target.has_smlal && dsp::FullyConnectedApplies(ctx);
}

Expected<Kernel> EmitFullyConnected(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  EMBER_ASSIGN_OR_RETURN(const FcShape fs, GetFcShape(ctx));
  const int64_t units = fs.units, depth = fs.depth, batches = fs.batches;
  const bool has_bias = fs.has_bias;
  const ops::Activation act = fs.act;
  dsp::DspRequant rq;
  int32_t zin = 0, zw = 0;
  EMBER_RETURN_IF_ERROR(InitFcRequant(ctx, units, &rq, &zin, &zw));
  const std::vector<int8_t> w = Int8Data(g, n.inputs[1]);
  const int64_t u4 = (units + kUnits - 1) / kUnits * kUnits;
  std::vector<int32_t> init = FoldZeroPoints(w, BiasData(g, n, units), units, depth, zin, zw);
  init.resize(static_cast<size_t>(u4), 0);
  const std::string wtab = ctx.consts.AddInt32(n.name + "_w_words", dsp::PackWeights(w, units, depth, kUnits));
  const std::string itab = ctx.consts.AddInt32(n.name + "_init", init);

  std::string code = "/* fully_connected '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
                     TypeString(g, n.outputs[0]) + ", " + S(batches) + " x [" + S(depth) + "] -> [" + S(units) +
                     "], act " + ops::DescribeActivation(act) + (has_bias ? "" : ", no bias") + "\n   " +
                     rq.Describe() + (zw ? ", z_w " + S(zw) : "") + "; init = bias - z_in * sum(w)" +
                     (zw ? " + depth * z_w * z_in" : "") +
                     "\n   v7-M: 1 row x 4 units per pass, a word of four inputs and one of each unit's\n"
                     "   weights per group, SXTB and MLA.\n"
                     "   Access order: rows in order; a row's input is read until its last output is "
                     "written. */\n";
  code += "EMBER_NOINLINE static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n";
  std::string row = "const int8_t* const x = in0 + r * " + S(depth) + ";\n";
  row += "int8_t* const o = out0 + r * " + S(units) + ";\n";
  if (zw != 0) row += "int32_t xsum = 0;\nfor (int d = 0; d < " + S(depth) + "; ++d) xsum += x[d];\n";
  std::string pass = "uint32_t a0 = (uint32_t)" + itab + "[c]";
  for (int u = 1; u < kUnits; ++u) pass += ", a" + S(u) + " = (uint32_t)" + itab + "[c + " + S(u) + "]";
  pass += ";\n";
  pass += rq.BlockSetup("c");
  pass += "const int8_t* xq = x;\n";
  const int64_t full = depth / 4, partial = depth % 4;
  if (full > 1) pass += "for (int i = " + S(full) + "; i != 0; --i) " + Group("ember_read_s8x4(xq)", true);
  else if (full == 1) pass += Group("ember_read_s8x4(xq)", true);
  if (partial > 0) pass += Group(dsp::PartialWord(0, partial), false);
  for (int u = 0; u < kUnits; ++u) {
    const std::string ch = u ? "c + " + S(u) : std::string("c");
    std::string a = "(int32_t)a" + S(u);
    if (zw != 0) a = "ember_wrap_add(" + a + ", ember_wrap_mul(" + CInt(-int64_t{zw}) + ", xsum))";
    std::string st = rq.Store("o[" + ch + "]", a, ch, u);
    if (u >= units % kUnits && units % kUnits != 0) st = "if (" + ch + " < " + S(units) + ") " + st;
    pass += st;
  }
  row += "const int32_t* wp = " + wtab + ";\nfor (int c = 0; c < " + S(u4) + "; c += " + S(kUnits) + ") {\n" +
         Reindent(pass, 2) + "}\n";
  const std::string b = "for (int r = 0; r < " + S(batches) + "; ++r) {\n" + Reindent(row, 2) + "}\n";
  code += Reindent(b, 2) + "}\n";
  Kernel k;
  k.code = code;
  return k;
}

}  // namespace ember::codegen::c::v7m
