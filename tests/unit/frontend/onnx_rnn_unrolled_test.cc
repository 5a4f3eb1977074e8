// ONNX LSTM / GRU / RNN unrolled into their equations (import_rnn_unrolled.cc)
// when the IR's recurrent operators cannot take them: a one-unit LSTM with
// peepholes and its final cell state read, against the equations worked
// here; a batch-major (layout 1) LSTM against the same one time-major; and
// a plain LSTM still one IR operator.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;

size_t Count(const ir::Graph& g, const std::string& ir_name) {
  size_t n = 0;
  for (const ir::Node& node : g.nodes) n += ir::OpIrName(node.op) == ir_name;
  return n;
}

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

TEST(OnnxRnnUnrolled, PeepholeLstmFollowsTheEquations) {
  // One unit, one input, two steps; W, R, B in ONNX's gate order i, o, f, c; P as Pi, Po, Pf.
  const std::vector<float> w = {0.5f, -0.3f, 0.8f, 0.2f}, r = {0.1f, 0.4f, -0.2f, 0.6f};
  const std::vector<float> bias = {0.05f, -0.1f, 0.2f, 0.0f, 0.01f, 0.02f, -0.03f, 0.04f};
  const std::vector<float> p = {0.3f, -0.25f, 0.15f};
  OnnxBuilder b;
  b.Input("x", {2, 1, 1});
  b.Init("W", {1, 4, 1}, w);
  b.Init("R", {1, 4, 1}, r);
  b.Init("B", {1, 8}, bias);
  b.Init("h0", {1, 1, 1}, {0.2f});
  b.Init("c0", {1, 1, 1}, {-0.4f});
  b.Init("P", {1, 3}, p);
  b.Node("LSTM", {"x", "W", "R", "B", "", "h0", "c0", "P"}, {"Y", "Y_h", "Y_c"}, "lstm").Int("hidden_size", 1);
  b.OutputWithShape("Y", {2, 1, 1, 1});
  b.OutputWithShape("Y_c", {1, 1, 1});
  const ir::Graph g = MustImport(b.Bytes());
  EXPECT_EQ(Count(g, "unidirectional_sequence_lstm"), 0u);
  const std::vector<float> x = {0.7f, -1.1f};
  double h = 0.2, c = -0.4;
  std::vector<float> ys;
  for (float xt : x) {
    const auto pre = [&](int k) { return w[k] * xt + r[k] * h + bias[k] + bias[4 + k]; };
    const double i = Sigmoid(pre(0) + p[0] * c), f = Sigmoid(pre(2) + p[2] * c), cc = std::tanh(pre(3));
    c = f * c + i * cc;
    const double o = Sigmoid(pre(1) + p[1] * c);
    h = o * std::tanh(c);
    ys.push_back(static_cast<float>(h));
  }
  ExpectNear(Eval(g, x, 0), ys, 1e-6f);
  ExpectNear(Eval(g, x, 1), {static_cast<float>(c)}, 1e-6f);
}

// A two-unit LSTM over 3 steps of batch 2 (clip, so that it unrolls),
// time-major or batch-major.
std::vector<uint8_t> ClippedLstm(bool batch_major) {
  OnnxBuilder b(14);  // layout is opset 14's
  b.Input("x", batch_major ? std::vector<int64_t>{2, 3, 2} : std::vector<int64_t>{3, 2, 2});
  b.Init("W", {1, 8, 2}, Ramp(16, 0.21f, -1.3f));
  b.Init("R", {1, 8, 2}, Ramp(16, 0.17f, -0.9f));
  b.Node("LSTM", {"x", "W", "R"}, {"Y"}, "lstm").Int("hidden_size", 2).Float("clip", 1.5f).Int("layout", batch_major ? 1 : 0);
  b.OutputWithShape("Y", batch_major ? std::vector<int64_t>{2, 3, 1, 2} : std::vector<int64_t>{3, 1, 2, 2});
  return b.Bytes();
}

// Every output of LSTM, GRU and RNN is optional, so a node may have none:
// it computes nothing anyone reads (found by fuzzing: the importer read its
// first output and stopped with an internal error).
TEST(OnnxRnnUnrolled, RecurrentNodesWithoutOutputsImport) {
  for (const char* op : {"LSTM", "GRU", "RNN"}) {
    const int64_t gates = std::string(op) == "LSTM" ? 4 : std::string(op) == "GRU" ? 3 : 1;
    OnnxBuilder b;
    b.Input("x", {2, 1, 1});
    b.Init("W", {1, gates, 1}, std::vector<float>(static_cast<size_t>(gates), 0.5f));
    b.Init("R", {1, gates, 1}, std::vector<float>(static_cast<size_t>(gates), 0.25f));
    b.Node(op, {"x", "W", "R"}, {}, "unread").Int("hidden_size", 1);
    b.Node("Relu", {"x"}, {"y"});
    b.OutputWithShape("y", {2, 1, 1});
    const ir::Graph g = MustImport(b.Bytes());
    ASSERT_EQ(g.nodes.size(), 1u) << op;
    EXPECT_EQ(g.nodes[0].op, ir::OpKind::kRelu) << op;
  }
}

TEST(OnnxRnnUnrolled, BatchMajorLayoutEqualsTimeMajor) {
  const ir::Graph tm = MustImport(ClippedLstm(false)), bm = MustImport(ClippedLstm(true));
  const std::vector<float> x_tm = Ramp(12, 0.4f, -2.0f);  // [t][b][i]
  std::vector<float> x_bm(12);                            // [b][t][i]
  for (int t = 0; t < 3; ++t)
    for (int bb = 0; bb < 2; ++bb)
      for (int i = 0; i < 2; ++i) x_bm[static_cast<size_t>((bb * 3 + t) * 2 + i)] = x_tm[static_cast<size_t>((t * 2 + bb) * 2 + i)];
  const std::vector<float> y_tm = Eval(tm, x_tm), y_bm = Eval(bm, x_bm);
  ASSERT_EQ(y_tm.size(), 12u);
  ASSERT_EQ(y_bm.size(), 12u);
  for (int t = 0; t < 3; ++t)
    for (int bb = 0; bb < 2; ++bb)
      for (int u = 0; u < 2; ++u)
        EXPECT_EQ(y_bm[static_cast<size_t>((bb * 3 + t) * 2 + u)], y_tm[static_cast<size_t>((t * 2 + bb) * 2 + u)]);
  // Without clip the same LSTM is one IR operator.
  OnnxBuilder plain;
  plain.Input("x", {3, 2, 2});
  plain.Init("W", {1, 8, 2}, Ramp(16, 0.21f, -1.3f));
  plain.Init("R", {1, 8, 2}, Ramp(16, 0.17f, -0.9f));
  plain.Node("LSTM", {"x", "W", "R"}, {"Y"}).Int("hidden_size", 2);
  plain.OutputWithShape("Y", {3, 1, 2, 2});
  EXPECT_EQ(Count(MustImport(plain.Bytes()), "unidirectional_sequence_lstm"), 1u);
}

}  // namespace
}  // namespace ember::frontend::onnx
