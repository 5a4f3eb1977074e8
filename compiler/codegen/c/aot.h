// AOT code generation: the whole model as C99 sources plus the embedded C
// interface header `tvmgen_<name>.h`, as microTVM's AOT executor with
// interface-api="c" and unpacked-api produced them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/graph.h"
#include "codegen/c/schedule.h"
#include "ir/graph.h"
#include "memory/planner.h"
#include "support/status.h"

namespace ember::codegen::c {

struct AotOptions {
  std::string module_name = "default";  // the <name> in tvmgen_<name>_run
  Target target;
  bool io_in_arena = false;     // inputs/outputs inside the arena (microTVM's usmp.use_workspace_io)
  bool external_arena = false;  // the caller passes the arena (workspace pool) instead of a static array
  bool profile = false;         // per-node timer reads around each kernel call
  // Also emit the graph executor's output (graph.h): the graph JSON and the
  // operator table. The AOT entry point is generated either way.
  bool graph_executor = false;
  // Schedules of tunable kernels by node index (codegen/c/schedule.h; from a
  // tuning log, docs/tuning.md); nodes not listed get the default schedule.
  std::map<size_t, Schedule> schedules;
  // Share groups by node index (kernels/shared_kernel.h): a kernel body with
  // the same text is shared only between nodes of the same group; nodes not
  // listed are in group "" (all of a model's layers). ember tune gives each
  // candidate (and its twin) a group of its own, so that the code a candidate
  // is measured with does not depend on the other candidates of its firmware.
  std::map<size_t, std::string> share_groups;
  // `ember compile --optimize size`: the least RAM and flash, at some speed.
  // Each tunable node without a schedule above takes its space's size point
  // (ScheduleSpace::size_point: no ring of input rows, no unrolled passes,
  // one row or pixel per Helium block), and int8 add and sub rescale in
  // arithmetic rather than through a table (KernelContext::optimize_size).
  bool optimize_size = false;
};

struct IoTensor {
  std::string name;       // the model's tensor name
  std::string c_name;     // sanitized member name in the inputs/outputs struct
  std::string macro;      // TVMGEN_<NAME>_<TENSOR>_SIZE
  ir::DType dtype;
  ir::Shape shape;
  int64_t bytes = 0;
};

struct GeneratedModel {
  std::string module_name;
  std::string prefix;  // "tvmgen_<name>"
  // Generated sources: file name (e.g. "default_lib0.c") and contents, in order.
  std::vector<std::pair<std::string, std::string>> sources;
  std::string header_name;  // "tvmgen_default.h"
  std::string header;
  std::vector<IoTensor> inputs, outputs;
  memory::MemoryPlan plan;
  int64_t workspace_bytes = 0;  // arena bytes (TVMGEN_<NAME>_WORKSPACE_SIZE)
  int64_t constants_bytes = 0;  // weights, biases and derived constant tables
  int64_t io_bytes = 0;         // input + output bytes
  std::string ir_text;          // the final IR (for src/<name>.relay)
  int64_t profile_nodes = 0;    // > 0 in a profiling build: entries of <prefix>_profile_ticks
  // Graph executor builds (AotOptions::graph_executor): the graph JSON for
  // executor-config/graph/<name>.graph and the operator table's size.
  std::string graph_json;       // empty in an AOT-only build
  int64_t num_operators = 0;
};

// Fails with E05xx diagnostics: bad or reserved module name (E0503, E0505;
// codegen/c/module_name.h), an operator with no
// kernel for the target (E0502, exit 3), duplicate sanitized I/O names (E0504).
// Helpers shared by the generators: "TVMGEN_DEFAULT" from "tvmgen_default",
// and the comment naming node i of g ("/* 3: conv2d 'name' -> i8[1,2] */").
std::string UpperCase(std::string s);
std::string NodeComment(const ir::Graph& g, size_t i);

Expected<GeneratedModel> GenerateAot(const ir::Graph& g, const AotOptions& options);

// The memory hints of node `node`'s kernel: its scratch, an alias for a pure
// copy, and its declared overlaps (Kernel::overlaps; inplace_ok is an overlap
// of input 0 at delta 0 when the sizes are equal). Appends to `hints`.
void AddKernelHints(const ir::Graph& g, size_t node, const Kernel& kernel, memory::PlanHints* hints);

// The hints every node's kernel gives for `target` (what GenerateAot plans
// with), without generating the model; for `ember analyze`. Fails like
// GenerateAot when a node has no kernel.
Expected<memory::PlanHints> KernelHints(const ir::Graph& g, const Target& target);

}  // namespace ember::codegen::c
