// What ember's recurrent operators (unidirectional_sequence_lstm, gru, rnn)
// share in their reference evaluators: the step order (TFLite Micro's LSTM
// order) and, for the float32-only gru and rnn, the operand checks.
#pragma once

#include <cstdint>
#include <string>

#include "ops/layout_util.h"
#include "ops/op_util.h"

namespace ember::ops {

// The rows of one step: `rows` rows of x (input_size each) and of the state
// (units each), starting at the given element offsets of x, the state and
// the output.
struct StepRows {
  int64_t rows, x_at, state_at, out_at;
};

// Calls step(rows) for every step: time major, all batches of step t at once
// (x [steps, batch, input]); batch major, one batch at a time, all its steps,
// then the next batch (x [batch, steps, input]).
template <typename F>
void ForEachStep(bool time_major, int64_t batch, int64_t steps, int64_t input_size, int64_t units, F step) {
  if (time_major) {
    for (int64_t t = 0; t < steps; ++t) step(StepRows{batch, t * batch * input_size, 0, t * batch * units});
    return;
  }
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < steps; ++t)
      step(StepRows{1, (b * steps + t) * input_size, b * units, (b * steps + t) * units});
}

// The output of a recurrent operator, h after each step: [batch, steps,
// units] (time major: [steps, batch, units]).
inline ir::Shape StepOutputShape(bool time_major, int64_t batch, int64_t steps, int64_t units) {
  return time_major ? ir::Shape{steps, batch, units} : ir::Shape{batch, steps, units};
}

// gru's and rnn's geometry: x [batch, steps, input] (time_major: [steps,
// batch, input]) and the hidden state operand `hidden` [batch, units], a
// variable, both float32; `what` names the operator in hints ("GRU").
struct FloatRecurrentGeom {
  bool time_major = false;
  int64_t batch = 0, steps = 0, input_size = 0, units = 0;
};

inline Expected<FloatRecurrentGeom> ParseFloatRecurrent(const ir::Graph& g, const ir::Node& n, size_t hidden,
                                                        const std::string& what) {
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  const ir::Tensor& h = g.tensor(n.inputs[hidden]);
  if (x.shape.size() != 3) return NodeError(n, "x must have rank 3; it is " + ir::ShapeToString(x.shape));
  int64_t tm = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "time_major", 0, &tm));
  if (tm != 0 && tm != 1) return NodeError(n, "time_major must be 0 or 1, not " + std::to_string(tm));
  FloatRecurrentGeom s;
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
    return NodeError(n, "the hidden state '" + h.name + "' is not a variable",
                     "a " + what + " keeps its state in a variable tensor");
  }
  if (x.dtype != ir::DType::kFloat32 || h.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("x and the hidden state must be float32, not ") + ir::DTypeName(x.dtype),
                     "ember's " + what + " computes in float32");
  }
  return s;
}

// One gate's operands: input weights W [units, input], recurrent weights R
// [units, units], input and recurrent biases [units], float32 constants at
// operand indices w, r, wb, rb; `gate` starts the messages ("the reset
// gate's ").
inline Status CheckFloatGate(const ir::Graph& g, const ir::Node& n, const FloatRecurrentGeom& s,
                             const std::string& gate, size_t w, size_t r, size_t wb, size_t rb) {
  const struct {
    size_t at;
    ir::Shape shape;
    const char* what;
  } parts[] = {{w, {s.units, s.input_size}, "input weights"},
               {r, {s.units, s.units}, "recurrent weights"},
               {wb, {s.units}, "input bias"},
               {rb, {s.units}, "recurrent bias"}};
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
  return Status::Ok();
}

}  // namespace ember::ops
