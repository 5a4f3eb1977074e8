// Helpers shared by operator files: diagnostics that name the node, operand
// checks, padding and broadcasting arithmetic.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/op.h"
#include "ops/quant_math.h"
#include "support/status.h"

namespace ember::ops {

// "node 'model/conv1/Relu' (conv2d): <message>", id E0301, exit 3 (unsupported).
Diagnostic NodeError(const ir::Node& node, const std::string& message,
                     const std::string& hint = "");

// Checks operand counts: inputs in [min_in, max_in], outputs == num_out, and
// that required inputs (index < min_in) are present.
Status CheckArity(const ir::Graph& g, const ir::Node& n, size_t min_in, size_t max_in,
                  size_t num_out);

// Per-tensor quantization accessors; return a NodeError if the tensor has
// no quantization or (for the PerTensor variant) per-axis quantization.
Status GetPerTensorQuant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                         int32_t* zero_point);

// Reads the optional `act` attribute (absent = none); a non-string or unknown
// name is a NodeError listing the valid ones.
Status GetActivationAttr(const ir::Node& n, Activation* act);

// Per-tensor int8 quantization of tensor `id` with a positive finite scale and
// a zero point in [-128, 127]; a NodeError naming the tensor otherwise.
Status GetInt8Quant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                    int32_t* zero_point);

// A real number for messages ("%g").
std::string FormatReal(double v);

// Output size along one spatial axis for explicit paddings.
// Returns -1 when the window does not fit.
int64_t ConvOutputSize(int64_t in, int64_t filter, int64_t stride, int64_t dilation,
                       int64_t pad_before, int64_t pad_after);

// numpy broadcasting of two shapes; false when they are incompatible.
bool BroadcastShapes(const ir::Shape& a, const ir::Shape& b, ir::Shape* out);
// Index into a (right-aligned, broadcast) input of shape `in` for the flat
// output index `out_index` of shape `out`.
int64_t BroadcastIndex(const ir::Shape& in, const ir::Shape& out, int64_t out_index);

}  // namespace ember::ops
