// ONNX LSTM, GRU and RNN in the forms the IR's recurrent operators do not
// take, unrolled into their equations (docs/frontend-onnx.md, LSTM):
//   - an LSTM with peepholes, clip, initial states computed at run time
//     (from the input, as a streaming model's state inputs would be) and its
//     final cell state Y_c read;
//   - a bidirectional GRU with linear_before_reset 0, a run-time initial
//     state and HardSigmoid / Softsign activations;
//   - a reverse RNN with LeakyRelu (ONNX Runtime takes no layout 1; the unit
//     tests check it).
// Each model concatenates Y, Y_h (and Y_c) into its one output; `ember eval`
// against ONNX Runtime (skipped with a message without node and
// onnxruntime-node), and the C of `ember compile --target host`, run by
// `ember run`, against `ember eval`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "ir/graph.h"
#include "e2e/ort_util.h"
#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

constexpr int64_t kSteps = 5, kBatch = 2, kInput = 3, kHidden = 4;

std::vector<float> Wave(size_t n, double f, double scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(scale * std::sin(f * static_cast<double>(i) + 0.3));
  return v;
}

// The initial state [dirs, batch, H] (layout 1: [batch, dirs, H]) from x:
// tanh(mean of x over time · S), S [input, dirs·H].
void RunTimeState(OnnxBuilder& b, const std::string& name, int64_t dirs, bool batch_major, double f) {
  b.Node("ReduceMean", {"x"}, {name + "_mean"}).Ints("axes", {batch_major ? 1 : 0}).Int("keepdims", 0);  // [batch, input]
  b.Init(name + "_S", {kInput, dirs * kHidden}, Wave(static_cast<size_t>(kInput * dirs * kHidden), f, 0.8));
  b.Node("MatMul", {name + "_mean", name + "_S"}, {name + "_proj"});
  b.Node("Tanh", {name + "_proj"}, {name + "_flat"});
  b.InitInt64(name + "_shape", {3}, {kBatch, dirs, kHidden});
  b.Node("Reshape", {name + "_flat", name + "_shape"}, {name + "_bdh"});
  if (batch_major) {
    b.Node("Identity", {name + "_bdh"}, {name});
  } else {
    b.Node("Transpose", {name + "_bdh"}, {name}).Ints("perm", {1, 0, 2});
  }
}

// Y, Y_h (, Y_c) flattened and concatenated.
void FlatOutput(OnnxBuilder& b, const std::vector<std::string>& parts, int64_t size) {
  b.InitInt64("flat", {1}, {-1});
  std::vector<std::string> flat;
  for (const auto& p : parts) {
    b.Node("Reshape", {p, "flat"}, {p + "_flat"});
    flat.push_back(p + "_flat");
  }
  b.Node("Concat", flat, {"out"}).Int("axis", 0);
  b.OutputWithShape("out", {size});
}

std::vector<uint8_t> LstmModel() {
  OnnxBuilder b(14);
  b.Input("x", {kSteps, kBatch, kInput});
  const int64_t G = 4 * kHidden;
  b.Init("W", {1, G, kInput}, Wave(static_cast<size_t>(G * kInput), 0.7, 0.6));
  b.Init("R", {1, G, kHidden}, Wave(static_cast<size_t>(G * kHidden), 1.3, 0.5));
  b.Init("B", {1, 2 * G}, Wave(static_cast<size_t>(2 * G), 0.4, 0.2));
  b.Init("P", {1, 3 * kHidden}, Wave(static_cast<size_t>(3 * kHidden), 0.9, 0.4));
  RunTimeState(b, "h0", 1, false, 0.5);
  RunTimeState(b, "c0", 1, false, 1.1);
  b.Node("LSTM", {"x", "W", "R", "B", "", "h0", "c0", "P"}, {"Y", "Y_h", "Y_c"}, "lstm")
      .Int("hidden_size", kHidden)
      .Float("clip", 0.9f);
  FlatOutput(b, {"Y", "Y_h", "Y_c"}, kSteps * kBatch * kHidden + 2 * kBatch * kHidden);
  return b.Bytes();
}

std::vector<uint8_t> GruModel() {
  OnnxBuilder b(14);
  b.Input("x", {kSteps, kBatch, kInput});
  const int64_t G = 3 * kHidden;
  b.Init("W", {2, G, kInput}, Wave(static_cast<size_t>(2 * G * kInput), 0.55, 0.7));
  b.Init("R", {2, G, kHidden}, Wave(static_cast<size_t>(2 * G * kHidden), 1.7, 0.5));
  b.Init("B", {2, 2 * G}, Wave(static_cast<size_t>(4 * G), 0.8, 0.3));
  RunTimeState(b, "h0", 2, false, 0.35);
  b.Node("GRU", {"x", "W", "R", "B", "", "h0"}, {"Y", "Y_h"}, "gru")
      .Int("hidden_size", kHidden)
      .Str("direction", "bidirectional")
      .Int("linear_before_reset", 0)
      .Strs("activations", {"HardSigmoid", "Softsign", "Sigmoid", "Tanh"})
      .Floats("activation_alpha", {0.25f})
      .Floats("activation_beta", {0.45f});
  FlatOutput(b, {"Y", "Y_h"}, 2 * kSteps * kBatch * kHidden + 2 * kBatch * kHidden);
  return b.Bytes();
}

std::vector<uint8_t> RnnModel() {
  OnnxBuilder b(14);
  b.Input("x", {kSteps, kBatch, kInput});
  b.Init("W", {1, kHidden, kInput}, Wave(static_cast<size_t>(kHidden * kInput), 0.45, 0.8));
  b.Init("R", {1, kHidden, kHidden}, Wave(static_cast<size_t>(kHidden * kHidden), 1.9, 0.4));
  b.Node("RNN", {"x", "W", "R"}, {"Y", "Y_h"}, "rnn")
      .Int("hidden_size", kHidden)
      .Str("direction", "reverse")
      .Strs("activations", {"LeakyRelu"})
      .Floats("activation_alpha", {0.1f});
  FlatOutput(b, {"Y", "Y_h"}, kSteps * kBatch * kHidden + kBatch * kHidden);
  return b.Bytes();
}

TEST(OnnxRnnUnrolled, AgreesWithOnnxRuntimeAndTheHostBuild) {
  const std::string dir = TempDir();
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    std::vector<int64_t> x;
  };
  for (const Case& c : {Case{"lstm", LstmModel(), {kSteps, kBatch, kInput}},
                        Case{"gru", GruModel(), {kSteps, kBatch, kInput}},
                        Case{"rnn", RnnModel(), {kSteps, kBatch, kInput}}}) {
    SCOPED_TRACE(c.name);
    const std::string model = dir + "/" + c.name + ".onnx";
    WriteFile(model, c.bytes);
    const std::vector<float> x = Wave(static_cast<size_t>(kSteps * kBatch * kInput), 0.37, 1.2);
    WriteFloatNpy(dir + "/x.npy", c.x, x);
    const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/y.npy"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const std::vector<float> y = ReadFloatNpy(dir + "/y.npy");
    ASSERT_FALSE(y.empty());
    const CliResult cc = RunCli({"compile", model, "--target", "host", "-o", dir + "/m.tar"});
    ASSERT_EQ(cc.exit_code, 0) << cc.err;
    const CliResult r = RunCli({"run", dir + "/m.tar", "--input", dir + "/x.npy", "--output", dir + "/run.npy"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_LE(RelError(ReadFloatNpy(dir + "/run.npy"), y), 1e-6);
    if (const std::string why = OrtMissing(); why.empty()) {
      std::string dims;
      for (int64_t d : c.x) dims += (dims.empty() ? "" : "x") + std::to_string(d);
      const std::vector<float> want = RunOrt(model, FloatBytes(x), dims, dir);
      const double rel = RelError(y, want);
      EXPECT_LE(rel, 1e-5);
      std::printf("unrolled %s, ember eval vs ONNX Runtime: max relative error %.3g\n", c.name, rel);
    } else {
      std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
    }
  }
}

}  // namespace
}  // namespace ember::test
