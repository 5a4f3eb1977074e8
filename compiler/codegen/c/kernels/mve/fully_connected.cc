// fully_connected, int8, Helium (cortex-m55): the batches are the rows of the
// MVE matrix product of gemm_s8 (blocks of 2 rows, 4 units per pass,
// VMLADAVA.S8, vector requantization), read straight from the input. init[u] = bias[u] -
// z_in * sum(w[u]) + depth * z_w * z_in at compile time; a per-tensor filter
// zero point adds -z_w * sum(x) per row (VADDVA.S8), exact since int32 sums
// wrap; bit-exact with ops/fully_connected.cc.
//
// Schedule (FullyConnectedSpace, docs/tuning.md): rows per block and chunks
// per pass of the depth loop (gemm_s8.h); the default point is the kernel above.
//
// Access order: rows (batches) ascending in blocks of 2 (the last may be 1;
// schedule rows=1: blocks of 1); a block's outputs are written while its
// inputs are still being read (no staging: FC needs no scratch), so they must
// not overlap the block's inputs.
#include <string>
#include <vector>

#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/mve/gemm_s8.h"
#include "codegen/c/kernels/mve/kernels.h"

namespace ember::codegen::c::mve {

bool FullyConnectedApplies(const KernelContext& ctx) {
  if (!CheckConstOperands(ctx).ok()) return false;
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& wt = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  if (in.dtype != ir::DType::kInt8 || wt.dtype != ir::DType::kInt8 || out.dtype != ir::DType::kInt8)
    return false;
  if (wt.shape.size() != 2 || wt.shape[1] <= 0 || !wt.quant) return false;
  return in.num_elements() % wt.shape[1] == 0 && in.num_elements() < (int64_t{1} << 28) &&
         wt.num_elements() < (int64_t{1} << 24);
}

std::optional<ScheduleSpace> FullyConnectedSpace(const KernelContext& ctx) {
  ScheduleSpace sp;
  sp.kernel = "mve.fully_connected";
  const int64_t depth = ctx.graph.tensor(ctx.node.inputs[1]).shape[1];
  sp.knobs = GemmS8Knobs(depth, "rows");
  sp.default_point = GemmS8Default(depth, "rows");
  sp.size_point = GemmS8Size("rows");
  return sp;
}

Expected<Kernel> EmitFullyConnected(const KernelContext& ctx) {
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  EMBER_ASSIGN_OR_RETURN(const FcShape fs, GetFcShape(ctx));
  const int64_t units = fs.units, depth = fs.depth, batches = fs.batches;
  const bool has_bias = fs.has_bias;
  const ops::Activation act = fs.act;
  Requant rq;
  ConstPool unused("unused");
  int32_t zin = 0, zw = 0;
  EMBER_RETURN_IF_ERROR(InitFcRequant(RequantContext(ctx, &unused), units, &rq, &zin, &zw));
  GemmS8 gm;
  gm.rows = batches;
  gm.depth = depth;
  gm.units = units;
  gm.weights = Int8Data(g, n.inputs[1]);
  gm.rq = rq.params();
  gm.init = FoldZeroPoints(gm.weights, BiasData(g, n, units), units, depth, zin, zw);
  gm.row_sum_mult = ops::WrapMul(-1, zw);
  gm.stage = false;
  ApplyGemmS8Schedule(ScheduleOf(ctx, ctx.node_index), "rows", &gm);
  gm.comment = "/* fully_connected '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
               TypeString(g, n.outputs[0]) + ", " + std::to_string(batches) + " x [" +
               std::to_string(depth) + "] -> [" + std::to_string(units) + "], act " +
               ops::DescribeActivation(act) + (has_bias ? "" : ", no bias") + "\n   " + rq.Describe() +
               (zw ? ", z_w " + std::to_string(zw) : "") + "; init = bias - z_in * sum(w)" +
               (zw ? " + depth * z_w * z_in, plus -z_w * sum(x) per row" : "") +
               "\n   Helium: blocks of " + std::to_string(gm.block_rows) + (gm.block_rows == 1 ? " row" : " rows") + ", 4 units per pass (VMLADAVA.S8), vector requantization.\n"
               "   Access order: rows in ascending order in blocks of " + std::to_string(gm.block_rows) + "; a block's outputs are\n"
               "   written while its inputs are still being read (no overlap with them). */\n";
  return EmitGemmS8(ctx, gm);
}

}  // namespace ember::codegen::c::mve
