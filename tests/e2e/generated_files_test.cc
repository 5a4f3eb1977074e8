// User values that reach generated build files (docs/safety.md): the
// compile_definitions project option in its documented NAME=VALUE form
// reaches the compiler, and a value that would inject CMake code is refused
// (through the CLI and through the Project API alike).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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
using micro::Json;

std::string CompileTiny(const std::string& dir, const std::string& name, const std::string& target = "host") {
  WriteFile(dir + "/tiny.tflite", TinyConvModel());
  const std::string tar = dir + "/" + name + ".tar";
  const CliResult r = RunCli({"compile", dir + "/tiny.tflite", "--target", target, "--module-name", name, "-o", tar});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return tar;
}

// create-project with compile_definitions and verbose=true, then build; the
// build's output (the compiler's command lines) is returned.
std::string BuildWithDefinitions(const std::string& project, const std::string& tar, const std::string& tmpl,
                                 const std::string& defs, const std::vector<std::string>& options = {}) {
  std::vector<std::string> args = {"micro",           "create-project",
                                   project,           tar,
                                   "--template",      tmpl,
                                   "--project-option", "compile_definitions=" + defs,
                                   "--project-option", "verbose=true"};
  for (const auto& o : options) args.insert(args.end(), {"--project-option", o});
  CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return "";
  r = RunCli({"micro", "build", project});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.err;
}

const char* kDefinitions = "EMBER_TEST_A=42 EMBER_TEST_B EMBER_TEST_Q=\"q\" EMBER_TEST_E=a=b";

void ExpectDefinitionsReachedCompiler(const std::string& log) {
  for (const char* flag : {"-DEMBER_TEST_A=42 ", "-DEMBER_TEST_B ", "-DEMBER_TEST_Q=\\\"q\\\" ", "-DEMBER_TEST_E=a=b "})
    EXPECT_NE(log.find(flag), std::string::npos) << flag << " is not on a compiler command line:\n" << log;
}

// The documented NAME=VALUE form (the value may hold '=' and quotes) builds
// with every template, and each definition reaches the compiler.
TEST(CompileDefinitions, NameValueFormReachesTheCompiler) {
  const std::string dir = TempDir();
  const std::string tar = CompileTiny(dir, "tiny");
  ExpectDefinitionsReachedCompiler(BuildWithDefinitions(dir + "/host", tar, "host", kDefinitions));
  ExpectDefinitionsReachedCompiler(BuildWithDefinitions(dir + "/standalone", tar, "standalone", kDefinitions));
  if (const std::string missing = qemu::MissingTools(); !missing.empty()) {
    std::printf("qemu template not built: %s\n", missing.c_str());
  } else {
    ExpectDefinitionsReachedCompiler(
        BuildWithDefinitions(dir + "/qemu", tar, "qemu", kDefinitions, {"board=mps2-an385"}));
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// A value that closes the CMake string and adds a command on a new line is
// refused before anything is generated; the command never runs.
TEST(CompileDefinitions, CMakeInjectionIsRefused) {
  const std::string dir = TempDir();
  const std::string tar = CompileTiny(dir, "tiny");
  const std::string canary = dir + "/injected";
  const std::string evil = "X\")\nexecute_process(COMMAND ${CMAKE_COMMAND} -E touch " + canary + ")\nset(Y \"";
  for (const char* tmpl : {"host", "standalone", "qemu"}) {
    const std::string project = dir + "/p_" + tmpl;
    std::vector<std::string> args = {"micro", "create-project", project, tar, "--template", tmpl,
                                     "--project-option", "compile_definitions=" + evil};
    if (std::string(tmpl) == "qemu") args.insert(args.end(), {"--project-option", "board=mps2-an385"});
    const CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << tmpl << ": " << r.err;
    EXPECT_NE(r.err.find("error[E0905]"), std::string::npos) << r.err;
    if (r.exit_code == 0) (void)RunCli({"micro", "build", project});
    EXPECT_FALSE(fs::exists(canary)) << tmpl << ": the injected CMake code ran";
    EXPECT_FALSE(fs::exists(project)) << tmpl;
  }
  for (const std::string bad : {"1X", "A-B=1", "A=\x01", "A=x;y", "A=\\"}) {
    const CliResult r = RunCli({"micro", "create-project", dir + "/q", tar, "--template", "host",
                                "--project-option", "compile_definitions=" + bad});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("error[E0905]"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/q"));
  }
  // A Project API client that skips the CLI meets the same check in the
  // template's server.
  try {
    auto p = micro::GenerateProject(micro::GetTemplateProjectDir("host"), tar, dir + "/api",
                                    Json{{"compile_definitions", evil}});
    p.Build();
    ADD_FAILURE() << "generate_project accepted a compile_definitions value with a newline";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("compile_definitions"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(canary)) << "the injected CMake code ran";
  EXPECT_FALSE(fs::exists(dir + "/api"));
  EXPECT_TRUE(WaitNoDescendants().empty());
}

}  // namespace
}  // namespace ember::test
