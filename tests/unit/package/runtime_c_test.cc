// The C runtime (runtime/) compiles warning-free as strict C99 with every C
// compiler we target, behaves as platform.h and error_codes.h say on the
// host, and an exported MLF folder builds through its CMakeLists.txt, two
// models side by side in one program.
#include <gtest/gtest.h>

#include <filesystem>

#include "package/mlf.h"
#include "unit/package/package_test_util.h"

namespace ember::package {
namespace {

namespace fs = std::filesystem;
using test::RunCommand;

const std::string kStrict = " -std=c99 -Wall -Wextra -Werror -pedantic ";

std::string RuntimeDir() { return std::string(EMBER_SOURCE_DIR) + "/runtime"; }

std::vector<std::string> RuntimeSources() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(RuntimeDir() + "/src")) {
    if (e.path().extension() == ".c") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A translation unit including every runtime header (they must stand alone).
std::string HeaderCheckFile() {
  const std::string path = test::TempDir() + "/headers.c";
  test::WriteText(path,
                  "#include \"ember/runtime.h\"\n#include \"ember/error_codes.h\"\n#include \"ember/platform.h\"\n"
                  "#include \"ember/kernel_math.h\"\n#include \"ember/fixed_point.h\"\n#include \"ember/dsp.h\"\n"
                  "#include \"ember/dsp_dw.h\"\n"
                  "int ember_header_check(void);\nint ember_header_check(void) { return kEmberErrorNoError; }\n");
  return path;
}

void ExpectCompiles(const std::string& cc, const std::string& flags) {
  std::vector<std::string> files = RuntimeSources();
  ASSERT_GE(files.size(), 2u);
  files.push_back(HeaderCheckFile());
  const std::string obj = test::TempDir() + "/out.o";
  for (const std::string& f : files) {
    for (const char* extra : {"", " -DEMBER_RUNTIME_STRIP_MESSAGES"}) {
      const std::string cmd = cc + kStrict + flags + extra + " -I'" + RuntimeDir() + "/include' -c '" + f + "' -o '" + obj + "'";
      const test::CommandResult r = RunCommand(cmd);
      EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
    }
  }
}

TEST(RuntimeC, CompilesAsStrictC99OnTheHost) {
  ExpectCompiles("cc", "");
  if (test::HaveProgram("clang")) ExpectCompiles("clang", "");
}

TEST(RuntimeC, CompilesWithArmNoneEabiGcc) {
  if (!test::HaveProgram("arm-none-eabi-gcc")) {
    GTEST_SKIP() << "arm-none-eabi-gcc is absent (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)";
  }
  ExpectCompiles("arm-none-eabi-gcc", "-mcpu=cortex-m4 -mthumb");
  ExpectCompiles("arm-none-eabi-gcc", "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16");
  ExpectCompiles("arm-none-eabi-gcc", "-mcpu=cortex-m0plus -mthumb");
}

TEST(RuntimeC, UnpackedArchiveCompilesForHostAndCortexM4) {
  if (!test::HaveProgram("tar")) GTEST_SKIP() << "tar is absent";
  const std::string dir = test::TempDir();
  ASSERT_TRUE(ExportModelLibraryFormat(test::MakeModel("kws"), dir + "/kws.tar").ok());
  fs::create_directories(dir + "/x");
  ASSERT_EQ(RunCommand("tar xf '" + dir + "/kws.tar' -C '" + dir + "/x'").exit_code, 0);
  std::vector<std::string> compilers = {"cc"};
  if (test::HaveProgram("arm-none-eabi-gcc")) compilers.push_back("arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb");
  for (const std::string& cc : compilers) {
    const std::string cmd = "cd '" + dir + "/x' && for f in codegen/host/src/*.c runtime/src/*.c; do " + cc + kStrict +
                            "-Icodegen/host/include -Iruntime/include -c \"$f\" -o /dev/null || exit 1; done";
    const test::CommandResult r = RunCommand(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
  }
}

// A port overriding log and abort (strong symbols win over the weak
// defaults); ticks keep their defaults.
const char* kHostPort = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ember/runtime.h"
static char logged[256];
static size_t logged_len;
void ember_platform_log(const char* msg, size_t len) {
  if (logged_len + len < sizeof(logged)) { memcpy(logged + logged_len, msg, len); logged_len += len; }
}
void ember_platform_abort(int32_t code) {
  printf("ticks=%lu/%lu name=[%s] unknown=[%s] log=[%.*s] code=0x%x\n",
         (unsigned long)ember_platform_ticks(), (unsigned long)ember_platform_ticks_per_second(),
         ember_error_name(kEmberErrorExecutorNullArgument), ember_error_name(0x7777),
         (int)logged_len, logged, (unsigned)code);
  exit(0);
}
int main(void) {
  ember_runtime_fatal(EMBER_ERROR_MAKE(EMBER_ERROR_CATEGORY_EXECUTOR, 3), EMBER_MSG("null input"));
}
)";

TEST(RuntimeC, HostPortOverridesWeakDefaults) {
  const std::string dir = test::TempDir();
  test::WriteText(dir + "/main.c", kHostPort);
  std::string srcs;
  for (const std::string& f : RuntimeSources()) srcs += " '" + f + "'";
  for (const bool strip : {false, true}) {
    const std::string cmd = "cc" + kStrict + (strip ? "-DEMBER_RUNTIME_STRIP_MESSAGES " : "") + "-I'" +
                            RuntimeDir() + "/include' '" + dir + "/main.c'" + srcs + " -o '" + dir + "/port' && '" +
                            dir + "/port'";
    const test::CommandResult r = RunCommand(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
    EXPECT_EQ(r.output, strip ? "ticks=0/0 name=[] unknown=[] log=[] code=0x703\n"
                              : "ticks=0/0 name=[kEmberErrorExecutorNullArgument] unknown=[unknown error] "
                                "log=[null input: kEmberErrorExecutorNullArgument\n] code=0x703\n");
  }
}

const char* kTwoModelsApp = R"(#include <stdio.h>
#include "tvmgen_default.h"
#include "tvmgen_second.h"
#include "ember/error_codes.h"
int main(void) {
  int8_t in[TVMGEN_DEFAULT_INPUT_1_SIZE] = {1, 2, 3, -4};
  int8_t out1[TVMGEN_DEFAULT_IDENTITY_SIZE], out2[TVMGEN_SECOND_IDENTITY_SIZE];
  struct tvmgen_default_inputs i1 = {in};
  struct tvmgen_default_outputs o1 = {out1};
  struct tvmgen_second_inputs i2 = {in};
  struct tvmgen_second_outputs o2 = {out2};
  if (tvmgen_default_run(&i1, &o1) != 0 || tvmgen_second_run(&i2, &o2) != 0) return 1;
  if (tvmgen_second_run(NULL, &o2) != kEmberErrorExecutorNullArgument) return 2;
  printf("%d %d %d %d | %d %d %d %d\n", out1[0], out1[1], out1[2], out1[3], out2[0], out2[1], out2[2], out2[3]);
  return 0;
}
)";

TEST(RuntimeC, TwoUnpackedModelsBuildThroughAddSubdirectory) {
  if (!test::HaveProgram("cmake") || !test::HaveProgram("tar")) GTEST_SKIP() << "cmake or tar is absent";
  const std::string dir = test::TempDir() + "/app";
  // One model as a folder, one as an archive unpacked with tar.
  ASSERT_TRUE(ExportModelLibraryFormat(test::MakeModel("default", 1), dir + "/default").ok());
  ASSERT_TRUE(ExportModelLibraryFormat(test::MakeModel("second", 2), dir + "/second.tar").ok());
  fs::create_directories(dir + "/second");
  ASSERT_EQ(RunCommand("tar xf '" + dir + "/second.tar' -C '" + dir + "/second'").exit_code, 0);
  test::WriteText(dir + "/main.c", kTwoModelsApp);
  test::WriteText(dir + "/CMakeLists.txt",
                  "cmake_minimum_required(VERSION 3.13)\nproject(app C)\n"
                  "add_subdirectory(default)\nadd_subdirectory(second)\n"
                  "add_executable(app main.c)\ntarget_link_libraries(app PRIVATE default second)\n"
                  "set_target_properties(app PROPERTIES C_STANDARD 99)\n"
                  "target_compile_options(app PRIVATE -Wall -Wextra -Werror -pedantic)\n");
  const std::string gen = test::HaveProgram("ninja") ? " -G Ninja" : "";
  const test::CommandResult build = RunCommand("cmake -S '" + dir + "' -B '" + dir + "/build'" + gen +
                                               " -DCMAKE_C_FLAGS='-Wall -Wextra -Werror -pedantic' && cmake --build '" +
                                               dir + "/build'");
  ASSERT_EQ(build.exit_code, 0) << build.output;
  const test::CommandResult r = RunCommand("'" + dir + "/build/app'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "2 3 4 -3 | 3 4 5 -2\n");
}

}  // namespace
}  // namespace ember::package
