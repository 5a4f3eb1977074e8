// gru: a GRU layer run over a sequence (ONNX GRU, one direction, default
// activations Sigmoid and Tanh), keeping its hidden state in a variable
// across steps and across inferences, as unidirectional_sequence_lstm does.
//
// Operands: x [batch, steps, input] (time_major: [steps, batch, input]);
// input weights W_g [units, input] and recurrent weights R_g [units, units]
// for the gates g = update (z), reset (r), hidden (h); input biases Wb_g and
// recurrent biases Rb_g [units]; the hidden state h [batch, units], a
// variable. Output [batch, steps, units] (time_major: [steps, batch, units]):
// h after each step. Attributes: time_major (0/1, default 0),
// linear_before_reset (0/1, default 0). float32 only.
//
// One step, for the rows it covers (ops/recurrent_util.h), unit u of a row
// (sums start at 0 and add in index order, then the bias):
//   z = sigmoid((W_z x + Wb_z) + (R_z h + Rb_z))
//   r = sigmoid((W_r x + Wb_r) + (R_r h + Rb_r))
//   linear_before_reset 0: n = tanh((W_h x + Wb_h) + (R_h (r * h) + Rb_h))
//   linear_before_reset 1: n = tanh((W_h x + Wb_h) + r * (R_h h + Rb_h))
//   h'[u] = (1 - z) * n + z * h[u]
// every unit from the old h; then h = h', out = h. sigmoid is logistic's
// float formula (LogisticFloat), tanh std::tanh.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/recurrent_util.h"

namespace ember::ops {
namespace {

constexpr size_t kX = 0, kInputWeights = 1, kRecurrentWeights = 4, kInputBias = 7, kRecurrentBias = 10, kHidden = 13,
                 kOperands = 14;

const char* GateName(size_t g) {
  static const char* kNames[] = {"update", "reset", "hidden"};
  return kNames[g];
}

using GruGeom = FloatRecurrentGeom;

Expected<GruGeom> ParseGru(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, kOperands, kOperands, 1));
  EMBER_ASSIGN_OR_RETURN(const GruGeom s, ParseFloatRecurrent(g, n, kHidden, "GRU"));
  int64_t lbr = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "linear_before_reset", 0, &lbr));
  if (lbr != 0 && lbr != 1) return NodeError(n, "linear_before_reset must be 0 or 1, not " + std::to_string(lbr));
  for (size_t gi = 0; gi < 3; ++gi) {
    EMBER_RETURN_IF_ERROR(CheckFloatGate(g, n, s, std::string("the ") + GateName(gi) + " gate's ", kInputWeights + gi,
                                         kRecurrentWeights + gi, kInputBias + gi, kRecurrentBias + gi));
  }
  return s;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const GruGeom s, ParseGru(g, n));
  const ir::Shape out = StepOutputShape(s.time_major, s.batch, s.steps, s.units);
  return std::vector<TensorType>{{ir::DType::kFloat32, out}};
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const GruGeom s, ParseGru(a.graph, a.node));
  const bool lbr = a.node.GetInt("linear_before_reset", 0) == 1;
  const float* x = a.in<float>(kX);
  float* h = a.var<float>(kHidden);
  float* out = a.out<float>(0);
  const int64_t U = s.units, I = s.input_size;
  auto w = [&](size_t base, size_t gi) { return a.in<float>(base + gi); };
  std::vector<float> z(static_cast<size_t>(U)), r(static_cast<size_t>(U)), rh(static_cast<size_t>(U)),
      next(static_cast<size_t>(U));
  ForEachStep(s.time_major, s.batch, s.steps, I, U, [&](const StepRows& rows) {
    for (int64_t b = 0; b < rows.rows; ++b) {
      const float* xr = x + rows.x_at + b * I;
      float* hr = h + rows.state_at + b * U;
      // W_g x + Wb_g, or R_g v + Rb_g: row u of the weights, then the bias.
      auto affine = [&](const float* m, const float* bias, const float* v, int64_t len, int64_t u) {
        float t = 0.0f;
        for (int64_t i = 0; i < len; ++i) t += v[i] * m[u * len + i];
        return t + bias[u];
      };
      for (int64_t u = 0; u < U; ++u) {
        const auto uu = static_cast<size_t>(u);
        z[uu] = LogisticFloat(affine(w(kInputWeights, 0), w(kInputBias, 0), xr, I, u) +
                              affine(w(kRecurrentWeights, 0), w(kRecurrentBias, 0), hr, U, u));
        r[uu] = LogisticFloat(affine(w(kInputWeights, 1), w(kInputBias, 1), xr, I, u) +
                              affine(w(kRecurrentWeights, 1), w(kRecurrentBias, 1), hr, U, u));
      }
      for (int64_t u = 0; u < U; ++u) rh[static_cast<size_t>(u)] = r[static_cast<size_t>(u)] * hr[u];
      for (int64_t u = 0; u < U; ++u) {
        const auto uu = static_cast<size_t>(u);
        const float xh = affine(w(kInputWeights, 2), w(kInputBias, 2), xr, I, u);
        const float n = lbr ? std::tanh(xh + r[uu] * affine(w(kRecurrentWeights, 2), w(kRecurrentBias, 2), hr, U, u))
                            : std::tanh(xh + affine(w(kRecurrentWeights, 2), w(kRecurrentBias, 2), rh.data(), U, u));
        next[uu] = (1.0f - z[uu]) * n + z[uu] * hr[u];
      }
      std::memcpy(hr, next.data(), static_cast<size_t>(U) * sizeof(float));
      std::memcpy(out + rows.out_at + b * U, hr, static_cast<size_t>(U) * sizeof(float));
    }
  });
  return Status::Ok();
}

int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  auto s = ParseGru(g, n);
  if (!s.ok()) return 0;
  return s->batch * s->steps * 3 * s->units * (s->input_size + s->units);
}

}  // namespace

extern const OpDef kGruDef = {ir::OpKind::kGru, "f32", Infer, Eval, Macs};

}  // namespace ember::ops
