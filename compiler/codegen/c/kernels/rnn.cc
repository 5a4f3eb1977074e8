// rnn: C kernel for a whole simple RNN sequence (the semantics are in
// ops/rnn.cc). The hidden state (`in5`) is a variable in the model's state
// region, updated in place, so it carries over to the next run.
//
// Row by row of each step, as the reference: every unit's new state into the
// scratch (each reads the old state), then the state and the output. Sums
// start at 0 and add in index order, then the bias.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "codegen/c/kernels/recurrent_emit_util.h"
#include "ops/op_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  const ir::Tensor& h = g.tensor(n.inputs[5]);
  const bool time_major = n.GetInt("time_major", 0) == 1;
  const std::string act = n.GetString("activation", "tanh");
  const int64_t batch = h.shape[0], units = h.shape[1], input = x.shape[2];
  const int64_t steps = time_major ? x.shape[0] : x.shape[1];
  const int64_t rows = time_major ? batch : 1;
  const std::string U = std::to_string(units), I = std::to_string(input), R = std::to_string(rows);
  const int64_t scratch = units * 4;
  std::vector<std::string> details{std::string(time_major ? "time major" : "batch major") + ", batch " +
                                       std::to_string(batch) + ", " + std::to_string(steps) + " steps, input " + I +
                                       ", " + U + " units",
                                   "activation " + act};
  const std::string w = OperandName(ctx, 1), r = OperandName(ctx, 2), wb = OperandName(ctx, 3),
                    rb = OperandName(ctx, 4);
  std::string body;
  body += "  float* next = (float*)scratch; /* [units]: the new state */\n";
  body += "  int32_t rr, u, i;\n";
  const RecurrentLoop loop =
      RecurrentStepLoop(time_major, batch, steps, input, units, "float", OperandName(ctx, 0), {{"float", "h", "in5"}});
  body += loop.decl + loop.open;
  body += FloatRowLoopOpen(rows, input, units);
  body += "      for (u = 0; u < " + U + "; ++u) {\n";
  body += "        float s1 = 0.0f, s2 = 0.0f, v;\n";
  body += "        for (i = 0; i < " + I + "; ++i) s1 += xr[i] * " + w + "[u * " + I + " + i];\n";
  body += "        for (i = 0; i < " + U + "; ++i) s2 += hr[i] * " + r + "[u * " + U + " + i];\n";
  body += "        v = (s1 + " + wb + "[u]) + (s2 + " + rb + "[u]);\n";
  body += "        next[u] = " +
          std::string(act == "tanh"   ? "tanhf(v)"
                      : act == "relu" ? "v < 0.0f ? 0.0f : v"
                                      : FloatLogisticExpr("v")) +
          ";\n";
  body += "      }\n";
  body += FloatRowLoopClose(units);
  body += loop.close;
  Kernel k;
  k.scratch_bytes = scratch;
  k.code = FunctionHead(ctx, details, scratch) + body + "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kRnnEmitter = {ir::OpKind::kRnn, Emit};

}  // namespace ember::codegen::c
