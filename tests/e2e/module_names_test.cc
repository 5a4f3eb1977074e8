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

std::string CompileTiny(const std::string& dir, const std::string& name) {
  WriteFile(dir + "/tiny.tflite", TinyConvModel());
  const std::string tar = dir + "/" + name + ".tar";
  const CliResult r = RunCli({"compile", dir + "/tiny.tflite", "--module-name", name, "-o", tar});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return tar;
}

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

// An archive whose metadata names a reserved module (made by another tool,
// or by an older ember) is refused by create-project before generating.
TEST(ModuleNames, ReservedNameInArchiveIsRefusedByCreateProject) {
  const std::string dir = TempDir();
  const std::string tar = CompileTiny(dir, "zqxmodel");
  // The same archive with every "zqxmodel" (file names and contents) renamed "main".
  fs::create_directories(dir + "/x");
  ASSERT_EQ(std::system(("tar -C '" + dir + "/x' -xf '" + tar + "'").c_str()), 0);
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/x"))
    if (e.is_regular_file()) files.push_back(e.path());
  for (const fs::path& f : files) {
    std::string text = ReadText(f.string());
    for (size_t p; (p = text.find("zqxmodel")) != std::string::npos;) text.replace(p, 8, "main");
    std::string name = f.filename().string();
    if (const size_t p = name.find("zqxmodel"); p != std::string::npos) name.replace(p, 8, "main");
    fs::remove(f);
    std::ofstream(f.parent_path() / name, std::ios::binary) << text;
  }
  ASSERT_EQ(std::system(("tar -C '" + dir + "/x' -cf '" + dir + "/main.tar' .").c_str()), 0);
  for (const char* tmpl : {"host", "standalone"}) {
    const CliResult r = RunCli({"micro", "create-project", dir + "/p", dir + "/main.tar", "--template", tmpl});
    EXPECT_EQ(r.exit_code, 2) << tmpl << ": " << r.err;
    EXPECT_NE(r.err.find("error[E0506]"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/p")) << tmpl;
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

}  // namespace
}  // namespace ember::test
