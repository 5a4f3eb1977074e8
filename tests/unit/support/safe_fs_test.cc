// support/safe_fs: unique temporary names, atomic writes, markers, the
// folders that may never be replaced, and the swap that keeps the old
// folder until the new one is in place (docs/safety.md).
#include "support/safe_fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace ember {
namespace {

namespace fs = std::filesystem;

// A new folder per call, all under one temporary folder removed at exit.
fs::path Scratch() {
  static Expected<TempFolder> root = TempFolder::Create("ember-safe-fs-test-");
  static int n = 0;
  EXPECT_TRUE(root.ok());
  const fs::path p = fs::canonical(root->path()) / std::to_string(n++);
  fs::create_directories(p);
  return p;
}

std::string Read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SafeFs, UniqueDirsAreNewAndTempFolderRemovesOnlyItself) {
  const fs::path root = Scratch();
  auto a = MakeUniqueDir(root, "x-");
  auto b = MakeUniqueDir(root, "x-", true);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(fs::status(*b).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_FALSE(MakeUniqueDir(root / "missing", "x-").ok());
  EXPECT_EQ(MakeUniqueDir(root / "missing", "x-").diag().id, "E0003");

  const char* old_tmpdir = std::getenv("TMPDIR");
  const std::string saved_tmpdir = old_tmpdir ? old_tmpdir : "";
  setenv("TMPDIR", root.c_str(), 1);
  EXPECT_EQ(TempRoot(), root);
  fs::path made;
  {
    auto t = TempFolder::Create("run-");
    ASSERT_TRUE(t.ok());
    made = t->path();
    EXPECT_EQ(made.parent_path(), root);
    Write(made / "f", "x");
  }
  EXPECT_FALSE(fs::exists(made));
  EXPECT_TRUE(fs::exists(*a) && fs::exists(*b));
  setenv("TMPDIR", (root / "missing").c_str(), 1);
  EXPECT_EQ(TempRoot(), fs::path("/tmp"));
  unsetenv("TMPDIR");
  EXPECT_EQ(TempRoot(), fs::path("/tmp"));
  if (old_tmpdir != nullptr) setenv("TMPDIR", saved_tmpdir.c_str(), 1);
}

TEST(SafeFs, ParentFoldersMadeAreRemovedAndNothingElse) {
  const fs::path base = Scratch();
  auto made = MakeParentFolders(base / "a/b/c/project");
  ASSERT_TRUE(made.ok()) << made.diag().ToString();
  EXPECT_EQ(*made, (std::vector<fs::path>{base / "a", base / "a/b", base / "a/b/c"}));
  EXPECT_TRUE(fs::is_directory(base / "a/b/c"));
  EXPECT_FALSE(fs::exists(base / "a/b/c/project"));
  // A file that appeared in a made folder keeps that folder (and its parents).
  Write(base / "a/b/keep.txt", "keep");
  RemoveMadeFolders(*made);
  EXPECT_FALSE(fs::exists(base / "a/b/c"));
  EXPECT_EQ(Read(base / "a/b/keep.txt"), "keep");
  // Folders that existed are not reported, so never removed.
  auto again = MakeParentFolders(base / "a/b/x/project");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, (std::vector<fs::path>{base / "a/b/x"}));
  RemoveMadeFolders(*again);
  EXPECT_TRUE(fs::is_directory(base / "a/b"));
  EXPECT_EQ(Names(base), (std::vector<std::string>{"a"}));
  // Below a regular file: E0003 naming the folder.
  Write(base / "file", "x");
  auto blocked = MakeParentFolders(base / "file/sub/project");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.diag().id, "E0003");
  EXPECT_NE(blocked.diag().message.find((base / "file/sub").string()), std::string::npos) << blocked.diag().message;
}

TEST(SafeFs, AtomicWriteReplacesFilesOnlyAndLeavesNothingOnFailure) {
  const fs::path root = Scratch();
  ASSERT_TRUE(WriteFileAtomic((root / "f.bin").string(), "one").ok());
  ASSERT_TRUE(WriteFileAtomic((root / "f.bin").string(), std::string("t\0o", 3)).ok());
  EXPECT_EQ(Read(root / "f.bin"), std::string("t\0o", 3));
  fs::create_directories(root / "d");
  Write(root / "target", "kept");
  fs::create_symlink(root / "target", root / "link");
  ASSERT_EQ(mkfifo((root / "fifo").c_str(), 0600), 0);
  for (const char* bad : {"d", "link", "fifo"}) {
    const Status st = WriteFileAtomic((root / bad).string(), "x");
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.diag().id, "E0004") << bad;
  }
  EXPECT_EQ(Read(root / "target"), "kept");
  const Status missing = WriteFileAtomic((root / "no/such/f").string(), "x");
  EXPECT_EQ(missing.diag().id, "E0002");
  EXPECT_EQ(Names(root), (std::vector<std::string>{"d", "f.bin", "fifo", "link", "target"}));
}

TEST(SafeFs, MarkersAreExactlyWhatEmberWrote) {
  const fs::path root = Scratch();
  EXPECT_FALSE(HasMarker(root, ".m", "fmt"));
  ASSERT_TRUE(WriteMarker(root, ".m", "fmt").ok());
  EXPECT_TRUE(HasMarker(root, ".m", "fmt"));
  EXPECT_FALSE(HasMarker(root, ".m", "other"));
  EXPECT_NE(Read(root / ".m").find("\"tool\": \"ember\""), std::string::npos);
  Write(root / "x/.m", "{}");
  EXPECT_FALSE(HasMarker(root / "x", ".m", "fmt"));
  fs::create_directories(root / "y");
  fs::create_symlink(root / ".m", root / "y/.m");
  EXPECT_FALSE(HasMarker(root / "y", ".m", "fmt")) << "a symlinked marker is not ember's";
  fs::create_directory_symlink(root, root / "z");
  EXPECT_FALSE(HasMarker(root / "z", ".m", "fmt")) << "a symlinked folder is not ember's";
}

TEST(SafeFs, ProtectedFoldersAreRefused) {
  const fs::path root = Scratch();
  Write(root / "work/sub/f", "x");
  Write(root / "home/.profile", "x");
  ASSERT_TRUE(WriteMarker(root / "work", ".m", "fmt").ok());
  const fs::path cwd = fs::current_path();
  fs::current_path(root / "work/sub");
  const std::string old_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  setenv("HOME", (root / "home").c_str(), 1);
  auto id = [](const Status& st) { return st.ok() ? std::string("ok") : st.diag().id; };
  EXPECT_EQ(id(CheckNotProtected("/", {}, "it")), "E0005");
  EXPECT_EQ(id(CheckNotProtected(".", {}, "it")), "E0005");
  EXPECT_EQ(id(CheckNotProtected("..", {}, "it")), "E0005");
  EXPECT_EQ(id(CheckNotProtected("../", {}, "it")), "E0005");
  EXPECT_EQ(id(CheckNotProtected("../sub/../..", {}, "it")), "E0005");
  EXPECT_EQ(id(CheckNotProtected(root / "home", {}, "it")), "E0005");
  EXPECT_EQ(id(CheckNotProtected(root, {}, "it")), "E0005");
  fs::create_directory_symlink(root / "other", root / "link");
  EXPECT_EQ(id(CheckNotProtected(root / "link", {}, "it")), "E0005");
  Write(root / "other/in.tar", "x");
  EXPECT_EQ(id(CheckNotProtected(root / "other", {root / "other/in.tar"}, "it")), "E0006");
  EXPECT_EQ(id(CheckNotProtected(root / "other", {root / "link/in.tar"}, "it")), "E0006");
  EXPECT_EQ(id(CheckNotProtected(root / "other", {root / "elsewhere.tar"}, "it")), "ok");
  EXPECT_EQ(id(CheckReplaceable(root / "other", {}, ".m", "fmt", "it")), "E0007");
  ASSERT_TRUE(WriteMarker(root / "other", ".m", "fmt").ok());
  EXPECT_EQ(id(CheckReplaceable(root / "other", {}, ".m", "fmt", "it")), "ok");
  EXPECT_EQ(id(CheckReplaceable(root / "work", {}, ".m", "fmt", "it")), "E0005");
  EXPECT_EQ(id(CheckReplaceable(root / "new", {}, ".m", "fmt", "it")), "ok");
  fs::create_directories(root / "empty");
  EXPECT_EQ(id(CheckReplaceable(root / "empty", {}, ".m", "fmt", "it")), "ok");
  fs::current_path(cwd);
  setenv("HOME", old_home.c_str(), 1);
}

TEST(SafeFs, ReplaceFolderSwapsAndKeepsTheOldOnFailure) {
  const fs::path root = Scratch();
  Write(root / "new1/a", "1");
  ASSERT_TRUE(WriteMarker(root / "new1", ".m", "fmt").ok());
  ASSERT_TRUE(ReplaceFolder(root / "new1", root / "out", ".m", "fmt").ok());
  EXPECT_EQ(Read(root / "out/a"), "1");
  Write(root / "new2/b", "2");
  ASSERT_TRUE(WriteMarker(root / "new2", ".m", "fmt").ok());
  ASSERT_TRUE(ReplaceFolder(root / "new2", root / "out", ".m", "fmt").ok());
  EXPECT_EQ(Read(root / "out/b"), "2");
  EXPECT_FALSE(fs::exists(root / "out/a"));
  EXPECT_EQ(Names(root), (std::vector<std::string>{"out"}));
  // The new folder cannot move in (it does not exist): the old one stays.
  const Status st = ReplaceFolder(root / "missing", root / "out", ".m", "fmt");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.diag().id, "E0008");
  EXPECT_EQ(Read(root / "out/b"), "2");
  EXPECT_EQ(Names(root), (std::vector<std::string>{"out"}));
  // An empty folder is replaced; one whose files are not ember's is not.
  fs::create_directories(root / "empty");
  Write(root / "new3/c", "3");
  ASSERT_TRUE(ReplaceFolder(root / "new3", root / "empty", ".m", "fmt").ok());
  EXPECT_EQ(Read(root / "empty/c"), "3");
  Write(root / "mine/keep", "k");
  Write(root / "new4/d", "4");
  EXPECT_EQ(ReplaceFolder(root / "new4", root / "mine", ".m", "fmt").diag().id, "E0007");
  EXPECT_EQ(Read(root / "mine/keep"), "k");
  EXPECT_TRUE(fs::exists(root / "new4/d"));
}

}  // namespace
}  // namespace ember
