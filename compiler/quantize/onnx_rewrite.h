// Rewrites of a float ONNX model before and after calibration
// (docs/quantize.md, "What is quantized how", steps 1 and 3).
#pragma once

#include <string>
#include <vector>

#include "onnx/onnx_pb.h"
#include "support/status.h"

namespace ember::quantize {

// Folds each BatchNormalization (inference form) that is the only reader of
// a Conv or Gemm output into that node's weights and bias, on the ONNX level.
// Returns the number folded; a BatchNormalization that cannot be folded stays.
Expected<int> FoldBatchNormOnnx(::onnx::ModelProto& m);

// Removes each Relu / Clip(min 0) that is the only reader of a Conv, Gemm,
// MatMul or Add output: the producer writes the activation's output tensor
// instead (its range is the activation's). Call after calibration, with the
// ranges measured on the unchanged graph. Returns the number removed.
int RemoveFusableActivations(::onnx::ModelProto& m);

// Makes every double, float16 and bfloat16 value of the model float32:
// graph inputs, outputs and value_info (of subgraphs and local functions
// too), initializers and tensor attributes (their values converted
// exactly), Cast's `to` and the `dtype` of the random and EyeLike
// operators. Returns the number of values changed and, in *first, the
// first one described ("initializer 'w' (FLOAT16)"); E1305 for data that
// cannot be converted (external, sparse, or not matching its dims).
Expected<int> WidenToFloat32(::onnx::ModelProto& m, const std::string& path, std::string* first);

// Names of the tensors calibration observes: graph inputs and node outputs
// (the caller keeps those that are float tensors computed at run time).
std::vector<std::string> CandidateTensors(const ::onnx::ModelProto& m);

}  // namespace ember::quantize
