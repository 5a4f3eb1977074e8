// The step loop of the recurrent kernels (unidirectional_sequence_lstm, gru)
// in the reference's order (ops/recurrent_util.h): time major, one iteration
// per step over all batches; batch major, one per (batch, step).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::codegen::c {

struct RecurrentState {
  std::string type, name, param;  // "float", "h", "in13"
};

struct RecurrentLoop {
  std::string decl;   // the loop variable's declaration
  std::string open;   // the loop head and the step's pointers
  std::string close;  // "  }\n"
};

// Inside the loop: `x` (the step's rows of the input operand `x_operand`,
// element type `act_t`), one pointer per state (its rows of the step) and
// `o` (the step's rows of out0).
inline RecurrentLoop RecurrentStepLoop(bool time_major, int64_t batch, int64_t steps, int64_t input_size,
                                       int64_t units, const std::string& act_t, const std::string& x_operand,
                                       const std::vector<RecurrentState>& states) {
  const std::string U = std::to_string(units), I = std::to_string(input_size), S = std::to_string(steps);
  RecurrentLoop l;
  l.close = "  }\n";
  if (time_major) {
    l.decl = "  int32_t t;\n";
    l.open = "  for (t = 0; t < " + S + "; ++t) {\n";
    l.open += "    const " + act_t + "* x = " + x_operand + " + t * " + std::to_string(batch * input_size) + ";\n";
    for (const RecurrentState& st : states) l.open += "    " + st.type + "* " + st.name + " = " + st.param + ";\n";
    l.open += "    " + act_t + "* o = out0 + t * " + std::to_string(batch * units) + ";\n";
    return l;
  }
  l.decl = "  int32_t bt;\n";
  l.open = "  for (bt = 0; bt < " + std::to_string(batch * steps) + "; ++bt) { /* batch bt / " + S + ", step bt % " +
           S + " */\n";
  l.open += "    const " + act_t + "* x = " + x_operand + " + bt * " + I + ";\n";
  for (const RecurrentState& st : states) {
    l.open += "    " + st.type + "* " + st.name + " = " + st.param + " + (bt / " + S + ") * " + U + ";\n";
  }
  l.open += "    " + act_t + "* o = out0 + bt * " + U + ";\n";
  return l;
}

// The rows of a float32 gru or rnn step, one at a time as the reference:
// opens the loop with `xr` (the row of x) and `hr` (of the hidden state)...
inline std::string FloatRowLoopOpen(int64_t rows, int64_t input_size, int64_t units) {
  return "    for (rr = 0; rr < " + std::to_string(rows) + "; ++rr) {\n      const float* xr = x + rr * " +
         std::to_string(input_size) + ";\n      float* hr = h + rr * " + std::to_string(units) + ";\n";
}

// ... and closes it after writing the row's new state `next` to the hidden
// state and the output.
inline std::string FloatRowLoopClose(int64_t units) {
  const std::string U = std::to_string(units);
  return "      for (u = 0; u < " + U + "; ++u) {\n        hr[u] = next[u];\n        o[rr * " + U +
         " + u] = next[u];\n      }\n    }\n";
}

}  // namespace ember::codegen::c
