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

// A model with pruned channels, as structured pruning leaves them: x
// [1,3,10,10] -> Conv 3x3 (8 channels, pads 1) whose output channels 2 and
// 5 have all-zero weights (biases -1 and 0.5) -> Relu -> depthwise Conv 3x3
// (group 8, pads 1) -> Relu -> Conv 1x1 (6 channels) -> GlobalAveragePool ->
// Flatten -> Gemm: y [1,3], float32.
inline std::vector<uint8_t> PrunedCnnModel() {
  OnnxBuilder b(13);
  b.Input("x", {1, 3, 10, 10});
  std::vector<float> w = OnnxRamp(8 * 27, 0.05f, -0.3f);
  for (size_t i = 0; i < 27; ++i) w[2 * 27 + i] = w[5 * 27 + i] = 0.0f;
  b.Init("w1", {8, 3, 3, 3}, w);
  b.Init("b1", {8}, {0.1f, -0.2f, -1.0f, 0.05f, 0.0f, 0.5f, 0.2f, -0.1f});
  b.Init("w2", {8, 1, 3, 3}, OnnxRamp(72, 0.1f, -0.5f));
  b.Init("b2", {8}, {0.05f, 0.1f, 0.2f, -0.05f, 0.0f, 0.1f, -0.1f, 0.02f});
  b.Init("w3", {6, 8, 1, 1}, OnnxRamp(48, 0.08f, -0.45f));
  b.Init("b3", {6}, {0.0f, 0.1f, -0.1f, 0.2f, 0.0f, 0.05f});
  b.Init("wf", {3, 6}, OnnxRamp(18, 0.1f, -0.6f));
  b.Init("bf", {3}, {0.1f, 0.0f, -0.1f});
  b.Node("Conv", {"x", "w1", "b1"}, {"c1"}).Ints("pads", {1, 1, 1, 1});
  b.Node("Relu", {"c1"}, {"r1"});
  b.Node("Conv", {"r1", "w2", "b2"}, {"c2"}).Ints("pads", {1, 1, 1, 1}).Int("group", 8);
  b.Node("Relu", {"c2"}, {"r2"});
  b.Node("Conv", {"r2", "w3", "b3"}, {"c3"});
  b.Node("GlobalAveragePool", {"c3"}, {"p"});
  b.Node("Flatten", {"p"}, {"f"});
  b.Node("Gemm", {"f", "wf", "bf"}, {"y"}).Int("transB", 1);
  b.Output("y");
  return b.Bytes();
}

// ONNX LSTMs (`op` "LSTM"), GRUs ("GRU") and RNNs ("RNN") of hidden 4,
// input 3, 5 steps, batch 2, with one output y [1, N]: Y and Y_h flattened
// and concatenated.
//   kind 0: bidirectional, layout 0, biases, nonzero initial_h (and
//           initial_c), full sequence_lens;
//   kind 1: reverse, no biases, default activations given explicitly;
//   kind 2: forward, only Y_h read (Y and an LSTM's Y_c unused), then a Gemm;
//   kind 3: kind 1 with layout 1 (opset 14; batch major: x [2, 5, 3]),
//           which ONNX Runtime does not run.
// GRU kinds 0 and 2 have linear_before_reset 1 (as PyTorch exports), 1 and
// 3 the default 0. RNN activations: kind 0 Relu forward and Tanh backward,
// kinds 1 and 3 Sigmoid, kind 2 the default Tanh.
inline std::vector<uint8_t> OnnxRecurrentModel(const std::string& op, int kind) {
  constexpr int64_t kSteps = 5, kBatch = 2, kIn = 3, kH = 4;
  const bool lstm = op == "LSTM", rnn = op == "RNN";
  const int64_t dirs = kind == 0 ? 2 : 1, gates = lstm ? 4 : rnn ? 1 : 3;
  const bool batch_major = kind == 3;
  OnnxBuilder b(batch_major ? 14 : 13);
  b.Input("x", batch_major ? std::vector<int64_t>{kBatch, kSteps, kIn} : std::vector<int64_t>{kSteps, kBatch, kIn});
  b.Init("w", {dirs, gates * kH, kIn}, OnnxRamp(static_cast<size_t>(dirs * gates * kH * kIn), 0.11f, -0.6f));
  b.Init("r", {dirs, gates * kH, kH}, OnnxRamp(static_cast<size_t>(dirs * gates * kH * kH), -0.07f, 0.4f));
  std::vector<std::string> in = {"x", "w", "r"};
  if (kind == 0) {
    b.Init("b", {dirs, 2 * gates * kH}, OnnxRamp(static_cast<size_t>(dirs * 2 * gates * kH), 0.05f, -0.3f));
    b.InitInt("lens", ::onnx::TensorProto::INT32, {kBatch}, {kSteps, kSteps});
    b.Init("h0", {dirs, kBatch, kH}, OnnxRamp(static_cast<size_t>(dirs * kBatch * kH), 0.09f, -0.5f));
    in.insert(in.end(), {"b", "lens", "h0"});
    if (lstm) {
      b.Init("c0", {dirs, kBatch, kH}, OnnxRamp(static_cast<size_t>(dirs * kBatch * kH), -0.1f, 0.6f));
      in.push_back("c0");
    }
  }
  std::vector<std::string> out = {kind == 2 ? "" : "Y", "Y_h"};
  if (lstm) out.push_back(kind == 2 ? "Y_c" : "");
  auto node = b.Node(op, in, out, lstm ? "lstm" : rnn ? "rnn" : "gru");
  node.Int("hidden_size", kH);
  if (kind == 0) node.Str("direction", "bidirectional");
  if (kind == 1 || kind == 3) {
    node.Str("direction", "reverse");
    node.Strs("activations", lstm  ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                             : rnn ? std::vector<std::string>{"Sigmoid"}
                                   : std::vector<std::string>{"Sigmoid", "Tanh"});
  }
  if (rnn && kind == 0) node.Strs("activations", {"Relu", "Tanh"});
  if (batch_major) node.Int("layout", 1);
  if (op == "GRU" && (kind == 0 || kind == 2)) node.Int("linear_before_reset", 1);
  b.InitInt64("flat", {2}, {1, -1});
  if (kind == 2) {
    b.Node("Reshape", {"Y_h", "flat"}, {"hf"});
    b.Init("fc", {kBatch * kH, 3}, OnnxRamp(static_cast<size_t>(kBatch * kH * 3), 0.2f, -1.0f));
    b.Node("Gemm", {"hf", "fc"}, {"y"});
  } else {
    b.Node("Reshape", {"Y", "flat"}, {"yf"});
    b.Node("Reshape", {"Y_h", "flat"}, {"hf"});
    b.Node("Concat", {"yf", "hf"}, {"y"}).Int("axis", 1);
  }
  b.Output("y");
  return b.Bytes();
}

}  // namespace ember::test
