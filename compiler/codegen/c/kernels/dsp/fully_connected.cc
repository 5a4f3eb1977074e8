// fully_connected for DSP cores (cortex-m4, m7, m33): int8 input and weights,
// per-tensor (with any filter zero point) or per-channel. Bit-exact with
// ops/fully_connected.cc.
//
// For each input row, units are taken in blocks of four (the table is padded
// with zero units to a multiple of four; padded units are never stored): one
// SMLAD loop (gemm_s8.h) reads the row a word of four int8 at a time,
// sign-extends it once for the four units (SXTB16 / SXTB16-ROR-8) and
// multiplies it with four weight words packed at compile time in the order
// the loop reads them. acc starts at init[u] = bias[u] - z_in * sum(w[u]) +
// depth * z_w * z_in (compile time); a per-tensor filter zero point adds the
// row's -z_w * sum(x) in the store. Requantization and clamp are fused into
// the store.
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

// Knob defaults (today's choices): four units per block, one group per pass
// (23 instructions per 16 MACs on cortex-m4; two: 45 per 32, for twice the
// code; four: gcc spills), the stores through a loop over the block.
std::optional<ScheduleSpace> FullyConnectedSpace(const KernelContext&) {
  ScheduleSpace sp;
  sp.kernel = "dsp.fully_connected";
  sp.knobs = {{"channels", {1, 2, 4}, "units per inner block (accumulators)"},
              {"unroll", {1, 2, 4}, "groups of four inputs per pass of the inner loop"},
              {"store_loop", {0, 1}, "1: store a block through a loop over its units (less code); 0: unrolled"}};
  sp.default_point.knobs = {{"channels", 4}, {"unroll", 1}, {"store_loop", 1}};
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
  int32_t zin = 0, zw = 0;
  EMBER_RETURN_IF_ERROR(InitFcRequant(ctx, units, &rq, &zin, &zw));
  const std::vector<int8_t> w = Int8Data(g, n.inputs[1]);
  const Schedule sc = ScheduleOf(ctx, ctx.node_index);
  const int64_t sb = sc.Get("channels", 4), su = sc.Get("unroll", 1);
  const int kBlock = sb == 1 || sb == 2 ? static_cast<int>(sb) : 4;
  const int unroll = su == 2 || su == 4 ? static_cast<int>(su) : 1;
  std::vector<int32_t> init = FoldZeroPoints(w, BiasData(g, n, units), units, depth, zin, zw);
  init.resize(static_cast<size_t>((units + kBlock - 1) / kBlock * kBlock), 0);
  const std::string wtab = ctx.consts.AddInt32(n.name + "_w_smlad", PackWeights(w, units, depth, kBlock));
  const std::string itab = ctx.consts.AddInt32(n.name + "_init", init);

  std::string code = "/* fully_connected '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
                     TypeString(g, n.outputs[0]) + ", " + std::to_string(batches) + " x [" +
                     std::to_string(depth) + "] -> [" + std::to_string(units) + "], act " +
                     ops::DescribeActivation(act) + (has_bias ? "" : ", no bias") + "\n   " +
                     rq.Describe() + (zw ? ", z_w " + std::to_string(zw) : "") +
                     "; init = bias - z_in * sum(w)" + (zw ? " + depth * z_w * z_in" : "") +
                     "\n   DSP (SMLAD): 1 row x " + std::to_string(kBlock) + (kBlock == 1 ? " unit" : " units") + " per inner loop, weights packed in loop order.\n"
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
  SmladGemm gm{depth, units, kBlock, 1, unroll, RowSource::kInt8, wtab, itab, "", "x"};
  gm.block_setup = rq.BlockSetup("c");
  gm.store_loop = sc.Get("store_loop", 1) != 0;
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
