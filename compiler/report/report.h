// `ember report`: one self-contained HTML page about a compiled model
// (docs/report.md). The page holds the model graph (ops, shapes,
// quantization), per-layer MACs and parameter bytes, measured instructions
// per layer when a profile is given, the memory plan as a picture, and the
// flash and RAM needs against a board's limits when a board is named.
//
// The page is byte-deterministic: the same inputs give the same bytes (no
// time stamps, no absolute paths that the caller did not give, fixed number
// formatting). It loads nothing: inline CSS and SVG, no scripts, no fonts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c/aot.h"
#include "ir/graph.h"
#include "memory/analysis.h"
#include "support/status.h"

namespace ember::report {

// Diagnostic ids (docs/errors.md, docs/report.md).
inline constexpr const char* kNotAModel = "E1401";       // the input is no model, MLF archive or project
inline constexpr const char* kBadProfile = "E1402";      // the profile file cannot be read or has no layers
inline constexpr const char* kProfileMismatch = "E1403"; // the profile belongs to another model
inline constexpr const char* kUnknownBoard = "E1404";    // --board names no known board
inline constexpr const char* kCannotWrite = "E1405";     // the output cannot be written
inline constexpr const char* kCannotRun = "E1406";       // --run: the project cannot be run or has no profile counters

// Measured instructions (or timer ticks) of one layer, in execution order.
struct LayerProfile {
  int64_t index = 0;
  std::string op;    // ember IR op name ("conv2d")
  std::string name;  // node name, may be empty
  int64_t instructions = 0;
};

struct Profile {
  std::string source;          // the file, as given
  std::string core;            // e.g. "cortex-m4" (bench results), may be empty
  int64_t instructions = 0;    // the whole inference (0: the sum of the layers)
  int64_t code_bytes = -1;     // the model's code in flash when measured, else -1
  std::vector<LayerProfile> layers;
};

// Reads a profile: either a bench results.json (`models.<model>.<core>.profile`,
// bench/README.md; `model` picks the model, `core` the core, default
// cortex-m4 or the only one) or a profile file of its own
// ({"model": NAME, "core": CORE, "instructions": N, "code_bytes": N,
// "layers": [{"index", "op", "name", "instructions"}]}, what `make demo`
// writes). E1402 when unreadable or without layers; E1403 when a results.json
// has no entry for `model` or a profile file names another model.
Expected<Profile> ReadProfile(const std::string& path, const std::string& model, const std::string& core);

// Checks that the profile's layers are the graph's nodes: the same count and
// the same op at every index (E1403 naming the first difference).
Status CheckProfileMatches(const Profile& p, const ir::Graph& g, const std::string& model);

// A board's memory, for the budget section.
struct Board {
  const char* name;
  const char* core;         // ember --target name
  const char* description;
  int64_t flash_bytes;
  int64_t ram_bytes;
};
const std::vector<Board>& KnownBoards();
// The board called `name`, or E1404 listing the known names.
Expected<Board> FindBoard(const std::string& name);

// One target's figures, for the side-by-side table when several are given.
struct TargetFigures {
  std::string target;
  int64_t arena_bytes = 0, weights_bytes = 0, ram_bytes = 0;
  int64_t instructions = -1;  // measured (a results.json with this core), else -1
  int64_t code_bytes = -1;    // measured, else -1
};

struct ReportInputs {
  std::string model_name;   // shown as the title
  std::string source;       // what the report was made from, as given
  std::string source_kind;  // "model", "Model Library Format archive", "project"
  std::string target;       // ember target name
  const ir::Graph* graph = nullptr;                       // the compiled graph (after the passes)
  const codegen::c::GeneratedModel* compiled = nullptr;   // the memory plan and sizes
  const Profile* profile = nullptr;                       // optional
  std::optional<Board> board;                             // optional
  std::vector<TargetFigures> targets;                     // two or more: a table side by side
};

// The whole page.
std::string RenderHtml(const ReportInputs& in);

}  // namespace ember::report
