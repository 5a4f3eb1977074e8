// Small QOperator-form ONNX models (QLinearConv, QLinearMatMul, ONNX
// Runtime's com.microsoft QLinearAdd/QLinearMul/QLinearGlobalAveragePool/
// QLinearAveragePool/QGemm/QLinearWhere, linear Resize of quantized
// tensors) for the importer's tests and the comparison with ONNX Runtime:
// a float input, QuantizeLinear, the QOperator nodes, then DequantizeLinear
// to a float output, as ONNX Runtime's quantizer writes them.
// Activations uint8 (ONNX Runtime's default) or int8; weights int8, per tensor
// or per output channel (symmetric, as quantizers make them: each channel
// has a weight of magnitude 127).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/evaluate.h"
#include "util/onnx_builder.h"

namespace ember::test {

struct QopModel {
  std::string name;
  std::vector<uint8_t> bytes;
  std::vector<int64_t> input_shape;   // float input, NCHW
  std::vector<int64_t> output_shape;  // float output
  float output_scale = 0.0f;          // one output step
  // After the pass pipeline every arithmetic operator is int8 (false where
  // ONNX Runtime computes an operator in float, which ember then does too).
  bool all_int8 = true;
};

namespace qop_detail {

inline int32_t Lcg(uint32_t* s, int32_t lo, int32_t hi) {
  *s = *s * 1664525u + 1013904223u;
  return lo + static_cast<int32_t>((*s >> 8) % static_cast<uint32_t>(hi - lo + 1));
}

// Symmetric int8 weights: element 0 of each of `channels` blocks is +-wmax
// (127; 63 for the 7-bit weights of ONNX Runtime's reduce_range).
inline std::vector<int32_t> Weights(size_t n, size_t channels, uint32_t seed, int32_t wmax = 127) {
  std::vector<int32_t> w(n);
  for (auto& v : w) v = Lcg(&seed, -wmax * 100 / 127, wmax * 100 / 127);
  for (size_t c = 0; c < channels; ++c) w[c * (n / channels)] = c % 2 ? -wmax : wmax;
  return w;
}

struct Act {
  int32_t elem;
  int32_t zero(int32_t u8_zero) const { return elem == ::onnx::TensorProto::UINT8 ? u8_zero : u8_zero - 128; }
};

}  // namespace qop_detail

// x -> QuantizeLinear -> QLinearConv (3x3, pads 1, int32 bias) -> DequantizeLinear.
inline QopModel QLinearConvModel(bool u8, bool per_channel, bool depthwise = false, int32_t wmax = 127) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  const int64_t c = 3, m = depthwise ? 3 : 4;
  OnnxBuilder b;
  b.Input("x", {1, c, 6, 6});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", a.elem, {}, {a.zero(131)});
  const int64_t cg = depthwise ? 1 : c;
  b.InitInt("w", ::onnx::TensorProto::INT8, {m, cg, 3, 3}, Weights(static_cast<size_t>(m * cg * 9), static_cast<size_t>(m), 7, wmax));
  if (per_channel) {
    std::vector<float> s;
    for (int64_t k = 0; k < m; ++k) s.push_back(0.004f + 0.0015f * static_cast<float>(k));
    b.Init("ws", {m}, s);
    b.InitInt("wz", ::onnx::TensorProto::INT8, {m}, std::vector<int32_t>(static_cast<size_t>(m), 0));
  } else {
    b.Init("ws", {}, {0.005f});
    b.InitInt("wz", ::onnx::TensorProto::INT8, {}, {0});
  }
  const int32_t kBias[] = {1500, -2300, 700, 40};
  b.InitInt("bias", ::onnx::TensorProto::INT32, {m}, std::vector<int32_t>(kBias, kBias + m));
  b.Init("ys", {}, {0.04f});
  b.InitInt("yz", a.elem, {}, {a.zero(120)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  auto conv = b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "ys", "yz", "bias"}, {"yq"}, "conv");
  conv.Ints("pads", {1, 1, 1, 1});
  if (depthwise) conv.Int("group", c);
  b.Node("DequantizeLinear", {"yq", "ys", "yz"}, {"y"});
  b.Output("y");
  return {std::string("qlinearconv_") + (u8 ? "u8" : "i8") + (per_channel ? "_per_channel" : "") +
              (depthwise ? "_depthwise" : ""),
          b.Bytes(), {1, c, 6, 6}, {1, m, 6, 6}, 0.04f};
}

// x -> Q -> QLinearConv -> QLinearConv -> QLinearAdd (residual) -> MaxPool
// (on the quantized tensor) -> QLinearGlobalAveragePool -> DQ.
inline QopModel ResidualPoolModel(bool u8, int32_t wmax = 127) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 4, 6, 6});
  b.Init("xs", {}, {0.03f});
  b.InitInt("xz", a.elem, {}, {a.zero(125)});
  b.InitInt("w", ::onnx::TensorProto::INT8, {4, 4, 3, 3}, Weights(144, 4, 11, wmax));
  b.Init("ws", {4}, {0.003f, 0.004f, 0.0035f, 0.005f});
  b.InitInt("wz", ::onnx::TensorProto::INT8, {4}, {0, 0, 0, 0});
  b.InitInt("w2", ::onnx::TensorProto::INT8, {4, 4, 1, 1}, Weights(16, 1, 13, wmax));
  b.Init("ws2", {}, {0.006f});
  b.InitInt("wz2", ::onnx::TensorProto::INT8, {}, {0});
  b.Init("cs", {}, {0.05f});
  b.InitInt("cz", a.elem, {}, {a.zero(128)});
  b.Init("ds", {}, {0.04f});
  b.InitInt("dz", a.elem, {}, {a.zero(131)});
  b.Init("as", {}, {0.06f});
  b.InitInt("az", a.elem, {}, {a.zero(110)});
  b.Init("gs", {}, {0.045f});
  b.InitInt("gz", a.elem, {}, {a.zero(118)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "cs", "cz"}, {"cq"}, "conv").Ints("pads", {1, 1, 1, 1});
  b.Node("QLinearConv", {"cq", "cs", "cz", "w2", "ws2", "wz2", "ds", "dz"}, {"dq"}, "conv2");
  b.Node("QLinearAdd", {"dq", "ds", "dz", "cq", "cs", "cz", "as", "az"}, {"aq"}, "add").proto()->set_domain("com.microsoft");
  b.Node("MaxPool", {"aq"}, {"mq"}, "pool").Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2});
  b.Node("QLinearGlobalAveragePool", {"mq", "as", "az", "gs", "gz"}, {"gq"}, "gap").proto()->set_domain("com.microsoft");
  b.Node("DequantizeLinear", {"gq", "gs", "gz"}, {"y"});
  b.OutputWithShape("y", {1, 4, 1, 1});
  return {std::string("residual_pool_") + (u8 ? "u8" : "i8"), b.Bytes(), {1, 4, 6, 6}, {1, 4, 1, 1}, 0.045f};
}

// x [2, 8] -> Q -> QLinearMatMul (B [8, 5] int8, per tensor or per column) -> DQ.
inline QopModel QLinearMatMulModel(bool u8, bool per_column, int32_t wmax = 127) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Input("x", {2, 8});
  b.Init("xs", {}, {0.025f});
  b.InitInt("xz", a.elem, {}, {a.zero(128)});
  // B is [K, N]: the symmetric +-127 of each column.
  std::vector<int32_t> w = Weights(40, 1, 5, wmax);
  for (int n = 0; n < 5; ++n) w[static_cast<size_t>(n)] = n % 2 ? -wmax : wmax;  // row 0, column n
  b.InitInt("w", ::onnx::TensorProto::INT8, {8, 5}, w);
  if (per_column) {
    b.Init("ws", {5}, {0.006f, 0.004f, 0.005f, 0.007f, 0.003f});
    b.InitInt("wz", ::onnx::TensorProto::INT8, {5}, {0, 0, 0, 0, 0});
  } else {
    b.Init("ws", {}, {0.005f});
    b.InitInt("wz", ::onnx::TensorProto::INT8, {}, {0});
  }
  b.Init("ys", {}, {0.03f});
  b.InitInt("yz", a.elem, {}, {a.zero(126)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QLinearMatMul", {"xq", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {"yq"}, "matmul");
  b.Node("DequantizeLinear", {"yq", "ys", "yz"}, {"y"});
  b.Output("y");
  return {std::string("qlinearmatmul_") + (u8 ? "u8" : "i8") + (per_column ? "_per_column" : ""), b.Bytes(),
          {2, 8}, {2, 5}, 0.03f};
}

// A product of two run-time tensors, as attention scores are: x [2, 4, 6]
// and its transpose quantized with their own scales and zero points, their
// batched product quantized again. `qoperator`: one QLinearMatMul node;
// otherwise the QDQ form, DequantizeLinear -> MatMul -> QuantizeLinear, which
// ONNX Runtime fuses into QLinearMatMul.
inline QopModel RunTimeMatMulModel(bool u8, bool qoperator) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Input("x", {2, 4, 6});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", a.elem, {}, {a.zero(120)});
  b.Init("ts", {}, {0.03f});
  b.InitInt("tz", a.elem, {}, {a.zero(135)});
  b.Init("ys", {}, {0.15f});
  b.InitInt("yz", a.elem, {}, {a.zero(125)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("Transpose", {"x"}, {"t"}).Ints("perm", {0, 2, 1});
  b.Node("QuantizeLinear", {"t", "ts", "tz"}, {"tq"});
  if (qoperator) {
    b.Node("QLinearMatMul", {"xq", "xs", "xz", "tq", "ts", "tz", "ys", "yz"}, {"yq"}, "scores");
  } else {
    b.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
    b.Node("DequantizeLinear", {"tq", "ts", "tz"}, {"td"});
    b.Node("MatMul", {"xd", "td"}, {"m"}, "scores");
    b.Node("QuantizeLinear", {"m", "ys", "yz"}, {"yq"});
  }
  b.Node("DequantizeLinear", {"yq", "ys", "yz"}, {"y"});
  b.OutputWithShape("y", {2, 4, 4});
  return {std::string(qoperator ? "qlinearmatmul_run_time_b_" : "qdq_matmul_run_time_b_") + (u8 ? "u8" : "i8"),
          b.Bytes(), {2, 4, 6}, {2, 4, 4}, 0.15f};
}

// x -> Q -> QLinearConv (1x1) -> QLinearMul (by a constant per channel) ->
// QLinearAveragePool (2x2, stride 2; output quantized as its input, as
// fold-qdq needs for an int8 average_pool2d) -> DQ.
inline QopModel MulAveragePoolModel(bool u8, int32_t wmax = 127) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 2, 6, 6});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", a.elem, {}, {a.zero(140)});
  b.InitInt("w", ::onnx::TensorProto::INT8, {2, 2, 1, 1}, {wmax, -40 * wmax / 127, 33 * wmax / 127, -wmax});
  b.Init("ws", {}, {0.008f});
  b.InitInt("wz", ::onnx::TensorProto::INT8, {}, {0});
  b.Init("cs", {}, {0.018f});
  b.InitInt("cz", a.elem, {}, {a.zero(125)});
  b.InitInt("k", a.elem, {1, 2, 1, 1}, {a.zero(200), a.zero(60)});
  b.Init("ks", {}, {0.01f});
  b.InitInt("kz", a.elem, {}, {a.zero(128)});
  b.Init("ms", {}, {0.015f});
  b.InitInt("mz", a.elem, {}, {a.zero(128)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "cs", "cz"}, {"cq"}, "conv");
  b.Node("QLinearMul", {"cq", "cs", "cz", "k", "ks", "kz", "ms", "mz"}, {"mq"}, "mul").proto()->set_domain("com.microsoft");
  b.Node("QLinearAveragePool", {"mq", "ms", "mz", "ms", "mz"}, {"pq"}, "avgpool")
      .Ints("kernel_shape", {2, 2})
      .Ints("strides", {2, 2})
      .proto()
      ->set_domain("com.microsoft");
  b.Node("DequantizeLinear", {"pq", "ms", "mz"}, {"y"});
  b.OutputWithShape("y", {1, 2, 3, 3});
  return {std::string("mul_average_pool_") + (u8 ? "u8" : "i8"), b.Bytes(), {1, 2, 6, 6}, {1, 2, 3, 3}, 0.015f};
}

// x [1, 2, 6, 6] -> Q -> QLinearMul (x * x, two run-time operands) ->
// QLinearMul (by a constant per channel, broadcast) -> DQ: ONNX Runtime's
// QLinearMul alone, elementwise and broadcast.
inline QopModel QLinearMulModel(bool u8) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 2, 6, 6});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", a.elem, {}, {a.zero(131)});
  b.Init("ss", {}, {0.027f});
  b.InitInt("sz", a.elem, {}, {a.zero(3)});
  b.InitInt("k", a.elem, {1, 2, 1, 1}, {a.zero(211), a.zero(47)});
  b.Init("ks", {}, {0.013f});
  b.InitInt("kz", a.elem, {}, {a.zero(128)});
  b.Init("ms", {}, {0.011f});
  b.InitInt("mz", a.elem, {}, {a.zero(120)});
  auto contrib = [](OnnxNode n) { return n.proto()->set_domain("com.microsoft"); };
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  contrib(b.Node("QLinearMul", {"xq", "xs", "xz", "xq", "xs", "xz", "ss", "sz"}, {"sq"}, "square"));
  contrib(b.Node("QLinearMul", {"sq", "ss", "sz", "k", "ks", "kz", "ms", "mz"}, {"mq"}, "scale"));
  b.Node("DequantizeLinear", {"mq", "ms", "mz"}, {"y"});
  b.OutputWithShape("y", {1, 2, 6, 6});
  return {std::string("qlinearmul_") + (u8 ? "u8" : "i8"), b.Bytes(), {1, 2, 6, 6}, {1, 2, 6, 6}, 0.011f};
}

// x [1, 2, 6, 6] -> Q twice (two quantizations of x) -> QLinearAdd -> DQ:
// ONNX Runtime's QLinearAdd alone, with zero points far from 0 in the uint8
// form, where the float arithmetic of its fixed part shows (docs/numerics.md,
// "ONNX Runtime semantics").
inline QopModel QLinearAddModel(bool u8) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 2, 6, 6});
  b.Init("xs", {}, {0.04f});
  b.InitInt("xz", a.elem, {}, {a.zero(131)});
  b.Init("ys", {}, {0.05f});
  b.InitInt("yz", a.elem, {}, {a.zero(128)});
  b.Init("ms", {}, {0.06f});
  b.InitInt("mz", a.elem, {}, {a.zero(110)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QuantizeLinear", {"x", "ys", "yz"}, {"yq"});
  b.Node("QLinearAdd", {"xq", "xs", "xz", "yq", "ys", "yz", "ms", "mz"}, {"mq"}, "add").proto()->set_domain("com.microsoft");
  b.Node("DequantizeLinear", {"mq", "ms", "mz"}, {"y"});
  b.OutputWithShape("y", {1, 2, 6, 6});
  return {std::string("qlinearadd_") + (u8 ? "u8" : "i8"), b.Bytes(), {1, 2, 6, 6}, {1, 2, 6, 6}, 0.06f};
}

// x [1, 2, 6, 6] -> Q -> QLinearAveragePool (2x2, stride 2, the same
// quantization out) -> DQ: ONNX Runtime's float window average alone.
inline QopModel QLinearAveragePoolModel(bool u8) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 2, 6, 6});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", a.elem, {}, {a.zero(131)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QLinearAveragePool", {"xq", "xs", "xz", "xs", "xz"}, {"pq"}, "avgpool")
      .Ints("kernel_shape", {2, 2})
      .Ints("strides", {2, 2})
      .proto()
      ->set_domain("com.microsoft");
  b.Node("DequantizeLinear", {"pq", "xs", "xz"}, {"y"});
  b.OutputWithShape("y", {1, 2, 3, 3});
  return {std::string("qlinearaveragepool_") + (u8 ? "u8" : "i8"), b.Bytes(), {1, 2, 6, 6}, {1, 2, 3, 3}, 0.02f};
}

// x [1, 3, 5, 5] -> Q -> QLinearConv (3x3, pads 1, 3 -> 4) -> Resize
// (linear, half_pixel, scales 2 x 1.6, on the quantized tensor, as ONNX
// Runtime's QOperator quantizer leaves it) -> QLinearConv (1x1) -> Resize
// (linear, align_corners, sizes 7 x 5: a downscale) -> DQ.
inline QopModel ResizeModel(bool u8, int32_t wmax = 127) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Input("x", {1, 3, 5, 5});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", a.elem, {}, {a.zero(131)});
  b.InitInt("w", ::onnx::TensorProto::INT8, {4, 3, 3, 3}, Weights(108, 4, 17, wmax));
  b.Init("ws", {}, {0.004f});
  b.InitInt("wz", ::onnx::TensorProto::INT8, {}, {0});
  b.InitInt("w2", ::onnx::TensorProto::INT8, {4, 4, 1, 1}, Weights(16, 4, 19, wmax));
  b.Init("ws2", {}, {0.006f});
  b.Init("cs", {}, {0.03f});
  b.InitInt("cz", a.elem, {}, {a.zero(125)});
  b.Init("ds", {}, {0.025f});
  b.InitInt("dz", a.elem, {}, {a.zero(133)});
  b.Init("scales", {4}, {1.0f, 1.0f, 2.0f, 1.6f});
  b.InitInt64("sizes", {4}, {1, 4, 7, 5});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "cs", "cz"}, {"cq"}, "conv").Ints("pads", {1, 1, 1, 1});
  b.Node("Resize", {"cq", "", "scales"}, {"rq"}, "up").Str("mode", "linear");
  b.Node("QLinearConv", {"rq", "cs", "cz", "w2", "ws2", "wz", "ds", "dz"}, {"dq"}, "conv2");
  b.Node("Resize", {"dq", "", "", "sizes"}, {"sq"}, "down")
      .Str("mode", "linear")
      .Str("coordinate_transformation_mode", "align_corners");
  b.Node("DequantizeLinear", {"sq", "ds", "dz"}, {"y"});
  b.OutputWithShape("y", {1, 4, 7, 5});
  return {std::string("resize_linear_") + (u8 ? "u8" : "i8"), b.Bytes(), {1, 3, 5, 5}, {1, 4, 7, 5}, 0.025f};
}

// x [1, 3, 4, 4] -> Q -> QLinearConv (1x1, 3 -> 3); QLinearWhere
// (com.microsoft) of a run-time condition (x > 0.3, on the float input)
// choosing between the convolution and the quantized input, each with its
// own quantization, requantized to a third -> DQ.
inline QopModel WhereModel(bool u8, int32_t wmax = 127) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 3, 4, 4});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", a.elem, {}, {a.zero(131)});
  b.InitInt("w", ::onnx::TensorProto::INT8, {3, 3, 1, 1}, Weights(9, 3, 23, wmax));
  b.Init("ws", {}, {0.01f});
  b.InitInt("wz", ::onnx::TensorProto::INT8, {}, {0});
  b.Init("cs", {}, {0.015f});
  b.InitInt("cz", a.elem, {}, {a.zero(126)});
  b.Init("os", {}, {0.023f});
  b.InitInt("oz", a.elem, {}, {a.zero(129)});
  b.Init("threshold", {}, {0.3f});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "cs", "cz"}, {"cq"}, "conv");
  b.Node("Greater", {"x", "threshold"}, {"mask"});
  b.Node("QLinearWhere", {"mask", "cq", "cs", "cz", "xq", "xs", "xz", "os", "oz"}, {"oq"}, "where")
      .proto()
      ->set_domain("com.microsoft");
  b.Node("DequantizeLinear", {"oq", "os", "oz"}, {"y"});
  b.OutputWithShape("y", {1, 3, 4, 4});
  return {std::string("qlinearwhere_") + (u8 ? "u8" : "i8"), b.Bytes(), {1, 3, 4, 4}, {1, 3, 4, 4}, 0.023f};
}

// x [1, 2, 4, 4] -> Q -> QLinearConv (1x1, 2 -> 2) -> QLinearLeakyRelu
// (alpha 0.1) -> QLinearSigmoid; QLinearConcat (axis 1) of the conv and the
// sigmoid -> QLinearSoftmax (last axis, opset 13) -> DQ (ONNX Runtime's
// com.microsoft activations and concatenation). With ONNX Runtime's
// arithmetic these stay float (ONNX Runtime computes them in float).
inline QopModel ActivationsConcatModel(bool u8, int32_t wmax = 127) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  auto contrib = [](OnnxNode n) { return n.proto()->set_domain("com.microsoft"); };
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 2, 4, 4});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", a.elem, {}, {a.zero(130)});
  b.InitInt("w", ::onnx::TensorProto::INT8, {2, 2, 1, 1}, {wmax, -50 * wmax / 127, 70 * wmax / 127, wmax});
  b.Init("ws", {}, {0.01f});
  b.InitInt("wz", ::onnx::TensorProto::INT8, {}, {0});
  b.Init("cs", {}, {0.025f});
  b.InitInt("cz", a.elem, {}, {a.zero(128)});
  b.Init("ls", {}, {0.02f});
  b.InitInt("lz", a.elem, {}, {a.zero(100)});
  b.Init("ss", {}, {1.0f / 256});
  b.InitInt("sz", a.elem, {}, {a.zero(0)});
  b.Init("ks", {}, {0.03f});
  b.InitInt("kz", a.elem, {}, {a.zero(120)});
  b.Init("ms", {}, {1.0f / 256});
  b.InitInt("mz", a.elem, {}, {a.zero(0)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "cs", "cz"}, {"cq"}, "conv");
  contrib(b.Node("QLinearLeakyRelu", {"cq", "cs", "cz", "ls", "lz"}, {"lq"}, "leaky").Float("alpha", 0.1f));
  contrib(b.Node("QLinearSigmoid", {"lq", "ls", "lz", "ss", "sz"}, {"sq"}, "sigmoid"));
  contrib(b.Node("QLinearConcat", {"ks", "kz", "cq", "cs", "cz", "sq", "ss", "sz"}, {"kq"}, "concat").Int("axis", 1));
  contrib(b.Node("QLinearSoftmax", {"kq", "ks", "kz", "ms", "mz"}, {"mq"}, "softmax").Int("axis", -1).Int("opset", 13));
  b.Node("DequantizeLinear", {"mq", "ms", "mz"}, {"y"});
  b.OutputWithShape("y", {1, 4, 4, 4});
  return {std::string("activations_concat_") + (u8 ? "u8" : "i8"), b.Bytes(), {1, 2, 4, 4}, {1, 4, 4, 4}, 1.0f / 256,
          /*all_int8=*/false};
}

// x [2, 8] -> Q -> QGemm (com.microsoft; B [5, 8] with transB, int8 per
// tensor or per column, int32 bias C, alpha 0.5) -> DQ; without an output
// scale QGemm's output is float (one step: one accumulator unit).
inline QopModel QGemmModel(bool u8, bool per_column, bool float_out = false, int32_t wmax = 127) {
  using namespace qop_detail;
  const Act a{u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8};
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {2, 8});
  b.Init("xs", {}, {0.025f});
  b.InitInt("xz", a.elem, {}, {a.zero(133)});
  b.InitInt("w", ::onnx::TensorProto::INT8, {5, 8}, Weights(40, 5, 17, wmax));
  if (per_column) {
    b.Init("ws", {5}, {0.006f, 0.004f, 0.005f, 0.007f, 0.003f});
    b.InitInt("wz", ::onnx::TensorProto::INT8, {5}, {0, 0, 0, 0, 0});
  } else {
    b.Init("ws", {}, {0.005f});
    b.InitInt("wz", ::onnx::TensorProto::INT8, {}, {0});
  }
  b.InitInt("c", ::onnx::TensorProto::INT32, {5}, {900, -1400, 300, 0, 2500});
  b.Init("ys", {}, {0.02f});
  b.InitInt("yz", a.elem, {}, {a.zero(122)});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  std::vector<std::string> in = {"xq", "xs", "xz", "w", "ws", "wz", "c"};
  if (!float_out) in.insert(in.end(), {"ys", "yz"});
  b.Node("QGemm", in, {float_out ? "y" : "yq"}, "gemm").Int("transB", 1).Float("alpha", 0.5f).proto()->set_domain(
      "com.microsoft");
  if (!float_out) b.Node("DequantizeLinear", {"yq", "ys", "yz"}, {"y"});
  b.OutputWithShape("y", {2, 5});
  QopModel m{std::string("qgemm_") + (u8 ? "u8" : "i8") + (per_column ? "_per_column" : "") + (float_out ? "_float_out" : ""),
             b.Bytes(), {2, 8}, {2, 5}, float_out ? 0.5f * 0.025f * 0.003f : 0.02f};
  m.all_int8 = !float_out;  // a float output: the last operator computes in float
  return m;
}

// NCHW <-> NHWC of a rank-4 float tensor of NCHW shape `s` (to_nhwc) or back.
inline std::vector<float> SwapLayout(const std::vector<float>& in, const std::vector<int64_t>& s, bool to_nhwc) {
  std::vector<float> out(in.size());
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const size_t nchw = static_cast<size_t>(((b * c + ch) * h + y) * w + x);
          const size_t nhwc = static_cast<size_t>(((b * h + y) * w + x) * c + ch);
          if (to_nhwc) out[nhwc] = in[nchw]; else out[nchw] = in[nhwc];
        }
  return out;
}

// Output 0 of a one-input float graph for an NCHW input, in NCHW: an input
// or output the layout pass made NHWC (source_layout "NCHW") is converted.
inline std::vector<float> RunNchw(const ir::Graph& g, const std::vector<float>& x, const std::vector<int64_t>& in_shape,
                                  const std::vector<int64_t>& out_shape, std::string* error) {
  const bool nhwc_in = g.tensor(g.inputs[0]).source_layout == "NCHW";
  const bool nhwc_out = g.tensor(g.outputs[0]).source_layout == "NCHW";
  const std::vector<float> xi = nhwc_in ? SwapLayout(x, in_shape, true) : x;
  std::vector<uint8_t> bytes(xi.size() * 4);
  std::memcpy(bytes.data(), xi.data(), bytes.size());
  auto r = ops::EvaluateGraph(g, {bytes});
  if (!r.ok()) {
    *error = r.diag().ToString();
    return {};
  }
  std::vector<float> y(r->outputs[0].size() / 4);
  std::memcpy(y.data(), r->outputs[0].data(), y.size() * 4);
  return nhwc_out ? SwapLayout(y, out_shape, false) : y;
}

// Every model above, uint8 and int8 activations, weights of magnitude up to
// `wmax` (the uint8 ones only with 7-bit weights when `u8_reduce_range`).
inline std::vector<QopModel> AllQopModels(bool u8_reduce_range = false) {
  std::vector<QopModel> m;
  for (bool u8 : {true, false}) {
    const int32_t wmax = u8 && u8_reduce_range ? 63 : 127;
    m.push_back(QLinearConvModel(u8, false, false, wmax));
    m.push_back(QLinearConvModel(u8, true, false, wmax));
    m.push_back(QLinearConvModel(u8, true, /*depthwise=*/true, wmax));
    m.push_back(ResidualPoolModel(u8, wmax));
    m.push_back(QLinearMatMulModel(u8, false, wmax));
    m.push_back(QLinearMatMulModel(u8, true, wmax));
    m.push_back(RunTimeMatMulModel(u8, true));
    m.push_back(RunTimeMatMulModel(u8, false));
    m.push_back(MulAveragePoolModel(u8, wmax));
    m.push_back(QLinearMulModel(u8));
    m.push_back(QLinearAddModel(u8));
    m.push_back(QLinearAveragePoolModel(u8));
    m.push_back(QGemmModel(u8, false, false, wmax));
    m.push_back(QGemmModel(u8, true, false, wmax));
    m.push_back(QGemmModel(u8, true, /*float_out=*/true, wmax));
    m.push_back(ActivationsConcatModel(u8, wmax));
    m.push_back(ResizeModel(u8, wmax));
    m.push_back(WhereModel(u8, wmax));
  }
  return m;
}

}  // namespace ember::test
