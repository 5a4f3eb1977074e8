// ONNX LSTM, GRU and RNN (import_rnn.cc: one unidirectional_sequence_lstm,
// gru or rnn per direction) on the models of onnx_op_models.h:
// bidirectional with biases and initial states, reverse, forward reading only
// Y_h, reverse batch major (GRU: both linear_before_reset forms; RNN: Relu,
// Tanh and Sigmoid).
//   - ember's evaluation is within 1e-5 (relative to the largest output) of
//     ONNX Runtime (onnxruntime-node, skipped when absent); ONNX Runtime has
//     no batch-major (layout 1) LSTM: that model equals the time-major one
//     on the transposed input, element for element;
//   - the generated C on the host equals ember eval byte for byte;
//   - every run starts from the initial states, as ONNX defines it, although
//     the IR keeps them in variables: the same input gives the same output
//     after another input, with one evaluation state.
// The emulated Cortex-M4 runs are in onnx_math_ops_test.cc, the generated
// C run several times in one process in streaming_test.cc, the backend node
// cases in tests/conformance/onnx_node_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "e2e/onnx_op_models.h"
#include "e2e/ort_util.h"
#include "e2e/run_eval_util.h"
#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "passes/pipeline.h"

namespace ember::test {
namespace {

std::vector<float> SeqInput(size_t n, int seed) {
  std::vector<float> x(n);
  uint32_t s = 7919u * static_cast<uint32_t>(seed) + 3u;
  for (float& v : x) {
    s = s * 1664525u + 1013904223u;
    v = -2.0f + 4.0f * static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
  return x;
}

ir::Graph Compiled(const std::vector<uint8_t>& model) {
  auto g = frontend::onnx::ImportOnnx(model, "rnn.onnx");
  EXPECT_TRUE(g.ok()) << g.diag().ToString();
  if (!g.ok()) return {};
  const Status s = passes::RunPipeline(*g);
  EXPECT_TRUE(s.ok()) << s.diag().ToString();
  return std::move(*g);
}

const char* kKinds[] = {"bidirectional", "reverse", "forward_y_h_only", "reverse_batch_major"};
const char* kOps[] = {"LSTM", "GRU", "RNN"};

TEST(OnnxRecurrent, WithinTolerancesOfOnnxRuntime) {
  if (const std::string why = OrtMissing(); !why.empty()) GTEST_SKIP() << why;
  const std::string tmp = TempDir();
  for (const char* op : kOps)
  for (int kind = 0; kind < 3; ++kind) {
    SCOPED_TRACE(std::string(op) + " " + kKinds[kind]);
    const std::vector<uint8_t> model = OnnxRecurrentModel(op, kind);
    const std::string path = tmp + "/rnn.onnx";
    WriteFile(path, model);
    const ir::Graph g = Compiled(model);
    ASSERT_FALSE(g.inputs.empty());
    const ir::Tensor& in = g.tensor(g.inputs[0]);
    std::string dims;
    for (size_t k = 0; k < in.shape.size(); ++k) dims += (k ? "x" : "") + std::to_string(in.shape[k]);
    for (int seed = 0; seed < 3; ++seed) {
      const std::vector<float> x = SeqInput(static_cast<size_t>(in.num_elements()), seed);
      const std::vector<float> want = RunOrt(path, FloatBytes(x), dims, tmp);
      ASSERT_FALSE(want.empty());
      auto got = ops::EvaluateGraph(g, {FloatBytes(x)});
      ASSERT_TRUE(got.ok()) << got.diag().ToString();
      const std::vector<float> y = BytesToFloats(got->outputs.at(0));
      ASSERT_EQ(y.size(), want.size());
      const auto [err, mag] = MaxDistance(y, want);
      ASSERT_GT(mag, 0.0);
      EXPECT_LE(err / mag, 1e-5) << "seed " << seed;
      if (seed == 0) std::printf("%s %s: ember vs ONNX Runtime, max error %.3g of max |y| %.3g\n", op, kKinds[kind], err, mag);
    }
  }
}

// Batch major (layout 1): x [batch, seq, input], Y [batch, seq, 1, hidden],
// Y_h [batch, 1, hidden] against the time-major model.
TEST(OnnxRecurrent, BatchMajorEqualsTimeMajor) {
  constexpr size_t kSteps = 5, kBatch = 2, kIn = 3, kH = 4;
  for (const char* op : kOps) {
  SCOPED_TRACE(op);
  const ir::Graph tm = Compiled(OnnxRecurrentModel(op, 1)), bm = Compiled(OnnxRecurrentModel(op, 3));
  const std::vector<float> x = SeqInput(kSteps * kBatch * kIn, 4);
  std::vector<float> xb(x.size());
  for (size_t t = 0; t < kSteps; ++t)
    for (size_t b = 0; b < kBatch; ++b)
      for (size_t i = 0; i < kIn; ++i) xb[(b * kSteps + t) * kIn + i] = x[(t * kBatch + b) * kIn + i];
  auto yt = ops::EvaluateGraph(tm, {FloatBytes(x)});
  auto yb = ops::EvaluateGraph(bm, {FloatBytes(xb)});
  ASSERT_TRUE(yt.ok() && yb.ok());
  const std::vector<float> a = BytesToFloats(yt->outputs.at(0)), c = BytesToFloats(yb->outputs.at(0));
  ASSERT_EQ(a.size(), kSteps * kBatch * kH + kBatch * kH);
  ASSERT_EQ(c.size(), a.size());
  for (size_t t = 0; t < kSteps; ++t)
    for (size_t b = 0; b < kBatch; ++b)
      for (size_t h = 0; h < kH; ++h)
        EXPECT_EQ(c[(b * kSteps + t) * kH + h], a[(t * kBatch + b) * kH + h]) << t << " " << b << " " << h;
  for (size_t k = kSteps * kBatch * kH; k < a.size(); ++k) EXPECT_EQ(c[k], a[k]) << "Y_h " << k;
  }
}

TEST(OnnxRecurrent, GeneratedCEqualsEval) {
  for (const char* op : kOps)
  for (int kind = 0; kind < 4; ++kind) {
    SCOPED_TRACE(std::string(op) + " " + kKinds[kind]);
    ExpectRunEqualsEval(OnnxRecurrentModel(op, kind), true, 3, ".onnx");
  }
}

// ONNX runs each inference from initial_h / initial_c: after another input,
// the same input gives the same output (the variables are written back).
TEST(OnnxRecurrent, EveryRunStartsFromTheInitialStates) {
  for (const char* op : kOps)
  for (int kind = 0; kind < 4; ++kind) {
    SCOPED_TRACE(std::string(op) + " " + kKinds[kind]);
    const ir::Graph g = Compiled(OnnxRecurrentModel(op, kind));
    ASSERT_FALSE(g.inputs.empty());
    const auto n = static_cast<size_t>(g.tensor(g.inputs[0]).num_elements());
    const std::vector<uint8_t> a = FloatBytes(SeqInput(n, 1)), b = FloatBytes(SeqInput(n, 2));
    ops::EvalState state;
    ops::EvalOptions o;
    o.state = &state;
    std::vector<std::vector<uint8_t>> outs;
    for (const auto* in : {&a, &b, &a}) {
      auto r = ops::EvaluateGraph(g, {*in}, o);
      ASSERT_TRUE(r.ok()) << r.diag().ToString();
      outs.push_back(r->outputs.at(0));
    }
    EXPECT_NE(outs[0], outs[1]);
    EXPECT_EQ(outs[0], outs[2]);
  }
}

}  // namespace
}  // namespace ember::test
