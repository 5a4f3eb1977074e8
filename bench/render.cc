// results.json and the Markdown report (see README.md for every field).
#include <cstdio>
#include <map>
#include <sstream>

#include "results.h"

namespace ember::bench {
namespace {

using nlohmann::json;

constexpr const char* kPeerCore = "cortex-m4";

// The peer's figure `key` for `model`, 0 when the peer file lacks it.
uint64_t Peer(const json& peers, const std::string& model, const std::string& key) {
  if (!peers.contains("models") || !peers["models"].contains(model)) return 0;
  const json& m = peers["models"][model];
  if (!m.contains(key) || !m[key].is_number_integer() || m[key].get<int64_t>() < 0) return 0;
  return m[key].get<uint64_t>();
}

double Ratio(uint64_t ours, uint64_t theirs) { return theirs == 0 ? 0.0 : double(ours) / double(theirs); }

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// 14673760 -> "14,673,760"
std::string Grouped(uint64_t v) {
  std::string s = std::to_string(v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::string RatioText(uint64_t ours, uint64_t theirs) { return theirs == 0 ? "n/a" : Fixed(Ratio(ours, theirs), 3); }

std::string Cell(std::string s, size_t max) {
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  for (char& c : s)
    if (c == '|') c = '/';
  return s;
}

json PeerJson(const json& peers, const std::string& model, const CoreResult& r) {
  json t;
  auto both = [&](const std::string& key, uint64_t ours, const std::string& ratio_key) {
    for (const char* kind : {"ref", "cmsis_nn"}) {
      const uint64_t v = Peer(peers, model, key + "_" + kind);
      t[key + "_" + kind] = v;
      t[ratio_key + "_" + kind] = v == 0 ? json() : json(Ratio(ours, v));
    }
  };
  both("instructions", r.instructions, "ratio_instructions");
  both("arena_bytes", r.ram_bytes(), "ratio_ram");
  both("engine_text_bytes", r.footprint.code_bytes, "ratio_code");
  const uint64_t ref = Peer(peers, model, "instructions_ref");
  t["fewer_instructions_than_ref"] = ref != 0 && r.instructions < ref;
  return t;
}

std::map<std::string, uint64_t> PerOp(const CoreResult& r) {
  std::map<std::string, uint64_t> per_op;
  for (const LayerRow& l : r.layers) per_op[l.op] += l.instructions;
  return per_op;
}

json CoreJson(const ModelResult& m, const CoreResult& r, const json& peers) {
  json c = {{"board", r.board}, {"status", r.status}, {"bit_exact", r.ok()}};
  if (!r.ok()) return c;
  c["instructions"] = r.instructions;
  c["instructions_per_mac"] = m.macs == 0 ? json() : json(Ratio(r.instructions, m.macs));
  c["ram_bytes"] = r.ram_bytes();
  c["arena_bytes"] = r.metadata_arena_bytes;
  c["code_bytes"] = r.footprint.code_bytes;
  c["weights_bytes"] = r.footprint.weights_bytes;
  c["metadata_weights_bytes"] = r.metadata_weights_bytes;
  c["firmware"] = {{"text", r.firmware.text}, {"data", r.firmware.data}, {"bss", r.firmware.bss}};
  if (r.core == kPeerCore) c["tflm"] = PeerJson(peers, m.name, r);
  if (!r.layers.empty()) {
    json layers = json::array();
    for (const LayerRow& l : r.layers)
      layers.push_back({{"index", l.index}, {"op", l.op}, {"name", l.name}, {"instructions", l.instructions}});
    c["profile"] = {{"instructions", r.profile_instructions}, {"layers", layers}, {"per_op", PerOp(r)}};
  }
  return c;
}

// environment.txt holds "key: value" lines.
std::vector<std::pair<std::string, std::string>> EnvironmentLines(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> kv;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) kv.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return kv;
}

}  // namespace

json ResultsJson(const std::vector<ModelResult>& models, const json& peers, const std::string& environment) {
  json j;
  j["schema"] = "ember-bench/1";
  j["environment"] = json::object();
  for (const auto& [k, v] : EnvironmentLines(environment)) j["environment"][k] = v;
  j["method"] =
      "one inference of input_1.bin under qemu-system-arm -icount shift=0; instructions = board timer ticks "
      "around tvmgen_<name>_run x instructions per tick; output checked byte for byte against output_1.bin; "
      "sizes from the linker map of the firmware (see bench/README.md)";
  j["peer"] = {{"name", peers.value("peer", "")}, {"version", peers.value("peer_version", "")},
               {"core", kPeerCore}};
  json ms = json::object();
  for (const ModelResult& m : models) {
    json mj = {{"macs", m.macs}};
    for (const CoreResult& r : m.cores) mj[r.core] = CoreJson(m, r, peers);
    ms[m.name] = mj;
  }
  j["models"] = ms;
  return j;
}

std::string ResultsMarkdown(const std::vector<ModelResult>& models, const json& peers,
                            const std::string& environment) {
  std::ostringstream o;
  o << "# ember benchmark\n\n";
  for (const auto& [k, v] : EnvironmentLines(environment)) o << "- " << k << ": " << v << "\n";
  o << "\n";
  o << "One inference of `input_1.bin`, output bit-exact with `output_1.bin`. Instructions are guest "
       "instructions under `-icount shift=0`. RAM = the model's static RAM (arena with inputs and outputs "
       "inside); code = flash of the model's kernels and runtime without weights.\n\n";
  o << "| model | core (board) | instructions | instr/MAC | RAM B | code B | weights B | firmware text/data/bss |\n";
  o << "|---|---|--:|--:|--:|--:|--:|--:|\n";
  for (const ModelResult& m : models)
    for (const CoreResult& r : m.cores) {
      o << "| " << m.name << " | " << r.core << " (" << (r.board.empty() ? "?" : r.board) << ") | ";
      if (!r.ok()) {
        o << Cell(r.status, 70) << " | | | | | |\n";
        continue;
      }
      o << Grouped(r.instructions) << " | " << (m.macs ? Fixed(Ratio(r.instructions, m.macs), 2) : "n/a") << " | "
        << r.ram_bytes() << " | " << r.footprint.code_bytes << " | " << r.footprint.weights_bytes << " | "
        << r.firmware.text << "/" << r.firmware.data << "/" << r.firmware.bss << " |\n";
    }
  o << "\n## " << kPeerCore << " against " << peers.value("peer", "the peer") << " ("
    << peers.value("peer_version", "") << ")\n\n"
    << "Ratios are ember / peer: below 1 means ember needs fewer.\n\n"
    << "| model | instructions | ref kernels | ratio | CMSIS-NN | ratio | RAM ratio ref / CMSIS-NN | "
       "code ratio ref / CMSIS-NN | fewer than ref |\n|---|--:|--:|--:|--:|--:|--:|--:|---|\n";
  for (const ModelResult& m : models)
    for (const CoreResult& r : m.cores) {
      if (r.core != kPeerCore || !r.ok()) continue;
      const uint64_t ref = Peer(peers, m.name, "instructions_ref"), nn = Peer(peers, m.name, "instructions_cmsis_nn");
      o << "| " << m.name << " | " << Grouped(r.instructions) << " | " << Grouped(ref) << " | "
        << RatioText(r.instructions, ref) << " | " << Grouped(nn) << " | " << RatioText(r.instructions, nn) << " | "
        << RatioText(r.ram_bytes(), Peer(peers, m.name, "arena_bytes_ref")) << " / "
        << RatioText(r.ram_bytes(), Peer(peers, m.name, "arena_bytes_cmsis_nn")) << " | "
        << RatioText(r.footprint.code_bytes, Peer(peers, m.name, "engine_text_bytes_ref")) << " / "
        << RatioText(r.footprint.code_bytes, Peer(peers, m.name, "engine_text_bytes_cmsis_nn")) << " | "
        << (ref != 0 && r.instructions < ref ? "yes" : "NO") << " |\n";
    }
  o << "\n## Per layer on " << kPeerCore << " (`--profile` build)\n";
  for (const ModelResult& m : models)
    for (const CoreResult& r : m.cores) {
      if (r.core != kPeerCore || r.layers.empty()) continue;
      const double total = double(r.profile_instructions ? r.profile_instructions : 1);
      o << "\n### " << m.name << " (" << Grouped(r.profile_instructions) << " instructions in the profile build)\n\n"
        << "| # | op | instructions | share | node |\n|--:|---|--:|--:|---|\n";
      for (const LayerRow& l : r.layers)
        o << "| " << l.index << " | " << l.op << " | " << Grouped(l.instructions) << " | "
          << Fixed(100.0 * double(l.instructions) / total, 1) << "% | " << Cell(l.name, 60) << " |\n";
      o << "\n| op | instructions | share |\n|---|--:|--:|\n";
      for (const auto& [op, n] : PerOp(r))
        o << "| " << op << " | " << Grouped(n) << " | " << Fixed(100.0 * double(n) / total, 1) << "% |\n";
    }
  return o.str();
}

}  // namespace ember::bench
