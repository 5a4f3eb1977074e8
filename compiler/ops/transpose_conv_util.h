// Geometry of transpose_conv, shared by its reference evaluator and its C
// emitter (compiler/ops/transpose_conv.cc documents the operator).
#pragma once

#include <cstdint>

#include "ir/graph.h"
#include "ops/conv_util.h"
#include "support/status.h"

namespace ember::ops {

struct TransposeConvGeom {
  int64_t batch, in_h, in_w, in_c;
  int64_t k_h, k_w;
  int64_t out_h, out_w, out_c;
};

// Checks the node (operands, dtypes, attributes, int8 quantization) and fills
// the window (stride, pad, act) and geometry; a NodeError otherwise.
Status ParseTransposeConv(const ir::Graph& g, const ir::Node& n, Window* w, TransposeConvGeom* s,
                          bool* quantized);

}  // namespace ember::ops
