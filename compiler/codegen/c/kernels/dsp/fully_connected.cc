// fully_connected for DSP cores (cortex-m4, m7, m33): int8 input and weights,
// per-tensor (with any filter zero point) or per-channel. Bit-exact with
// ops/fully_connected.cc.
//
// For each input row, units are taken in blocks of eight (the biased pair
// form, gemm_s8.h: every layer whose weights keep its sums inside int32) or
// four (the sign-extended form); the table is padded with zero units to a
// multiple of the block, and padded units are never stored. One SMLAD loop
// (gemm_s8.h) reads the row a word of four int8 at a time, makes its two
// int16x2 words once for the block and multiplies them with the block's
// weight words, packed at compile time in the order the loop reads them; for
// blocks of eight over whole groups of four that loop is ember_bp_dot8, an
// assembly function on DSP cores (runtime/include/ember/dsp.h).
// init[u] = bias[u] - z_in * sum(w[u]) + depth * z_w * z_in (compile time;
// the biased form starts its accumulators at the row's term and adds init in
// the store); a per-tensor filter zero point adds the row's -z_w * sum(x) in
// the store. Requantization and clamp are fused into the store.
// Access order (for the memory planner): rows in order; row r's input is read
// again for every block of units while row r's outputs are being written, so
// an output row must not overlap its own input row (earlier rows are done).
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "ops/conv_util.h"

namespace ember::codegen::c::dsp {

bool FullyConnectedApplies(const KernelContext& ctx) {
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  if (n.inputs.size() < 2 || n.outputs.empty() || n.inputs[0] == ir::kNoTensor ||
      n.inputs[1] == ir::kNoTensor || !CheckConstOperands(ctx).ok())
    return false;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& wt = g.tensor(n.inputs[1]);
  if (in.dtype != ir::DType::kInt8 || wt.dtype != ir::DType::kInt8 ||
      g.tensor(n.outputs[0]).dtype != ir::DType::kInt8 || wt.shape.size() != 2 || !wt.quant)
    return false;
  // sum(x) of a row must stay far from int32's limits for the z_w term.
  return wt.shape[0] > 0 && wt.shape[1] > 0 && wt.shape[1] < (int64_t{1} << 24);
}

namespace {

// The multiplier formula of the reference (per-channel: double; per-tensor:
// float product).
ops::MultiplierFormula Formula(const KernelContext& ctx) {
  return ctx.graph.tensor(ctx.node.inputs[1]).quant->scale.size() > 1 ? ops::MultiplierFormula::kDouble
                                                                       : ops::MultiplierFormula::kFloatProduct;
}

// Whether the layer takes the biased pair form (gemm_s8.h): its weights keep
// every sum of a live unit (LiveChannel) inside int32.
bool Biased(const KernelContext& ctx) {
  const ir::Tensor& wt = ctx.graph.tensor(ctx.node.inputs[1]);
  ops::ConvRequant pre;
  const bool known = ops::PrepareConvRequant(ctx.graph, ctx.node, wt.shape[0], Formula(ctx), &pre).ok();
  return BiasedFormFits(Int8Data(ctx.graph, ctx.node.inputs[1]), wt.shape[0], wt.shape[1], known ? &pre : nullptr);
}

// Knob defaults (today's choices). The biased pair form: eight units per
// block where the unit count is a multiple of 8 (else four, so that no table
// is padded with more zero units than before: vww's 2-unit layer would carry
// 1.5 kB of them), one group per pass, unrolled stores. On cortex-m4 per
// group of four inputs 3 instructions load the row word and make its two
// words (LDR, SXTB16, EOR), then per unit half an LDRD, an AND and two
// SMLADs, plus 3 for the loop: 34 per 32 MACs, where four units took 21 per
// 16 (with the row words of 5 instructions: 36, and ad 375,120 -> 317,000
// instructions, 327,000 with the store loop); two groups per pass spill
// (ad 344,160 instead of 298,680). ember_bp_dot8, which takes the loop where
// the depth is a multiple of 4, keeps the loop bound on the stack and runs
// four groups per pass: 31.75 per 32 MACs, plus about 25 per block for the
// call (ad 298,680 -> 284,160). The sign-extended form:
// four units per block, one group per pass (23 per 16 MACs; two: 45 per 32,
// for twice the code; four: gcc spills), the stores through a loop over the
// block.
Schedule DefaultPoint(bool biased, int64_t units) {
  Schedule s;
  s.knobs = {{"channels", biased && units % 8 == 0 ? 8 : 4}, {"unroll", 1}, {"store_loop", biased ? 0 : 1}};
  return s;
}

}  // namespace

std::optional<ScheduleSpace> FullyConnectedSpace(const KernelContext& ctx) {
  ScheduleSpace sp;
  sp.kernel = "dsp.fully_connected";
  sp.knobs = {{"channels", {1, 2, 4, 8}, "units per inner block (accumulators)"},
              {"unroll", {1, 2, 4}, "groups of four inputs per pass of the inner loop"},
              {"store_loop", {0, 1}, "1: store a block through a loop over its units (less code); 0: unrolled"}};
  sp.default_point = DefaultPoint(Biased(ctx), ctx.graph.tensor(ctx.node.inputs[1]).shape[0]);
  // Least memory: the stores through a loop, one group per pass.
  sp.size_point.knobs = {{"unroll", 1}, {"store_loop", 1}, {"channels", 4}};
  return sp;
}

Expected<Kernel> EmitFullyConnected(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  EMBER_ASSIGN_OR_RETURN(const FcShape fs, GetFcShape(ctx));
  const int64_t units = fs.units, depth = fs.depth, batches = fs.batches;
  const bool has_bias = fs.has_bias;
  const ops::Activation act = fs.act;
  DspRequant rq;
  GemmLayer layer;
  EMBER_RETURN_IF_ERROR(PrepareGemmLayer(ctx, units, depth, Formula(ctx), true, &rq, &layer));
  const int32_t zw = layer.zw;
  const bool biased = layer.biased;
  const std::vector<int8_t>& w = layer.w;
  std::vector<int32_t>& init = layer.init;
  const Schedule def = DefaultPoint(biased, units), sc = ScheduleOf(ctx, ctx.node_index);
  const int64_t sb = sc.Get("channels", def.Get("channels", 4)), su = sc.Get("unroll", 1);
  const int kBlock = sb == 1 || sb == 2 || sb == 4 || sb == 8 ? static_cast<int>(sb) : static_cast<int>(def.Get("channels", 4));
  const int unroll = su == 2 || su == 4 ? static_cast<int>(su) : 1;
  init.resize(static_cast<size_t>((units + kBlock - 1) / kBlock * kBlock), 0);
  const std::string wtab = ctx.consts.AddInt32(
      n.name + "_w_smlad", biased ? PackBiasedWeights(w, units, depth, kBlock) : PackWeights(w, units, depth, kBlock));
  const std::string itab = ctx.consts.AddInt32(n.name + "_init", init);

  SmladGemm gm{depth, units, kBlock, 1, unroll, RowSource::kInt8, wtab, itab, "", "x"};
  gm.biased = biased;
  const bool dot8 = UsesDot8(gm);
  std::string code = "/* fully_connected '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
                     TypeString(g, n.outputs[0]) + ", " + std::to_string(batches) + " x [" +
                     std::to_string(depth) + "] -> [" + std::to_string(units) + "], act " +
                     ops::DescribeActivation(act) + (has_bias ? "" : ", no bias") + "\n   " +
                     rq.Describe() + (zw ? ", z_w " + std::to_string(zw) : "") +
                     "; init = bias - z_in * sum(w)" + (zw ? " + depth * z_w * z_in" : "") +
                     "\n   DSP (SMLAD): 1 row x " + std::to_string(kBlock) + (kBlock == 1 ? " unit" : " units") +
                     (dot8 ? " per call of ember_bp_dot8" : " per inner loop") + ", weights packed in loop order" +
                     (biased ? std::string(" (biased pair form, ember_bp_*") +
                                   (rq.doubled() ? "; SMMULR/SMMLAR requantization)" : ")")
                             : std::string()) +
                     ".\n"
                     "   Access order: rows in order; a row's input is read until its last output is "
                     "written. */\n";
  code += "EMBER_NOINLINE static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n";
  std::string b = "for (int r = 0; r < " + std::to_string(batches) + "; ++r) {\n";
  std::string row = "const int8_t* const x = in0 + r * " + std::to_string(depth) + ";\n";
  row += "int8_t* const o = out0 + r * " + std::to_string(units) + ";\n";
  if (zw != 0) {
    row += "int32_t xsum = 0;\nfor (int d = 0; d < " + std::to_string(depth) +
           "; ++d) xsum += x[d];\n";
  }
  if (biased) {
    // The accumulators' start: -32768 times the sum of the row's odd lanes.
    const int64_t full = depth / 4, part = depth % 4;
    row += "int32_t nx = 0;\n{\n  const int8_t* xq = x;\n";
    if (full > 0)
      row += "  for (int i = 0; i < " + std::to_string(full) +
             "; ++i, xq += 4) nx = ember_bp_start(ember_read_s8x4(xq), nx);\n";
    if (part > 0) row += "  nx = ember_bp_start(" + PartialWord(0, part) + ", nx);\n";
    row += "}\n";
    gm.doubled = rq.doubled();
    gm.start = {"nx"};
  }
  gm.block_setup = rq.BlockSetup("c");
  gm.store_loop = sc.Get("store_loop", def.Get("store_loop", 1)) != 0;
  row += EmitSmladGemm(
      gm,
      [&](const std::string& acc, int, const std::string& ch, int u) {
        std::string a = acc;
        if (zw != 0) a = "ember_wrap_add(" + a + ", ember_wrap_mul(" + CInt(-int64_t{zw}) + ", xsum))";
        return rq.Store("o[" + ch + "]", a, ch, u);
      },
      [](int) { return std::string(); });
  b += Reindent(row, 2) + "}\n";
  code += Reindent(b, 2) + "}\n";
  Kernel k;
  k.code = code;
  return k;
}

}  // namespace ember::codegen::c::dsp
