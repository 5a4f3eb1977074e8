// fully_connected: C emitter. Weights [units, depth] compiled in as a const
// table; the input is read as [batches, depth].
//
// int8 (bit-exact with ops/fully_connected.cc): acc = init[u] + sum(w * x)
// with init[u] = bias[u] - z_in * sum(w[u]) + depth * z_w * z_in computed at
// compile time, and, for a per-tensor filter with a non-zero zero point, the
// runtime term -z_w * sum(x) per row (exact: int32 sums wrap). Multipliers use
// the per-tensor float-product or per-channel double formula of the reference.
// f32 sums over depth ascending from +0, then adds the bias (EmitFloatGemm2x4:
// two rows by four units per pass, so each loaded input feeds four products).
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/conv_int16.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "codegen/c/kernels/mve/kernels.h"
#include "codegen/c/kernels/v7m/kernels.h"
#include "ops/conv_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  if (IsInt16ConvLike(ctx)) return EmitFullyConnectedInt16(ctx);  // 16x8, portable on every target
  // Helium first: cortex-m55 has the DSP extension too.
  if (ctx.target.has_mve && mve::FullyConnectedApplies(ctx)) return mve::EmitFullyConnected(ctx);  // int8, VMLADAVA
  if (ctx.target.has_dsp && dsp::FullyConnectedApplies(ctx)) return dsp::EmitFullyConnected(ctx);  // int8, SMLAD
  if (v7m::FullyConnectedApplies(ctx)) return v7m::EmitFullyConnected(ctx);                          // int8, SXTB + MLA
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  EMBER_ASSIGN_OR_RETURN(const FcShape fs, GetFcShape(ctx));
  const int64_t units = fs.units, depth = fs.depth, batches = fs.batches;
  const bool has_bias = fs.has_bias;
  const bool is_float = g.tensor(n.inputs[0]).dtype == ir::DType::kFloat32;
  const ops::Activation act = fs.act;
  std::string comment = "/* fully_connected '" + n.name + "': " + TypeString(g, n.inputs[0]) +
                        " -> " + TypeString(g, n.outputs[0]) + ", " + std::to_string(batches) +
                        " x [" + std::to_string(depth) + "] -> [" + std::to_string(units) +
                        "], act " + ops::DescribeActivation(act) + (has_bias ? "" : ", no bias");
  Gemm gm{is_float ? "float" : "int8_t", batches, depth, units, ctx.consts.Use(g, n.inputs[1]),
          "0.0f", false, "float", ""};
  std::string body;
  if (is_float) {
    const std::string bias = has_bias ? ctx.consts.Use(g, n.inputs[2]) : "";
    comment += " */\n";
    body = EmitFloatGemm2x4(batches, depth, units, gm.weights,
                            [&](const std::string& acc, const std::string& row, const std::string& u) {
                              const std::string v = "v_" + acc;
                              return "const float " + v + " = " + acc + " + " +
                                     (bias.empty() ? std::string("0.0f") : bias + "[" + u + "]") + ";\n" +
                                     FloatClamp(row + "[" + u + "]", v, act);
                            });
  } else {
    Requant rq;
    int32_t zin = 0, zw = 0;
    EMBER_RETURN_IF_ERROR(InitFcRequant(ctx, units, &rq, &zin, &zw));
    const std::vector<int8_t> w = Int8Data(g, n.inputs[1]);
    const std::vector<int32_t> bias = BiasData(g, n, units);
    // bias - z_in * sum(w) + depth * z_w * z_in, wrapping like the reference's sums.
    int64_t bound = 0;
    const std::vector<int32_t> init = FoldZeroPoints(w, bias, units, depth, zin, zw, false, &bound);
    const AccType acc_type = ChooseAcc(bound);
    gm.init = ctx.consts.AddInt32(n.name + "_init", init);
    gm.init_is_table = true;
    gm.acc_type = acc_type.Decl();
    gm.term_cast = acc_type.wrap ? "(uint32_t)" : "";
    std::string per_row;
    if (zw != 0) {
      // sum(x) of a row is at most 128 * depth in magnitude: no overflow below 2^24.
      if (depth >= (int64_t{1} << 24))
        return EmitError(ctx, "depth " + std::to_string(depth) + " is too large for the filter zero point term");
      per_row = "int32_t xsum = 0;\nfor (int d = 0; d < " + std::to_string(depth) +
                "; ++d) xsum += x[d];\n";
    }
    comment += "\n   " + rq.Describe() + (zw ? ", z_w " + std::to_string(zw) : "") +
               "; init = bias - z_in * sum(w)" + (zw ? " + depth * z_w * z_in" : "") + " */\n";
    body = EmitGemm(
        gm,
        [&](const std::string& acc, const std::string& u) {
          std::string a = acc_type.ToInt32(acc);
          if (zw != 0) a = "ember_wrap_add(" + a + ", ember_wrap_mul(" + CInt(-int64_t{zw}) + ", xsum))";
          return rq.Store("o[" + u + "]", a, u);
        },
        per_row);
  }
  Kernel k;
  k.code = comment + "static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n" + body + "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kFullyConnectedEmitter = {ir::OpKind::kFullyConnected, Emit};

}  // namespace ember::codegen::c
