// svdf: C kernel for one SVDF step (ops/svdf.cc has the semantics): the
// state (a variable, `in4`, kept in the model's state region) shifts down by
// one element, each filter's feature dot product becomes its newest entry,
// and each unit adds its bias and the time dot products of its rank filters.
//
// The sums run in the reference's order (float results are bit-identical on
// a compiler that does not contract or reorder float arithmetic). int8: the
// accumulations are uint32_t (wrapping, like the reference), the multipliers
// computed here by ops::PrepareSvdfQuant and emitted as literals. No scratch:
// each time sum is added to its unit's accumulator as soon as it is done,
// which is the reference's order of additions.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/op_util.h"
#include "ops/svdf_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  const ir::Tensor& wf = g.tensor(n.inputs[1]);
  const ir::Tensor& wt = g.tensor(n.inputs[2]);
  const ir::Tensor& st = g.tensor(n.inputs[4]);
  const int64_t batch = x.shape[0], input_size = x.shape[1], filters = wf.shape[0], memory = wt.shape[1];
  const int64_t rank = n.GetInt("rank", 1), units = filters / rank;
  const bool has_bias = n.inputs[3] != ir::kNoTensor;
  const std::string xs = OperandName(ctx, 0);
  const std::string wfs = OperandName(ctx, 1);
  const std::string wts = OperandName(ctx, 2);
  const std::string bs = has_bias ? OperandName(ctx, 3) : "";
  const std::string ss = OperandName(ctx, 4);
  const std::string T = CType(st.dtype);
  const bool is_float = x.dtype == ir::DType::kFloat32;
  const std::string I = std::to_string(input_size), F = std::to_string(filters), M = std::to_string(memory);
  const std::string R = std::to_string(rank), U = std::to_string(units);

  std::vector<std::string> details{"rank " + R + ", " + U + " units, " + F + " filters, memory " + M};
  std::string body;
  body += "  int32_t b, f, i, u, r, j;\n";
  body += "  /* 1. the state moves down by one element (oldest value of each filter out) */\n";
  const int64_t count = batch * filters * memory;
  if (count > 1)
    body += "  memmove(" + ss + ", " + ss + " + 1, " + std::to_string(count - 1) + " * sizeof(" + T + "));\n";
  if (is_float) {
    ops::Activation act = ops::Activation::kNone;
    EMBER_RETURN_IF_ERROR(ops::GetActivationAttr(n, &act));
    const ops::FloatRange range = ops::ActivationRangeFloat(act);
    details.push_back("activation " + ops::DescribeActivation(act));
    body += "  /* 2. newest state entry of each filter: dot(weights_feature[f], x[b]) */\n";
    body += "  for (b = 0; b < " + std::to_string(batch) + "; ++b) {\n";
    body += "    for (f = 0; f < " + F + "; ++f) {\n";
    body += "      float d = 0.0f;\n";
    body += "      for (i = 0; i < " + I + "; ++i) d += " + wfs + "[f * " + I + " + i] * " + xs + "[b * " + I + " + i];\n";
    body += "      " + ss + "[(b * " + F + " + f) * " + M + " + " + std::to_string(memory - 1) + "] = d;\n";
    body += "    }\n  }\n";
    body += "  /* 3. out = act(bias + sum over the unit's filters of dot(weights_time[f], state[b][f])) */\n";
    body += "  for (b = 0; b < " + std::to_string(batch) + "; ++b) {\n";
    body += "    for (u = 0; u < " + U + "; ++u) {\n";
    body += "      float o = " + (has_bias ? bs + "[u]" : std::string("0.0f")) + ";\n";
    body += "      for (r = 0; r < " + R + "; ++r) {\n";
    body += "        const int32_t fr = u * " + R + " + r;\n";
    body += "        float t = 0.0f;\n";
    body += "        for (j = 0; j < " + M + "; ++j) t += " + wts + "[fr * " + M + " + j] * " + ss + "[(b * " + F +
            " + fr) * " + M + " + j];\n";
    body += "        o += t;\n";
    body += "      }\n";
    if (act != ops::Activation::kNone) {
      body += "      if (o < " + CFloat(range.min) + ") o = " + CFloat(range.min) + ";\n";
      body += "      if (o > " + CFloat(range.max) + ") o = " + CFloat(range.max) + ";\n";
    }
    body += "      out0[b * " + U + " + u] = o;\n";
    body += "    }\n  }\n";
  } else {
    EMBER_ASSIGN_OR_RETURN(const ops::SvdfQuant q, ops::PrepareSvdfQuant(g, n));
    const bool i16 = st.dtype == ir::DType::kInt16;
    const std::string tmin = i16 ? "-32768" : "-128", tmax = i16 ? "32767" : "127";
    details.push_back("feature multiplier " + std::to_string(q.feature.multiplier) + " shift " +
                      std::to_string(q.feature.shift) + ", time multiplier " + std::to_string(q.time.multiplier) +
                      " shift " + std::to_string(q.time.shift));
    details.push_back("zero points: x " + std::to_string(q.x_zp) + ", state " + std::to_string(q.state_zp) +
                      ", out " + std::to_string(q.out_zp));
    body += "  /* 2. newest state entry: z_state + clamp(Mbqm(dot(weights_feature[f], x[b] - z_x))) */\n";
    body += "  for (b = 0; b < " + std::to_string(batch) + "; ++b) {\n";
    body += "    for (f = 0; f < " + F + "; ++f) {\n";
    body += "      uint32_t d = 0;\n";
    body += "      for (i = 0; i < " + I + "; ++i)\n";
    body += "        d += (uint32_t)((int32_t)" + wfs + "[f * " + I + " + i] * ((int32_t)" + xs + "[b * " + I +
            " + i]" + MinusZ(q.x_zp) + "));\n";
    body += "      " + ss + "[(b * " + F + " + f) * " + M + " + " + std::to_string(memory - 1) + "] = (" + T +
            ")ember_wrap_add(" + CInt(q.state_zp) + ", ember_clamp_i32(ember_mbqm((int32_t)d, " +
            CInt(q.feature.multiplier) + ", " + std::to_string(q.feature.shift) + "), " + tmin + ", " + tmax +
            "));\n";
    body += "    }\n  }\n";
    body += "  /* 3. out = clamp(z_out + Mbqm(bias + sum over the unit's filters of\n"
            "   *    dot(weights_time[f], state[b][f] - z_state)), -128, 127) */\n";
    body += "  for (b = 0; b < " + std::to_string(batch) + "; ++b) {\n";
    body += "    for (u = 0; u < " + U + "; ++u) {\n";
    body += "      uint32_t acc = " + (has_bias ? "(uint32_t)" + bs + "[u]" : std::string("0")) + ";\n";
    body += "      for (r = 0; r < " + R + "; ++r) {\n";
    body += "        const int32_t fr = u * " + R + " + r;\n";
    body += "        for (j = 0; j < " + M + "; ++j)\n";
    body += "          acc += (uint32_t)" + wts + "[fr * " + M + " + j] * (uint32_t)((int32_t)" + ss + "[(b * " + F +
            " + fr) * " + M + " + j]" + MinusZ(q.state_zp) + ");\n";
    body += "      }\n";
    body += "      out0[b * " + U + " + u] = (int8_t)ember_clamp_i32(ember_wrap_add(ember_mbqm((int32_t)acc, " +
            CInt(q.time.multiplier) + ", " + std::to_string(q.time.shift) + "), " + CInt(q.out_zp) +
            "), -128, 127);\n";
    body += "    }\n  }\n";
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + body + "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kSvdfEmitter = {ir::OpKind::kSvdf, Emit};

}  // namespace ember::codegen::c
