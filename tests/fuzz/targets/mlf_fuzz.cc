// Fuzz target: the Model Library Format reader (compiler/package/
// mlf_reader.cc) on a tar archive in memory (ReadModelLibraryFormatFromMemory;
// libarchive with every decompression filter, as for a file).
//
// Checks, besides ASan/UBSan: a rejected archive gets E0708 or E0709; an
// accepted one has metadata.json, a module name, only relative member paths
// without "..", and every file among its paths.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = ember::package::ReadModelLibraryFormatFromMemory(data, size, "fuzz.tar");
  if (!m.ok()) {
    if (m.diag().id != "E0708" && m.diag().id != "E0709") Fail("unexpected diagnostic: " + m.diag().ToString());
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
