// Writes a float ember IR graph (e.g. a float TFLite model as imported) as a
// float ONNX model, so that `ember quantize` can quantize TFLite models with
// the same QDQ writer as ONNX models (docs/quantize.md, "TFLite models").
//
// Layout: the IR is NHWC; the ONNX model computes its spatial operators in
// ONNX's NCHW. Each rank-4 tensor lives in the layout its producer computes
// it in; a Transpose is written where a reader needs the other layout, once
// per tensor. Weights
// are converted when written (conv OHWI -> OIHW, depthwise [1,KH,KW,C*M] ->
// [C*M,1,KH,KW], transpose_conv OHWI -> [C_in,C_out,KH,KW], fully_connected
// [units, depth] with transB=1; rank-4 constants of elementwise operators
// NHWC -> NCHW). So a plain CNN gets one Transpose after its input and one
// before a rank-4 output (or before the Reshape that flattens its features).
//
// The graph inputs and outputs keep the IR's names, shapes and layout
// (NHWC for images, as the TFLite model takes them): calibration data and the
// application's inputs are the TFLite model's own.
//
// Operator names follow ops/ops.def's ONNX column; fused activations become
// Relu / Clip nodes after their operator (the QDQ writer fuses them back).
#pragma once

#include <string>

#include "ir/graph.h"
#include "onnx/onnx_pb.h"
#include "support/status.h"

namespace ember::quantize {

// E1309: the float graph has an operator or operand form the exporter does
// not write (names the node, the operator and what to do).
inline constexpr const char* kNotExportable = "E1309";

// Opset of the written model (per-channel DequantizeLinear needs 13; 14
// when the graph has hard_swish, which ONNX has from opset 14).
inline constexpr int64_t kExportOpset = 13;

// `g` must be float (f32 inputs, outputs and computed tensors; constants f32,
// int32 or int64); an int8 graph is E1305. `source` names the model in
// diagnostics. The result passes the ONNX checker.
Expected<::onnx::ModelProto> ExportFloatOnnx(const ir::Graph& g, const std::string& source);

}  // namespace ember::quantize
