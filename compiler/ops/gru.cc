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

#include "ops/layout_util.h"
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

struct GruGeom {
  bool time_major = false;
  int64_t batch = 0, steps = 0, input_size = 0, units = 0;
};

Expected<GruGeom> ParseGru(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, kOperands, kOperands, 1));
  const ir::Tensor& x = g.tensor(n.inputs[kX]);
  const ir::Tensor& h = g.tensor(n.inputs[kHidden]);
  if (x.shape.size() != 3) return NodeError(n, "x must have rank 3; it is " + ir::ShapeToString(x.shape));
  int64_t tm = 0, lbr = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "time_major", 0, &tm));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "linear_before_reset", 0, &lbr));
  if (tm != 0 && tm != 1) return NodeError(n, "time_major must be 0 or 1, not " + std::to_string(tm));
  if (lbr != 0 && lbr != 1) return NodeError(n, "linear_before_reset must be 0 or 1, not " + std::to_string(lbr));
  GruGeom s;
  s.time_major = tm == 1;
  s.batch = s.time_major ? x.shape[1] : x.shape[0];
  s.steps = s.time_major ? x.shape[0] : x.shape[1];
  s.input_size = x.shape[2];
  if (h.shape.size() != 2 || h.shape[0] != s.batch) {
    return NodeError(n, "the hidden state '" + h.name + "' must be [batch, units] with batch " +
                            std::to_string(s.batch) + "; it is " + ir::ShapeToString(h.shape));
  }
  s.units = h.shape[1];
  if (!h.is_variable) {
    return NodeError(n, "the hidden state '" + h.name + "' is not a variable", "a GRU keeps its state in a variable tensor");
  }
  if (x.dtype != ir::DType::kFloat32 || h.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("x and the hidden state must be float32, not ") + ir::DTypeName(x.dtype),
                     "ember's GRU computes in float32");
  }
  for (size_t gi = 0; gi < 3; ++gi) {
    const std::string gate = std::string("the ") + GateName(gi) + " gate's ";
    const struct {
      size_t at;
      ir::Shape shape;
      const char* what;
    } parts[] = {{kInputWeights + gi, {s.units, s.input_size}, "input weights"},
                 {kRecurrentWeights + gi, {s.units, s.units}, "recurrent weights"},
                 {kInputBias + gi, {s.units}, "input bias"},
                 {kRecurrentBias + gi, {s.units}, "recurrent bias"}};
    for (const auto& p : parts) {
      const ir::Tensor& t = g.tensor(n.inputs[p.at]);
      if (t.shape != p.shape) {
        return NodeError(n, gate + p.what + " '" + t.name + "' has shape " + ir::ShapeToString(t.shape) + " but " +
                                ir::ShapeToString(p.shape) + " is needed");
      }
      if (!t.is_const() || t.dtype != ir::DType::kFloat32) {
        return NodeError(n, gate + p.what + " '" + t.name + "' must be a float32 constant");
      }
    }
  }
  return s;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const GruGeom s, ParseGru(g, n));
  const ir::Shape out = s.time_major ? ir::Shape{s.steps, s.batch, s.units} : ir::Shape{s.batch, s.steps, s.units};
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
