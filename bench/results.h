// The benchmark's measurements, read back from the folders bench.sh leaves
// behind (one per model, core and kind of build), and their rendering as
// results.json and a Markdown table.
#ifndef EMBER_BENCH_RESULTS_H_
#define EMBER_BENCH_RESULTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "map_file.h"

namespace ember::bench {

// One node of a --profile build: the ticks between the timer reads around
// its kernel call, times the board's instructions per tick.
struct LayerRow {
  int index = 0;
  std::string op;    // ember IR op name
  std::string name;  // the model's node name
  uint64_t instructions = 0;
};

// Firmware sizes as `arm-none-eabi-size -B` prints them.
struct FirmwareSize {
  uint64_t text = 0, data = 0, bss = 0;
};

// One model on one core.
struct CoreResult {
  std::string core;    // cortex-m4
  std::string board;   // mps2-an386
  std::string status;  // "ok", "mismatch", "does-not-fit: ...", "error: ..."
  uint64_t instructions = 0;  // one inference (harness: timer around tvmgen_<name>_run)
  uint64_t stack_bytes = 0;   // the most stack that inference used (harness: "stack N")
  ModelFootprint footprint;   // from the linker map
  uint64_t metadata_arena_bytes = 0;    // metadata.json, cross-check
  uint64_t metadata_weights_bytes = 0;  // metadata.json, cross-check
  FirmwareSize firmware;
  std::vector<LayerRow> layers;        // the --profile build, one row per node
  uint64_t profile_instructions = 0;  // the profile build's own total
  bool ok() const { return status == "ok"; }
  uint64_t ram_bytes() const { return footprint.data_bytes + footprint.bss_bytes; }
};

struct ModelResult {
  std::string name;
  uint64_t macs = 0;                             // ember analyze
  std::map<std::string, uint64_t> node_macs;     // ember analyze, by node name
  std::vector<CoreResult> cores;
};

// The peer figures of each core that has them: the parsed
// SHARED/peers/tflm-<core>.json, keyed by core. A core without an entry is
// reported as having no peer.
using Peers = std::map<std::string, nlohmann::json>;

// The acceptance targets of issue 12, shown (not enforced) by the report:
// instructions at most kInstructionLimit x TFLM+CMSIS-NN on the same core
// (the project's goal: kInstructionGoal x), and the model's RAM (arena with
// inputs and outputs inside) at most RamLimitBytes(model) on every core.
constexpr double kInstructionLimit = 0.8;
constexpr double kInstructionGoal = 0.5;
// kws 9,000 B, vww 42,000 B, ic 40,000 B, ad 768 B; 0 for any other model.
uint64_t RamLimitBytes(const std::string& model);

// Reads <out>/<model>/analyze.json and, for every core, <out>/<model>/<core>/
// (and <core>-profile/ when present). Missing or unreadable files turn into
// an "error: ..." status of that core, never an exception.
ModelResult CollectModel(const std::string& out_dir, const std::string& model,
                         const std::vector<std::string>& cores);

// Reads <peers_dir>/tflm-<core>.json for every core that has one into
// *peers. False, with *error set, when such a file exists but is not a JSON
// object; a missing file is not an error (that core has no peer).
bool ReadPeers(const std::string& peers_dir, const std::vector<std::string>& cores, Peers* peers,
               std::string* error);

// results.json: method, peers, and per model and core every figure; the
// entries of a core with a peer also carry the ratios to the peer's figures
// of that core, per TFLM op group, and the acceptance targets.
nlohmann::json ResultsJson(const std::vector<ModelResult>& models, const Peers& peers,
                           const std::string& environment);

// The readable report (Markdown): the main table, the comparison with the
// peer on each core that has one, the acceptance targets, where the
// instructions go per op type and core, and the per-layer breakdown.
std::string ResultsMarkdown(const std::vector<ModelResult>& models, const Peers& peers,
                            const std::string& environment);

}  // namespace ember::bench

#endif  // EMBER_BENCH_RESULTS_H_
