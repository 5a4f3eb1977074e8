// Malformed ONNX models: the generator of the .onnx files of the corpus in
// tests/fuzz/corpus/ (reproducible, like the TFLite ones:
//   EMBER_WRITE_CORPUS=1 build/bin/ember_fuzz_tests --gtest_filter='MalformedOnnx.*'
// rewrites them), a check that each is rejected by ImportOnnx with a clean
// diagnostic that names the file, and random mutations of valid models (a
// small CNN, a QOperator model, LSTM + GRU + RNN, model-local functions, 3-D
// operators, signal operators, int64 token ids, dynamic quantization, opset
// 9, MaxPool indices into MaxUnpool, nested If, Loop, Scan, sequences, RoiAlign and Det, float16, QCDQ) that must import or give a diagnostic, never crash. cli_corpus_test.cc
// runs the CLI on the same files.
#include <gtest/gtest.h>

#include <cmath>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>

#include "frontend/onnx/import.h"
#include "util/onnx_builder.h"
#include "util/onnx_function_models.h"
#include "util/qoperator_models.h"

namespace ember::test {
namespace {

using Bytes = std::vector<uint8_t>;
namespace pb = ::onnx;

// x[1,2,4,4] -> Conv(w 3x2x3x3, pads 1) -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> y
OnnxBuilder SmallCnn() {
  OnnxBuilder b;
  b.Input("x", {1, 2, 4, 4});
  b.Init("w", {3, 2, 3, 3}, std::vector<float>(54, 0.125f));
  b.Init("b", {3}, {0.5f, -0.5f, 0.25f});
  b.Node("Conv", {"x", "w", "b"}, {"c"}).Ints("pads", {1, 1, 1, 1});
  b.Node("Relu", {"c"}, {"r"});
  b.Node("GlobalAveragePool", {"r"}, {"g"});
  b.Node("Flatten", {"g"}, {"f"});
  b.Init("fw", {2, 3}, {1, 2, 3, 4, 5, 6});
  b.Node("Gemm", {"f", "fw"}, {"y"}).Int("transB", 1);
  b.Output("y");
  return b;
}

// x[4,1,3] -> LSTM (bidirectional, hidden 2, biases, initial_h) -> Y
// [4,2,1,2] -> Reshape [4,1,4] -> GRU (reverse, hidden 3, linear_before_reset)
// -> Y_h [1,1,3] -> RNN (Relu, hidden 2) -> Y_h [1,1,2]. `p`: the LSTM's peepholes (nonzero: refused); `gru_w_rows`:
// the rows of the GRU's W (9 fit hidden 3).
OnnxBuilder Recurrent(float p = 0.0f, int64_t gru_w_rows = 9, bool input_forget = false) {
  OnnxBuilder b;
  b.Input("x", {4, 1, 3});
  b.Init("w", {2, 8, 3}, std::vector<float>(48, 0.25f));
  b.Init("r", {2, 8, 2}, std::vector<float>(32, -0.125f));
  b.Init("b", {2, 16}, std::vector<float>(32, 0.0625f));
  b.Init("h0", {2, 1, 2}, {0.5f, -0.5f, 0.25f, 0.0f});
  b.Init("p", {2, 6}, std::vector<float>(12, p));
  auto lstm = b.Node("LSTM", {"x", "w", "r", "b", "", "h0", "", "p"}, {"l", "", ""}, "lstm");
  lstm.Int("hidden_size", 2).Str("direction", "bidirectional");
  if (input_forget) lstm.Int("input_forget", 1);
  b.InitInt64("shape", {3}, {4, 1, 4});
  b.Node("Reshape", {"l", "shape"}, {"lr"});
  b.Init("gw", {1, gru_w_rows, 4}, std::vector<float>(static_cast<size_t>(gru_w_rows * 4), 0.2f));
  b.Init("gr", {1, 9, 3}, std::vector<float>(27, 0.1f));
  b.Node("GRU", {"lr", "gw", "gr"}, {"", "g"}, "gru")
      .Int("hidden_size", 3)
      .Str("direction", "reverse")
      .Int("linear_before_reset", 1);
  b.Init("nw", {1, 2, 3}, std::vector<float>(6, 0.3f));
  b.Init("nr", {1, 2, 2}, std::vector<float>(4, -0.2f));
  b.Node("RNN", {"g", "nw", "nr"}, {"", "y"}, "rnn").Int("hidden_size", 2).Strs("activations", {"Relu"});
  b.Output("y");
  return b;
}

OnnxBuilder Relu(int64_t opset = 13, std::vector<int64_t> dims = {1, 4}) {
  OnnxBuilder b(opset);
  b.Input("x", dims);
  b.Node("Relu", {"x"}, {"y"});
  b.OutputWithShape("y", {1, 4});
  return b;
}

OnnxBuilder WithExternal(const std::string& location) {
  OnnxBuilder b;
  b.Input("x", {1, 4});
  b.InitExternal("w", {4, 4}, location);
  b.Node("MatMul", {"x", "w"}, {"y"});
  b.OutputWithShape("y", {1, 4});
  return b;
}

Bytes Opset9();  // a valid opset-9 model, below

std::map<std::string, Bytes> OnnxCorpus() {
  std::map<std::string, Bytes> c;
  const Bytes good = SmallCnn().Bytes();
  const std::string text = "ember test corpus: this is a text file, not an ONNX model.\n";
  c["onnx_not_protobuf.onnx"] = Bytes(text.begin(), text.end());
  c["onnx_empty.onnx"] = {};
  c["onnx_truncated_half.onnx"] = Bytes(good.begin(), good.begin() + static_cast<long>(good.size() / 2));
  {
    OnnxBuilder b;
    b.model().clear_graph();
    c["onnx_no_graph.onnx"] = b.Bytes();
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 4});
    b.Node("Relu", {"x", "x"}, {"y"});
    b.OutputWithShape("y", {1, 4});
    c["onnx_checker_refuses_arity.onnx"] = b.Bytes();
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 4});
    b.Node("Relu", {"y"}, {"z"});
    b.Node("Relu", {"z"}, {"y"});
    b.OutputWithShape("y", {1, 4});
    c["onnx_cycle.onnx"] = b.Bytes();
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 4});
    b.Node("LpNormalization", {"x"}, {"y"});
    b.OutputWithShape("y", {1, 4});
    c["onnx_unsupported_op.onnx"] = b.Bytes();
  }
  {
    // An operator defined by a function body whose body needs one ember
    // does not import (RandomUniformLike).
    OnnxBuilder b(15);
    b.Input("x", {1, 4});
    b.Node("Bernoulli", {"x"}, {"y"});
    b.OutputWithShape("y", {1, 4});
    c["onnx_function_body_unsupported_op.onnx"] = b.Bytes();
  }
  {
    OnnxBuilder b;
    b.Input("x", {2, 3});
    b.InitInt64("k", {1}, {7});
    b.Node("TopK", {"x", "k"}, {"v", "i"});
    b.OutputWithShape("v", {2, 7});
    b.OutputWithShape("i", {2, 7}, pb::TensorProto::INT64);
    c["onnx_topk_k_above_axis.onnx"] = b.Bytes();
  }
  c["onnx_opset_23.onnx"] = Relu(23).Bytes();
  c["onnx_dynamic_dim.onnx"] = Relu(13, {-1, 4}).Bytes();
  c["onnx_external_data_dotdot.onnx"] = WithExternal("../../../../etc/passwd").Bytes();
  c["onnx_external_data_absolute.onnx"] = WithExternal("/etc/passwd").Bytes();
  c["onnx_external_data_missing.onnx"] = WithExternal("no_such_weights.bin").Bytes();
  {
    OnnxBuilder b = SmallCnn();
    auto* w = b.model().mutable_graph()->mutable_initializer(0);
    w->clear_float_data();
    w->set_raw_data(std::string(10, '\0'));  // 10 bytes for 54 floats
    c["onnx_raw_data_size_mismatch.onnx"] = b.Bytes();
  }
  {
    OnnxBuilder b = SmallCnn();
    auto* w = b.model().mutable_graph()->mutable_initializer(0);
    w->clear_dims();
    for (int k = 0; k < 4; ++k) w->add_dims(int64_t{1} << 20);
    c["onnx_huge_dims.onnx"] = b.Bytes();
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 4});
    b.InitInt64("shape", {2}, {3, 5});
    b.Node("Reshape", {"x", "shape"}, {"y"});
    b.OutputWithShape("y", {3, 5});
    c["onnx_reshape_count_mismatch.onnx"] = b.Bytes();
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4});
    b.Init("w", {3, 2}, std::vector<float>(6, 1.0f));
    b.Node("Conv", {"x", "w"}, {"y"});
    b.OutputWithShape("y", {1, 3, 4, 4});
    c["onnx_conv_weight_rank2.onnx"] = b.Bytes();
  }
  {
    // Conv weights of rank 4 on a rank-3 input (libonnx 1.12's shape
    // inference reads past the input shape when no kernel_shape is given).
    OnnxBuilder b;
    b.Input("x", {1, 2, 4});
    b.Init("w", {3, 2, 3, 3}, std::vector<float>(54, 0.5f));
    b.Node("Conv", {"x", "w"}, {"y"}).Ints("pads", {1, 1});
    b.OutputWithShape("y", {1, 3, 4});
    c["onnx_conv_rank_mismatch.onnx"] = b.Bytes();
  }
  {
    // Two small constants whose broadcast sum would be 2^26 elements.
    OnnxBuilder b;
    b.Input("x", {1, 1});
    b.Init("a", {8192, 1}, std::vector<float>(8192, 1.0f));
    b.Init("c", {1, 8192}, std::vector<float>(8192, 2.0f));
    b.Node("Add", {"a", "c"}, {"s"});
    b.Node("Add", {"x", "s"}, {"y"});
    b.OutputWithShape("y", {8192, 8192});
    c["onnx_fold_explosion.onnx"] = b.Bytes();
  }
  // QOperator form: the importer checks the scales and zero points of the
  // com.microsoft operators itself (libonnx has no schema for them).
  auto qlinear_add = [](std::vector<std::string> in, const std::function<void(OnnxBuilder&)>& more = nullptr) {
    OnnxBuilder b;
    b.Domain("com.microsoft", 1);
    b.Input("x", {1, 2, 2, 2});
    b.Init("s", {}, {0.1f});
    b.InitInt("z", pb::TensorProto::UINT8, {}, {128});
    if (more) more(b);
    b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
    b.Node("QLinearAdd", in, {"aq"}).proto()->set_domain("com.microsoft");
    b.Node("DequantizeLinear", {"aq", "s", "z"}, {"y"});
    b.OutputWithShape("y", {1, 2, 2, 2});
    return b.Bytes();
  };
  c["onnx_qlinearadd_missing_scale.onnx"] = qlinear_add({"xq", "s", "z", "xq"});
  c["onnx_qlinearadd_zero_point_type.onnx"] =
      qlinear_add({"xq", "s", "z", "xq", "s", "zf", "s", "z"}, [](OnnxBuilder& b) { b.Init("zf", {}, {128.0f}); });
  c["onnx_qlinearadd_scale_length.onnx"] =
      qlinear_add({"xq", "s", "z", "xq", "s2", "z", "s", "z"}, [](OnnxBuilder& b) { b.Init("s2", {2}, {0.1f, 0.2f}); });
  auto qlinear_conv = [](int w_scales, int32_t x_zero_type, std::vector<int64_t> x_shape) {
    OnnxBuilder b;
    b.Input("xq", x_shape, pb::TensorProto::UINT8);
    b.Init("xs", {}, {0.02f});
    b.InitInt("xz", x_zero_type, {}, {128});
    b.InitInt("w", pb::TensorProto::INT8, {2, 2, 3, 3}, std::vector<int32_t>(36, 5));
    b.Init("ws", {w_scales}, std::vector<float>(static_cast<size_t>(w_scales), 0.01f));
    b.InitInt("wz", pb::TensorProto::INT8, {w_scales}, std::vector<int32_t>(static_cast<size_t>(w_scales), 0));
    b.Init("ys", {}, {0.05f});
    b.InitInt("yz", pb::TensorProto::UINT8, {}, {128});
    b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {"yq"}).Ints("pads", {1, 1, 1, 1});
    b.OutputWithShape("yq", {1, 2, 4, 4}, pb::TensorProto::UINT8);
    return b.Bytes();
  };
  c["onnx_qlinearconv_scale_length.onnx"] = qlinear_conv(3, pb::TensorProto::UINT8, {1, 2, 4, 4});
  c["onnx_qlinearconv_zero_point_type.onnx"] = qlinear_conv(2, pb::TensorProto::INT8, {1, 2, 4, 4});
  c["onnx_qlinearconv_rank_mismatch.onnx"] = qlinear_conv(2, pb::TensorProto::UINT8, {1, 2, 4});
  c["onnx_lstm_input_forget.onnx"] = Recurrent(0.0f, 9, true).Bytes();
  c["onnx_gru_weight_rows.onnx"] = Recurrent(0.0f, 8).Bytes();
  c["onnx_function_recursive.onnx"] = FunctionModel(FunctionForm::kRecursive);
  c["onnx_function_arity.onnx"] = FunctionModel(FunctionForm::kTooManyInputs);
  {  // a 3-D pooling window with dilations
    OnnxBuilder b;
    b.Input("x", {1, 2, 6, 6, 6});
    b.Node("MaxPool", {"x"}, {"y"}).Ints("kernel_shape", {2, 2, 2}).Ints("dilations", {2, 2, 2});
    b.Output("y");
    c["onnx_pool3d_dilations.onnx"] = b.Bytes();
  }
  {  // STFT frames longer than the signal
    OnnxBuilder b(17);
    b.Input("audio", {1, 8, 1});
    b.InitInt64("step", {}, {4});
    b.InitInt64("len", {}, {16});
    b.Node("STFT", {"audio", "step", "", "len"}, {"y"});
    b.OutputWithShape("y", {1, 1, 9, 2});
    c["onnx_stft_frame_too_long.onnx"] = b.Bytes();
  }
  {  // a rank-1 signal: libonnx 1.12's STFT inference reads its dims unchecked
    OnnxBuilder b(17);
    b.Input("audio", {64});
    b.InitInt64("step", {}, {8});
    b.Init("window", {16}, std::vector<float>(16, 0.5f));
    b.Node("STFT", {"audio", "step", "window"}, {"y"});
    b.OutputWithShape("y", {1, 7, 9, 2});
    c["onnx_stft_signal_rank1.onnx"] = b.Bytes();
  }
  {  // a pooling stride of 0 (libonnx's inference divides by it)
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 6, 6});
    b.Node("MaxPool", {"x"}, {"y"}).Ints("kernel_shape", {2, 2, 2}).Ints("strides", {2, 2, 0});
    b.OutputWithShape("y", {1, 2, 2, 3, 3});
    c["onnx_pool_stride_zero.onnx"] = b.Bytes();
  }
  {  // a convolution stride of 0
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4});
    b.Init("w", {3, 2, 3, 3}, std::vector<float>(54, 0.125f));
    b.Node("Conv", {"x", "w"}, {"y"}).Ints("strides", {0, 1});
    b.OutputWithShape("y", {1, 3, 2, 2});
    c["onnx_conv_stride_zero.onnx"] = b.Bytes();
  }
  {  // an STFT frame_step of 0 (libonnx's inference divides by it)
    OnnxBuilder b(17);
    b.Input("audio", {1, 64, 1});
    b.InitInt64("step", {}, {0});
    b.Init("window", {16}, std::vector<float>(16, 0.5f));
    b.Node("STFT", {"audio", "step", "window"}, {"y"});
    b.OutputWithShape("y", {1, 7, 9, 2});
    c["onnx_stft_step_zero.onnx"] = b.Bytes();
  }
  {  // MaxUnpool whose indices are a 1-D tensor (libonnx's inference reads their dimension 1; found by fuzzing)
    OnnxBuilder b(13);
    b.Input("x", {1, 2, 5, 5});
    b.InitInt64("full", {4}, {1, 2, 5, 5});
    b.Node("MaxPool", {"x"}, {"p"}).Ints("kernel_shape", {3, 3}).Ints("strides", {2, 2}).Ints("pads", {1, 1, 1, 1});
    b.Node("MaxUnpool", {"p", "full"}, {"y"}).Ints("kernel_shape", {3, 3}).Ints("strides", {2, 2});
    b.OutputWithShape("y", {1, 2, 5, 5});
    std::string s;
    b.model().SerializeToString(&s);  // not Bytes(): its shape inference would crash
    c["onnx_maxunpool_indices_rank1.onnx"] = Bytes(s.begin(), s.end());
  }
  {  // an opset-9 model whose graph output nothing produces (libonnx's version converter crashed on it)
    Bytes m = Opset9();
    ::onnx::ModelProto p;
    p.ParseFromArray(m.data(), static_cast<int>(m.size()));
    auto* g = p.mutable_graph();
    g->mutable_node(g->node_size() - 1)->set_output(0, "z");
    std::string s;
    p.SerializeToString(&s);
    c["onnx_opset9_output_unproduced.onnx"] = Bytes(s.begin(), s.end());
  }
  {  // a Scan over two inputs of different lengths (4 and 3 steps along axis 1)
    OnnxBuilder body;
    body.Input("a", {2});
    body.Input("b", {2});
    body.Node("Add", {"a", "b"}, {"sum"});
    body.OutputWithShape("sum", {2});
    OnnxBuilder b(13);
    b.Input("x", {2, 4});
    b.Init("w", {2, 3}, {1, 2, 3, 4, 5, 6});
    b.Node("Scan", {"x", "w"}, {"y"}).Graph("body", body.model().graph()).Int("num_scan_inputs", 2).Ints(
        "scan_input_axes", {1, 1});
    b.OutputWithShape("y", {4, 2});
    std::string s;
    b.model().SerializeToString(&s);
    c["onnx_scan_lengths_differ.onnx"] = Bytes(s.begin(), s.end());
  }
  {  // TopK whose k is an int64 initializer of 1 byte of raw data (libonnx's ParseData wrote out of bounds; found by fuzzing)
    OnnxBuilder b(13);
    b.Input("x", {2, 64});
    b.InitInt64("k", {1}, {7});
    b.Node("TopK", {"x", "k"}, {"values", "indices"});
    b.OutputWithShape("indices", {2, 7}, pb::TensorProto::INT64);
    ::onnx::ModelProto m = b.model();
    auto* k = m.mutable_graph()->mutable_initializer(0);
    k->clear_int64_data();
    k->set_raw_data(std::string(1, '\7'));
    std::string s;
    m.SerializeToString(&s);  // not Bytes(): its shape inference would crash
    c["onnx_int64_raw_data_short.onnx"] = Bytes(s.begin(), s.end());
  }
  {  // RoiAlign of a region in image 3 of a batch of 1
    OnnxBuilder b(16);
    b.Input("x", {1, 2, 6, 6});
    b.Init("rois", {1, 4}, {0, 0, 4, 4});
    b.InitInt64("batch", {1}, {3});
    b.Node("RoiAlign", {"x", "rois", "batch"}, {"y"}).Int("output_height", 2).Int("output_width", 2);
    b.OutputWithShape("y", {1, 2, 2, 2});
    c["onnx_roialign_batch_index.onnx"] = b.Bytes();
  }
  {  // Resize to 2^33 elements from a scale of a few bytes (found by fuzzing: E1002 before any table is made)
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4});
    b.Init("roi", {0}, {});
    b.Init("scales", {4}, {1, 1, 2097150.75f, 1.5f});
    b.Node("Resize", {"x", "roi", "scales"}, {"y"}).Str("mode", "nearest");
    b.Output("y");
    c["onnx_resize_huge_output.onnx"] = b.Bytes();
  }
  {  // An opset-21 DequantizeLinear with a uint16 zero point and no output
     // (found by fuzzing: the lowering to the com.microsoft form read its
     // output name; now the checker's E1003)
    OnnxBuilder b(21);
    b.Input("x", {1, 4});
    b.Init("s", {}, {0.001f});
    b.InitInt("z", ::onnx::TensorProto::UINT16, {}, {1000});
    b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
    b.Node("DequantizeLinear", {"q", "s", "z"}, {});
    b.Output("q");
    c["onnx_dequantize_uint16_without_output.onnx"] = b.Bytes();
  }
  {  // A Resize scale of NaN (found by fuzzing: its output size was a NaN
     // converted to an integer; now E1007 before that)
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4});
    b.Init("roi", {0}, {});
    b.Init("scales", {4}, {1, 1, std::nanf(""), 1.5f});
    b.Node("Resize", {"x", "roi", "scales"}, {"y"}).Str("mode", "nearest");
    b.Output("y");
    c["onnx_resize_nan_scale.onnx"] = b.Bytes();
  }
  {
    // QLinearWhere whose condition is a float tensor, not bool.
    OnnxBuilder b;
    b.Domain("com.microsoft", 1);
    b.Input("x", {1, 4});
    b.Init("s", {}, {0.1f});
    b.InitInt("z", ::onnx::TensorProto::INT8, {}, {0});
    b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
    b.Node("QLinearWhere", {"x", "xq", "s", "z", "xq", "s", "z", "s", "z"}, {"wq"}).proto()->set_domain("com.microsoft");
    b.Node("DequantizeLinear", {"wq", "s", "z"}, {"y"});
    b.OutputWithShape("y", {1, 4});
    c["onnx_qlinearwhere_float_condition.onnx"] = b.Bytes();
  }
  {
    // QLinearAveragePool with channels_last on a rank-2 tensor.
    OnnxBuilder b;
    b.Domain("com.microsoft", 1);
    b.Input("x", {4, 4});
    b.Init("s", {}, {0.1f});
    b.InitInt("z", ::onnx::TensorProto::UINT8, {}, {128});
    b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
    b.Node("QLinearAveragePool", {"xq", "s", "z", "s", "z"}, {"pq"})
        .Ints("kernel_shape", {2})
        .Int("channels_last", 1)
        .proto()
        ->set_domain("com.microsoft");
    b.Node("DequantizeLinear", {"pq", "s", "z"}, {"y"});
    b.OutputWithShape("y", {4, 3});
    c["onnx_qlinearaveragepool_channels_last_rank2.onnx"] = b.Bytes();
  }
  // Bit flips of the valid model (seeded).
  std::mt19937 rng(1234);
  for (int k = 0; k < 6; ++k) {
    Bytes m = good;
    const size_t at = rng() % m.size();
    m[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
    if (!frontend::onnx::ImportOnnx(m, "x.onnx").ok()) c["onnx_bitflip_" + std::to_string(at) + ".onnx"] = m;
  }
  return c;
}

// x[1,2,4,6,6] -> Conv (3-D, pads 1) -> MaxPool (3-D) -> ConvTranspose
// (3-D, stride 2) -> AveragePool (3-D) -> y: the 3-D operators.
Bytes Volume() {
  OnnxBuilder b;
  b.Input("x", {1, 2, 4, 6, 6});
  b.Init("w", {3, 2, 3, 3, 3}, std::vector<float>(162, 0.0625f));
  b.Init("wt", {3, 2, 2, 2, 2}, std::vector<float>(48, 0.125f));
  b.Node("Conv", {"x", "w"}, {"c"}).Ints("pads", {1, 1, 1, 1, 1, 1});
  b.Node("MaxPool", {"c"}, {"p"}).Ints("kernel_shape", {2, 2, 2}).Ints("strides", {2, 2, 2});
  b.Node("ConvTranspose", {"p", "wt"}, {"t"}).Ints("strides", {2, 2, 2});
  b.Node("AveragePool", {"t"}, {"y"}).Ints("kernel_shape", {1, 2, 2}).Ints("pads", {0, 1, 1, 0, 1, 1});
  b.Output("y");
  return b.Bytes();
}

// audio[1,64,1] -> STFT (Hann window 16, step 8) and DFT (axis 1, onesided)
// -> y, z: the signal operators (opset 17).
Bytes Signal() {
  OnnxBuilder b(17);
  b.Input("audio", {1, 64, 1});
  b.InitInt64("step", {}, {8});
  b.Init("window", {16}, std::vector<float>(16, 0.5f));
  b.InitInt64("len", {}, {32});
  b.Node("STFT", {"audio", "step", "window"}, {"y"});
  b.OutputWithShape("y", {1, 7, 9, 2});
  b.Node("DFT", {"audio", "len"}, {"z"}).Int("onesided", 1);
  b.OutputWithShape("z", {1, 17, 2});
  return b.Bytes();
}

// ids[1,6] (int64) -> Gather into a [10,4] table, a padding mask
// Equal(ids, 0), Where, Max and GatherElements of the ids -> y, z: int64
// graph inputs.
Bytes TokenIds() {
  OnnxBuilder b;
  b.Input("ids", {1, 6}, ::onnx::TensorProto::INT64);
  b.Init("table", {10, 4}, std::vector<float>(40, 0.25f));
  b.InitInt64("pad", {}, {0});
  b.InitInt64("floor", {}, {1});
  b.Init("zero", {}, {0.0f});
  b.Node("Gather", {"table", "ids"}, {"emb"});
  b.Node("Equal", {"ids", "pad"}, {"is_pad"});
  b.InitInt64("axis2", {1}, {2});
  b.Node("Unsqueeze", {"is_pad", "axis2"}, {"is_pad3"});
  b.Node("Where", {"is_pad3", "zero", "emb"}, {"y"});
  b.OutputWithShape("y", {1, 6, 4});
  b.Node("Max", {"ids", "floor"}, {"m"});
  b.Node("GatherElements", {"ids", "m"}, {"z"}).Int("axis", 1);
  b.OutputWithShape("z", {1, 6}, ::onnx::TensorProto::INT64);
  return b.Bytes();
}

// x[1,2,5,5] -> DynamicQuantizeLinear -> ConvInteger (uint8 weights) and,
// flattened, MatMulInteger (int8 weights) -> Cast -> Mul by the scales -> y, z:
// ONNX Runtime's dynamic quantization.
Bytes DynamicQuant() {
  OnnxBuilder b;
  b.Input("x", {1, 2, 5, 5});
  b.InitInt("w", ::onnx::TensorProto::UINT8, {2, 2, 3, 3}, std::vector<int32_t>(36, 140));
  b.InitInt("wz", ::onnx::TensorProto::UINT8, {}, {128});
  b.InitInt("m", ::onnx::TensorProto::INT8, {50, 3}, std::vector<int32_t>(150, -7));
  b.Init("ws", {}, {0.01f});
  b.Node("DynamicQuantizeLinear", {"x"}, {"xq", "xs", "xz"});
  b.Node("ConvInteger", {"xq", "w", "xz", "wz"}, {"acc"}).Ints("pads", {1, 1, 1, 1});
  b.Node("Cast", {"acc"}, {"accf"}).Int("to", ::onnx::TensorProto::FLOAT);
  b.Node("Mul", {"xs", "ws"}, {"s"});
  b.Node("Mul", {"accf", "s"}, {"y"});
  b.OutputWithShape("y", {1, 2, 5, 5});
  b.Node("Flatten", {"x"}, {"flat"});
  b.Node("DynamicQuantizeLinear", {"flat"}, {"fq", "fs", "fz"});
  b.Node("MatMulInteger", {"fq", "m", "fz"}, {"macc"});
  b.Node("Cast", {"macc"}, {"maccf"}).Int("to", ::onnx::TensorProto::FLOAT);
  b.Node("Mul", {"maccf", "fs"}, {"z"});
  b.OutputWithShape("z", {1, 3});
  return b.Bytes();
}

// x[1,2,4,4] -> Conv -> BatchNormalization -> Upsample (scales input) ->
// Slice (attributes) -> y at opset 9: ONNX's version converter first.
Bytes Opset9() {
  OnnxBuilder b(9);
  b.Input("x", {1, 2, 4, 4});
  b.Init("w", {2, 2, 3, 3}, std::vector<float>(36, 0.1f));
  b.Init("gamma", {2}, {1.0f, 2.0f});
  b.Init("beta", {2}, {0.0f, 0.5f});
  b.Init("mean", {2}, {0.1f, 0.2f});
  b.Init("var", {2}, {1.0f, 0.5f});
  b.Init("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
  b.Node("Conv", {"x", "w"}, {"c"}).Ints("pads", {1, 1, 1, 1});
  b.Node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"n"});
  b.Node("Upsample", {"n", "scales"}, {"u"}).Str("mode", "nearest");
  b.Node("Slice", {"u"}, {"y"}).Ints("starts", {1, 1}).Ints("ends", {7, 7}).Ints("axes", {2, 3});
  b.OutputWithShape("y", {1, 2, 6, 6});
  return b.Bytes();
}

// x[1,2,5,5] -> MaxPool (Indices, padded) -> MaxUnpool (output_shape) -> y:
// run-time int64 indices into a scatter.
Bytes Unpool() {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 5, 5});
  b.InitInt64("full", {4}, {1, 2, 5, 5});
  b.Node("MaxPool", {"x"}, {"p", "i"}).Ints("kernel_shape", {3, 3}).Ints("strides", {2, 2}).Ints("pads", {1, 1, 1, 1});
  b.Node("MaxUnpool", {"p", "i", "full"}, {"y"}).Ints("kernel_shape", {3, 3}).Ints("strides", {2, 2}).Ints("pads", {1, 1, 1, 1});
  b.OutputWithShape("y", {1, 2, 5, 5});
  return b.Bytes();
}

// x[2,3] -> If (run-time condition ReduceSum(x) > 0) whose then branch holds
// a nested If on the same condition -> y: branches inlined before import.
Bytes IfModel() {
  auto branch = [](const std::string& op, float k, const std::string& out) {
    OnnxBuilder b;
    b.Init("k", {}, {k});
    b.Node(op, {"x", "k"}, {"t"});
    b.Node("Identity", {"t"}, {out});
    b.OutputWithShape(out, {2, 3});
    return b.model().graph();
  };
  OnnxBuilder inner;
  inner.Node("If", {"cond"}, {"then_y"}, "inner")
      .Graph("then_branch", branch("Mul", 2.0f, "a"))
      .Graph("else_branch", branch("Sub", 3.0f, "b"));
  inner.OutputWithShape("then_y", {2, 3});
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.Init("zero", {}, {0.0f});
  b.Node("ReduceSum", {"x"}, {"sum"}).Int("keepdims", 0);
  b.Node("Greater", {"sum", "zero"}, {"cond"});
  b.Node("If", {"cond"}, {"y"}, "outer")
      .Graph("then_branch", inner.model().graph())
      .Graph("else_branch", branch("Add", 1.0f, "c"));
  b.OutputWithShape("y", {2, 3});
  return b.Bytes();
}

// x[2,3] -> Loop (x.size(1) = 3 iterations, from Shape and Gather: v·2 + i,
// scan v·2) -> y, steps: unrolled.
Bytes LoopModel() {
  OnnxBuilder body;
  body.Input("i", {}, ::onnx::TensorProto::INT64);
  body.Input("c_in", {}, ::onnx::TensorProto::BOOL);
  body.Input("v", {2, 3});
  body.Init("two", {}, {2.0f});
  body.Node("Cast", {"i"}, {"i_f"}).Int("to", ::onnx::TensorProto::FLOAT);
  body.Node("Mul", {"v", "two"}, {"doubled"});
  body.Node("Add", {"doubled", "i_f"}, {"v_out"});
  body.Node("Identity", {"c_in"}, {"c_out"});
  body.OutputWithShape("c_out", {}, ::onnx::TensorProto::BOOL);
  body.OutputWithShape("v_out", {2, 3});
  body.OutputWithShape("doubled", {2, 3});
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.InitInt64("second", {}, {1});
  b.Node("Shape", {"x"}, {"shape"});
  b.Node("Gather", {"shape", "second"}, {"trips"});
  b.Node("Loop", {"trips", "", "x"}, {"y", "steps"}, "repeat").Graph("body", body.model().graph());
  b.OutputWithShape("y", {2, 3});
  b.OutputWithShape("steps", {3, 2, 3});
  return b.Bytes();
}

// x[2,4] -> Scan over axis 1 in reverse (a running maximum from a constant
// start, stacked on axis 1) -> peak, running: unrolled.
Bytes ScanModel() {
  OnnxBuilder body;
  body.Input("m", {2});
  body.Input("col", {2});
  body.Node("Max", {"m", "col"}, {"m_out"});
  body.Node("Identity", {"m_out"}, {"seen"});
  body.OutputWithShape("m_out", {2});
  body.OutputWithShape("seen", {2});
  OnnxBuilder b;
  b.Input("x", {2, 4});
  b.Init("start", {2}, {-1.0f, 0.0f});
  b.Node("Scan", {"start", "x"}, {"peak", "running"}, "sweep")
      .Graph("body", body.model().graph())
      .Int("num_scan_inputs", 1)
      .Ints("scan_input_axes", {1})
      .Ints("scan_input_directions", {1})
      .Ints("scan_output_axes", {1});
  b.OutputWithShape("peak", {2});
  b.OutputWithShape("running", {2, 4});
  return b.Bytes();
}

// x[3,4] -> SplitToSequence (rows, squeezed) -> SequenceInsert of Relu(row 0)
// at the front -> SequenceAt(-1), and ConcatFromSequence on a new axis:
// held at import.
Bytes SequenceOps() {
  OnnxBuilder b;
  b.Input("x", {3, 4});
  b.InitInt64("front", {}, {0});
  b.InitInt64("back", {}, {-1});
  b.Node("SplitToSequence", {"x"}, {"rows"}).Int("axis", 0).Int("keepdims", 0);
  b.Node("SequenceAt", {"rows", "front"}, {"r0"});
  b.Node("Relu", {"r0"}, {"r0_pos"});
  b.Node("SequenceInsert", {"rows", "r0_pos", "front"}, {"more"});
  b.Node("SequenceAt", {"more", "back"}, {"last"});
  b.Node("ConcatFromSequence", {"more"}, {"stacked"}).Int("axis", 0).Int("new_axis", 1);
  b.OutputWithShape("last", {4});
  b.OutputWithShape("stacked", {4, 4});
  return b.Bytes();
}

// x[1,2,6,6] -> RoiAlign of two constant regions (2x2 bins) -> [2,2,2,2]
// -> Det of each 2x2 bin grid -> [2,2].
Bytes RoiDet() {
  OnnxBuilder b(16);
  b.Input("x", {1, 2, 6, 6});
  b.Init("rois", {2, 4}, {0.5f, 1.0f, 4.0f, 5.5f, 2.0f, 0.0f, 6.0f, 3.0f});
  b.InitInt64("batch", {2}, {0, 0});
  b.Node("RoiAlign", {"x", "rois", "batch"}, {"bins"}).Int("output_height", 2).Int("output_width", 2).Int(
      "sampling_ratio", 2);
  b.Node("Det", {"bins"}, {"y"});
  b.OutputWithShape("y", {2, 2});
  return b.Bytes();
}

// A double input x[4] -> Cast to float16 -> Mul by a float16 initializer
// (raw data) -> Add of a bfloat16 initializer (int32_data bit patterns)
// cast to float16 -> a float16 output, and the product cast back to
// double, a second output: computed in float32 (W1001).
Bytes Float16() {
  OnnxBuilder b;
  b.Input("x", {4}, pb::TensorProto::DOUBLE);
  pb::TensorProto* h = b.InitProto();
  h->set_name("scale");
  h->set_data_type(pb::TensorProto::FLOAT16);
  h->add_dims(4);
  h->set_raw_data(std::string("\x00\x3c\x00\xc0\x01\x00\xff\x7b", 8));  // 1, -2, 2^-24, 65504
  pb::TensorProto* bf = b.InitProto();
  bf->set_name("shift");
  bf->set_data_type(pb::TensorProto::BFLOAT16);
  bf->add_dims(4);
  for (int32_t bits : {0x3F80, 0x4049, 0xC2F7, 0x0000}) bf->add_int32_data(bits);
  b.Node("Cast", {"x"}, {"x16"}).Int("to", pb::TensorProto::FLOAT16);
  b.Node("Mul", {"x16", "scale"}, {"scaled"});
  b.Node("Cast", {"shift"}, {"shift16"}).Int("to", pb::TensorProto::FLOAT16);
  b.Node("Add", {"scaled", "shift16"}, {"y"});
  b.Node("Cast", {"scaled"}, {"y64"}).Int("to", pb::TensorProto::DOUBLE);
  b.OutputWithShape("y", {4}, pb::TensorProto::FLOAT16);
  b.OutputWithShape("y64", {4}, pb::TensorProto::DOUBLE);
  return b.Bytes();
}

// A QCDQ model (Brevitas' 4-bit export form): x -> QuantizeLinear ->
// Clip(-8, 7) -> DequantizeLinear -> Conv with int8 weights clipped to
// [-8, 7] before their DequantizeLinear -> QuantizeLinear (uint8) ->
// Clip(0, 15) -> DequantizeLinear.
Bytes Qcdq() {
  OnnxBuilder b;
  b.Input("x", {1, 2, 4, 4});
  b.Init("s", {}, {0.1f});
  b.InitInt("z", pb::TensorProto::INT8, {}, {0});
  b.InitInt("lo", pb::TensorProto::INT8, {}, {-8});
  b.InitInt("hi", pb::TensorProto::INT8, {}, {7});
  b.InitInt("w", pb::TensorProto::INT8, {2, 2, 3, 3}, std::vector<int32_t>(36, 11));
  b.Init("ys", {}, {0.2f});
  b.InitInt("uz", pb::TensorProto::UINT8, {}, {0});
  b.InitInt("ulo", pb::TensorProto::UINT8, {}, {0});
  b.InitInt("uhi", pb::TensorProto::UINT8, {}, {15});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.Node("Clip", {"xq", "lo", "hi"}, {"xc"});
  b.Node("DequantizeLinear", {"xc", "s", "z"}, {"xd"});
  b.Node("Clip", {"w", "lo", "hi"}, {"wc"});
  b.Node("DequantizeLinear", {"wc", "s", "z"}, {"wd"});
  b.Node("Conv", {"xd", "wd"}, {"c"}).Ints("pads", {1, 1, 1, 1});
  b.Node("QuantizeLinear", {"c", "ys", "uz"}, {"cq"});
  b.Node("Clip", {"cq", "ulo", "uhi"}, {"cc"});
  b.Node("DequantizeLinear", {"cc", "ys", "uz"}, {"y"});
  b.OutputWithShape("y", {1, 2, 4, 4});
  return b.Bytes();
}

std::filesystem::path CorpusDir() { return std::filesystem::path(EMBER_SOURCE_DIR) / "tests/fuzz/corpus"; }

TEST(MalformedOnnx, FilesMatchGenerator) {
  auto corpus = OnnxCorpus();
  // The valid seeds of the onnx fuzz target (tests/fuzz/targets/onnx_fuzz.cc).
  corpus["onnx/small_cnn.onnx"] = SmallCnn().Bytes();
  corpus["onnx/qoperator_residual.onnx"] = ResidualPoolModel(/*u8=*/true).bytes;  // QOperator form
  corpus["onnx/recurrent.onnx"] = Recurrent().Bytes();  // LSTM and GRU
  corpus["onnx/functions.onnx"] = FunctionModel();      // model-local functions
  corpus["onnx/volume.onnx"] = Volume();                 // 3-D convolution and pooling
  corpus["onnx/signal.onnx"] = Signal();                 // STFT and DFT
  corpus["onnx/token_ids.onnx"] = TokenIds();            // int64 graph inputs
  corpus["onnx/dynamic_quant.onnx"] = DynamicQuant();     // DynamicQuantizeLinear
  corpus["onnx/opset9.onnx"] = Opset9();                 // ONNX's version converter
  corpus["onnx/unpool.onnx"] = Unpool();                 // MaxPool indices, MaxUnpool
  corpus["onnx/if.onnx"] = IfModel();                    // nested If, run-time condition
  corpus["onnx/loop.onnx"] = LoopModel();                // Loop of a constant trip count
  corpus["onnx/scan.onnx"] = ScanModel();                // Scan over an axis, in reverse
  corpus["onnx/sequence.onnx"] = SequenceOps();          // sequence operators held at import
  corpus["onnx/roi_det.onnx"] = RoiDet();                // RoiAlign of constant regions, Det
  corpus["onnx/float16.onnx"] = Float16();               // double, float16, bfloat16 as float32
  corpus["onnx/qcdq.onnx"] = Qcdq();                     // Clip of quantized integers (4 bits)
  ASSERT_GE(corpus.size(), 17u);
  const bool write = std::getenv("EMBER_WRITE_CORPUS") != nullptr;
  if (write) std::filesystem::create_directories(CorpusDir() / "onnx");
  for (const auto& [name, bytes] : corpus) {
    SCOPED_TRACE(name);
    const std::filesystem::path p = CorpusDir() / name;
    if (write) {
      std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
      continue;
    }
    std::ifstream f(p, std::ios::binary);
    ASSERT_TRUE(f.good()) << p << " is missing; regenerate with EMBER_WRITE_CORPUS=1";
    const Bytes on_disk((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(on_disk, bytes) << p << " is stale; regenerate with EMBER_WRITE_CORPUS=1";
  }
}

TEST(MalformedOnnx, EveryCorpusFileIsRejectedWithADiagnostic) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(CorpusDir())) {
    if (e.path().extension() != ".onnx") continue;
    ++n;
    const std::string name = e.path().filename().string();
    frontend::onnx::ImportOptions o;
    o.model_dir = CorpusDir().string();
    std::ifstream in(e.path(), std::ios::binary);
    const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto g = frontend::onnx::ImportOnnx(bytes, name, o);
    ASSERT_FALSE(g.ok()) << name;
    const Diagnostic& d = g.diag();
    EXPECT_EQ(d.id.size(), 5u) << name;
    EXPECT_NE(d.exit, ExitCode::kOk) << name;
    EXPECT_NE(d.exit, ExitCode::kInternal) << name << ": " << d.ToString();
    EXPECT_EQ(d.message.rfind(name + ": ", 0), 0u) << d.message;
  }
  EXPECT_GE(n, 15);
}

TEST(MalformedOnnx, RandomMutationsImportOrGiveADiagnostic) {
  for (const Bytes& good :
       {SmallCnn().Bytes(), ResidualPoolModel(/*u8=*/true).bytes, Recurrent().Bytes(), FunctionModel(), Volume(),
        Signal(), TokenIds(), DynamicQuant(), Opset9(), Unpool(), IfModel(),
        LoopModel(), ScanModel(), SequenceOps(), RoiDet(), Float16(), Qcdq()}) {
  auto imported = frontend::onnx::ImportOnnx(good, "good.onnx");
  ASSERT_TRUE(imported.ok()) << imported.diag().ToString();
  std::mt19937 rng(42);
  for (int k = 0; k < 400; ++k) {
    Bytes m = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) m[rng() % m.size()] = static_cast<uint8_t>(rng());
    if (k % 5 == 0) m.resize(rng() % m.size());
    auto g = frontend::onnx::ImportOnnx(m, "mutant.onnx");
    if (!g.ok()) {
      EXPECT_NE(g.diag().exit, ExitCode::kInternal) << g.diag().ToString();
    }
  }
  }
}

}  // namespace
}  // namespace ember::test
