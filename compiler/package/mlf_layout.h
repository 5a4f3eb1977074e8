// Internal to package/: the members of a Model Library Format export as data,
// before they are written to a tar or a folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/c/aot.h"
#include "package/mlf.h"
#include "support/status.h"

namespace ember::package::detail {

struct MlfEntry {
  std::string path;  // relative, '/'-separated, no "./" prefix and no trailing '/'
  bool is_dir = false;
  std::string data;  // file contents (empty for a directory)
};

// True when `a` comes before `b` in archive order: a depth-first walk that
// visits the names of each folder in byte order, as Python's tarfile.add did
// for microTVM (so a folder precedes its contents, and "a/b" precedes "a-c").
bool ArchiveOrderLess(const std::string& a, const std::string& b);

// Every member of the export except the root, directories included, in
// archive order. `epoch` is the resolved time stamp. Validates the model
// (E0701, E0702, E0705) and reads the runtime sources (E0704).
Expected<std::vector<MlfEntry>> BuildMlfEntries(const codegen::c::GeneratedModel& m,
                                                const MlfOptions& opts, int64_t epoch);

// The pieces, exposed for tests.
std::string MetadataJson(const codegen::c::GeneratedModel& m, const MlfOptions& opts, int64_t epoch);
std::string MemoryReportJson(const codegen::c::GeneratedModel& m, const MlfOptions& opts);
std::string EmptyParamsFile();
std::string ModelCMakeLists(const codegen::c::GeneratedModel& m, const MlfOptions& opts);
// "c -keys=cpu -model=host", "c -keys=arm_cpu,cpu -mcpu=cortex-m4 -model=cortex-m4".
std::string TargetString(const std::string& target);
// "%Y-%m-%d %H:%M:%SZ" of `epoch` in UTC.
std::string FormatExportTime(int64_t epoch);
// "int8", "float32", ... (the dtype strings of MLF metadata).
const char* MlfDTypeName(ir::DType t);

}  // namespace ember::package::detail
