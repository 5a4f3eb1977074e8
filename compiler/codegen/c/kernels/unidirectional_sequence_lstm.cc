// unidirectional_sequence_lstm: C kernel for a whole LSTM sequence (the
// semantics are in ops/unidirectional_sequence_lstm.cc). The hidden state
// (`in13`) and the cell state (`in14`) are variables in the model's state
// region, updated in place, so they carry over to the next run.
//
// Each step computes the four gates of its rows into the scratch (int16 for
// int8, float for float32; gate g of row r at [g][r][unit]) from x and the
// old hidden state, then updates the cell and hidden states elementwise and
// copies the hidden state to the output. TFLite Micro computes the output
// gate after the cell update; without peepholes it does not read the cell,
// so the values are the same. Sums run in the reference's order; int8 sums
// are uint32_t (wrapping), the multipliers (ops::PrepareLstmQuant) literals,
// and sigmoid/tanh TFLite's int16 table functions (ember/fixed_point.h).
#include <cfloat>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "codegen/c/kernels/recurrent_emit_util.h"
#include "ops/lstm_util.h"
#include "ops/op_util.h"

namespace ember::codegen::c {
namespace {

using namespace ops::lstm;

std::string List(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// `static const <type> <name>[4] = {...};` with one entry per gate.
std::string GateArray(const std::string& type, const std::string& name, const std::vector<std::string>& v) {
  return "  static const " + type + " " + name + "[4] = {" + List(v) + "};\n";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  EMBER_ASSIGN_OR_RETURN(const ops::LstmGeom s, ops::ParseLstm(g, n));
  const bool is_float = g.tensor(n.inputs[kX]).dtype == ir::DType::kFloat32;
  const int64_t rows = s.time_major ? s.batch : 1;
  const std::string U = std::to_string(s.units), I = std::to_string(s.input_size), R = std::to_string(rows);
  const std::string RU = std::to_string(rows * s.units);
  const std::string act_t = is_float ? "float" : "int8_t", gate_t = is_float ? "float" : "int16_t";
  const double cell_clip = n.GetReal("cell_clip", 0.0);
  const int64_t scratch = 4 * rows * s.units * (is_float ? 4 : 2);

  std::vector<std::string> w, r, b;
  for (int gi = 0; gi < 4; ++gi) {
    w.push_back(OperandName(ctx, kInputWeights + static_cast<size_t>(gi)));
    r.push_back(OperandName(ctx, kRecurrentWeights + static_cast<size_t>(gi)));
    b.push_back(OperandName(ctx, kBias + static_cast<size_t>(gi)));
  }
  std::vector<std::string> details{
      std::string(s.time_major ? "time major" : "batch major") + ", batch " + std::to_string(s.batch) + ", " +
          std::to_string(s.steps) + " steps, input " + I + ", " + U + " units; gates input, forget, cell, output",
      "cell_clip " + ops::FormatReal(cell_clip) + (cell_clip > 0 ? "" : " (none)")};

  std::string body;
  body += "  " + gate_t + "* gates = (" + gate_t + "*)scratch; /* [4 gates][" + R + " rows][" + U + " units] */\n";
  body += GateArray(act_t + "* const", "w_in", w) + GateArray(act_t + "* const", "w_rec", r);
  body += GateArray(std::string(is_float ? "float" : "int32_t") + "* const", "bias", b);
  ops::LstmQuant q;
  bool weight_zp = false;
  if (!is_float) {
    EMBER_ASSIGN_OR_RETURN(q, ops::PrepareLstmQuant(g, n));
    std::vector<std::string> im, is, rm, rs, wz, rz;
    for (const auto& gq : q.gate) {
      im.push_back(CInt(gq.input.multiplier));
      is.push_back(std::to_string(gq.input.shift));
      rm.push_back(CInt(gq.recurrent.multiplier));
      rs.push_back(std::to_string(gq.recurrent.shift));
      wz.push_back(CInt(gq.input_weight_zp));
      rz.push_back(CInt(gq.recurrent_weight_zp));
      weight_zp = weight_zp || gq.input_weight_zp != 0 || gq.recurrent_weight_zp != 0;
    }
    body += "  /* requantization of each gate's two fully connected layers to int16 Q3.12 */\n";
    body += GateArray("int32_t", "in_mult", im) + GateArray("int32_t", "in_shift", is);
    body += GateArray("int32_t", "rec_mult", rm) + GateArray("int32_t", "rec_shift", rs);
    if (weight_zp) body += GateArray("int32_t", "w_in_zp", wz) + GateArray("int32_t", "w_rec_zp", rz);
    details.push_back("zero points: x " + std::to_string(q.x_zp) + ", hidden " + std::to_string(q.hidden_zp) +
                      "; cell state scale 2^" + std::to_string(q.cell_scale_power));
  }
  body += "  int32_t g, rr, u, i, k;\n";
  // The step loop and the rows of each step.
  const RecurrentLoop loop = RecurrentStepLoop(s.time_major, s.batch, s.steps, s.input_size, s.units, act_t,
                                               OperandName(ctx, kX), {{act_t, "h", "in13"}, {gate_t, "c", "in14"}});
  body += loop.decl;
  body += loop.open;
  body += "    /* the gates from x and the old hidden state */\n";
  body += "    for (g = 0; g < 4; ++g) {\n";
  body += "      for (rr = 0; rr < " + R + "; ++rr) {\n";
  body += "        for (u = 0; u < " + U + "; ++u) {\n";
  body += "          const " + act_t + "* wr = w_in[g] + u * " + I + ";\n";
  body += "          const " + act_t + "* rw = w_rec[g] + u * " + U + ";\n";
  if (is_float) {
    body += "          float s1 = 0.0f, s2 = 0.0f, v;\n";
    body += "          for (i = 0; i < " + I + "; ++i) s1 += x[rr * " + I + " + i] * wr[i];\n";
    body += "          for (i = 0; i < " + U + "; ++i) s2 += h[rr * " + U + " + i] * rw[i];\n";
    body += "          v = ember_lstm_clampf(s1 + bias[g][u]) + ember_lstm_clampf(s2 + 0.0f);\n";
    body += "          gates[(g * " + R + " + rr) * " + U + " + u] = g == 2 ? tanhf(v) : (" + FloatLogisticExpr("v") +
            ");\n";
    body += "        }\n      }\n    }\n";
    body += "    /* c = forget * c + input * cell_gate; h = tanh(c) * output */\n";
    body += "    for (k = 0; k < " + RU + "; ++k) {\n";
    body += "      float v = ember_lstm_clampf(gates[" + RU + " + k] * c[k]);\n";
    body += "      v = v + ember_lstm_clampf(gates[k] * gates[2 * " + RU + " + k]);\n";
    if (cell_clip > 0) {
      const std::string cl = CFloat(static_cast<float>(cell_clip)), ncl = CFloat(-static_cast<float>(cell_clip));
      body += "      v = v < " + cl + " ? v : " + cl + "; /* cell_clip (a NaN becomes the clip, as TFLite) */\n";
      body += "      v = v < " + ncl + " ? " + ncl + " : v;\n";
    }
    body += "      c[k] = v;\n";
    body += "      h[k] = ember_lstm_clampf(tanhf(v) * gates[3 * " + RU + " + k]);\n";
    body += "      o[k] = h[k];\n    }\n";
  } else {
    const std::string wz = weight_zp ? " - w_in_zp[g]" : "", rz = weight_zp ? " - w_rec_zp[g]" : "";
    body += "          uint32_t s1 = 0, s2 = 0;\n          int32_t v;\n";
    body += "          for (i = 0; i < " + I + "; ++i)\n";
    body += "            s1 += (uint32_t)(((int32_t)wr[i]" + wz + ") * ((int32_t)x[rr * " + I + " + i]" + MinusZ(q.x_zp) +
            "));\n";
    body += "          s1 += (uint32_t)bias[g][u];\n";
    body += "          for (i = 0; i < " + U + "; ++i)\n";
    body += "            s2 += (uint32_t)(((int32_t)rw[i]" + rz + ") * ((int32_t)h[rr * " + U + " + i]" +
            MinusZ(q.hidden_zp) + "));\n";
    body += "          v = ember_clamp_i32(ember_mbqm((int32_t)s1, in_mult[g], in_shift[g]), -32768, 32767) +\n";
    body += "              ember_clamp_i32(ember_mbqm((int32_t)s2, rec_mult[g], rec_shift[g]), -32768, 32767);\n";
    body += "          v = ember_clamp_i32(v, -32768, 32767);\n";
    body += "          gates[(g * " + R + " + rr) * " + U + " + u] =\n";
    body += "              g == 2 ? ember_tanh16((int32_t)v * 3) : ember_logistic16((int32_t)v * 3); /* Q3.12 */\n";
    body += "        }\n      }\n    }\n";
    body += "    /* c = forget * c + input * cell_gate (int16); h = tanh(c) * output (int8) */\n";
    body += "    for (k = 0; k < " + RU + "; ++k) {\n";
    body += "      int32_t v = ember_clamp_i32(ember_mbqm((int32_t)gates[" + RU + " + k] * (int32_t)c[k], " +
            CInt(q.forget_cell.multiplier) + ", " + std::to_string(q.forget_cell.shift) + "), -32768, 32767) +\n";
    body += "                  ember_clamp_i32(ember_mbqm((int32_t)gates[k] * (int32_t)gates[2 * " + RU + " + k], " +
            CInt(q.input_cell.multiplier) + ", " + std::to_string(q.input_cell.shift) + "), -32768, 32767);\n";
    body += "      v = ember_clamp_i32(v, -32768, 32767);\n";
    if (cell_clip > 0) {
      body += "      v = ember_clamp_i32(v, " + std::to_string(-static_cast<int32_t>(q.cell_clip)) + ", " +
              std::to_string(q.cell_clip) + "); /* cell_clip */\n";
    }
    body += "      c[k] = (int16_t)v;\n";
    body += "      v = ember_mbqm((int32_t)ember_tanh16(ember_sigmoid16_input((int16_t)v, " + CInt(q.cell_tanh.multiplier) +
            ", " + std::to_string(q.cell_tanh.shift) + ", " + CInt(q.cell_tanh.round) + ")) * (int32_t)gates[3 * " + RU +
            " + k], " +
            CInt(q.output_hidden.multiplier) + ", " + std::to_string(q.output_hidden.shift) + ");\n";
    body += "      h[k] = (int8_t)ember_clamp_i32(ember_wrap_add(v, " + CInt(q.hidden_zp) + "), -128, 127);\n";
    body += "      o[k] = h[k];\n    }\n";
  }
  body += loop.close;
  Kernel k;
  k.scratch_bytes = scratch;
  std::string helper;
  if (is_float) {
    // A clamp to +-FLT_MAX as TFLite's ActivationFunctionWithMinMax (a NaN passes).
    helper = "#ifndef EMBER_LSTM_CLAMPF_DEFINED\n#define EMBER_LSTM_CLAMPF_DEFINED\n"
             "static inline float ember_lstm_clampf(float v) {\n  v = v < " + CFloat(-FLT_MAX) + " ? " +
             CFloat(-FLT_MAX) + " : v;\n  return " + CFloat(FLT_MAX) + " < v ? " + CFloat(FLT_MAX) + " : v;\n}\n#endif\n";
  }
  k.code = helper + FunctionHead(ctx, details, scratch) + body + "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kUnidirectionalSequenceLstmEmitter = {ir::OpKind::kUnidirectionalSequenceLstm, Emit};

}  // namespace ember::codegen::c
