// ember never deletes what it did not create (docs/safety.md), through the
// CLI: `micro create-project --force` and `compile -o DIR` refuse the current
// folder, its ancestors, the home folder, folders holding the command's
// inputs and folders without ember's marker, and leave every file of such a
// folder in place; a failed replacement keeps the old project; `ember run`
// builds in a fresh mkdtemp folder and never follows a planted symlink.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "e2e/project_util.h"
#include "micro/project/project.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;

// A file whose content names its path; ExpectCanary checks it is unchanged.
void Canary(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << "canary " << path;
}
void ExpectCanary(const std::string& path) {
  EXPECT_EQ(ReadText(path), "canary " + path) << path << " was changed or deleted";
}

// Sets an environment variable for the commands a test runs; restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      setenv(name_.c_str(), old_.c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_, old_;
  bool had_ = false;
};

// The tiny model compiled for the host into `tar`.
void CompileTiny(const std::string& dir, const std::string& tar) {
  WriteFile(dir + "/tiny.tflite", TinyConvModel());
  const CliResult r = RunCli({"compile", dir + "/tiny.tflite", "--module-name", "tiny", "-o", tar});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// `ember micro create-project DIR TAR --template host --force` run in `cwd`.
CliResult ForceCreate(const std::string& cwd, const std::string& dir, const std::string& tar,
                      const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"micro", "create-project", dir, tar, "--template", "host", "--force"};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunCliIn(cwd, args);
}

void ExpectRefused(const CliResult& r, const std::string& id) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("error[" + id + "]"), std::string::npos) << r.err;
}

// `.` as the project folder: the current folder (with the archive in it)
// is refused and nothing in it is touched.
TEST(SafeCreateProject, ForceOnCurrentFolderIsRefused) {
  const std::string work = TempDir() + "/work";
  Canary(work + "/notes.txt");
  Canary(work + "/sub/deep.txt");
  CompileTiny(work, work + "/model.tar");
  const CliResult r = ForceCreate(work, ".", "model.tar");
  ExpectRefused(r, "E0005");
  ExpectCanary(work + "/notes.txt");
  ExpectCanary(work + "/sub/deep.txt");
  EXPECT_TRUE(fs::is_regular_file(work + "/model.tar"));
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// `..` from a subfolder: an ancestor of the current folder is refused.
TEST(SafeCreateProject, ForceOnParentFolderIsRefused) {
  const std::string root = TempDir();
  Canary(root + "/parent/mine.txt");
  Canary(root + "/parent/child/here.txt");
  CompileTiny(root, root + "/model.tar");
  ExpectRefused(ForceCreate(root + "/parent/child", "..", "../../model.tar"), "E0005");
  ExpectRefused(ForceCreate(root + "/parent/child", root, root + "/model.tar"), "E0005");
  ExpectCanary(root + "/parent/mine.txt");
  ExpectCanary(root + "/parent/child/here.txt");
  EXPECT_TRUE(fs::is_regular_file(root + "/model.tar"));
}

// The home folder is refused (HOME points at a scratch folder here).
TEST(SafeCreateProject, ForceOnHomeFolderIsRefused) {
  const std::string root = TempDir();
  CompileTiny(root, root + "/model.tar");
  Canary(root + "/home/.profile");
  ScopedEnv home("HOME", (root + "/home").c_str());
  ExpectRefused(ForceCreate(root, root + "/home", root + "/model.tar"), "E0005");
  ExpectCanary(root + "/home/.profile");
}

// A folder that holds the archive being read is refused, even when it is a
// project ember created (the archive may be its model.tar).
TEST(SafeCreateProject, ForceOnFolderHoldingTheArchiveIsRefused) {
  const std::string root = TempDir();
  CompileTiny(root, root + "/d/model.tar");
  Canary(root + "/d/canary.txt");
  ExpectRefused(ForceCreate(root, root + "/d", root + "/d/model.tar"), "E0006");
  ExpectCanary(root + "/d/canary.txt");
  EXPECT_TRUE(fs::is_regular_file(root + "/d/model.tar"));

  ASSERT_EQ(ForceCreate(root, root + "/p", root + "/d/model.tar").exit_code, 0);
  ExpectRefused(ForceCreate(root, root + "/p", root + "/p/model.tar"), "E0006");
  EXPECT_TRUE(fs::is_regular_file(root + "/p/model.tar"));
}

// A folder ember did not create (no marker, or a marker that is not
// ember's) is refused with every file and subfolder kept.
TEST(SafeCreateProject, ForceOnFolderWithoutMarkerIsRefused) {
  const std::string root = TempDir();
  CompileTiny(root, root + "/model.tar");
  Canary(root + "/mine/a.txt");
  Canary(root + "/mine/sub/b.txt");
  Canary(root + "/mine/ember_project.json");
  ExpectRefused(ForceCreate(root, root + "/mine", root + "/model.tar"), "E0007");
  Canary(root + "/mine/.ember-project");
  ExpectRefused(ForceCreate(root, root + "/mine", root + "/model.tar"), "E0007");
  for (const char* f : {"a.txt", "sub/b.txt", "ember_project.json", ".ember-project"})
    ExpectCanary(root + "/mine/" + f);
  // A file where the folder would go is refused too.
  Canary(root + "/file");
  ExpectRefused(ForceCreate(root, root + "/file", root + "/model.tar"), "E0007");
  ExpectCanary(root + "/file");
}

// A symlink to an ember project is refused: the link and its target stay.
TEST(SafeCreateProject, ForceOnSymlinkIsRefused) {
  const std::string root = TempDir();
  CompileTiny(root, root + "/model.tar");
  ASSERT_EQ(ForceCreate(root, root + "/real", root + "/model.tar").exit_code, 0);
  Canary(root + "/real/build/keep.txt");
  fs::create_directory_symlink(root + "/real", root + "/link");
  ExpectRefused(ForceCreate(root, root + "/link", root + "/model.tar"), "E0005");
  EXPECT_TRUE(fs::is_symlink(root + "/link"));
  ExpectCanary(root + "/real/build/keep.txt");
}

// --force replaces a project ember created; a replacement that fails keeps
// the old project whole, and leaves no staging folder behind.
TEST(SafeCreateProject, ForceReplacesOnlyWhenGenerationSucceeds) {
  const std::string root = TempDir();
  CompileTiny(root, root + "/model.tar");
  ASSERT_EQ(ForceCreate(root, root + "/p", root + "/model.tar").exit_code, 0);
  EXPECT_TRUE(fs::is_regular_file(root + "/p/.ember-project"));
  Canary(root + "/p/build/old.txt");

  const CliResult bad = ForceCreate(root, root + "/p", root + "/model.tar", {"--project-option", "project_type=x"});
  EXPECT_NE(bad.exit_code, 0);
  ExpectCanary(root + "/p/build/old.txt");
  const CliResult failed =
      RunCliIn(root, {"micro", "create-project", root + "/p", root + "/model.tar", "--template", "standalone",
                      "--force", "--project-option", "board=mps2-an386"});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE(failed.err.find("toolchain=arm-none-eabi"), std::string::npos) << failed.err;
  ExpectCanary(root + "/p/build/old.txt");
  EXPECT_TRUE(fs::is_regular_file(root + "/p/src/model_io.c"));

  const CliResult ok = ForceCreate(root, root + "/p", root + "/model.tar");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_FALSE(fs::exists(root + "/p/build/old.txt"));
  EXPECT_TRUE(fs::is_regular_file(root + "/p/.ember-project"));
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(root)) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"model.tar", "p", "tiny.tflite"}));
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// A Project API client that talks to a template's server directly: the
// server's generate_project never writes into a folder that exists, and on
// failure removes what it made in that call (the project and its new
// parent folders) and nothing else.
TEST(SafeCreateProject, ServerRemovesOnlyWhatItCreated) {
  const std::string root = TempDir();
  CompileTiny(root, root + "/model.tar");
  Canary(root + "/mine/keep.txt");
  Canary(root + "/existing/keep.txt");
  {
    auto server = micro::ServerProcess::Launch(micro::GetTemplateProjectDir("standalone"));
    const std::string crt = std::string(EMBER_SOURCE_DIR) + "/runtime";
    EXPECT_THROW(server->client().GenerateProject(root + "/model.tar", crt, root + "/mine"), micro::JsonRpcError);
    // Populate fails (board without toolchain) after the folders were made.
    EXPECT_THROW(server->client().GenerateProject(root + "/model.tar", crt, root + "/a/b/p",
                                                  micro::Json{{"board", "mps2-an386"}}),
                 micro::JsonRpcError);
    EXPECT_THROW(server->client().GenerateProject(root + "/model.tar", crt, root + "/existing/new/p",
                                                  micro::Json{{"board", "mps2-an386"}}),
                 micro::JsonRpcError);
    server->client().GenerateProject(root + "/model.tar", crt, root + "/ok");
  }
  ExpectCanary(root + "/mine/keep.txt");
  ExpectCanary(root + "/existing/keep.txt");
  EXPECT_FALSE(fs::exists(root + "/a")) << "a parent folder made for the failed project was left";
  EXPECT_FALSE(fs::exists(root + "/existing/new"));
  EXPECT_TRUE(fs::is_regular_file(root + "/ok/.ember-project"));
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// compile -o DIR: a folder with a metadata.json that ember did not write
// is not an earlier export; it is refused and kept whole.
TEST(SafeCompileOutput, FolderWithForeignMetadataIsRefused) {
  const std::string root = TempDir();
  WriteFile(root + "/tiny.tflite", TinyConvModel());
  fs::create_directories(root + "/out");
  std::ofstream(root + "/out/metadata.json") << "hello not json";
  Canary(root + "/out/sub/keep.txt");
  const CliResult r = RunCli({"compile", root + "/tiny.tflite", "-o", root + "/out"});
  ExpectRefused(r, "E0007");
  EXPECT_EQ(ReadText(root + "/out/metadata.json"), "hello not json");
  ExpectCanary(root + "/out/sub/keep.txt");
}

// An earlier export of ember's is replaced; the folder next to it named
// like the old staging folder (OUT.partial) is not touched.
TEST(SafeCompileOutput, OwnExportIsReplacedAndNeighboursKept) {
  const std::string root = TempDir();
  WriteFile(root + "/tiny.tflite", TinyConvModel());
  Canary(root + "/out.partial/keep.txt");
  Canary(root + "/m.tar.partial/keep.txt");
  for (int i = 0; i < 2; ++i) {
    CliResult r = RunCli({"compile", root + "/tiny.tflite", "-o", root + "/out"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunCli({"compile", root + "/tiny.tflite", "-o", root + "/m.tar"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_TRUE(fs::is_regular_file(root + "/out/.ember-mlf"));
  EXPECT_TRUE(fs::is_regular_file(root + "/out/metadata.json"));
  ExpectCanary(root + "/out.partial/keep.txt");
  ExpectCanary(root + "/m.tar.partial/keep.txt");
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(root)) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"m.tar", "m.tar.partial", "out", "out.partial", "tiny.tflite"}));
}

// The current folder (even with a metadata.json) and a folder holding the
// model are refused; a .tar onto a folder or a special file is refused.
TEST(SafeCompileOutput, CurrentFolderInputFolderAndNonFilesAreRefused) {
  const std::string root = TempDir();
  WriteFile(root + "/tiny.tflite", TinyConvModel());
  std::ofstream(root + "/metadata.json") << "{\"version\": 7}";
  Canary(root + "/sub/keep.txt");
  ExpectRefused(RunCliIn(root + "/sub", {"compile", "../tiny.tflite", "-o", ".."}), "E0005");
  ExpectRefused(RunCliIn(root, {"compile", "tiny.tflite", "-o", "."}), "E0005");
  EXPECT_TRUE(fs::is_regular_file(root + "/tiny.tflite"));
  ExpectCanary(root + "/sub/keep.txt");

  ASSERT_EQ(RunCli({"compile", root + "/tiny.tflite", "-o", root + "/out"}).exit_code, 0);
  fs::copy_file(root + "/tiny.tflite", root + "/out/model.tflite");
  ExpectRefused(RunCli({"compile", root + "/out/model.tflite", "-o", root + "/out"}), "E0006");
  EXPECT_TRUE(fs::is_regular_file(root + "/out/model.tflite"));

  Canary(root + "/dir.tar/keep.txt");
  EXPECT_NE(RunCli({"compile", root + "/tiny.tflite", "-o", root + "/dir.tar"}).exit_code, 0);
  ExpectCanary(root + "/dir.tar/keep.txt");
  ASSERT_EQ(mkfifo((root + "/fifo.tar").c_str(), 0600), 0);
  EXPECT_NE(RunCli({"compile", root + "/tiny.tflite", "-o", root + "/fifo.tar"}).exit_code, 0);
  EXPECT_TRUE(fs::is_fifo(root + "/fifo.tar"));
}

// ember run ARCHIVE: symlinks planted at every name the old scheme
// (TMPDIR/ember-run-<pid>) could use are not followed, and nothing but the
// command's own folder is removed.
TEST(SafeRun, TemporaryFolderIsUniqueAndPrivate) {
  const std::string root = TempDir();
  CompileTiny(root, root + "/model.tar");
  fs::create_directories(root + "/tmp");
  Canary(root + "/victim/in0");
  long last = 0;
  std::ifstream("/proc/sys/kernel/ns_last_pid") >> last;
  ASSERT_GT(last, 0);
  for (long pid = last + 1; pid < last + 400; ++pid)
    fs::create_directory_symlink(root + "/victim", root + "/tmp/ember-run-" + std::to_string(pid));
  WriteFile(root + "/in.bin", std::vector<uint8_t>(64, 7));
  ScopedEnv tmpdir("TMPDIR", (root + "/tmp").c_str());
  ScopedEnv cache("EMBER_CACHE_DIR", (root + "/cache").c_str());
  const CliResult r = RunCli({"run", root + "/model.tar", "--input", root + "/in.bin", "--output", root + "/o.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(root + "/o.bin").size(), 3u);
  ExpectCanary(root + "/victim/in0");
  EXPECT_EQ(std::distance(fs::directory_iterator(root + "/victim"), fs::directory_iterator()), 1);
  size_t links = 0;
  for (const auto& e : fs::directory_iterator(root + "/tmp")) {
    EXPECT_TRUE(e.is_symlink()) << e.path() << " was left behind";
    links += e.is_symlink();
  }
  EXPECT_EQ(links, 399u) << "a planted symlink was removed";
}

// Without a cache folder of the user's (no HOME), the runner is built in a
// private temporary folder, never in a shared, predictable TMPDIR/ember-cache.
TEST(SafeRun, NoSharedCacheInTemporaryFolder) {
  const std::string root = TempDir();
  CompileTiny(root, root + "/model.tar");
  fs::create_directories(root + "/tmp");
  WriteFile(root + "/in.bin", std::vector<uint8_t>(64, 7));
  ScopedEnv tmpdir("TMPDIR", (root + "/tmp").c_str());
  ScopedEnv cache("EMBER_CACHE_DIR", nullptr);
  ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
  ScopedEnv home("HOME", nullptr);
  const CliResult r = RunCli({"run", root + "/model.tar", "--input", root + "/in.bin", "--output", root + "/o.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(root + "/o.bin").size(), 3u);
  EXPECT_TRUE(fs::is_empty(root + "/tmp")) << "something was left in TMPDIR";
}

}  // namespace
}  // namespace ember::test
