// ONNX control flow end to end (docs/frontend-onnx.md, If, Loop and Scan):
//   - If under a condition computed at run time (a gate on the input's
//     mean, as a model that skips refinement on quiet input writes it):
//     both branches are computed and a Where selects; for an input taking
//     each branch;
//   - Scan as a converter writes a recurrent layer (h = tanh(x_t·W + h·U),
//     every h stacked), unrolled;
//   - a sequence split, edited and concatenated, held at import;
// each `ember eval` against ONNX Runtime (skipped with a message without
// node and onnxruntime-node), and the C that `ember compile --target host`
// generates, run by `ember run`, against `ember eval`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

std::vector<uint8_t> GatedModel() {
  OnnxBuilder then_b;  // refine: a 1x1 Conv and Relu
  then_b.Init("w", {2, 2, 1, 1}, {0.5f, -1.0f, 0.75f, 0.25f});
  then_b.Node("Conv", {"x", "w"}, {"c"});
  then_b.Node("Relu", {"c"}, {"refined"});
  then_b.OutputWithShape("refined", {1, 2, 3, 3});
  OnnxBuilder else_b;  // pass through, scaled
  else_b.Init("half", {}, {0.5f});
  else_b.Node("Mul", {"x", "half"}, {"scaled"});
  else_b.OutputWithShape("scaled", {1, 2, 3, 3});
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 3, 3});
  b.Init("quiet", {}, {0.1f});
  b.Node("ReduceMean", {"x"}, {"level"}).Int("keepdims", 0);
  b.Node("Greater", {"level", "quiet"}, {"busy"});
  b.Node("If", {"busy"}, {"y"}, "gate").Graph("then_branch", then_b.model().graph()).Graph("else_branch",
                                                                                          else_b.model().graph());
  b.OutputWithShape("y", {1, 2, 3, 3});
  return b.Bytes();
}

TEST(OnnxIfModel, RunTimeGateAgreesWithOnnxRuntimeAndTheHostBuild) {
  const std::string dir = TempDir();
  const std::string model = dir + "/gate.onnx";
  WriteFile(model, GatedModel());
  const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/gate.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  for (const float offset : {0.5f, -0.5f}) {
    SCOPED_TRACE(offset);
    std::vector<float> x;
    for (int k = 0; k < 18; ++k) x.push_back(offset + 0.05f * static_cast<float>(k % 7) - 0.1f);
    WriteFloatNpy(dir + "/x.npy", {1, 2, 3, 3}, x);
    const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/y.npy"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const std::vector<float> y = ReadFloatNpy(dir + "/y.npy");
    const CliResult r = RunCli({"run", dir + "/gate.tar", "--input", dir + "/x.npy", "--output", dir + "/run.npy"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFloatNpy(dir + "/run.npy"), y);
    if (offset < 0) {  // the quiet branch: x / 2 exactly
      for (size_t k = 0; k < x.size(); ++k) EXPECT_EQ(y[k], x[k] * 0.5f) << k;
    }
    if (const std::string why = OrtMissing(); why.empty()) {
      const std::vector<float> want = RunOrt(model, FloatBytes(x), "1x2x3x3", dir);
      EXPECT_LE(RelError(y, want), 1e-6);
      std::printf("If gate (input offset %.1f), ember eval vs ONNX Runtime: max relative error %.3g\n", offset,
                  RelError(y, want));
    } else {
      std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
    }
  }
}

// x[6,3] -> Scan over axis 0 from h0 = 0: h = tanh(x_t·W + h·U) -> every h [6,4] (the last h unused).
std::vector<uint8_t> RecurrentScan() {
  OnnxBuilder body;
  body.Input("h", {4});
  body.Input("xt", {3});
  body.Init("W", {3, 4}, {0.5f, -0.25f, 0.75f, 0.1f, -0.6f, 0.3f, 0.2f, -0.4f, 0.9f, 0.05f, -0.35f, 0.45f});
  body.Init("U", {4, 4}, {0.2f, -0.1f, 0.05f, 0.3f, -0.25f, 0.4f, 0.1f, 0.0f, 0.15f, 0.2f, -0.3f, 0.1f, 0.05f,
                           -0.2f, 0.25f, 0.35f});
  body.Node("MatMul", {"xt", "W"}, {"xw"});
  body.Node("MatMul", {"h", "U"}, {"hu"});
  body.Node("Add", {"xw", "hu"}, {"pre"});
  body.Node("Tanh", {"pre"}, {"h_out"});
  body.Node("Identity", {"h_out"}, {"h_seen"});
  body.OutputWithShape("h_out", {4});
  body.OutputWithShape("h_seen", {4});
  OnnxBuilder b(13);
  b.Input("x", {6, 3});
  b.Init("h0", {4}, {0, 0, 0, 0});
  b.Node("Scan", {"h0", "x"}, {"last", "every"}, "recurrence").Graph("body", body.model().graph()).Int(
      "num_scan_inputs", 1);
  b.OutputWithShape("every", {6, 4});
  return b.Bytes();
}

TEST(OnnxScanModel, RecurrenceAgreesWithOnnxRuntimeAndTheHostBuild) {
  const std::string dir = TempDir();
  const std::string model = dir + "/scan.onnx";
  WriteFile(model, RecurrentScan());
  const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/scan.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::vector<float> x;
  for (int k = 0; k < 18; ++k) x.push_back(0.3f * static_cast<float>(k % 5) - 0.5f);
  WriteFloatNpy(dir + "/x.npy", {6, 3}, x);
  const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/y.npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const std::vector<float> y = ReadFloatNpy(dir + "/y.npy");
  ASSERT_EQ(y.size(), 24u);
  const CliResult r = RunCli({"run", dir + "/scan.tar", "--input", dir + "/x.npy", "--output", dir + "/run.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFloatNpy(dir + "/run.npy"), y);
  if (const std::string why = OrtMissing(); why.empty()) {
    const std::vector<float> want = RunOrt(model, FloatBytes(x), "6x3", dir);
    EXPECT_LE(RelError(y, want), 1e-6);
    std::printf("Scan recurrence, ember eval vs ONNX Runtime: max relative error %.3g\n", RelError(y, want));
  } else {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
  }
}

// x[2,5] -> SplitToSequence (pieces of 2 columns: 2, 2, 1) -> the first
// erased -> ConcatFromSequence on axis 1 -> Tanh: tanh(x[:, 2:5]), the sequence
// held at import (the erased piece an unread output of the Split).
std::vector<uint8_t> SequenceSlice() {
  OnnxBuilder b(13);
  b.Input("x", {2, 5});
  b.InitInt64("two", {}, {2});
  b.InitInt64("first", {}, {0});
  b.Node("SplitToSequence", {"x", "two"}, {"pieces"}).Int("axis", 1);
  b.Node("SequenceErase", {"pieces", "first"}, {"rest"});
  b.Node("ConcatFromSequence", {"rest"}, {"joined"}).Int("axis", 1);
  b.Node("Tanh", {"joined"}, {"y"});
  b.OutputWithShape("y", {2, 3});
  return b.Bytes();
}

TEST(OnnxSequenceModel, HeldAtImportAgreesWithOnnxRuntimeAndTheHostBuild) {
  const std::string dir = TempDir();
  const std::string model = dir + "/seq.onnx";
  WriteFile(model, SequenceSlice());
  const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/seq.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::vector<float> x = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, 1.5f, -1.0f, 0.25f, 2.0f, -3.0f};
  WriteFloatNpy(dir + "/x.npy", {2, 5}, x);
  const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/y.npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const std::vector<float> y = ReadFloatNpy(dir + "/y.npy");
  ASSERT_EQ(y.size(), 6u);
  for (int r = 0; r < 2; ++r)
    for (int k = 0; k < 3; ++k) EXPECT_EQ(y[static_cast<size_t>(r * 3 + k)], std::tanh(x[static_cast<size_t>(r * 5 + 2 + k)]));
  const CliResult run = RunCli({"run", dir + "/seq.tar", "--input", dir + "/x.npy", "--output", dir + "/run.npy"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_LE(RelError(ReadFloatNpy(dir + "/run.npy"), y), 1e-6);
  if (const std::string why = OrtMissing(); why.empty()) {
    const std::vector<float> want = RunOrt(model, FloatBytes(x), "2x5", dir);
    EXPECT_LE(RelError(y, want), 1e-6);
    std::printf("sequence model, ember eval vs ONNX Runtime: max relative error %.3g\n", RelError(y, want));
  } else {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
  }
}

}  // namespace
}  // namespace ember::test
