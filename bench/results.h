// The benchmark's measurements, read back from the folders bench.sh leaves
// behind (one per model, core and kind of build), and their rendering as
// results.json and a Markdown table.
#ifndef EMBER_BENCH_RESULTS_H_
#define EMBER_BENCH_RESULTS_H_

#include <cstdint>
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
  ModelFootprint footprint;   // from the linker map
  uint64_t metadata_arena_bytes = 0;    // metadata.json, cross-check
  uint64_t metadata_weights_bytes = 0;  // metadata.json, cross-check
  FirmwareSize firmware;
  std::vector<LayerRow> layers;  // cortex-m4 only (--profile build)
  uint64_t profile_instructions = 0;  // the profile build's own total
  bool ok() const { return status == "ok"; }
  uint64_t ram_bytes() const { return footprint.data_bytes + footprint.bss_bytes; }
};

struct ModelResult {
  std::string name;
  uint64_t macs = 0;  // ember analyze
  std::vector<CoreResult> cores;
};

// Reads <out>/<model>/analyze.json and, for every core, <out>/<model>/<core>/
// (and <core>-profile/ when present). Missing or unreadable files turn into
// an "error: ..." status of that core, never an exception.
ModelResult CollectModel(const std::string& out_dir, const std::string& model,
                         const std::vector<std::string>& cores);

// results.json: method, peer, and per model and core every figure; the
// cortex-m4 entries also carry the ratios to the peer's figures.
nlohmann::json ResultsJson(const std::vector<ModelResult>& models, const nlohmann::json& peers,
                           const std::string& environment);

// The readable report (Markdown): the main table, the cortex-m4 comparison
// with the peer, and the per-layer breakdown.
std::string ResultsMarkdown(const std::vector<ModelResult>& models, const nlohmann::json& peers,
                            const std::string& environment);

}  // namespace ember::bench

#endif  // EMBER_BENCH_RESULTS_H_
