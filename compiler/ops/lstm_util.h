// UNIDIRECTIONAL_SEQUENCE_LSTM's geometry and int8 requantization, shared by
// the reference evaluator (ops/unidirectional_sequence_lstm.cc) and the C
// emitter (codegen/c/kernels/unidirectional_sequence_lstm.cc).
#pragma once

#include <cstdint>

#include "ir/graph.h"
#include "ops/int16_activation.h"
#include "ops/quant_math.h"
#include "support/status.h"

namespace ember::ops {

// The IR operand order (TFLite's 24 inputs without the variants TFLite
// Micro refuses: no peephole, projection or layer norm):
//   0 x, 1-4 input weights, 5-8 recurrent weights, 9-12 biases (gates in the
//   order input, forget, cell, output), 13 hidden state, 14 cell state.
namespace lstm {
inline constexpr size_t kX = 0, kInputWeights = 1, kRecurrentWeights = 5, kBias = 9, kHidden = 13,
                        kCell = 14, kOperands = 15;
// Gate indices in the operand groups above.
inline constexpr int kInputGate = 0, kForgetGate = 1, kCellGate = 2, kOutputGate = 3;
}  // namespace lstm

struct LstmGeom {
  bool time_major = false;
  int64_t batch = 0, steps = 0, input_size = 0, units = 0;  // units: the state dimension
};

// One gate's two fully connected layers: x (and its bias) -> int16 Q3.12,
// hidden -> int16 Q3.12.
struct LstmGateQuant {
  int32_t input_weight_zp = 0, recurrent_weight_zp = 0;
  QuantizedMultiplier input, recurrent;  // s_x * s_w / 2^-12, s_h * s_r / 2^-12
};

struct LstmQuant {
  int32_t x_zp = 0, hidden_zp = 0;
  LstmGateQuant gate[4];               // lstm::kInputGate ...
  QuantizedMultiplier forget_cell;     // 2^-15 * s_c / s_c: forget gate x cell state -> cell
  QuantizedMultiplier input_cell;      // 2^-15 * 2^-15 / s_c: input gate x cell gate -> cell
  QuantizedMultiplier output_hidden;   // 2^-15 * 2^-15 / s_h: tanh(cell) x output gate -> hidden
  int32_t cell_scale_power = 0;        // round(log2(s_c)), as TFLite's CheckedLog2
  Int16SigmoidInput cell_tanh;         // the cell's tanh input rescaling (TFLite's Tanh(power, ...))
  int16_t cell_clip = 0;               // quantized cell_clip (used when the attribute is > 0)
};

// Checks the node (operand count, shapes, dtypes, constant weights, the
// states being variables, attributes) and returns its sizes; a NodeError
// naming the node otherwise. Infer is this plus the output type.
Expected<LstmGeom> ParseLstm(const ir::Graph& g, const ir::Node& n);

// The gates' sigmoid and tanh input: Q3.12, TFLite's multiplier 0 and shift 0
// (x * 3 in the table's units).
inline constexpr Int16SigmoidInput kLstmGateLutInput{3, 0, 0};

// Requires a node whose Infer succeeded. A NodeError for a malformed
// quantization (missing, per-axis weights, multipliers out of range, a cell
// state scale the integer tanh cannot take).
Expected<LstmQuant> PrepareLstmQuant(const ir::Graph& g, const ir::Node& n);

}  // namespace ember::ops
