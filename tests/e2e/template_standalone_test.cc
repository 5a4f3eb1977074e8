// The standalone template end to end, through the CLI: create-project →
// build → flash, then the example program (src/main.c, written for each
// model) is run on a known input and its output compared with an oracle:
// TFLite Micro's reference outputs (../shared vectors) or `ember eval` (the
// project's own models). Also the arm-none-eabi builds (a QEMU board, and a
// library without a board), the option errors, the absent transport, and
// that no process outlives a test.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/project_util.h"
#include "e2e/qemu_util.h"
#include "micro/project/project.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;

// Compiles `model` into DIR/NAME.tar; returns its path.
std::string Compile(const std::string& model, const std::string& dir, const std::string& name,
                    const std::vector<std::string>& extra = {}) {
  const std::string tar = dir + "/" + name + ".tar";
  std::vector<std::string> args = {"compile", model, "--module-name", name, "-o", tar};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return tar;
}

std::string WriteModel(const std::string& dir, const std::string& file, const std::vector<uint8_t>& bytes) {
  WriteFile(dir + "/" + file, bytes);
  return dir + "/" + file;
}

// create-project with `options` (KEY=VALUE), then build; fails the test on error.
void CreateAndBuild(const std::string& project, const std::string& tar, const std::vector<std::string>& options) {
  std::vector<std::string> args = {"micro", "create-project", project, tar, "--template", "standalone"};
  for (const auto& o : options) args.insert(args.end(), {"--project-option", o});
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"micro", "build", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::string Hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) s += {digits[c >> 4], digits[c & 15]};
  return s;
}

// The bytes the example printed, all outputs in order, as hex: after each
// "output K NAME (N bytes):" line come lines of hex indented by two spaces.
std::string PrintedHex(const std::string& log) {
  std::istringstream in(log);
  std::string line, hex;
  bool in_output = false;
  while (std::getline(in, line)) {
    if (line.rfind("output ", 0) == 0) {
      in_output = true;
    } else if (in_output && line.rfind("  ", 0) == 0) {
      hex += line.substr(2);
    } else {
      in_output = false;
    }
  }
  return hex;
}

// Runs the host example: build/main INPUT OUTPUT; returns what it printed.
std::string RunExample(const std::string& project, const std::string& input, const std::string& output) {
  const qemu::Command c =
      qemu::Run(qemu::Quote(project + "/build/main") + " " + qemu::Quote(input) + " " + qemu::Quote(output));
  EXPECT_EQ(c.exit_code, 0) << c.output;
  return c.output;
}

// `ember eval` of `model` on the input files; returns the output's bytes.
std::string Reference(const std::string& model, const std::vector<std::string>& inputs, const std::string& out) {
  std::vector<std::string> args = {"eval", model, "--input"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  args.insert(args.end(), {"--output", out});
  const CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return ReadText(out);
}

// `model` compiled as "tiny" for `target`, generated with toolchain
// arm-none-eabi plus `options` and built, in a folder next to the model.
std::string BuildArmProject(const std::string& model, const std::string& target,
                            const std::vector<std::string>& options) {
  const std::string dir = fs::path(model).parent_path().string();
  const std::string tar = Compile(model, dir, "tiny", {"--target", target});
  std::vector<std::string> all = {"toolchain=arm-none-eabi"};
  all.insert(all.end(), options.begin(), options.end());
  CreateAndBuild(dir + "/p", tar, all);
  return dir + "/p";
}

class StandaloneTemplate : public ::testing::TestWithParam<const char*> {};

// Each MLPerf Tiny model: flash runs the example once (zeros), and the
// example fed input_1.bin writes output_1.bin byte for byte and prints it.
TEST_P(StandaloneTemplate, SharedModelExampleMatchesReference) {
  EMBER_REQUIRE_SHARED();
  const std::string name = GetParam();
  const std::string dir = TempDir();
  const std::string data = SharedDir() + "/testdata/" + name;
  const std::string tar = Compile(SharedDir() + "/models/" + name + ".tflite", dir, name);
  const std::string project = dir + "/p";
  CreateAndBuild(project, tar, {});
  const CliResult r = RunCli({"micro", "flash", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("tvmgen_" + name + "_run returned 0"), std::string::npos) << r.err;

  const std::string want = ReadText(data + "/output_1.bin");
  ASSERT_FALSE(want.empty());
  const std::string printed = RunExample(project, data + "/input_1.bin", dir + "/out.bin");
  EXPECT_EQ(ReadText(dir + "/out.bin"), want) << name;
  EXPECT_EQ(PrintedHex(printed), Hex(want)) << printed;
  EXPECT_TRUE(WaitNoDescendants().empty()) << "a server or example process outlived the test";
}

INSTANTIATE_TEST_SUITE_P(Models, StandaloneTemplate, testing::Values("kws", "vww", "ic", "ad"),
                         [](const auto& info) { return std::string(info.param); });

// The project's own model (no ../shared needed): the generated files, the
// example against `ember eval`, and no transport.
TEST(StandaloneTemplateOwn, ExampleMatchesEvalAndHasNoTransport) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  const std::string tar = Compile(model, dir, "tiny");
  const std::string project = dir + "/p";
  CreateAndBuild(project, tar, {});
  const std::string main_c = ReadText(project + "/src/main.c");
  EXPECT_NE(main_c.find("tvmgen_tiny_run(&inputs, &outputs)"), std::string::npos) << main_c;
  EXPECT_NE(main_c.find("TVMGEN_TINY_PROBS_SIZE"), std::string::npos) << main_c;
  EXPECT_TRUE(fs::exists(project + "/README.md"));
  EXPECT_FALSE(fs::exists(project + "/src/model_io.c"));
  EXPECT_FALSE(fs::exists(project + "/cmake/arm-none-eabi.cmake"));
  const CliResult r = RunCli({"micro", "flash", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  XorShift32 rng(11);
  for (int k = 0; k < 2; ++k) {
    std::vector<uint8_t> in(64);
    for (auto& b : in) b = static_cast<uint8_t>(rng.Int8());
    const std::string in_path = dir + "/in" + std::to_string(k) + ".bin";
    WriteFile(in_path, in);
    const std::string want = Reference(model, {in_path}, dir + "/ref.bin");
    ASSERT_EQ(want.size(), 3u);
    const std::string printed = RunExample(project, in_path, dir + "/out.bin");
    EXPECT_EQ(ReadText(dir + "/out.bin"), want);
    EXPECT_EQ(PrintedHex(printed), Hex(want)) << printed;
  }

  try {
    auto p = micro::GeneratedProject::FromDirectory(project);
    auto transport = p.OpenTransport();
    transport->Open();
    ADD_FAILURE() << "open_transport succeeded on a standalone project";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no transport"), std::string::npos) << what;
    EXPECT_NE(what.find("--template host"), std::string::npos) << what;
  }
  EXPECT_TRUE(WaitNoDescendants().empty()) << "a server or example process outlived the test";
}

// Two inputs, inside the arena, and an arena of the caller: main.c uses
// tvmgen_<name>_map_inputs and struct tvmgen_<name>_workspace_pools.
TEST(StandaloneTemplateOwn, IoInArenaAndExternalArena) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "add.tflite", TinyAddModel());
  const std::string tar = Compile(model, dir, "add2", {"--io-in-arena", "--external-arena"});
  const std::string project = dir + "/p";
  CreateAndBuild(project, tar, {"warning_as_error=true"});
  const std::string main_c = ReadText(project + "/src/main.c");
  EXPECT_NE(main_c.find("tvmgen_add2_map_inputs(&pools)"), std::string::npos) << main_c;
  EXPECT_NE(main_c.find("tvmgen_add2_run(&inputs, &outputs, &pools)"), std::string::npos) << main_c;

  // a = [10, -20, 30, 127], b = [1, 2, -3, -128] as int8, one file each for
  // eval and both in order for the example.
  const std::vector<uint8_t> a = {10, 236, 30, 127}, b = {1, 2, 253, 128};
  std::vector<uint8_t> both = a;
  both.insert(both.end(), b.begin(), b.end());
  WriteFile(dir + "/a.bin", a);
  WriteFile(dir + "/b.bin", b);
  WriteFile(dir + "/ab.bin", both);
  const std::string want = Reference(model, {dir + "/a.bin", dir + "/b.bin"}, dir + "/ref.bin");
  ASSERT_EQ(want.size(), 4u);
  const std::string printed = RunExample(project, dir + "/ab.bin", dir + "/out.bin");
  EXPECT_EQ(ReadText(dir + "/out.bin"), want);
  EXPECT_EQ(PrintedHex(printed), Hex(want)) << printed;
  // An input file of the wrong size is refused with exit status 1.
  EXPECT_EQ(qemu::Run(qemu::Quote(project + "/build/main") + " " + qemu::Quote(dir + "/a.bin")).exit_code, 1);
}

// arm-none-eabi with the QEMU board mps2-an386: flash runs build/main.elf in
// qemu-system-arm; what it prints equals `ember eval` on zero inputs.
TEST(StandaloneTemplateArm, BoardRunsInQemu) {
  if (const std::string missing = qemu::MissingTools(); !missing.empty()) GTEST_SKIP() << missing;
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  const std::string project = BuildArmProject(model, "cortex-m4", {"board=mps2-an386"});
  EXPECT_TRUE(fs::exists(project + "/build/main.elf"));
  EXPECT_TRUE(fs::exists(project + "/port/linker/mps2-an386.ld"));
  EXPECT_NE(ReadText(project + "/cmake/arm-none-eabi.cmake").find("-mcpu=cortex-m4"), std::string::npos);
  const CliResult r = RunCli({"micro", "flash", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WriteFile(dir + "/zeros.bin", std::vector<uint8_t>(64, 0));
  const std::string want = Reference(model, {dir + "/zeros.bin"}, dir + "/ref.bin");
  ASSERT_EQ(want.size(), 3u);
  EXPECT_EQ(PrintedHex(r.err), Hex(want)) << r.err;
  EXPECT_NE(r.err.find(" ticks = "), std::string::npos) << "the board's timer should time the run: " << r.err;
  EXPECT_TRUE(WaitNoDescendants().empty()) << "QEMU or a server outlived the test";
}

// arm-none-eabi without a board: a static library with the model, the
// runtime and the example; flashing is the user's business.
TEST(StandaloneTemplateArm, NoBoardBuildsLibrary) {
  if (const std::string missing = qemu::MissingTools(); !missing.empty()) GTEST_SKIP() << missing;
  const std::string project =
      BuildArmProject(WriteModel(TempDir(), "tiny.tflite", TinyConvModel()), "cortex-m7", {});
  // The core comes from the model's target.
  EXPECT_NE(ReadText(project + "/cmake/arm-none-eabi.cmake").find("-mcpu=cortex-m7"), std::string::npos);
  const std::string lib = project + "/build/libtiny_example.a";
  const qemu::Command nm = qemu::Run("arm-none-eabi-nm -g " + qemu::Quote(lib));
  ASSERT_EQ(nm.exit_code, 0) << nm.output;
  for (const char* symbol : {" T main", " T tvmgen_tiny_run", " T example_load_inputs"})
    EXPECT_NE(nm.output.find(symbol), std::string::npos) << symbol << " missing in " << nm.output;
  const CliResult r = RunCli({"micro", "flash", project});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("flashing is up to your own tools"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("build/libtiny_example.a"), std::string::npos) << r.err;
}

// Options that cannot work together are refused at create-project, with the
// way out, and leave no project folder behind.
TEST(StandaloneTemplateOwn, ConflictingOptionsAreRefused) {
  const std::string dir = TempDir();
  const std::string model = WriteModel(dir, "tiny.tflite", TinyConvModel());
  const std::string tar = Compile(model, dir, "tiny", {"--target", "cortex-m4"});
  struct Case {
    std::vector<std::string> options;
    std::string message;
  };
  const Case cases[] = {
      {{"board=mps2-an386"}, "need toolchain=arm-none-eabi"},
      {{"toolchain=arm-none-eabi", "board=mps2-an386", "cpu=cortex-m7"}, "choose cpu=cortex-m4"},
      {{"toolchain=arm-none-eabi", "board=mps2-an385"}, "--target cortex-m3"},
      {{"toolchain=arm-none-eabi", "cpu=cortex-m0plus"}, "--target cortex-m0plus"},
      {{"toolchain=riscv"}, "host, arm-none-eabi"},
      {{"board=mps9"}, "mps2-an385, mps2-an386, mps2-an500, mps2-an505, mps3-an547"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"micro", "create-project", dir + "/p", tar, "--template", "standalone"};
    for (const auto& o : c.options) args.insert(args.end(), {"--project-option", o});
    const CliResult r = RunCli(args);
    EXPECT_NE(r.exit_code, 0) << c.options[0];
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/p")) << c.options[0];
  }
  EXPECT_TRUE(WaitNoDescendants().empty()) << "a server outlived the test";
}

}  // namespace
}  // namespace ember::test
