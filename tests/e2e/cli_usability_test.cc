// The CLI as a first-time user meets it: what it says while it works, the
// errors of common mistakes (each with its id, said once, with the exit code
// of its cause), readable output, and made-up inputs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/project_util.h"
#include "frontend/tflite/builder.h"
#include "support/npy.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string WriteModel(const std::string& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string p = dir + "/" + name;
  WriteFile(p, bytes);
  return p;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

size_t LongestLine(const std::string& text) {
  std::istringstream in(text);
  size_t longest = 0;
  for (std::string line; std::getline(in, line);) longest = std::max(longest, line.size());
  return longest;
}

// Sets an environment variable for the scope of a test (the CLI inherits it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A built project of `tar` from template `tmpl` with extra options.
void MakeProject(const std::string& tar, const std::string& dir, const std::string& tmpl,
                 const std::vector<std::string>& options, bool build = true) {
  std::vector<std::string> args = {"micro", "create-project", dir, tar, "--template", tmpl};
  for (const auto& o : options) args.insert(args.end(), {"--project-option", o});
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (!build) return;
  r = RunCli({"micro", "build", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// `ember run ARCHIVE` says on stderr that it builds the runner (the first
// time only) and prints the inference time.
TEST(CliUsability, RunSaysItBuildsTheRunnerAndPrintsTheTime) {
  const std::string dir = TempDir();
  ScopedEnv cache("EMBER_CACHE_DIR", dir + "/cache");
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", model, "-o", dir + "/m.tar"}).exit_code, 0);
  CliResult r = RunCli({"run", dir + "/m.tar", "--input", "zeros", "--output", dir + "/o.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.err, "ember: building the host runner of 'default' with cc"), 1u) << r.err;
  EXPECT_EQ(Count(r.err, "\n"), 1u) << "one line:\n" << r.err;
  EXPECT_NE(r.out.find("time: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" ms for one inference on the host"), std::string::npos) << r.out;
  r = RunCli({"run", dir + "/m.tar", "--input", "zeros", "--output", dir + "/o.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "the cached runner is not built again";
  EXPECT_NE(r.out.find(" ms for one inference on the host"), std::string::npos) << r.out;
}

// --input zeros / random / random:SEED stand for input files in eval and
// run: zeros equals a file of zeros, a seed gives the same input every time,
// another seed another one; a bad seed is a usage error.
TEST(CliUsability, MadeUpInputs) {
  const std::string dir = TempDir();
  ScopedEnv cache("EMBER_CACHE_DIR", dir + "/cache");
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  WriteFile(dir + "/zeros.bin", std::vector<uint8_t>(64, 0));
  auto eval = [&](const std::string& input, const std::string& out) {
    const CliResult r = RunCli({"eval", model, "--input", input, "--output", dir + "/" + out});
    EXPECT_EQ(r.exit_code, 0) << input << ": " << r.err;
    return ReadFile(dir + "/" + out);
  };
  EXPECT_EQ(eval("zeros", "a.bin"), eval(dir + "/zeros.bin", "b.bin"));
  const auto r5 = eval("random:5", "c.bin");
  EXPECT_EQ(eval("random:5", "d.bin"), r5);
  // Six seeds cannot all give the same three scores unless the seed is ignored.
  std::set<std::vector<uint8_t>> seen = {r5};
  for (int seed = 6; seed < 11; ++seed) seen.insert(eval("random:" + std::to_string(seed), "e.bin"));
  EXPECT_GT(seen.size(), 1u) << "random:SEED ignores the seed";
  EXPECT_EQ(eval("random", "f.bin"), eval("random:1", "g.bin")) << "random is random:1";

  ASSERT_EQ(RunCli({"compile", model, "-o", dir + "/m.tar"}).exit_code, 0);
  CliResult r = RunCli({"run", dir + "/m.tar", "--input", "random:5", "--output", dir + "/run.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(dir + "/run.bin"), r5) << "run and eval make up the same input";

  for (const std::string bad : {"random:x", "random:", "random:-1"}) {
    r = RunCli({"eval", model, "--input", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("E0409"), std::string::npos) << r.err;
  }
  r = RunCli({"run", dir + "/m.tar", "--input", "random:x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("building the host runner"), std::string::npos) << "inputs are checked first:\n" << r.err;
}

// `ember micro info PROJECT` shows the values the project was generated
// with, not only the template's defaults.
TEST(CliUsability, MicroInfoShowsTheProjectsValues) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", model, "--target", "cortex-m3", "-o", dir + "/m.tar"}).exit_code, 0);
  MakeProject(dir + "/m.tar", dir + "/p", "qemu", {"board=mps2-an500", "project_type=host_driven"}, false);
  CliResult r = RunCli({"micro", "info", dir + "/p"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  board=mps2-an500\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  project_type=host_driven\n"), std::string::npos) << r.out;
  r = RunCli({"micro", "info", dir + "/p", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["project_option_values"]["board"], "mps2-an500") << r.out;
  EXPECT_EQ(j["project_option_values"]["project_type"], "host_driven") << r.out;
  // A template has no values of its own.
  r = RunCli({"micro", "info", "qemu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("this project's options"), std::string::npos) << r.out;
}

// run/profile/validate before build, and on a standalone project: a usage
// error (exit 2) that says what to do, once.
TEST(CliUsability, RunBeforeBuildAndOnAStandaloneProject) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", model, "--executor", "graph", "-o", dir + "/m.tar"}).exit_code, 0);
  MakeProject(dir + "/m.tar", dir + "/p", "host", {"project_type=host_driven"}, false);
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"run", dir + "/p", "--input", "zeros"}, {"profile", dir + "/p"},
        {"validate", model, "--device", dir + "/p"}}) {
    const CliResult r = RunCli(cmd);
    EXPECT_EQ(r.exit_code, 2) << cmd[0] << ": " << r.err;
    EXPECT_NE(r.err.find(cmd[0] == "run" ? "E0803" : "E0805"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("is not built"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("ember micro build"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("flash"), std::string::npos) << r.err;
    EXPECT_EQ(Count(r.err, "no firmware at"), 1u) << "said once:\n" << r.err;
  }
  MakeProject(dir + "/m.tar", dir + "/s", "standalone", {});
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"run", dir + "/s", "--input", "zeros"}, {"profile", dir + "/s"}}) {
    const CliResult r = RunCli(cmd);
    EXPECT_EQ(r.exit_code, 2) << cmd[0] << ": " << r.err;
    EXPECT_NE(r.err.find("is a standalone project"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--template host"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// ember profile: --repeat counts on a --profile build too, and an error
// comes without a table header before it.
TEST(CliUsability, ProfileRepeatAndNoHeaderBeforeAnError) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", model, "-o", dir + "/plain.tar"}).exit_code, 0);
  MakeProject(dir + "/plain.tar", dir + "/plain", "host", {"project_type=host_driven"});
  CliResult r = RunCli({"profile", dir + "/plain"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("E0807"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "") << "printed before the error";

  ASSERT_EQ(RunCli({"compile", model, "--profile", "-o", dir + "/prof.tar"}).exit_code, 0);
  MakeProject(dir + "/prof.tar", dir + "/prof", "host", {"project_type=host_driven"});
  r = RunCli({"profile", dir + "/prof", "--repeat", "3", "--input", "random:2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("the least of 3 runs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("whole inference"), std::string::npos) << r.out;
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// validate with a model other than the project's: E0811 says so (not a
// device difference, E0808, nor a request for --executor graph, E0807).
TEST(CliUsability, ValidateWithAnotherModelSaysSo) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", model, "--executor", "graph", "-o", dir + "/m.tar"}).exit_code, 0);
  MakeProject(dir + "/m.tar", dir + "/p", "host", {"project_type=host_driven"});
  // The same graph with one weight changed, as IR text.
  CliResult r = RunCli({"inspect", model, "--full"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string ir = r.out;
  const size_t hex = ir.find("hex\"");
  ASSERT_NE(hex, std::string::npos);
  size_t digit = ir.find_first_of("0123456789abcdef", hex + 4);
  ir[digit] = ir[digit] == '0' ? '1' : '0';
  WriteFile(dir + "/changed.ir", std::vector<uint8_t>(ir.begin(), ir.end()));
  const std::string other = WriteModel(dir, "add.tflite", TinyAddModel());
  for (const std::string& wrong : {dir + "/changed.ir", other}) {
    r = RunCli({"validate", wrong, "--device", dir + "/p"});
    EXPECT_EQ(r.exit_code, 2) << wrong << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("E0811"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("is not the model project"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("E0808"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("--executor graph"), std::string::npos) << r.err;
  }
  EXPECT_NE(r.err.find("its inputs are"), std::string::npos) << r.err;
  r = RunCli({"validate", dir + "/changed.ir", "--device", dir + "/p"});
  EXPECT_NE(r.err.find("holds other values"), std::string::npos) << r.err;
  r = RunCli({"validate", model, "--device", dir + "/p"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// A dynamic-range ("hybrid") quantized TFLite model (float activations,
// int8 weights) is named as such, with what to do.
TEST(CliUsability, HybridQuantizedModelIsNamed) {
  using frontend::tflite::ModelBuilder;
  using frontend::tflite::TensorType;
  ModelBuilder b;
  const int in = b.AddTensor("input", TensorType::FLOAT32, {1, 4});
  const int w = b.AddConstTensor("weights", TensorType::INT8, {2, 4}, {1, 2, 3, 4, 5, 6, 7, 8},
                                 frontend::tflite::Quant(0.05f, 0));
  const int bias = b.AddFloatTensor("bias", {2}, {0.5f, -0.5f});
  const int out = b.AddTensor("out", TensorType::FLOAT32, {1, 2});
  b.AddFullyConnected(in, w, bias, out);
  b.SetInputs({in});
  b.SetOutputs({out});
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "hybrid.tflite", b.Finish());
  for (const std::vector<std::string>& cmd : {std::vector<std::string>{"compile", model, "-o", dir + "/h.tar"},
                                              {"eval", model, "--input", "zeros"}}) {
    const CliResult r = RunCli(cmd);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("E0301"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("dynamic-range (hybrid) quantized"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("float activations with int8 weights"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("representative_dataset"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("quantize the model to int8"), std::string::npos) << r.err;
  }
}

// inspect abbreviates per-channel scales (--full prints them all); the
// memory plan of compile -v keeps its name column narrow.
TEST(CliUsability, InspectAndCompileVerboseStayReadable) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  CliResult r = RunCli({"inspect", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<4 scales: 0.01, 0.02, 0.015, ..., min 0.01, max 0.025>"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("<4 zero points: all 0>"), std::string::npos) << r.out;
  r = RunCli({"inspect", model, "--full"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("scales:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("quant(axis=0, [0.01, 0.02, 0.015, 0.025], [0, 0, 0, 0])"), std::string::npos) << r.out;

  const std::string long_name(200, 'n');
  const std::string add = WriteModel(dir, "add.tflite", TinyAddModel("a_" + long_name, "b_" + long_name, "s_" + long_name));
  r = RunCli({"compile", add, "-v", "-o", dir + "/add.tar"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("..." + std::string(45, 'n')), std::string::npos) << r.out;
  EXPECT_LE(LongestLine(r.out), 120u) << r.out;
}

// analyze --target CORE: the arena, weights and (with arm-none-eabi-gcc)
// the ROM and RAM of the generated code, per target.
TEST(CliUsability, AnalyzeGivesRomAndRamPerTarget) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  CliResult r = RunCli({"analyze", model, "--format", "json", "--target", "cortex-m4", "--target", "host"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["targets"].size(), 2u) << r.out;
  const Json& m4 = j["targets"][0];
  EXPECT_EQ(m4["target"], "cortex-m4");
  EXPECT_GT(m4["arena_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(m4["io_bytes"].get<int64_t>(), 64 + 3);
  EXPECT_GT(m4["weights_bytes"].get<int64_t>(), 0);
  if (std::system("command -v arm-none-eabi-gcc >/dev/null") == 0) {
    ASSERT_TRUE(m4["rom_bytes"].is_number()) << m4.dump();
    // The code holds the weights; the static arena is in .bss.
    EXPECT_GT(m4["rom_bytes"].get<int64_t>(), m4["weights_bytes"].get<int64_t>());
    EXPECT_GE(m4["sections"]["bss"].get<int64_t>(), m4["arena_bytes"].get<int64_t>());
    EXPECT_EQ(m4["ram_bytes"].get<int64_t>(), m4["sections"]["data"].get<int64_t>() +
                                                 m4["sections"]["bss"].get<int64_t>() + m4["io_bytes"].get<int64_t>());
    EXPECT_NE(m4["compiler"].get<std::string>().find("-mcpu=cortex-m4"), std::string::npos);
  } else {
    EXPECT_TRUE(m4["rom_bytes"].is_null());
    EXPECT_NE(m4["compiler"].get<std::string>().find("not installed"), std::string::npos);
  }
  EXPECT_TRUE(j["targets"][1]["rom_bytes"].is_null()) << "no code size for the host";
  r = RunCli({"analyze", model, "--target", "cortex-m4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("target cortex-m4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("RAM"), std::string::npos) << r.out;
  r = RunCli({"analyze", model});
  EXPECT_EQ(r.out.find("target "), std::string::npos) << "no target, no per-target figures";
  r = RunCli({"analyze", model, "--target", "cortex-m9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("E0501"), std::string::npos) << r.err;
}

// analyze --target CORE --ram SIZE --flash SIZE: will the model fit? The
// RAM counts the deepest stack of the code; exit 4 (E0610) when it does not.
TEST(CliUsability, AnalyzeChecksTheFitWithTheStack) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  // Usage errors first: no target, a size that is not one, the host.
  CliResult r = RunCli({"analyze", model, "--ram", "64K"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--target"), std::string::npos) << r.err;
  r = RunCli({"analyze", model, "--target", "cortex-m4", "--ram", "64Q"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("64Q"), std::string::npos) << r.err;
  r = RunCli({"analyze", model, "--target", "cortex-m4", "--optimize", "fast"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = RunCli({"compile", model, "--optimize", "size", "-o", dir + "/size.tar"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"analyze", model, "--target", "host", "--flash", "1M"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("E0612"), std::string::npos) << r.err;
  if (std::system("command -v arm-none-eabi-gcc >/dev/null") != 0) {
    r = RunCli({"analyze", model, "--target", "cortex-m4", "--ram", "64K"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("E0612"), std::string::npos) << r.err;
    GTEST_SKIP() << "arm-none-eabi-gcc is absent: the fit itself is not checked";
  }
  r = RunCli({"analyze", model, "--format", "json", "--target", "cortex-m4", "--ram", "64K", "--flash", "0x100000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json m4 = Json::parse(r.out)["targets"][0];
  const int64_t stack = m4["stack_bytes"].get<int64_t>();
  EXPECT_GT(stack, 0) << m4.dump();
  EXPECT_TRUE(m4["stack"]["bounded"].get<bool>());
  ASSERT_GE(m4["stack"]["path"].size(), 2u) << m4.dump();
  EXPECT_EQ(m4["stack"]["path"][0]["function"], "tvmgen_default_run");
  int64_t sum = 0;
  for (const auto& f : m4["stack"]["path"]) sum += f["bytes"].get<int64_t>();
  EXPECT_EQ(sum, stack) << "the path's frames add up to the bound";
  EXPECT_TRUE(m4["fit"]["fits"].get<bool>());
  EXPECT_EQ(m4["fit"]["ram_limit_bytes"].get<int64_t>(), 65536);
  EXPECT_EQ(m4["fit"]["flash_limit_bytes"].get<int64_t>(), 1048576);
  const int64_t ram = m4["ram_bytes"].get<int64_t>() + stack;
  EXPECT_EQ(m4["fit"]["ram_needed_bytes"].get<int64_t>(), ram);
  EXPECT_EQ(m4["fit"]["flash_needed_bytes"].get<int64_t>(), m4["rom_bytes"].get<int64_t>());
  // Exactly enough RAM fits; one byte less does not, and the stack is what
  // tips it (the RAM without it would fit).
  r = RunCli({"analyze", model, "--target", "cortex-m4", "--ram", std::to_string(ram)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("fits --ram"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stack:"), std::string::npos) << r.out;
  r = RunCli({"analyze", model, "--target", "cortex-m4", "--ram", std::to_string(ram - 1)});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("error[E0610]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stack " + std::to_string(stack)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("try --optimize size"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("DOES NOT FIT"), std::string::npos) << r.out;
  // Flash: 1 KiB holds no model; every target is checked.
  r = RunCli({"analyze", model, "--target", "cortex-m4", "--target", "cortex-m0plus", "--flash", "1k", "--format", "json"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("flash"), std::string::npos) << r.err;
  const Json j = Json::parse(r.out);
  for (const auto& t : j["targets"]) EXPECT_FALSE(t["fit"]["fits"].get<bool>()) << t.dump();
}

// validate --target host / --archive: the model's C code on this machine
// against the reference over a data set, with the usual metrics.
TEST(CliUsability, ValidateOnTheHostOverADataSet) {
  const std::string dir = TempDir();
  ScopedEnv cache("EMBER_CACHE_DIR", dir + "/cache");
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  CliResult r = RunCli({"validate", model, "--target", "host", "--count", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const std::string line : {"4 samples of random inputs (seeds 1..4)", "max abs error        0\n",
                                 "L2 relative error    0\n", "cosine similarity    1\n",
                                 "top-1 agreement      100.00% (4 of 4)", "identical bytes      4 of 4 samples"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;

  // A data set: 5 int8 samples stacked without the batch axis, and the same
  // as float32 (quantized with the input's scale 0.05, zero point -3).
  NpyArray q{"|i1", {5, 8, 8, 1}, std::vector<uint8_t>(5 * 64)};
  NpyArray f{"<f4", {5, 1, 8, 8, 1}, std::vector<uint8_t>(5 * 64 * 4)};
  for (size_t i = 0; i < 5 * 64; ++i) {
    const int v = static_cast<int>(i * 7 % 256) - 128;
    q.data[i] = static_cast<uint8_t>(static_cast<int8_t>(v));
    const float x = 0.05f * static_cast<float>(v + 3);
    std::memcpy(&f.data[i * 4], &x, 4);
  }
  WriteFile(dir + "/q.npy", SerializeNpy(q));
  WriteFile(dir + "/f.npy", SerializeNpy(f));
  std::string outs[2];
  for (int k = 0; k < 2; ++k) {
    r = RunCli({"validate", model, "--target", "host", "--data", dir + (k ? "/f.npy" : "/q.npy")});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("5 samples of " + dir + (k ? "/f.npy" : "/q.npy")), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("identical bytes      5 of 5 samples"), std::string::npos) << r.out;
    outs[k] = r.out.substr(r.out.find("output 0"));
  }
  EXPECT_EQ(outs[0], outs[1]);

  // A compiled archive; another model's archive; a float model.
  ASSERT_EQ(RunCli({"compile", model, "-o", dir + "/m.tar"}).exit_code, 0);
  r = RunCli({"validate", model, "--archive", dir + "/m.tar", "--input", "random:9"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 samples of the given inputs"), std::string::npos) << r.out;
  const std::string other = WriteModel(dir, "add.tflite", TinyAddModel());
  r = RunCli({"validate", other, "--archive", dir + "/m.tar"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("E0811"), std::string::npos) << r.err;
  const std::string fmodel = WriteModel(dir, "float.tflite", TinyFloatModel());
  r = RunCli({"validate", fmodel, "--target", "host", "--count", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("top-1 agreement      100.00% (3 of 3)"), std::string::npos) << r.out;

  // An archive whose code is wrong (a bias changed after compiling): the
  // figures show it and the exit status is 6.
  ASSERT_EQ(RunCli({"compile", model, "-o", dir + "/mf"}).exit_code, 0);
  fs::path lib;
  for (const auto& e : fs::directory_iterator(dir + "/mf/codegen/host/src"))
    if (e.path().filename().string().find("_lib1.c") != std::string::npos) lib = e.path();
  ASSERT_FALSE(lib.empty());
  const auto bytes = ReadFile(lib.string());
  std::string code(bytes.begin(), bytes.end());
  const std::regex bias(R"((static const int32_t (\w+)_init\[\d+\][^=]*= \{\s*)(-?\d+))");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(code, m, bias)) << "no int32 bias array in " << lib;
  code = m.prefix().str() + m[1].str() + std::to_string(std::stoll(m[3]) + 1000000) + m.suffix().str();
  WriteFile(lib.string(), std::vector<uint8_t>(code.begin(), code.end()));
  r = RunCli({"validate", model, "--archive", dir + "/mf", "--count", "4"});
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.err.find("E0812"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("max abs error        0\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("identical bytes      4 of 4"), std::string::npos) << r.out;

  // Usage errors.
  r = RunCli({"validate", model});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("E0813"), std::string::npos) << r.err;
  WriteFile(dir + "/bad.npy", SerializeNpy(NpyArray{"|i1", {5, 7}, std::vector<uint8_t>(35)}));
  r = RunCli({"validate", model, "--target", "host", "--data", dir + "/bad.npy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("E0414"), std::string::npos) << r.err;
}

// Every command's --help shows its own examples, not the top-level ones.
TEST(CliUsability, EveryCommandHasItsOwnExamples) {
  const std::string top = "firmware project (also host, standalone)";  // a line of the top-level footer
  ASSERT_NE(RunCli({"--help"}).out.find(top), std::string::npos);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"ops"}, "ember ops --format json"},
      {{"micro"}, "ember micro info qemu"},
      {{"micro", "build"}, "ember micro build kws-qemu"},
      {{"micro", "flash"}, "gdbserver_port=1234"},
      {{"micro", "info"}, "ember micro info kws-qemu"},
      {{"micro", "create-project"}, "ember micro create-project kws-qemu"},
      {{"inspect"}, "ember inspect kws.tflite --full"},
      {{"analyze"}, "ember analyze kws.tflite"},
      {{"eval"}, "ember eval kws.tflite"},
      {{"compile"}, "ember compile kws.tflite --target cortex-m4"},
      {{"run"}, "ember run kws.tar"},
      {{"quantize"}, "ember quantize kws.onnx"},
      {{"profile"}, "ember profile"},
      {{"validate"}, "ember validate"},
  };
  for (const auto& [cmd, own] : cases) {
    std::vector<std::string> args = cmd;
    args.push_back("--help");
    const CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 0) << cmd.back();
    EXPECT_EQ(r.out.find(top), std::string::npos) << cmd.back() << " shows the top-level examples:\n" << r.out;
    EXPECT_NE(r.out.find(own), std::string::npos) << cmd.back() << " lacks its example '" << own << "':\n" << r.out;
  }
}

}  // namespace
}  // namespace ember::test
