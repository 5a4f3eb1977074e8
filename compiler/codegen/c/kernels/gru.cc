// gru: C kernel for a whole GRU sequence (the semantics are in
// ops/gru.cc). The hidden state (`in13`) is a variable in the model's state
// region, updated in place, so it carries over to the next run.
//
// Row by row of each step, as the reference: the update and reset gates of
// every unit, then the candidate and the new hidden state into the scratch
// (every unit reads the old state), then the state and the output. Sums
// start at 0 and add in index order, then the bias; sigmoid is logistic's
// float formula, tanh tanhf.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "codegen/c/kernels/recurrent_emit_util.h"
#include "ops/op_util.h"

namespace ember::codegen::c {
namespace {

constexpr size_t kX = 0, kInputWeights = 1, kRecurrentWeights = 4, kInputBias = 7, kRecurrentBias = 10;

// `static const float* const <name>[3] = {...};` over the three gates.
std::string GateArray(const KernelContext& ctx, const std::string& name, size_t first) {
  return "  static const float* const " + name + "[3] = {" + OperandName(ctx, first) + ", " +
         OperandName(ctx, first + 1) + ", " + OperandName(ctx, first + 2) + "};\n";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& x = g.tensor(n.inputs[kX]);
  const ir::Tensor& h = g.tensor(n.inputs[13]);
  const bool time_major = n.GetInt("time_major", 0) == 1;
  const bool lbr = n.GetInt("linear_before_reset", 0) == 1;
  const int64_t batch = h.shape[0], units = h.shape[1], input = x.shape[2];
  const int64_t steps = time_major ? x.shape[0] : x.shape[1];
  const int64_t rows = time_major ? batch : 1;
  const std::string U = std::to_string(units), I = std::to_string(input), R = std::to_string(rows);
  const int64_t scratch = 4 * units * 4;
  std::vector<std::string> details{
      std::string(time_major ? "time major" : "batch major") + ", batch " + std::to_string(batch) + ", " +
          std::to_string(steps) + " steps, input " + I + ", " + U + " units; gates update, reset, hidden",
      std::string("linear_before_reset ") + (lbr ? "1: r * (R_h h + Rb_h)" : "0: R_h (r * h) + Rb_h")};

  std::string body;
  body += "  float* z = (float*)scratch; /* [units] each: update gate, reset gate, r * h, new state */\n";
  body += "  float* r = z + " + U + ";\n  float* rh = r + " + U + ";\n  float* next = rh + " + U + ";\n";
  body += GateArray(ctx, "w_in", kInputWeights) + GateArray(ctx, "w_rec", kRecurrentWeights);
  body += GateArray(ctx, "b_in", kInputBias) + GateArray(ctx, "b_rec", kRecurrentBias);
  body += "  int32_t g, rr, u, i;\n";
  const RecurrentLoop loop =
      RecurrentStepLoop(time_major, batch, steps, input, units, "float", OperandName(ctx, kX), {{"float", "h", "in13"}});
  body += loop.decl + loop.open;
  body += FloatRowLoopOpen(rows, input, units);
  body += "      /* the update and reset gates */\n";
  body += "      for (g = 0; g < 2; ++g) {\n";
  body += "        for (u = 0; u < " + U + "; ++u) {\n";
  body += "          float s1 = 0.0f, s2 = 0.0f, v;\n";
  body += "          for (i = 0; i < " + I + "; ++i) s1 += xr[i] * w_in[g][u * " + I + " + i];\n";
  body += "          for (i = 0; i < " + U + "; ++i) s2 += hr[i] * w_rec[g][u * " + U + " + i];\n";
  body += "          v = (s1 + b_in[g][u]) + (s2 + b_rec[g][u]);\n";
  body += "          (g == 0 ? z : r)[u] = " + FloatLogisticExpr("v") + ";\n";
  body += "        }\n      }\n";
  body += "      for (u = 0; u < " + U + "; ++u) rh[u] = r[u] * hr[u];\n";
  body += "      /* the candidate state and the new state */\n";
  body += "      for (u = 0; u < " + U + "; ++u) {\n";
  body += "        float s1 = 0.0f, s2 = 0.0f, nv;\n";
  body += "        for (i = 0; i < " + I + "; ++i) s1 += xr[i] * w_in[2][u * " + I + " + i];\n";
  body += "        for (i = 0; i < " + U + "; ++i) s2 += " + std::string(lbr ? "hr" : "rh") + "[i] * w_rec[2][u * " + U +
          " + i];\n";
  body += lbr ? "        nv = tanhf((s1 + b_in[2][u]) + r[u] * (s2 + b_rec[2][u]));\n"
              : "        nv = tanhf((s1 + b_in[2][u]) + (s2 + b_rec[2][u]));\n";
  body += "        next[u] = (1.0f - z[u]) * nv + z[u] * hr[u];\n";
  body += "      }\n";
  body += FloatRowLoopClose(units);
  body += loop.close;
  Kernel k;
  k.scratch_bytes = scratch;
  k.code = FunctionHead(ctx, details, scratch) + body + "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kGruEmitter = {ir::OpKind::kGru, Emit};

}  // namespace ember::codegen::c
