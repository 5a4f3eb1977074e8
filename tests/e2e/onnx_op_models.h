// Small float ONNX models of the operators the ONNX frontend maps onto the
// IR's math, logic and resize operators (import_math.cc, import_ext.cc), for
// the end-to-end tests: `ember quantize` + ONNX Runtime
// (quantize_models_test.cc) and the emulated Cortex-M4
// (onnx_math_ops_test.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "util/onnx_builder.h"

namespace ember::test {

// Deterministic weights in [offset, offset + 12 * scale].
inline std::vector<float> OnnxRamp(size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = offset + scale * static_cast<float>((i * 7) % 13);
  return v;
}

// x [1,3,8,8] -> Conv 3x3 (4 channels, pads 1) -> Relu, Elu (alpha 1),
// Elu (alpha 0.5); ReduceSum over C of the Relu, ReduceMean over H, W of the
// Elu; Where(Less(elu, mean), relu, elu_0.5); Max and Min against the sum;
// Add; linear Resize to 12x12; MatMul of the result by its own transpose
// (batched, both operands computed at run time); ArgMax over the last axis
// cast to int32 then to float and added: y [1,4,12,12], float32.
inline std::vector<uint8_t> NewOpsCnnModel() {
  namespace pb = ::onnx;
  OnnxBuilder b(13);
  b.Input("x", {1, 3, 8, 8});
  b.Init("w", {4, 3, 3, 3}, OnnxRamp(108, 0.05f, -0.3f));
  b.Init("bias", {4}, {0.1f, -0.2f, 0.05f, 0.0f});
  b.InitInt64("c_axis", {1}, {1});
  b.InitInt64("sizes", {4}, {1, 4, 12, 12});
  b.Node("Conv", {"x", "w", "bias"}, {"c"}).Ints("pads", {1, 1, 1, 1});
  b.Node("Relu", {"c"}, {"r"});
  b.Node("Elu", {"c"}, {"e"});
  b.Node("Elu", {"c"}, {"e_half"}).Float("alpha", 0.5f);
  b.Node("ReduceSum", {"r", "c_axis"}, {"s"}).Int("keepdims", 1);           // [1,1,8,8]
  b.Node("ReduceMean", {"e"}, {"m"}).Ints("axes", {2, 3}).Int("keepdims", 1);  // [1,4,1,1]
  b.Node("Less", {"e", "m"}, {"lt"});
  b.Node("Where", {"lt", "r", "e_half"}, {"wh"});
  b.Node("Max", {"wh", "s"}, {"mx"});
  b.Node("Min", {"e", "s"}, {"mn"});
  b.Node("Add", {"mx", "mn"}, {"a"});
  b.Node("Resize", {"a", "", "", "sizes"}, {"rz"}).Str("mode", "linear");  // half_pixel
  b.Node("Transpose", {"rz"}, {"rt"}).Ints("perm", {0, 1, 3, 2});
  b.Node("MatMul", {"rz", "rt"}, {"bm"});                                    // [1,4,12,12]
  b.Node("ArgMax", {"bm"}, {"am"}).Int("axis", 3).Int("keepdims", 1);        // int64 [1,4,12,1]
  b.Node("Cast", {"am"}, {"am32"}).Int("to", pb::TensorProto::INT32);
  b.Node("Cast", {"am32"}, {"amf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Add", {"bm", "amf"}, {"y"});
  b.Output("y");
  return b.Bytes();
}

// x [1,3,8,8] -> Conv 3x3 (4 channels, pads 1) -> c; y = Concat over the
// channels of Sigmoid(c) + LeakyRelu(c, 0.1) and HardSwish(c) + Tanh(c),
// float32 [1,8,8,8] (opset 14, HardSwish's first).
inline std::vector<uint8_t> ActivationsCnnModel() {
  OnnxBuilder b(14);
  b.Input("x", {1, 3, 8, 8});
  b.Init("w", {4, 3, 3, 3}, OnnxRamp(108, 0.05f, -0.3f));
  b.Init("bias", {4}, {0.1f, -0.2f, 0.05f, 0.0f});
  b.Node("Conv", {"x", "w", "bias"}, {"c"}).Ints("pads", {1, 1, 1, 1});
  b.Node("Sigmoid", {"c"}, {"s"});
  b.Node("LeakyRelu", {"c"}, {"l"}).Float("alpha", 0.1f);
  b.Node("HardSwish", {"c"}, {"h"});
  b.Node("Tanh", {"c"}, {"t"});
  b.Node("Add", {"s", "l"}, {"a1"});
  b.Node("Add", {"h", "t"}, {"a2"});
  b.Node("Concat", {"a1", "a2"}, {"y"}).Int("axis", 1);
  b.Output("y");
  return b.Bytes();
}

}  // namespace ember::test
