// Writes a float ONNX model as a QDQ model in the layout of ONNX Runtime's
// static quantizer, by editing its ModelProto (docs/quantize.md, "What is
// quantized how"):
//   - activations: int8 asymmetric per tensor, one QuantizeLinear ->
//     DequantizeLinear pair per tensor shared by all readers; graph inputs and
//     outputs keep their names and stay float;
//   - a Relu, or a Clip with min 0, that is the only reader of a Conv, Gemm,
//     MatMul or Add output is removed and the producer is quantized with the
//     activation's range (the int8 clamp does the activation);
//   - MaxPool, Reshape, Flatten, Transpose, Slice, Pad, Squeeze, Unsqueeze
//     reuse their input's scale and zero point; Softmax gets 1/256 and -128;
//   - Conv / ConvTranspose weights int8 symmetric per output channel
//     (`per_channel`, opset 13 and later) or per tensor, Gemm / MatMul weights
//     per tensor; biases int32 with scale s_input * s_weight, zero point 0.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"
#include "quantize/onnx_rewrite.h"
#include "quantize/stats.h"
#include "support/status.h"

namespace ember::quantize {

inline constexpr const char* kNotQuantizable = "E1305";  // the model cannot be quantized (already int8, ...)
inline constexpr const char* kQdqInvalid = "E1306";      // the written model fails the ONNX checker (a bug)

struct QdqOptions {
  bool per_channel = false;
};

// One quantized activation tensor of the written model.
struct QuantizedTensor {
  std::string name;      // the float tensor's ONNX name (the producer's output in the source model)
  std::string producer;  // op type, "input" for a graph input
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Inserts the Q/DQ nodes and quantized weights into `m` (after
// RemoveFusableActivations) for the tensors in `ranges`, then runs the ONNX
// checker (E1306 if it refuses). Returns the quantized tensors in graph order.
Expected<std::vector<QuantizedTensor>> WriteQdq(::onnx::ModelProto& m, const std::map<std::string, Range>& ranges,
                                                const QdqOptions& options);

}  // namespace ember::quantize
