// Streaming models: SVDF's state and the LSTM's hidden and cell states
// (TFLite variable tensors) live in the generated model's state region and
// persist between tvmgen_<name>_run calls. The generated C, run on the host several times in a row, gives the
// same bytes as the reference evaluator run as many times with one
// ops::EvalState; reset_state starts a new stream. Also: `ember analyze` and
// the plan count the state; TFLite Micro's keyword_scrambled models (from the
// TFLM tree of tflm_util.h) import, compile and run.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/onnx_op_models.h"
#include "e2e/tflm_util.h"
#include "frontend/tflite/builder.h"
#include "frontend/onnx/import.h"
#include "frontend/tflite/import.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "util/resource_models.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;
using frontend::tflite::ModelBuilder;
using frontend::tflite::Quant;
using frontend::tflite::TensorType;

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

std::vector<uint8_t> Pseudo(size_t n, uint32_t seed) {
  XorShift32 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng.Next() >> 3);
  return v;
}

std::vector<uint8_t> Floats(size_t n, uint32_t seed) {
  const std::vector<uint8_t> r = Pseudo(n, seed);
  std::vector<float> f(n);
  for (size_t i = 0; i < n; ++i) f[i] = (static_cast<int>(r[i]) - 128) / 64.0f;
  std::vector<uint8_t> b(n * 4);
  std::memcpy(b.data(), f.data(), b.size());
  return b;
}

// x [1,10] -> SVDF (8 filters, rank 2, memory 5) -> FULLY_CONNECTED -> out
// [1,3]. int8 with an int16 state (TFLite's int8 SVDF) or float32.
std::vector<uint8_t> SvdfModel(bool quantized) {
  constexpr int kIn = 10, kFilters = 8, kRank = 2, kMemory = 5, kUnits = kFilters / kRank, kOut = 3;
  ModelBuilder b;
  int x, wf, wt, bias, state, mid, fw, fb, out;
  if (quantized) {
    x = b.AddTensor("x", TensorType::INT8, {1, kIn}, Quant(0.05f, -3));
    wf = b.AddConstTensor("svdf/weights_feature", TensorType::INT8, {kFilters, kIn}, Pseudo(kFilters * kIn, 7),
                          Quant(0.01f, 0));
    std::vector<uint8_t> wt16 = Pseudo(kFilters * kMemory * 2, 11);
    wt = b.AddConstTensor("svdf/weights_time", TensorType::INT16, {kFilters, kMemory}, wt16, Quant(0.00005f, 0));
    std::vector<int32_t> bv(kUnits);
    for (int i = 0; i < kUnits; ++i) bv[static_cast<size_t>(i)] = (i * 7919) % 4001 - 2000;
    // The bias scale is s_state * s_weights_time (TFLite Micro checks it).
    bias = b.AddInt32Tensor("svdf/bias", {kUnits}, bv, Quant(0.002f * 0.00005f, 0));
    state = b.AddTensor("svdf/state", TensorType::INT16, {1, kFilters * kMemory}, Quant(0.002f, 0));
    mid = b.AddTensor("svdf/out", TensorType::INT8, {1, kUnits}, Quant(0.02f, 4));
    fw = b.AddConstTensor("fc/weights", TensorType::INT8, {kOut, kUnits}, Pseudo(kOut * kUnits, 13),
                          Quant(0.01f, 0));
    fb = b.AddInt32Tensor("fc/bias", {kOut}, {100, -50, 7}, Quant(0.0002f, 0));
    out = b.AddTensor("out", TensorType::INT8, {1, kOut}, Quant(0.03f, -5));
  } else {
    x = b.AddTensor("x", TensorType::FLOAT32, {1, kIn});
    wf = b.AddConstTensor("svdf/weights_feature", TensorType::FLOAT32, {kFilters, kIn}, Floats(kFilters * kIn, 7));
    wt = b.AddConstTensor("svdf/weights_time", TensorType::FLOAT32, {kFilters, kMemory},
                          Floats(kFilters * kMemory, 11));
    bias = b.AddConstTensor("svdf/bias", TensorType::FLOAT32, {kUnits}, Floats(kUnits, 5));
    state = b.AddTensor("svdf/state", TensorType::FLOAT32, {1, kFilters * kMemory});
    mid = b.AddTensor("svdf/out", TensorType::FLOAT32, {1, kUnits});
    fw = b.AddConstTensor("fc/weights", TensorType::FLOAT32, {kOut, kUnits}, Floats(kOut * kUnits, 13));
    fb = b.AddConstTensor("fc/bias", TensorType::FLOAT32, {kOut}, Floats(kOut, 17));
    out = b.AddTensor("out", TensorType::FLOAT32, {1, kOut});
  }
  b.SetVariable(state);
  const auto o = ::tflite::CreateSVDFOptions(b.builder(), kRank,
                                             quantized ? ::tflite::ActivationFunctionType::NONE
                                                       : ::tflite::ActivationFunctionType::RELU,
                                             false);
  b.AddOperator(::tflite::BuiltinOperator::SVDF, {x, wf, wt, bias, state}, {mid},
                ::tflite::BuiltinOptions::SVDFOptions, o.Union());
  b.AddFullyConnected(mid, fw, fb, out);
  b.SetInputs({x});
  b.SetOutputs({out});
  return b.Finish();
}

// x [2,3,5] (time_major: [3,2,5]) -> UNIDIRECTIONAL_SEQUENCE_LSTM (4 units,
// cell_clip 3) -> out [2,3,4]: int8 with an int16 cell state (TFLite's 8x8->16
// LSTM) or float32. The hidden and cell states are variables.
std::vector<uint8_t> LstmModel(bool quantized, bool time_major) {
  constexpr int kBatch = 2, kSteps = 3, kIn = 5, kUnits = 4;
  ModelBuilder b;
  const std::vector<int32_t> seq = time_major ? std::vector<int32_t>{kSteps, kBatch, kIn}
                                              : std::vector<int32_t>{kBatch, kSteps, kIn};
  const std::vector<int32_t> out_shape = time_major ? std::vector<int32_t>{kSteps, kBatch, kUnits}
                                                    : std::vector<int32_t>{kBatch, kSteps, kUnits};
  std::vector<int32_t> in(24, -1);
  int out;
  if (quantized) {
    in[0] = b.AddTensor("x", TensorType::INT8, seq, Quant(0.05f, -3));
    for (int k = 0; k < 8; ++k) {
      const int rows = kUnits, cols = k < 4 ? kIn : kUnits;
      in[static_cast<size_t>(k + 1)] =
          b.AddConstTensor("lstm/w" + std::to_string(k), TensorType::INT8, {rows, cols},
                           Pseudo(static_cast<size_t>(rows * cols), 30 + static_cast<uint32_t>(k)),
                           Quant(k < 4 ? 0.004f : 0.006f, 0));
    }
    for (int k = 0; k < 4; ++k) {
      std::vector<int32_t> bv(kUnits);
      for (int i = 0; i < kUnits; ++i) bv[static_cast<size_t>(i)] = ((i + 3 * k) * 7919) % 8001 - 4000;
      in[static_cast<size_t>(12 + k)] = b.AddInt32Tensor("lstm/b" + std::to_string(k), {kUnits}, bv,
                                                         Quant(0.05f * 0.004f, 0));
    }
    in[18] = b.AddTensor("lstm/hidden", TensorType::INT8, {kBatch, kUnits}, Quant(0.008f, 3));
    in[19] = b.AddTensor("lstm/cell", TensorType::INT16, {kBatch, kUnits}, Quant(1.0f / 2048, 0));
    out = b.AddTensor("out", TensorType::INT8, out_shape, Quant(0.008f, 3));
  } else {
    in[0] = b.AddTensor("x", TensorType::FLOAT32, seq);
    for (int k = 0; k < 8; ++k) {
      const int rows = kUnits, cols = k < 4 ? kIn : kUnits;
      in[static_cast<size_t>(k + 1)] = b.AddConstTensor("lstm/w" + std::to_string(k), TensorType::FLOAT32,
                                                        {rows, cols}, Floats(static_cast<size_t>(rows * cols), 30 + static_cast<uint32_t>(k)));
    }
    for (int k = 0; k < 4; ++k)
      in[static_cast<size_t>(12 + k)] = b.AddConstTensor("lstm/b" + std::to_string(k), TensorType::FLOAT32, {kUnits},
                                                         Floats(kUnits, 50 + static_cast<uint32_t>(k)));
    in[18] = b.AddTensor("lstm/hidden", TensorType::FLOAT32, {kBatch, kUnits});
    in[19] = b.AddTensor("lstm/cell", TensorType::FLOAT32, {kBatch, kUnits});
    out = b.AddTensor("out", TensorType::FLOAT32, out_shape);
  }
  b.SetVariable(in[18]);
  b.SetVariable(in[19]);
  const auto o = ::tflite::CreateUnidirectionalSequenceLSTMOptions(
      b.builder(), ::tflite::ActivationFunctionType::TANH, /*cell_clip=*/3.0f, /*proj_clip=*/0.0f, time_major);
  b.AddOperator(::tflite::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM, in, {out},
                ::tflite::BuiltinOptions::UnidirectionalSequenceLSTMOptions, o.Union());
  b.SetInputs({in[0]});
  b.SetOutputs({out});
  return b.Finish();
}

// The generated C interface's name of a tensor (microTVM's sanitizer).
std::string CName(const std::string& name) {
  std::string out;
  for (char ch : name) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

std::string Hex(const std::vector<uint8_t>& v) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t c : v) s += std::string{d[c >> 4], d[c & 15]};
  return s;
}

// The generated C of `model`, run on the host over `inputs` in a row (one
// graph input each), then reset_state and inputs[0] once more: one line of
// output hex per run.
std::string RunGenerated(const std::string& dir, const std::string& model, const std::vector<std::vector<uint8_t>>& inputs,
                         size_t out_bytes, const std::string& in_name = "x", const std::string& out_name = "out") {
  const CliResult c = RunCli({"compile", model, "--module-name", "stream", "-o", dir + "/gen"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  std::string app = "#include <stdio.h>\n#include <stdint.h>\n#include \"tvmgen_stream.h\"\n";
  app += "static const uint8_t in[" + std::to_string(inputs.size()) + "][" + std::to_string(inputs[0].size()) + "] = {\n";
  for (const auto& v : inputs) {
    app += "  {";
    for (uint8_t b : v) app += std::to_string(b) + ",";
    app += "},\n";
  }
  app += "};\nstatic uint8_t x[" + std::to_string(inputs[0].size()) + "], y[" + std::to_string(out_bytes) + "];\n";
  app += "static void step(size_t k) {\n  size_t i;\n  struct tvmgen_stream_inputs a;\n"
         "  struct tvmgen_stream_outputs b;\n  for (i = 0; i < sizeof x; ++i) x[i] = in[k][i];\n"
         "  a." + in_name + " = x;\n  b." + out_name + " = y;\n  if (tvmgen_stream_run(&a, &b) != 0) printf(\"error\");\n"
         "  for (i = 0; i < sizeof y; ++i) printf(\"%02x\", y[i]);\n  printf(\"\\n\");\n}\n";
  app += "int main(void) {\n  size_t k;\n  for (k = 0; k < " + std::to_string(inputs.size()) +
         "; ++k) step(k);\n  tvmgen_stream_reset_state();\n  step(0);\n  printf(\"state %d\\n\", (int)TVMGEN_STREAM_STATE_SIZE);\n  return 0;\n}\n";
  WriteFile(dir + "/app.c", std::vector<uint8_t>(app.begin(), app.end()));
  const std::string cmd = "cd " + dir + " && cc -std=c99 -Wall -Wextra -Werror -pedantic -I gen/codegen/host/include"
                          " -I gen/runtime/include app.c gen/codegen/host/src/*.c gen/runtime/src/*.c -lm -o app"
                          " > build.log 2>&1 && ./app > out.txt";
  EXPECT_EQ(Sh(cmd), 0) << std::string(ReadFile(dir + "/build.log").begin(), ReadFile(dir + "/build.log").end());
  const auto b = ReadFile(dir + "/out.txt");
  return std::string(b.begin(), b.end());
}

// The generated C of the model in `file`, run on the host over seven inputs
// in a row and again after reset_state, gives the bytes of the reference
// evaluator run over the same inputs with one ops::EvalState (then a fresh
// one); `state_bytes` is the state region's expected size.
void ExpectModelStreamMatchesReference(const std::vector<uint8_t>& file, bool quantized, int64_t state_bytes) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", file);
  auto g = frontend::tflite::ImportTflite(file, "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  ASSERT_TRUE(ir::Verify(*g).ok());
  ASSERT_TRUE(ops::CheckGraph(*g).ok()) << ops::CheckGraph(*g).diag().ToString();
  const size_t in_bytes = static_cast<size_t>(g->tensor(g->inputs[0]).size_bytes());
  const size_t out_bytes = static_cast<size_t>(g->tensor(g->outputs[0]).size_bytes());
  std::vector<std::vector<uint8_t>> inputs;
  for (uint32_t k = 0; k < 7; ++k) inputs.push_back(quantized ? Pseudo(in_bytes, 100 + k) : Floats(in_bytes / 4, 100 + k));
  // The reference: the same inputs in a row with one state, then a new state.
  std::string want;
  ops::EvalState state;
  ops::EvalOptions o;
  o.state = &state;
  std::vector<std::string> lines;
  for (const auto& in : inputs) {
    auto r = ops::EvaluateGraph(*g, {in}, o);
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    lines.push_back(Hex(r->outputs[0]));
    want += lines.back() + "\n";
  }
  auto fresh = ops::EvaluateGraph(*g, {inputs[0]});
  ASSERT_TRUE(fresh.ok());
  want += Hex(fresh->outputs[0]) + "\n";
  // The state matters: a stream's later outputs differ from a fresh start's.
  int differ = 0;
  for (size_t k = 1; k < inputs.size(); ++k) {
    auto alone = ops::EvaluateGraph(*g, {inputs[k]});
    ASSERT_TRUE(alone.ok());
    differ += Hex(alone->outputs[0]) != lines[k];
  }
  EXPECT_GT(differ, 0) << "the state never changes an output: the test proves nothing";
  want += "state " + std::to_string(state_bytes) + "\n";
  EXPECT_EQ(RunGenerated(dir, dir + "/m.tflite", inputs, out_bytes), want);
}

void ExpectStreamMatchesReference(bool quantized) {
  // SVDF's state: 8 filters x memory 5 elements, one region of its own.
  const int64_t state_bytes = (quantized ? 2 : 4) * 40;
  ExpectModelStreamMatchesReference(SvdfModel(quantized), quantized, (state_bytes + 15) / 16 * 16);
}

TEST(Streaming, SvdfInt8StateKeptAcrossRunsLikeTheReference) { ExpectStreamMatchesReference(true); }

TEST(Streaming, GeneratedStateCodeIsWarningFreeForCortexM4) {
  if (Sh("command -v arm-none-eabi-gcc > /dev/null") != 0) GTEST_SKIP() << "arm-none-eabi-gcc is absent";
  const std::string dir = TempDir();
  for (int k = 0; k < 5; ++k) {
    const bool quantized = k % 2 == 0;
    WriteFile(dir + "/m.tflite", k == 4 ? test::ResourceStreamModel()
                                 : k < 2 ? SvdfModel(quantized) : LstmModel(quantized, k == 2));
    const CliResult c = RunCli({"compile", dir + "/m.tflite", "--target", "cortex-m4", "-o", dir + "/m4"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_EQ(Sh("cd " + dir + " && arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
                 " -std=c99 -Wall -Wextra -Werror -pedantic -O2 -c -I m4/codegen/host/include -I m4/runtime/include"
                 " m4/codegen/host/src/*.c"),
              0);
    fs::remove_all(dir + "/m4");
  }
}

TEST(Streaming, SvdfFloatStateKeptAcrossRunsLikeTheReference) { ExpectStreamMatchesReference(false); }

// The LSTM's hidden (int8, 8 bytes) and cell (int16, 16 bytes) states, each
// in a 16-byte slot; float32: 32 bytes each.
TEST(Streaming, LstmInt8StateKeptAcrossRunsLikeTheReference) {
  ExpectModelStreamMatchesReference(LstmModel(true, false), true, 32);
}
TEST(Streaming, LstmInt8TimeMajorStateKeptAcrossRunsLikeTheReference) {
  ExpectModelStreamMatchesReference(LstmModel(true, true), true, 32);
}
TEST(Streaming, LstmFloatStateKeptAcrossRunsLikeTheReference) {
  ExpectModelStreamMatchesReference(LstmModel(false, false), false, 64);
  ExpectModelStreamMatchesReference(LstmModel(false, true), false, 64);
}

// An ONNX LSTM starts every run from its initial states (onnx_recurrent_test.cc):
// its generated C, run on A, B, A in one process, gives each input's
// output of a fresh evaluation; the state region holds the two states of
// each direction (bidirectional: four f32[2,4] variables, 32 bytes each).
TEST(Streaming, OnnxLstmRunsStartFromTheInitialStates) {
  const std::string dir = TempDir();
  const std::vector<uint8_t> model = OnnxRecurrentModel("LSTM", 0);
  WriteFile(dir + "/lstm.onnx", model);
  auto g = frontend::onnx::ImportOnnx(model, "lstm.onnx");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  const size_t in_bytes = static_cast<size_t>(g->tensor(g->inputs[0]).size_bytes());
  const size_t out_bytes = static_cast<size_t>(g->tensor(g->outputs[0]).size_bytes());
  const std::vector<std::vector<uint8_t>> inputs = {Floats(in_bytes / 4, 1), Floats(in_bytes / 4, 2),
                                                    Floats(in_bytes / 4, 1)};
  std::string want;
  for (size_t k : {0, 1, 2, 0}) {
    auto r = ops::EvaluateGraph(*g, {inputs[k]});
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    want += Hex(r->outputs[0]) + "\n";
  }
  want += "state 128\n";
  EXPECT_EQ(RunGenerated(dir, dir + "/lstm.onnx", inputs, out_bytes, "x", "y"), want);
}

// TFLite resource variables (VAR_HANDLE, READ/ASSIGN_VARIABLE, CALL_ONCE):
// the two resources (int8[1,4] and int8[1,2], each in a 16-byte slot) start
// as the init subgraph assigns them, persist across runs, and reset_state
// restores that initial value (the reference's fresh state), not zero.
TEST(Streaming, ResourceVariablesKeptAcrossRunsLikeTheReference) {
  ExpectModelStreamMatchesReference(test::ResourceStreamModel(), true, 32);
}

// The same model on the emulated Cortex-M4: three inferences in a row (the
// harness's EMBER_HARNESS_RUNS) leave the output of the reference's third
// run with one state, which differs from a first run's.
TEST(Streaming, ResourceVariablesKeptAcrossRunsOnCortexM4) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", test::ResourceStreamModel());
  const std::vector<uint8_t> x = {10, 245};
  WriteFile(dir + "/x.bin", x);
  auto g = frontend::tflite::ImportTflite(test::ResourceStreamModel(), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  ops::EvalState state;
  ops::EvalOptions o;
  o.state = &state;
  std::vector<std::vector<uint8_t>> outs;
  for (int k = 0; k < 3; ++k) {
    auto r = ops::EvaluateGraph(*g, {x}, o);
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    outs.push_back(r->outputs[0]);
  }
  ASSERT_NE(outs[0], outs[2]) << "the state never changes the output: the test proves nothing";
  const CliResult c = RunCli({"compile", dir + "/m.tflite", "--target", "cortex-m4", "--module-name", "stream",
                              "-o", dir + "/mlf"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const qemu::Command b = qemu::Build(qemu::Quote(dir + "/mlf") + " " + qemu::Quote(dir + "/x.bin") +
                                          " mps2-an386 " + qemu::Quote(dir + "/m4.elf"),
                                      "EMBER_HARNESS_RUNS=3");
  ASSERT_EQ(b.exit_code, 0) << b.output;
  const qemu::Command r = qemu::Emulate(dir + "/m4.elf", "mps2-an386", 120);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const qemu::HarnessResult h = qemu::ParseHarness(r.output);
  ASSERT_TRUE(h.ok) << r.output;
  ASSERT_EQ(h.instructions.size(), 3u) << r.output;
  ASSERT_EQ(h.outputs.size(), 1u);
  EXPECT_EQ(h.outputs[0], outs[2]) << r.output;
}

TEST(Streaming, AnalyzeAndPlanCountTheResourceState) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", test::ResourceStreamModel());
  const CliResult a = RunCli({"analyze", dir + "/m.tflite", "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j["state_bytes"].get<int64_t>(), 6) << a.out;
  const CliResult c = RunCli({"compile", dir + "/m.tflite", "--module-name", "rv", "-o", dir + "/gen"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const auto h = ReadFile(dir + "/gen/codegen/host/include/tvmgen_rv.h");
  EXPECT_NE(std::string(h.begin(), h.end()).find("#define TVMGEN_RV_STATE_SIZE 32"), std::string::npos);
}

TEST(Streaming, AnalyzeAndPlanCountTheState) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", SvdfModel(true));
  const CliResult a = RunCli({"analyze", dir + "/m.tflite", "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j["state_bytes"].get<int64_t>(), 80) << a.out;
  const CliResult t = RunCli({"analyze", dir + "/m.tflite"});
  EXPECT_NE(t.out.find("state"), std::string::npos) << t.out;
}

// TFLite Micro's keyword benchmark models (four int8 SVDFs with int16
// states, a SOFTMAX with an int8 input and an int16 output, requantized to
// int32), from
// the TFLM tree (tflm_util.h): import, evaluate three times in a row, and the
// generated C run three times gives the same bytes, softmax included.
TEST(Streaming, TflmKeywordScrambledModels) {
  EMBER_REQUIRE_TFLM(src);
  int found = 0;
  for (const char* name : {"keyword_scrambled.tflite", "keyword_scrambled_8bit.tflite"}) {
    const std::string dir = TempDir();
    if (!tflm::Extract(src, std::string("tensorflow/lite/micro/models/") + name, dir + "/model.tflite")) continue;
    ++found;
    SCOPED_TRACE(name);
    auto g = frontend::tflite::ImportTfliteFile(dir + "/model.tflite");
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    int svdfs = 0, variables = 0;
    for (const ir::Node& n : g->nodes) svdfs += n.op == ir::OpKind::kSvdf;
    for (const ir::Tensor& t : g->tensors) variables += t.is_variable;
    EXPECT_GT(svdfs, 0);
    EXPECT_EQ(variables, svdfs);
    // The int8 -> int16 softmax, then a QUANTIZE of its output to int32.
    int int16_softmaxes = 0;
    for (const ir::Node& n : g->nodes) {
      int16_softmaxes += n.op == ir::OpKind::kSoftmax && g->tensor(n.inputs[0]).dtype == ir::DType::kInt8 &&
                         g->tensor(n.outputs[0]).dtype == ir::DType::kInt16;
    }
    EXPECT_EQ(int16_softmaxes, 1);
    ASSERT_TRUE(ir::Verify(*g).ok()) << ir::Verify(*g).diag().ToString();
    ASSERT_TRUE(ops::CheckGraph(*g).ok()) << ops::CheckGraph(*g).diag().ToString();
    ASSERT_EQ(g->inputs.size(), 1u);
    const ir::Tensor& in = g->tensor(g->inputs[0]);
    const bool is_float = in.dtype == ir::DType::kFloat32;
    std::vector<std::vector<uint8_t>> inputs;
    for (uint32_t k = 0; k < 3; ++k) {
      inputs.push_back(is_float ? Floats(static_cast<size_t>(in.num_elements()), 200 + k)
                                : Pseudo(static_cast<size_t>(in.size_bytes()), 200 + k));
    }
    ops::EvalState state;
    ops::EvalOptions o;
    o.state = &state;
    std::string want;
    for (const auto& x : inputs) {
      auto r = ops::EvaluateGraph(*g, {x}, o);
      ASSERT_TRUE(r.ok()) << r.diag().ToString();
      want += Hex(r->outputs[0]) + "\n";
    }
    auto fresh = ops::EvaluateGraph(*g, {inputs[0]});
    ASSERT_TRUE(fresh.ok());
    want += Hex(fresh->outputs[0]) + "\n";
    const std::string text = ir::Print(*g);
    WriteFile(dir + "/m.ir", std::vector<uint8_t>(text.begin(), text.end()));
    const std::string got = RunGenerated(dir, dir + "/m.ir", inputs, static_cast<size_t>(g->tensor(g->outputs[0]).size_bytes()),
                                         CName(in.name), CName(g->tensor(g->outputs[0]).name));
    EXPECT_EQ(got.substr(0, want.size()), want);
    EXPECT_EQ(got.substr(want.size(), 6), "state ") << got;
  }
  if (found == 0) GTEST_SKIP() << "no keyword_scrambled model in " << src.Describe();
}

}  // namespace
}  // namespace ember::test
