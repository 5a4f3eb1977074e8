// Module names that collide with CMake's reserved targets or the targets
// of the runtime and the project templates are refused up front, by `ember
// compile` and by `ember micro create-project` for an archive that names its
// model so (docs/safety.md); ordinary names still compile (the template
// tests build projects of models named default, kws, tiny, add2...).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "e2e/project_util.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;

// Module names that are CMake's reserved targets or the targets of the
// runtime and the projects are refused by compile, before writing anything.
TEST(ModuleNames, ReservedNamesAreRefusedByCompile) {
  const std::string dir = TempDir();
  WriteFile(dir + "/tiny.tflite", TinyConvModel());
  for (const char* name : {"main", "all", "ember_runtime", "clean", "test", "install", "help", "firmware", "m",
                           "Main", "rebuild_cache"}) {
    const std::string out = dir + "/" + std::string(name) + "_out.tar";
    const CliResult r = RunCli({"compile", dir + "/tiny.tflite", "--module-name", name, "-o", out});
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.err;
    EXPECT_NE(r.err.find("error[E0505]"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--module-name"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << name;
  }
  for (const char* name : {"default", "kws", "main_model", "all2", "runtime"}) {
    const CliResult r = RunCli({"compile", dir + "/tiny.tflite", "--module-name", name, "-o", dir + "/ok.tar"});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
}

}  // namespace
}  // namespace ember::test
