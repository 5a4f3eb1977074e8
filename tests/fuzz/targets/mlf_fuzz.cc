// Fuzz target: the Model Library Format reader (compiler/package/
// mlf_reader.cc) on a tar archive in memory (ReadModelLibraryFormatFromMemory;
// libarchive with its in-process decompression filters, as for a file).
//
// Checks, besides ASan/UBSan: reading never runs a program (PATH holds only
// decompressors that abort the fuzzer when run); a rejected archive gets
// E0708, E0709, E0710 or E0506; an accepted one has metadata.json, a module name, only
// relative member paths without "..", and every file among its paths.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "package/mlf_reader.h"

#include "fuzz_util.h"

namespace {

using ember::fuzz::Fail;

bool SafePath(const std::string& p) {
  if (p.empty() || p[0] == '/') return false;
  size_t start = 0;
  while (true) {
    const size_t slash = p.find('/', start);
    const std::string part = p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

std::string g_bin;  // the fake decompressors, removed at exit

void RemoveFakeBin() { std::filesystem::remove_all(g_bin); }

}  // namespace

// Every external decompressor libarchive knows, as a script that sends
// SIGABRT to the process that ran it, first and only in PATH.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char dir[] = "/tmp/ember-mlf-fuzz-XXXXXX";
  if (mkdtemp(dir) == nullptr) Fail("mkdtemp failed");
  g_bin = dir;
  std::atexit(RemoveFakeBin);
  for (const char* name : {"gzip", "gunzip", "bzip2", "xz", "lzma", "lzip", "lzop", "lrzip", "grzip", "lz4",
                           "zstd", "compress", "uncompress", "uudecode", "rpm2cpio"}) {
    const std::string path = g_bin + "/" + name;
    std::ofstream(path) << "#!/bin/sh\nkill -ABRT $PPID\n";
    chmod(path.c_str(), 0755);
  }
  setenv("PATH", g_bin.c_str(), 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = ember::package::ReadModelLibraryFormatFromMemory(data, size, "fuzz.tar");
  if (!m.ok()) {
    // E0708 unreadable, E0709 malformed, E0710 a metadata field of the wrong type,
    // E0506 a model name that cannot be built.
    const std::string& id = m.diag().id;
    if ((id != "E0708" && id != "E0709" && id != "E0710" && id != "E0506") || m.diag().exit == ember::ExitCode::kInternal) {
      Fail("unexpected diagnostic: " + m.diag().ToString());
    }
    return 0;
  }
  if (m->Find("metadata.json") == nullptr) Fail("accepted without metadata.json");
  if (m->module_name.empty() && !m->metadata["modules"].contains("")) Fail("accepted without a module");
  for (const std::string& p : m->paths) {
    if (!SafePath(p)) Fail("accepted an unsafe member path '" + p + "'");
  }
  for (const auto& [path, contents] : m->files) {
    bool listed = false;
    for (const std::string& p : m->paths) listed = listed || p == path;
    if (!listed) Fail("file '" + path + "' is missing from paths");
    if (contents.size() > ember::package::kMlfMaxMemberBytes) Fail("member over the size limit: " + path);
  }
  return 0;
}
