// rnn: a simple recurrent layer run over a sequence (ONNX RNN, one
// direction), keeping its hidden state in a variable across steps and across
// inferences, as gru and unidirectional_sequence_lstm do.
//
// Operands: x [batch, steps, input] (time_major: [steps, batch, input]);
// input weights W [units, input]; recurrent weights R [units, units]; input
// bias Wb and recurrent bias Rb [units]; the hidden state h [batch, units], a
// variable. Output [batch, steps, units] (time_major: [steps, batch, units]):
// h after each step. Attributes: time_major (0/1, default 0), activation
// ("tanh", the default, "relu" or "sigmoid"). float32 only.
//
// One step, for the rows it covers (ops/recurrent_util.h), unit u of a row
// (sums start at 0 and add in index order, then the bias):
//   h'[u] = act((W x + Wb)[u] + (R h + Rb)[u])
// every unit from the old h; then h = h', out = h. tanh is std::tanh, relu
// max(v, 0) (as v < 0 ? 0 : v: a NaN passes), sigmoid logistic's float
// formula (LogisticFloat).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/recurrent_util.h"

namespace ember::ops {
namespace {

constexpr size_t kX = 0, kW = 1, kR = 2, kWb = 3, kRb = 4, kHidden = 5, kOperands = 6;

struct RnnGeom : FloatRecurrentGeom {
  std::string activation;
};

Expected<RnnGeom> ParseRnn(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, kOperands, kOperands, 1));
  EMBER_ASSIGN_OR_RETURN(const FloatRecurrentGeom geom, ParseFloatRecurrent(g, n, kHidden, "RNN"));
  RnnGeom s;
  static_cast<FloatRecurrentGeom&>(s) = geom;
  // Absent: tanh; of another type: "" (refused below).
  s.activation = n.HasAttr("activation") ? n.GetString("activation", "") : "tanh";
  if (s.activation != "tanh" && s.activation != "relu" && s.activation != "sigmoid") {
    return NodeError(n, "has activation '" + s.activation + "'", "rnn computes tanh, relu or sigmoid");
  }
  EMBER_RETURN_IF_ERROR(CheckFloatGate(g, n, s, "the ", kW, kR, kWb, kRb));
  return s;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const RnnGeom s, ParseRnn(g, n));
  const ir::Shape out = StepOutputShape(s.time_major, s.batch, s.steps, s.units);
  return std::vector<TensorType>{{ir::DType::kFloat32, out}};
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const RnnGeom s, ParseRnn(a.graph, a.node));
  const float* x = a.in<float>(kX);
  const float* w = a.in<float>(kW);
  const float* r = a.in<float>(kR);
  const float* wb = a.in<float>(kWb);
  const float* rb = a.in<float>(kRb);
  float* h = a.var<float>(kHidden);
  float* out = a.out<float>(0);
  const int64_t U = s.units, I = s.input_size;
  std::vector<float> next(static_cast<size_t>(U));
  ForEachStep(s.time_major, s.batch, s.steps, I, U, [&](const StepRows& rows) {
    for (int64_t b = 0; b < rows.rows; ++b) {
      const float* xr = x + rows.x_at + b * I;
      float* hr = h + rows.state_at + b * U;
      for (int64_t u = 0; u < U; ++u) {
        float s1 = 0.0f, s2 = 0.0f;
        for (int64_t i = 0; i < I; ++i) s1 += xr[i] * w[u * I + i];
        for (int64_t i = 0; i < U; ++i) s2 += hr[i] * r[u * U + i];
        const float v = (s1 + wb[u]) + (s2 + rb[u]);
        next[static_cast<size_t>(u)] = s.activation == "tanh"  ? std::tanh(v)
                                       : s.activation == "relu" ? (v < 0.0f ? 0.0f : v)
                                                                : LogisticFloat(v);
      }
      std::memcpy(hr, next.data(), static_cast<size_t>(U) * sizeof(float));
      std::memcpy(out + rows.out_at + b * U, hr, static_cast<size_t>(U) * sizeof(float));
    }
  });
  return Status::Ok();
}

int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  auto s = ParseRnn(g, n);
  if (!s.ok()) return 0;
  return s->batch * s->steps * s->units * (s->input_size + s->units);
}

}  // namespace

extern const OpDef kRnnDef = {ir::OpKind::kRnn, "f32", Infer, Eval, Macs};

}  // namespace ember::ops
