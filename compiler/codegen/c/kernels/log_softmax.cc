// log_softmax: C kernel for x − max − log(Σ exp(x − max)) over the last axis,
// one row at a time (docs/numerics.md, "log_softmax").
//
// float32: the maximum; the sum of expf(x − max) in order; then
// (x − max) − logf(sum), as the reference.
//
// int8: TFLite Micro's fixed-point algorithm with the device twins in
// ember/fixed_point.h: the maximum; the Q12.19 sum of
// Rdbpot(exp(Mbqm(d, M, s)), 12) over the differences d >= diff_min; its log
// in Q5.26 (ember_log_x_ge_1); then per element, when d exceeds the adjusted
// minimum, clamp(Rdbpot(Mbqm(d, M, s) − log, 22) + 127), else −128. M, s,
// the reverse multiplier and diff_min are literals (ops/log_softmax_util.h).
// Element c of a row is read for the last time just before it is written,
// so the kernel may run in place.
#include <limits>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/log_softmax_util.h"

namespace ember::codegen::c {
namespace {

std::string FloatBody(const std::string& d) {
  std::string s;
  s += "    float max_value = " + CFloat(std::numeric_limits<float>::lowest()) + ";\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) if (x[c] > max_value) max_value = x[c];\n";
  s += "    float sum = 0.0f;\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) sum = expf(x[c] - max_value) + sum;\n";
  s += "    const float log_sum = logf(sum);\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) y[c] = (x[c] - max_value) - log_sum;\n";
  return s;
}

std::string Int8Body(const ops::logsoftmax::Int8Params& p, const std::string& d) {
  const std::string scaled =
      "ember_mbqm(diff, " + CInt(p.input.multiplier) + ", " + std::to_string(p.input.shift) + ")";
  std::string s;
  s += "    int32_t max_value = -128, sum = 0, log_sum, adjusted;\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) if (x[c] > max_value) max_value = x[c];\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) {\n";
  s += "      const int32_t diff = x[c] - max_value;\n";
  s += "      if (diff >= " + CInt(p.diff_min) + ") sum = ember_wrap_add(sum, ember_rdbpot(ember_exp_on_negative_values(" +
       scaled + ", 5), 12));  /* Q12.19 */\n";
  s += "    }\n";
  s += "    log_sum = ember_log_x_ge_1(sum, 12, 5);  /* Q5.26 */\n";
  s += "    adjusted = ember_mbqm(ember_wrap_add(log_sum, INT32_MIN), " + CInt(p.reverse.multiplier) + ", " +
       std::to_string(p.reverse.shift) + ");\n";
  s += "    if (adjusted < " + CInt(int64_t{p.diff_min} - 1) + ") adjusted = " + CInt(int64_t{p.diff_min} - 1) + ";\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) {\n";
  s += "      const int32_t diff = x[c] - max_value;\n";
  s += "      y[c] = diff > adjusted ? (int8_t)ember_clamp_i32(ember_wrap_add(ember_rdbpot(ember_wrap_add(" + scaled +
       ", (int32_t)(0u - (uint32_t)log_sum)), 22), 127), -128, 127) : (int8_t)-128;\n";
  s += "    }\n";
  return s;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const LastAxisRows rows = GetLastAxisRows(in);
  const std::string d = CInt(rows.depth);
  std::vector<std::string> details{std::to_string(rows.rows) + " rows of " + std::to_string(rows.depth)};
  std::string body;
  if (in.dtype == ir::DType::kFloat32) {
    body = FloatBody(d);
  } else {
    EMBER_ASSIGN_OR_RETURN(const ops::logsoftmax::Int8Params p, ops::logsoftmax::PrepareInt8(ctx.graph, ctx.node));
    details.push_back("input multiplier " + std::to_string(p.input.multiplier) + " shift " +
                      std::to_string(p.input.shift) + ", reverse " + std::to_string(p.reverse.multiplier) + " shift " +
                      std::to_string(p.reverse.shift) + ", diff_min " + std::to_string(p.diff_min));
    body = Int8Body(p, d);
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + EmitRowLoop(ctx, rows, CType(in.dtype), CType(in.dtype), body) + "}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kLogSoftmaxEmitter = {ir::OpKind::kLogSoftmax, Emit};

}  // namespace ember::codegen::c
