// `ember compile` + `ember run`: the generated C, the memory plan and the
// Model Library Format archive, end to end.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string Slurp(const std::string& path) {
  const auto b = ReadFile(path);
  return std::string(b.begin(), b.end());
}

// Compiles `model` with extra flags into dir/out.tar and unpacks it into dir/mlf.
std::string CompileAndUnpack(const std::string& model, const std::string& dir,
                             const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"compile", model, "-o", dir + "/out.tar"};
  args.insert(args.end(), flags.begin(), flags.end());
  const CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::create_directories(dir + "/mlf");
  EXPECT_EQ(Sh("tar xf " + dir + "/out.tar -C " + dir + "/mlf"), 0);
  return dir + "/mlf";
}

TEST(Compile, OwnModelRunsLikeTheReference) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", dir + "/m.tflite", "-o", dir + "/m.tar"}).exit_code, 0);
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    const CliResult a = RunCli({"analyze", dir + "/m.tflite", "--format", "json"});
    const auto bytes = nlohmann::json::parse(a.out)["inputs"][0]["bytes"].get<size_t>();
    std::vector<uint8_t> in(bytes);
    uint32_t x = seed;
    for (auto& b : in) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; b = static_cast<uint8_t>(x); }
    WriteFile(dir + "/in.bin", in);
    const CliResult e = RunCli({"eval", dir + "/m.tflite", "--input", dir + "/in.bin", "--output", dir + "/ref.bin"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const CliResult r = RunCli({"run", dir + "/m.tar", "--input", dir + "/in.bin", "--output", dir + "/got.bin"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFile(dir + "/got.bin"), ReadFile(dir + "/ref.bin")) << "seed " << seed;
  }
}

TEST(Compile, ArchiveHasMicroTvmLayoutAndIsDeterministic) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", dir + "/m.tflite", "-o", dir + "/a.tar"}).exit_code, 0);
  ASSERT_EQ(RunCli({"compile", dir + "/m.tflite", "-o", dir + "/b.tar"}).exit_code, 0);
  EXPECT_EQ(ReadFile(dir + "/a.tar"), ReadFile(dir + "/b.tar"));
  ASSERT_EQ(Sh("tar tf " + dir + "/a.tar > " + dir + "/list.txt"), 0);
  const std::string list = Slurp(dir + "/list.txt");
  for (const char* member : {"./metadata.json", "./codegen/host/src/default_lib0.c",
                             "./codegen/host/src/default_lib1.c", "./codegen/host/include/tvmgen_default.h",
                             "./src/default.relay", "./parameters/default.params", "./runtime/"}) {
    EXPECT_NE(list.find(member), std::string::npos) << member << " missing from:\n" << list;
  }
  fs::create_directories(dir + "/x");
  ASSERT_EQ(Sh("tar xf " + dir + "/a.tar -C " + dir + "/x"), 0);
  const auto meta = nlohmann::json::parse(Slurp(dir + "/x/metadata.json"));
  EXPECT_EQ(meta["version"], 7);
  const auto& mod = meta["modules"]["default"];
  EXPECT_EQ(mod["executors"][0], "aot");
  EXPECT_EQ(mod["style"], "full-model");
  EXPECT_GT(mod["memory"]["functions"]["main"][0]["workspace_size_bytes"].get<int64_t>(), 0);
}

TEST(Compile, GeneratedCIsWarningFreeWithGccClangAndArm) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", TinyConvModel());
  const std::string mlf = CompileAndUnpack(dir + "/m.tflite", dir, {"--target", "cortex-m4"});
  const std::string inc = " -I " + mlf + "/codegen/host/include -I " + mlf + "/runtime/include ";
  const std::string srcs = mlf + "/codegen/host/src/*.c " + mlf + "/runtime/src/*.c";
  const std::string flags = " -std=c99 -Wall -Wextra -Werror -pedantic -c ";
  EXPECT_EQ(Sh("cd " + dir + " && gcc" + flags + inc + srcs), 0);
  EXPECT_EQ(Sh("cd " + dir + " && clang" + flags + inc + srcs), 0);
  if (Sh("command -v arm-none-eabi-gcc > /dev/null") != 0) GTEST_SKIP() << "arm-none-eabi-gcc is absent";
  EXPECT_EQ(Sh("cd " + dir + " && arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" +
               flags + inc + srcs),
            0);
}

TEST(Compile, TwoModelsLinkIntoOneProgram) {
  const std::string dir = TempDir();
  WriteFile(dir + "/a.tflite", TinyConvModel());
  WriteFile(dir + "/b.tflite", TinyAddModel());
  ASSERT_EQ(RunCli({"compile", dir + "/a.tflite", "--module-name", "conv", "-o", dir + "/a"}).exit_code, 0);
  ASSERT_EQ(RunCli({"compile", dir + "/b.tflite", "--module-name", "adder", "-o", dir + "/b"}).exit_code, 0);
  // An application written against the embedded C interface only.
  const std::string app = R"(#include <stdio.h>
#include <stdint.h>
#include "tvmgen_conv.h"
#include "tvmgen_adder.h"
static int8_t ci[TVMGEN_CONV_INPUT_SIZE], co[TVMGEN_CONV_PROBS_SIZE];
static int8_t a0[TVMGEN_ADDER_A_SIZE], a1[TVMGEN_ADDER_B_SIZE], ao[TVMGEN_ADDER_SUM_SIZE];
int main(void) {
  struct tvmgen_conv_inputs cin = {ci};
  struct tvmgen_conv_outputs cout = {co};
  struct tvmgen_adder_inputs ain = {a0, a1};
  struct tvmgen_adder_outputs aout = {ao};
  if (tvmgen_conv_run(&cin, &cout) != 0) return 1;
  if (tvmgen_adder_run(&ain, &aout) != 0) return 2;
  printf("ok %d %d\n", (int)TVMGEN_CONV_WORKSPACE_SIZE, (int)TVMGEN_ADDER_WORKSPACE_SIZE);
  return 0;
}
)";
  WriteFile(dir + "/app.c", std::vector<uint8_t>(app.begin(), app.end()));
  const std::string cmd = "cd " + dir + " && cc -std=c99 -Wall -Wextra -Werror -pedantic -I a/codegen/host/include"
                          " -I b/codegen/host/include -I a/runtime/include app.c a/codegen/host/src/*.c"
                          " b/codegen/host/src/*.c a/runtime/src/*.c -lm -o app && ./app > out.txt";
  ASSERT_EQ(Sh(cmd), 0);
  // The arenas, from the models: conv's is the 256-byte conv output, which
  // the 64-byte depthwise output overlaps while the depthwise conv runs (the
  // largest step; 320 bytes without the overlap; every later tensor fits in
  // the conv output's freed bytes); the adder's graph has no intermediate
  // tensor and its inputs and output are the caller's, so it needs no arena.
  EXPECT_EQ(Slurp(dir + "/out.txt"), "ok 256 0\n");
}

TEST(Compile, ProfilingBuildTimesEveryNodeAndComputesTheSame) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", dir + "/m.tflite", "-o", dir + "/plain.tar"}).exit_code, 0);
  const std::string mlf = CompileAndUnpack(dir + "/m.tflite", dir, {"--profile"});
  const std::string header = Slurp(mlf + "/codegen/host/include/tvmgen_default.h");
  EXPECT_NE(header.find("#define TVMGEN_DEFAULT_PROFILE_NODES 6"), std::string::npos) << header;
  const std::string lib1 = Slurp(mlf + "/codegen/host/src/default_lib1.c");
  EXPECT_NE(lib1.find("ember_platform_ticks()"), std::string::npos);
  // Off by default: the plain build reads no timer.
  fs::create_directories(dir + "/plain");
  ASSERT_EQ(Sh("tar xf " + dir + "/plain.tar -C " + dir + "/plain"), 0);
  EXPECT_EQ(Slurp(dir + "/plain/codegen/host/src/default_lib1.c").find("ember_platform_ticks"), std::string::npos);
  WriteFile(dir + "/in.bin", std::vector<uint8_t>(64, 7));
  ASSERT_EQ(RunCli({"run", dir + "/out.tar", "--input", dir + "/in.bin", "--output", dir + "/a.bin"}).exit_code, 0);
  ASSERT_EQ(RunCli({"run", dir + "/plain.tar", "--input", dir + "/in.bin", "--output", dir + "/b.bin"}).exit_code, 0);
  EXPECT_EQ(ReadFile(dir + "/a.bin"), ReadFile(dir + "/b.bin"));
}

TEST(Compile, BadTargetAndModuleNameAreUsageErrors) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", TinyConvModel());
  const CliResult t = RunCli({"compile", dir + "/m.tflite", "--target", "z80", "-o", dir + "/x.tar"});
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("cortex-m4"), std::string::npos);
  EXPECT_EQ(RunCli({"compile", dir + "/m.tflite", "--module-name", "a-b", "-o", dir + "/x.tar"}).exit_code, 2);
}

TEST(Compile, RunRefusesAnArchiveForAnotherTarget) {
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", dir + "/m.tflite", "--target", "cortex-m4", "-o", dir + "/m.tar"}).exit_code, 0);
  WriteFile(dir + "/in.bin", std::vector<uint8_t>(64, 0));
  const CliResult r = RunCli({"run", dir + "/m.tar", "--input", dir + "/in.bin"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--target host"), std::string::npos);
}

// The MLPerf Tiny models: compile for the host, run every reference vector,
// compare byte for byte; and the arena with inputs/outputs inside against the
// RAM acceptance figures of the performance issue (with overlapping buffers;
// without, the naive bounds were 16,000 / 55,296 / 49,152 / 768 B).
struct ModelBound {
  const char* name;
  int64_t ram_limit;
};
constexpr ModelBound kModels[] = {{"kws", 9000}, {"vww", 42000}, {"ic", 40000}, {"ad", 768}};

class CompileShared : public ::testing::TestWithParam<ModelBound> {};

TEST_P(CompileShared, HostRunMatchesReferenceVectors) {
  EMBER_REQUIRE_SHARED();
  const std::string name = GetParam().name;
  const std::string model = SharedDir() + "/models/" + name + ".tflite";
  const std::string dir = TempDir();
  const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/m.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  int checked = 0;
  for (const auto& e : fs::directory_iterator(SharedDir() + "/testdata/" + name)) {
    const std::string f = e.path().filename().string();
    if (f.rfind("input_", 0) != 0) continue;
    const std::string want = SharedDir() + "/testdata/" + name + "/output_" + f.substr(6);
    const CliResult r = RunCli({"run", dir + "/m.tar", "--input", e.path().string(), "--output", dir + "/o.bin"});
    ASSERT_EQ(r.exit_code, 0) << f << ": " << r.err;
    EXPECT_EQ(ReadFile(dir + "/o.bin"), ReadFile(want)) << name << " " << f;
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

// The planner's figure with the hints of each core class: the portable
// kernels (cortex-m3), the DSP variants (cortex-m4) and the Helium variants
// (cortex-m55), whose im2col scratch the planner places after the tensors.
TEST_P(CompileShared, ArenaWithIoInsideMeetsTheBound) {
  EMBER_REQUIRE_SHARED();
  const std::string model = SharedDir() + "/models/" + GetParam().name + ".tflite";
  for (const char* core : {"cortex-m3", "cortex-m4", "cortex-m55"}) {
    const std::string dir = TempDir();
    const std::string mlf = CompileAndUnpack(model, dir, {"--io-in-arena", "--target", core});
    const auto meta = nlohmann::json::parse(Slurp(mlf + "/metadata.json"));
    const auto& mod = meta["modules"]["default"];
    const int64_t arena = mod["memory"]["functions"]["main"][0]["workspace_size_bytes"].get<int64_t>();
    EXPECT_LE(arena, GetParam().ram_limit) << GetParam().name << " on " << core << ": arena " << arena;
    EXPECT_EQ(mod["ram_bytes"].get<int64_t>(), arena) << core;
  }
}

TEST_P(CompileShared, UnpackedArchiveCompilesWarningFreeForHostAndCortexM4) {
  EMBER_REQUIRE_SHARED();
  const std::string dir = TempDir();
  const std::string model = SharedDir() + "/models/" + GetParam().name + ".tflite";
  const std::string mlf = CompileAndUnpack(model, dir, {"--target", "cortex-m4"});
  const std::string args = " -std=c99 -Wall -Wextra -Werror -pedantic -c -I " + mlf + "/codegen/host/include -I " +
                           mlf + "/runtime/include " + mlf + "/codegen/host/src/*.c " + mlf + "/runtime/src/*.c";
  EXPECT_EQ(Sh("cd " + dir + " && gcc" + args), 0);
  if (Sh("command -v arm-none-eabi-gcc > /dev/null") != 0) GTEST_SKIP() << "arm-none-eabi-gcc is absent";
  EXPECT_EQ(Sh("cd " + dir + " && arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" + args), 0);
}

INSTANTIATE_TEST_SUITE_P(MlperfTiny, CompileShared, ::testing::ValuesIn(kModels),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ember::test
