// Model Library Format (MLF) export: microTVM's full-model layout (metadata
// version 7) for one AOT-compiled model, as an uncompressed tar or a folder.
//
// Layout (docs/mlf.md; members of a tar are "./"-prefixed, directories included):
//   metadata.json                          version 7; modules.<name> as microTVM
//                                          wrote it, plus ember's ram_bytes,
//                                          arena_bytes and weights_bytes
//   codegen/host/src/<name>_lib<N>.c       GeneratedModel::sources
//   codegen/host/include/tvmgen_<name>.h   GeneratedModel::header
//   parameters/<name>.params               empty parameter list (weights are in the C)
//   executor-config/graph/<name>.graph     graph builds only: the graph JSON
//                                          (GeneratedModel::graph_json); metadata
//                                          "executors" is then ["graph"], with "sids"
//   src/<name>.relay                       ember's final IR text
//   runtime/                               copy of the C runtime (runtime_dir.h)
//   reports/memory.json                    ember: arena, I/O and every buffer of the plan
//   CMakeLists.txt                         ember: add_subdirectory() gives library <name>
//   .ember-mlf                             ember, folder exports only: the marker
//                                          by which a later export may replace it
//
// Output is deterministic: same model and same time stamp give identical
// bytes. The time stamp is SOURCE_DATE_EPOCH when set, else a fixed epoch.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "codegen/c/aot.h"
#include "ir/graph.h"
#include "support/status.h"

namespace ember::package {

// The time stamp used when neither MlfOptions::epoch nor SOURCE_DATE_EPOCH is
// given: 1980-01-01 00:00:00 UTC.
inline constexpr int64_t kDefaultMlfEpoch = 315532800;

struct MlfOptions {
  // Compilation target name (codegen::c::Target::name); goes into metadata "target".
  std::string target = "host";
  // The graph the model was generated from, for tensor names in
  // reports/memory.json; optional (names become "t<id>" without it).
  const ir::Graph* graph = nullptr;
  // Where the runtime sources are copied from; empty = GetStandaloneCrtDir().
  std::string runtime_dir;
  // Time stamp (seconds since 1970, UTC) for export_datetime and tar mtimes;
  // negative = SOURCE_DATE_EPOCH from the environment, else kDefaultMlfEpoch.
  int64_t epoch = -1;
  // The files the export is made from (the model file): an existing output
  // folder that holds one of them is never replaced (E0006).
  std::vector<std::string> inputs;
};

// Writes `m` to `out`: an uncompressed tar when `out` ends in ".tar", else a
// folder with the same layout plus ember's marker `.ember-mlf`. A folder
// that exists must be empty or an earlier folder export of ember's (it has
// the marker), and must not be the current folder, an ancestor of it, the
// home folder or hold one of `opts.inputs` (E0005-E0007, docs/safety.md);
// a tar may replace a regular file only. Parent folders are created. The
// output is written into a new unique temporary file or folder next to
// `out` and renamed into place when complete (docs/safety.md).
// Fails with E0701-E0709 or E0002-E0008; `out` is then left untouched.
Status ExportModelLibraryFormat(const codegen::c::GeneratedModel& m, const std::string& out,
                                const MlfOptions& opts = {});

// The C++ exception of the throwing API (microTVM's
// UnsupportedInModelLibraryFormatError). what() is the diagnostic text.
class UnsupportedInModelLibraryFormatError : public std::runtime_error {
 public:
  explicit UnsupportedInModelLibraryFormatError(Diagnostic d)
      : std::runtime_error(d.ToString()), diag_(std::move(d)) {}
  const Diagnostic& diag() const { return diag_; }

 private:
  Diagnostic diag_;
};

// ExportModelLibraryFormat, throwing UnsupportedInModelLibraryFormatError on
// failure instead of returning a Status.
void ExportModelLibraryFormatOrThrow(const codegen::c::GeneratedModel& m, const std::string& out,
                                     const MlfOptions& opts = {});

}  // namespace ember::package

// The names of microTVM's Python API (tvm.micro.export_model_library_format,
// tvm.micro.UnsupportedInModelLibraryFormatError), for code ported from it.
namespace ember::micro {
using package::UnsupportedInModelLibraryFormatError;
inline void export_model_library_format(const codegen::c::GeneratedModel& m, const std::string& out,
                                        const package::MlfOptions& opts = {}) {
  package::ExportModelLibraryFormatOrThrow(m, out, opts);
}
}  // namespace ember::micro
