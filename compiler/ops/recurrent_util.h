// The step order of ember's recurrent operators (unidirectional_sequence_lstm,
// gru), shared by their reference evaluators: TFLite Micro's LSTM order.
#pragma once

#include <cstdint>

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

}  // namespace ember::ops
