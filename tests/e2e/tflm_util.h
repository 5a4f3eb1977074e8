// Files of a TensorFlow Lite Micro source tree for the tests that use TFLM's
// own models and test data (tests/e2e/tflm_*_test.cc). Nothing of TFLM is in
// ember's tree: the tests read a checkout named by EMBER_TFLM_DIR (a work
// tree with tensorflow/lite/micro/), or a bare git copy named by
// EMBER_TFLM_GIT_DIR (read with `git show HEAD:<path>`), by default
// ../.mirror/tensorflow+tflite-micro/repo next to the source tree. When
// neither exists the tests skip and say how to get one.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "util/test_util.h"

namespace ember::test::tflm {

struct Source {
  std::string dir;      // work tree, or ""
  std::string git_dir;  // bare repository, or ""
  std::string Describe() const { return dir.empty() ? git_dir + " (git, HEAD)" : dir; }
};

inline std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// The TFLM tree to read, or nothing (both fields empty).
inline Source Find() {
  namespace fs = std::filesystem;
  Source s;
  if (const std::string d = Env("EMBER_TFLM_DIR"); !d.empty()) {
    if (fs::is_directory(d + "/tensorflow/lite/micro")) s.dir = d;
    return s;
  }
  std::string g = Env("EMBER_TFLM_GIT_DIR");
  if (g.empty()) g = std::string(EMBER_SOURCE_DIR) + "/../.mirror/tensorflow+tflite-micro/repo";
  if (fs::exists(g + "/HEAD") &&
      qemu::Run("git --git-dir=" + qemu::Quote(g) + " cat-file -e HEAD:tensorflow/lite/micro").exit_code == 0) {
    s.git_dir = fs::weakly_canonical(g).string();
  }
  return s;
}

inline std::string MissingMessage() {
  return "no TensorFlow Lite Micro tree: set EMBER_TFLM_DIR to a checkout of "
         "github.com/tensorflow/tflite-micro (or EMBER_TFLM_GIT_DIR to a bare clone)";
}

// Skips the current test when there is no TFLM tree; else defines `tflm_src`.
#define EMBER_REQUIRE_TFLM(tflm_src)                                                   \
  const ::ember::test::tflm::Source tflm_src = ::ember::test::tflm::Find();            \
  if (tflm_src.dir.empty() && tflm_src.git_dir.empty()) {                              \
    GTEST_SKIP() << ::ember::test::tflm::MissingMessage() << "; skipped";               \
  }                                                                                    \
  static_assert(true)

// Every path (relative to the tree) ending in `suffix`, sorted.
inline std::vector<std::string> ListFiles(const Source& s, const std::string& suffix) {
  std::vector<std::string> out;
  if (!s.dir.empty()) {
    namespace fs = std::filesystem;
    for (const auto& e : fs::recursive_directory_iterator(s.dir, fs::directory_options::skip_permission_denied)) {
      const std::string p = e.path().string();
      if (!e.is_regular_file() || p.size() < suffix.size() || p.compare(p.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      if (p.find("/.git/") != std::string::npos) continue;
      out.push_back(fs::relative(e.path(), s.dir).string());
    }
  } else {
    const qemu::Command c = qemu::Run("git --git-dir=" + qemu::Quote(s.git_dir) + " ls-tree -r --name-only HEAD");
    std::istringstream in(c.output);
    for (std::string line; std::getline(in, line);) {
      if (line.size() >= suffix.size() && line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0)
        out.push_back(line);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Copies `path` of the tree to `dest`; false when it is absent (a large file
// the bare copy does not hold, for example).
inline bool Extract(const Source& s, const std::string& path, const std::string& dest) {
  if (!s.dir.empty()) {
    std::error_code ec;
    std::filesystem::copy_file(s.dir + "/" + path, dest, std::filesystem::copy_options::overwrite_existing, ec);
    return !ec;
  }
  return qemu::Run("git --git-dir=" + qemu::Quote(s.git_dir) + " show " + qemu::Quote("HEAD:" + path) + " > " +
                   qemu::Quote(dest))
             .exit_code == 0 &&
         std::filesystem::file_size(dest) > 0;
}

}  // namespace ember::test::tflm
