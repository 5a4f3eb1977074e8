// Reading the job folders written by bench.sh (see README.md, "Files").
#include <filesystem>
#include <fstream>
#include <sstream>

#include "results.h"

namespace ember::bench {
namespace {

namespace fs = std::filesystem;

bool ReadText(const fs::path& p, std::string* text) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *text = s.str();
  return true;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// The harness's lines: "ember-harness: board B model M", "run 1 ticks T
// instructions N", "stack N", "layer I ticks T instructions N OP NAME...".
void ParseRun(const std::string& text, CoreResult* r, bool profile) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string w, key;
    ls >> w;
    if (w == "ember-harness:" && ls >> key && key == "board") {
      ls >> r->board;
    } else if (w == "run") {
      uint64_t run = 0, ticks = 0, n = 0;
      if (ls >> run >> key >> ticks >> key >> n && run == 1) (profile ? r->profile_instructions : r->instructions) = n;
    } else if (w == "stack" && !profile) {
      ls >> r->stack_bytes;
    } else if (w == "layer" && profile) {
      LayerRow row;
      uint64_t ticks = 0;
      if (!(ls >> row.index >> key >> ticks >> key >> row.instructions >> row.op)) continue;
      std::getline(ls >> std::ws, row.name);
      r->layers.push_back(row);
    }
  }
}

std::vector<std::string> SourceStems(const fs::path& mlf) {
  std::vector<std::string> stems;
  for (const char* sub : {"codegen/host/src", "runtime/src"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(mlf / sub, ec))
      if (e.path().extension() == ".c") stems.push_back(e.path().stem().string());
  }
  return stems;
}

// Firmware figures and footprint of one plain (not profiled) build.
std::string ReadBuild(const fs::path& dir, const std::string& model, CoreResult* r) {
  std::string text, error;
  if (!ReadText(dir / "run.txt", &text)) return "no run.txt";
  ParseRun(text, r, /*profile=*/false);
  if (r->instructions == 0) return "no instruction count in run.txt";
  if (!ReadText(dir / "size.txt", &text)) return "no size.txt";
  std::istringstream sz(text.substr(text.find('\n') + 1));
  if (!(sz >> r->firmware.text >> r->firmware.data >> r->firmware.bss)) return "unreadable size.txt";
  if (!ReadText(dir / "fw.map", &text)) return "no fw.map";
  std::vector<MapSection> sections;
  if (!ParseLinkerMap(text, &sections, &error)) return "fw.map: " + error;
  const std::string prefix = "tvmgen_" + model;
  r->footprint = MeasureModel(sections, SourceStems(dir / "mlf"), prefix, {prefix + "_profile_names"});
  if (!ReadText(dir / "mlf" / "metadata.json", &text)) return "no metadata.json";
  const auto meta = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json* m = nullptr;
  if (meta.is_object() && meta.contains("modules") && meta["modules"].contains(model)) m = &meta["modules"][model];
  if (m == nullptr || !(*m).value("arena_bytes", nlohmann::json()).is_number_unsigned())
    return "metadata.json has no modules." + model + ".arena_bytes";
  r->metadata_arena_bytes = (*m)["arena_bytes"].get<uint64_t>();
  r->metadata_weights_bytes = m->value("weights_bytes", uint64_t{0});
  return "";
}

}  // namespace

bool ReadPeers(const std::string& peers_dir, const std::vector<std::string>& cores, Peers* peers,
               std::string* error) {
  for (const std::string& core : cores) {
    const fs::path file = fs::path(peers_dir) / ("tflm-" + core + ".json");
    std::error_code ec;
    if (!fs::exists(file, ec)) continue;
    std::string text;
    nlohmann::json peer;
    if (ReadText(file, &text)) peer = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!peer.is_object()) {
      *error = "cannot read the peer figures " + file.string();
      return false;
    }
    (*peers)[core] = std::move(peer);
  }
  return true;
}

ModelResult CollectModel(const std::string& out_dir, const std::string& model,
                         const std::vector<std::string>& cores) {
  ModelResult res;
  res.name = model;
  const fs::path base = fs::path(out_dir) / model;
  std::string text;
  if (ReadText(base / "analyze.json", &text)) {
    const auto a = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (a.is_object() && a.value("macs", nlohmann::json()).is_number_unsigned()) res.macs = a["macs"].get<uint64_t>();
    // Per node MACs, by node name (what a profile row carries); a name that
    // occurs twice is dropped rather than guessed.
    std::vector<std::string> twice;
    if (a.is_object() && a.value("nodes", nlohmann::json()).is_array())
      for (const auto& n : a["nodes"]) {
        if (!n.is_object() || !n.value("name", nlohmann::json()).is_string() ||
            !n.value("macs", nlohmann::json()).is_number_unsigned())
          continue;
        if (!res.node_macs.emplace(n["name"].get<std::string>(), n["macs"].get<uint64_t>()).second)
          twice.push_back(n["name"].get<std::string>());
      }
    for (const std::string& name : twice) res.node_macs.erase(name);
  }
  for (const std::string& core : cores) {
    CoreResult r;
    r.core = core;
    const fs::path dir = base / core;
    if (ReadText(dir / "board", &text)) r.board = FirstLine(text);
    if (!ReadText(dir / "status", &text)) {
      r.status = "error: the job left no status";
    } else {
      r.status = FirstLine(text);
    }
    if (r.ok()) {
      const std::string problem = ReadBuild(dir, model, &r);
      if (!problem.empty()) r.status = "error: " + problem;
    }
    const fs::path prof = base / (core + "-profile");
    if (r.ok() && fs::exists(prof)) {
      text.clear();
      if (!ReadText(prof / "status", &text) || FirstLine(text) != "ok") {
        r.status = "error: profile build: " + (text.empty() ? std::string("no status") : FirstLine(text));
      } else if (ReadText(prof / "run.txt", &text)) {
        ParseRun(text, &r, /*profile=*/true);
      }
    }
    res.cores.push_back(r);
  }
  return res;
}

}  // namespace ember::bench
