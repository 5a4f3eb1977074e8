// SVDF's int8 requantization, shared by the reference evaluator
// (ops/svdf.cc) and the C emitter (codegen/c/kernels/svdf.cc).
#pragma once

#include <cstdint>

#include "ir/graph.h"
#include "ops/quant_math.h"
#include "support/status.h"

namespace ember::ops {

struct SvdfQuant {
  int32_t x_zp = 0, state_zp = 0, out_zp = 0;
  QuantizedMultiplier feature;  // s_x * s_weights_feature / s_state (taken in float)
  QuantizedMultiplier time;     // s_state * s_weights_time / s_out (taken in float)
};

// Requires a node whose Infer succeeded with an int8 x. A NodeError for
// missing or per-axis quantization, asymmetric weights, a bias scale other
// than s_state * s_weights_time (TFLite Micro's check, within 1e-5) or
// multipliers out of range.
Expected<SvdfQuant> PrepareSvdfQuant(const ir::Graph& g, const ir::Node& n);

}  // namespace ember::ops
