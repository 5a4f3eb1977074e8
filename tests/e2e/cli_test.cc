// The `ember` command line: help, version, exit codes and I/O errors.
#include <gtest/gtest.h>

#include <cstring>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

std::string WriteTinyModel() {
  const std::string path = TempDir() + "/tiny.tflite";
  WriteFile(path, TinyConvModel());
  return path;
}

TEST(Cli, VersionPrintsName) {
  const CliResult r = RunCli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("ember "), std::string::npos);
}

TEST(Cli, HelpHasExamplesAndExitCodes) {
  const CliResult r = RunCli({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
  EXPECT_NE(r.out.find("ember analyze"), std::string::npos);
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
}

TEST(Cli, NoCommandIsUsageError) { EXPECT_EQ(RunCli({}).exit_code, 2); }
TEST(Cli, UnknownCommandIsUsageError) { EXPECT_EQ(RunCli({"frobnicate"}).exit_code, 2); }
TEST(Cli, BadFormatIsUsageError) {
  EXPECT_EQ(RunCli({"analyze", WriteTinyModel(), "--format", "xml"}).exit_code, 2);
}

TEST(Cli, OpsListsEveryOperator) {
  const CliResult r = RunCli({"ops", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j.size(), 22u);
  bool has_conv = false;
  std::set<std::string> ir_names;
  for (const auto& op : j) {
    EXPECT_FALSE(op.at("dtypes").get<std::string>().empty()) << op.at("tflite");
    has_conv |= op.at("tflite") == "CONV_2D";
    ir_names.insert(op.at("ir").get<std::string>());
  }
  EXPECT_TRUE(has_conv);
  // The resource-variable builtins, two of them resolved at import.
  std::set<std::string> tflite_names;
  for (const auto& op : j) tflite_names.insert(op.at("tflite").get<std::string>());
  for (const char* name : {"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"})
    EXPECT_EQ(tflite_names.count(name), 1u) << name;
  // Operators without a TFLite name are listed too.
  for (const char* name : {"sub", "div", "leaky_relu", "prelu", "clip", "hard_sigmoid", "reduce_max",
                           "resize_nearest_neighbor", "transpose_conv"}) {
    EXPECT_EQ(ir_names.count(name), 1u) << name;
  }
}

// The text table keeps its columns aligned whatever the longest name
// (RESIZE_NEAREST_NEIGHBOR is longer than the old fixed width), and names the
// TFLite builtin and the ONNX operator of each IR operator.
TEST(Cli, OpsTextColumnsAreAligned) {
  const CliResult r = RunCli({"ops"});
  ASSERT_EQ(r.exit_code, 0);
  std::istringstream in(r.out);
  std::string header, line;
  std::getline(in, header);
  ASSERT_EQ(header.rfind("TFLite", 0), 0u) << header;
  const size_t onnx_col = header.find("ONNX"), ir_col = header.find("IR"), types_col = header.find("data types");
  ASSERT_NE(onnx_col, std::string::npos);
  bool saw_resize = false;
  while (std::getline(in, line)) {
    ASSERT_GT(line.size(), types_col) << line;
    EXPECT_EQ(line.substr(onnx_col - 2, 2), "  ") << line;
    EXPECT_EQ(line.substr(ir_col - 2, 2), "  ") << line;
    EXPECT_EQ(line.substr(types_col - 2, 2), "  ") << line;
    EXPECT_NE(line[types_col], ' ') << line;
    if (line.rfind("RESIZE_NEAREST_NEIGHBOR ", 0) == 0) {
      saw_resize = true;
      EXPECT_EQ(line.substr(onnx_col, 7), "Resize ") << line;
      EXPECT_EQ(line.substr(ir_col, 24), "resize_nearest_neighbor ") << line;
    }
  }
  EXPECT_TRUE(saw_resize);
}

TEST(Cli, MissingModelFileFails) {
  const CliResult r = RunCli({"analyze", "/nonexistent/model.tflite"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/model.tflite"), std::string::npos);
  EXPECT_NE(r.err.find("error[E"), std::string::npos);
}

TEST(Cli, AnalyzeTinyModelJson) {
  const CliResult r = RunCli({"analyze", WriteTinyModel(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j.at("macs").get<int64_t>(), 0);
  EXPECT_GT(j.at("activation_lower_bound_bytes").get<int64_t>(), 0);
  EXPECT_GT(j.at("inplace_lower_bound_bytes").get<int64_t>(), 0);
  EXPECT_LE(j.at("inplace_lower_bound_bytes").get<int64_t>(), j.at("activation_lower_bound_bytes").get<int64_t>());
  EXPECT_FALSE(j.at("nodes").empty());
  int64_t sum = 0;
  for (const auto& n : j.at("nodes")) sum += n.at("macs").get<int64_t>();
  EXPECT_EQ(sum, j.at("macs").get<int64_t>());
}

TEST(Cli, InspectFormats) {
  const std::string model = WriteTinyModel();
  const CliResult text = RunCli({"inspect", model});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("conv2d"), std::string::npos);
  const CliResult dot = RunCli({"inspect", model, "--format", "dot"});
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_NE(dot.out.find("digraph"), std::string::npos);
  const CliResult json = RunCli({"inspect", model, "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_FALSE(nlohmann::json::parse(json.out).at("nodes").empty());
}

TEST(Cli, InspectFullTextParsesBackAsIr) {
  const std::string model = WriteTinyModel();
  const CliResult full = RunCli({"inspect", model, "--full"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const std::string ir_path = TempDir() + "/tiny.ir";
  WriteFile(ir_path, std::vector<uint8_t>(full.out.begin(), full.out.end()));
  const CliResult again = RunCli({"inspect", ir_path, "--full"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, full.out);
}

TEST(Cli, EvalBinAndNpyAgree) {
  const std::string model = WriteTinyModel();
  const std::string dir = TempDir();
  const CliResult a = RunCli({"analyze", model, "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto in = nlohmann::json::parse(a.out).at("inputs")[0];
  const int64_t bytes = in.at("bytes").get<int64_t>();
  std::vector<uint8_t> raw(static_cast<size_t>(bytes));
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(i * 37 + 11);
  WriteFile(dir + "/in.bin", raw);
  NpyArray arr;
  arr.descr = "|i1";
  arr.shape = in.at("shape").get<std::vector<int64_t>>();
  arr.data = raw;
  WriteFile(dir + "/in.npy", SerializeNpy(arr));

  const CliResult r1 = RunCli({"eval", model, "--input", dir + "/in.bin", "--output", dir + "/o.bin"});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  const CliResult r2 = RunCli({"eval", model, "--input", dir + "/in.npy", "--output", dir + "/o.npy"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const auto out_bin = ReadFile(dir + "/o.bin");
  auto out_npy = ParseNpy(ReadFile(dir + "/o.npy"), "o.npy");
  ASSERT_TRUE(out_npy.ok()) << out_npy.diag().ToString();
  EXPECT_EQ(out_npy->data, out_bin);
  EXPECT_EQ(out_npy->descr, "|i1");

  const CliResult printed = RunCli({"eval", model, "--input", dir + "/in.bin"});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_NE(printed.out.find("output 0"), std::string::npos);
}

TEST(Cli, EvalRejectsWrongSizedBin) {
  const std::string model = WriteTinyModel();
  const std::string dir = TempDir();
  WriteFile(dir + "/short.bin", std::vector<uint8_t>(3, 0));
  const CliResult r = RunCli({"eval", model, "--input", dir + "/short.bin"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("short.bin"), std::string::npos);
  EXPECT_NE(r.err.find("3 bytes"), std::string::npos);
}

TEST(Cli, EvalRejectsWrongDtypeNpy) {
  const std::string model = WriteTinyModel();
  const std::string dir = TempDir();
  NpyArray arr;
  arr.descr = "<f4";
  arr.shape = {4};
  arr.data.assign(16, 0);
  WriteFile(dir + "/f.npy", SerializeNpy(arr));
  const CliResult r = RunCli({"eval", model, "--input", dir + "/f.npy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("<f4"), std::string::npos);
}

TEST(Cli, EvalRejectsWrongInputCountAndExtension) {
  const std::string model = WriteTinyModel();
  const std::string dir = TempDir();
  WriteFile(dir + "/x.txt", std::vector<uint8_t>(4, 0));
  EXPECT_EQ(RunCli({"eval", model, "--input", dir + "/x.txt"}).exit_code, 2);
  EXPECT_EQ(RunCli({"eval", model, "--input", dir + "/x.txt", dir + "/x.txt"}).exit_code, 2);
}

TEST(Cli, OnnxImageModelsTakeAndGiveNchwNpyFiles) {
  // x[1,2,2,3] -> 1x1 Conv (channels x0, x1, x0+x1) -> y[1,3,2,3]. After the
  // layout pass both are NHWC in the IR; eval reads and writes NCHW .npy.
  const std::string dir = TempDir();
  OnnxBuilder b;
  b.Input("x", {1, 2, 2, 3});
  b.Init("w", {3, 2, 1, 1}, {1, 0, 0, 1, 1, 1});
  b.Node("Conv", {"x", "w"}, {"y"});
  b.Output("y");
  WriteFile(dir + "/conv.onnx", b.Bytes());
  const CliResult ir = RunCli({"inspect", dir + "/conv.onnx"});
  ASSERT_EQ(ir.exit_code, 0) << ir.err;
  EXPECT_NE(ir.out.find("f32[1,2,3,2] layout(\"NCHW\")"), std::string::npos) << ir.out;
  EXPECT_EQ(ir.out.find("transpose("), std::string::npos) << ir.out;
  NpyArray x;
  x.descr = "<f4";
  x.shape = {1, 2, 2, 3};
  for (int i = 0; i < 12; ++i) {
    const float v = static_cast<float>(i);
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    x.data.insert(x.data.end(), p, p + 4);
  }
  WriteFile(dir + "/x.npy", SerializeNpy(x));
  const CliResult ev = RunCli({"eval", dir + "/conv.onnx", "--input", dir + "/x.npy", "--output", dir + "/y.npy"});
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  auto y = ParseNpy(ReadFile(dir + "/y.npy"), "y.npy");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->shape, (std::vector<int64_t>{1, 3, 2, 3}));
  std::vector<float> v(18);
  ASSERT_EQ(y->data.size(), 72u);
  std::memcpy(v.data(), y->data.data(), 72);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(v[static_cast<size_t>(i)], static_cast<float>(i));
    EXPECT_EQ(v[static_cast<size_t>(6 + i)], static_cast<float>(6 + i));
    EXPECT_EQ(v[static_cast<size_t>(12 + i)], static_cast<float>(i + 6 + i));
  }
}

TEST(Cli, OnnxModelsAreImported) {
  const std::string dir = TempDir();
  WriteFile(dir + "/bad.onnx", std::vector<uint8_t>(8, 0xff));
  const CliResult bad = RunCli({"analyze", dir + "/bad.onnx"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("E1001"), std::string::npos) << bad.err;
  // x[N,4] -> Relu -> y: dynamic until --input-shape fixes it.
  OnnxBuilder b;
  b.Input("x", {-1, 4});
  b.Node("Relu", {"x"}, {"y"});
  b.Output("y");
  WriteFile(dir + "/relu.onnx", b.Bytes());
  const CliResult dyn = RunCli({"inspect", dir + "/relu.onnx"});
  EXPECT_EQ(dyn.exit_code, 3);
  EXPECT_NE(dyn.err.find("--input-shape"), std::string::npos) << dyn.err;
  for (const char* cmd : {"analyze", "inspect"}) {
    const CliResult ok = RunCli({cmd, dir + "/relu.onnx", "--input-shape", "x=2x4"});
    EXPECT_EQ(ok.exit_code, 0) << cmd << ": " << ok.err;
  }
  const std::vector<float> x = {-1.0f, 2.0f, -3.0f, 4.0f, 0.5f, -0.5f, 7.0f, -8.0f};
  std::vector<uint8_t> raw(x.size() * 4);
  std::memcpy(raw.data(), x.data(), raw.size());
  WriteFile(dir + "/x.bin", raw);
  const CliResult ev = RunCli({"eval", dir + "/relu.onnx", "--input-shape", "x=2x4", "--input", dir + "/x.bin",
                               "--output", dir + "/y.bin"});
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  std::vector<float> y(8);
  const std::vector<uint8_t> out = ReadFile(dir + "/y.bin");
  ASSERT_EQ(out.size(), 32u);
  std::memcpy(y.data(), out.data(), 32);
  EXPECT_EQ(y, (std::vector<float>{0, 2, 0, 4, 0.5f, 0, 7, 0}));
  const CliResult c = RunCli({"compile", dir + "/relu.onnx", "--input-shape", "x=2x4", "-o", dir + "/mlf"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(RunCli({"analyze", dir + "/relu.onnx", "--input-shape", "x=2"}).exit_code, 2);
  EXPECT_EQ(RunCli({"analyze", WriteTinyModel(), "--input-shape", "x=2x4"}).exit_code, 2);
}

}  // namespace
}  // namespace ember::test
