// results.json and the Markdown report (see README.md for every field).
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "results.h"

namespace ember::bench {

uint64_t RamLimitBytes(const std::string& model) {
  static const std::map<std::string, uint64_t> kLimits = {{"kws", 9000}, {"vww", 42000}, {"ic", 40000}, {"ad", 768}};
  const auto it = kLimits.find(model);
  return it == kLimits.end() ? 0 : it->second;
}

namespace {

using nlohmann::json;

// The peer file of a core, as bench.sh passes the folder: SHARED/peers/tflm-<core>.json.
std::string PeerFile(const std::string& core) { return "tflm-" + core + ".json"; }

const json* PeerOf(const Peers& peers, const std::string& core) {
  const auto it = peers.find(core);
  return it == peers.end() ? nullptr : &it->second;
}

// The peer's figure `key` for `model`, 0 when the peer file lacks it.
uint64_t Peer(const json& peer, const std::string& model, const std::string& key) {
  if (!peer.contains("models") || !peer["models"].contains(model)) return 0;
  const json& m = peer["models"][model];
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

// The TFLite name of an ember IR op (conv2d -> CONV_2D), from the operator table.
std::string TfliteName(const std::string& ir) {
  static const std::map<std::string, std::string> kNames = {
#define OP(Enum, tflite, onnx, ir_name) {ir_name, tflite},
#include "ops/ops.def"
#undef OP
  };
  const auto it = kNames.find(ir);
  return it == kNames.end() ? ir : it->second;
}

std::map<std::string, uint64_t> PerOp(const CoreResult& r) {
  std::map<std::string, uint64_t> per_op;
  for (const LayerRow& l : r.layers) per_op[l.op] += l.instructions;
  return per_op;
}

// One op group of the peer's per-op breakdown (`per_op_instructions_cmsis_nn`,
// keys such as "CONV_2D" or "FC+SOFTMAX+RESHAPE") with ember's instructions of
// the ops in it; group "other" collects ember's ops the peer has no group for.
struct OpGroup {
  std::string name;
  uint64_t ember = 0;
  uint64_t cmsis_nn = 0;  // 0: the peer has no figure
};

constexpr const char* kOtherGroup = "other";

std::vector<OpGroup> PerPeerGroup(const CoreResult& r, const json& peer, const std::string& model) {
  std::vector<OpGroup> groups;
  std::map<std::string, size_t> group_of;  // TFLite op name -> index in groups
  if (peer.contains("per_op_instructions_cmsis_nn") && peer["per_op_instructions_cmsis_nn"].contains(model)) {
    for (const auto& [key, v] : peer["per_op_instructions_cmsis_nn"][model].items()) {
      OpGroup g;
      g.name = key;
      if (v.is_number_integer() && v.get<int64_t>() > 0) g.cmsis_nn = v.get<uint64_t>();
      std::istringstream parts(key);
      for (std::string op; std::getline(parts, op, '+');)
        group_of.emplace(op == "FC" ? "FULLY_CONNECTED" : op, groups.size());  // "FC+SOFTMAX+RESHAPE"
      groups.push_back(g);
    }
  }
  OpGroup other;
  other.name = kOtherGroup;
  for (const auto& [op, n] : PerOp(r)) {
    const auto it = group_of.find(TfliteName(op));
    (it == group_of.end() ? other : groups[it->second]).ember += n;
  }
  if (other.ember > 0) groups.push_back(other);
  return groups;
}

json PeerJson(const json& peer, const std::string& model, const CoreResult& r) {
  json t;
  t["file"] = PeerFile(r.core);
  auto both = [&](const std::string& key, uint64_t ours, const std::string& ratio_key) {
    for (const char* kind : {"ref", "cmsis_nn"}) {
      const uint64_t v = Peer(peer, model, key + "_" + kind);
      t[key + "_" + kind] = v;
      t[ratio_key + "_" + kind] = v == 0 ? json() : json(Ratio(ours, v));
    }
  };
  both("instructions", r.instructions, "ratio_instructions");
  both("arena_bytes", r.ram_bytes(), "ratio_ram");
  both("engine_text_bytes", r.footprint.code_bytes, "ratio_code");
  const uint64_t ref = Peer(peer, model, "instructions_ref");
  t["fewer_instructions_than_ref"] = ref != 0 && r.instructions < ref;
  if (!r.layers.empty()) {
    json per_op = json::object();
    for (const OpGroup& g : PerPeerGroup(r, peer, model))
      per_op[g.name] = {{"ember", g.ember},
                        {"cmsis_nn", g.cmsis_nn == 0 ? json() : json(g.cmsis_nn)},
                        {"ratio_cmsis_nn", g.cmsis_nn == 0 ? json() : json(Ratio(g.ember, g.cmsis_nn))}};
    t["per_op"] = per_op;
  }
  return t;
}

// The acceptance targets of one model on one core (a report, never a failure).
struct Acceptance {
  uint64_t cmsis_nn = 0;  // the peer's figure on this core; 0: no peer
  double limit = 0, goal = 0;
  bool within_limit = false, within_goal = false;
  uint64_t ram_limit = 0;  // 0: the issue sets none for this model
  bool ram_within = false;
};

Acceptance AcceptanceOf(const std::string& model, const CoreResult& r, const json* peer) {
  Acceptance a;
  if (peer != nullptr) a.cmsis_nn = Peer(*peer, model, "instructions_cmsis_nn");
  a.limit = kInstructionLimit * double(a.cmsis_nn);
  a.goal = kInstructionGoal * double(a.cmsis_nn);
  a.within_limit = a.cmsis_nn != 0 && double(r.instructions) <= a.limit;
  a.within_goal = a.cmsis_nn != 0 && double(r.instructions) <= a.goal;
  a.ram_limit = RamLimitBytes(model);
  a.ram_within = a.ram_limit != 0 && r.ram_bytes() <= a.ram_limit;
  return a;
}

json AcceptanceJson(const Acceptance& a) {
  const bool peer = a.cmsis_nn != 0;
  return {{"instructions_limit", peer ? json(std::llround(a.limit)) : json()},
          {"instructions_within_limit", peer ? json(a.within_limit) : json()},
          {"instructions_goal", peer ? json(std::llround(a.goal)) : json()},
          {"instructions_within_goal", peer ? json(a.within_goal) : json()},
          {"ram_limit_bytes", a.ram_limit != 0 ? json(a.ram_limit) : json()},
          {"ram_within_limit", a.ram_limit != 0 ? json(a.ram_within) : json()}};
}

// The layer's MACs from ember analyze (matched by node name), 0 when unknown.
uint64_t LayerMacs(const ModelResult& m, const LayerRow& l) {
  const auto it = m.node_macs.find(l.name);
  return it == m.node_macs.end() ? 0 : it->second;
}

json CoreJson(const ModelResult& m, const CoreResult& r, const Peers& peers) {
  json c = {{"board", r.board}, {"status", r.status}, {"bit_exact", r.ok()}};
  if (!r.ok()) return c;
  c["instructions"] = r.instructions;
  c["instructions_per_mac"] = m.macs == 0 ? json() : json(Ratio(r.instructions, m.macs));
  c["ram_bytes"] = r.ram_bytes();
  c["stack_bytes"] = r.stack_bytes;
  c["arena_bytes"] = r.metadata_arena_bytes;
  c["code_bytes"] = r.footprint.code_bytes;
  c["weights_bytes"] = r.footprint.weights_bytes;
  c["metadata_weights_bytes"] = r.metadata_weights_bytes;
  c["firmware"] = {{"text", r.firmware.text}, {"data", r.firmware.data}, {"bss", r.firmware.bss}};
  const json* peer = PeerOf(peers, r.core);
  c["tflm"] = peer != nullptr ? PeerJson(*peer, m.name, r) : json();
  c["acceptance"] = AcceptanceJson(AcceptanceOf(m.name, r, peer));
  if (!r.layers.empty()) {
    json layers = json::array();
    std::map<std::string, uint64_t> per_op_macs;
    for (const LayerRow& l : r.layers) {
      json row = {{"index", l.index}, {"op", l.op}, {"name", l.name}, {"instructions", l.instructions}};
      const uint64_t macs = LayerMacs(m, l);
      if (macs != 0) {
        per_op_macs[l.op] += macs;
        row["macs"] = macs;
        row["instructions_per_mac"] = Ratio(l.instructions, macs);
      }
      layers.push_back(row);
    }
    json per_op_per_mac = json::object();
    for (const auto& [op, n] : PerOp(r))
      if (per_op_macs.count(op)) per_op_per_mac[op] = Ratio(n, per_op_macs[op]);
    c["profile"] = {{"instructions", r.profile_instructions},
                    {"layers", layers},
                    {"per_op", PerOp(r)},
                    {"per_op_macs", per_op_macs},
                    {"per_op_instructions_per_mac", per_op_per_mac}};
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

// The cores of the run, in the order of the first model.
std::vector<std::string> Cores(const std::vector<ModelResult>& models) {
  std::vector<std::string> cores;
  if (!models.empty())
    for (const CoreResult& r : models.front().cores) cores.push_back(r.core);
  return cores;
}

std::string NoPeerText(const std::string& core) { return "no peer file (" + PeerFile(core) + ")"; }

std::string YesNo(bool v) { return v ? "yes" : "NO"; }

void PeerSection(std::ostringstream& o, const std::vector<ModelResult>& models, const Peers& peers) {
  o << "\n## Against TensorFlow Lite Micro on the same core\n\n"
    << "Peer figures: `SHARED/peers/tflm-<core>.json`, read at run time (";
  std::map<std::string, std::vector<std::string>> cores_of_version;
  for (const std::string& core : Cores(models))
    if (const json* p = PeerOf(peers, core)) cores_of_version[p->value("peer_version", "?")].push_back(core);
  const char* sep = "";
  for (const auto& [version, cores] : cores_of_version) {
    o << sep << version << ":";
    for (const std::string& core : cores) o << " " << core;
    sep = "; ";
  }
  o << "). Ratios are ember / peer: below 1 means ember needs fewer.\n\n"
    << "| model | core | instructions | ref kernels | ratio | CMSIS-NN | ratio | RAM ratio ref / CMSIS-NN | "
       "code ratio ref / CMSIS-NN | fewer than ref |\n|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n";
  for (const ModelResult& m : models)
    for (const CoreResult& r : m.cores) {
      if (!r.ok()) continue;
      o << "| " << m.name << " | " << r.core << " | " << Grouped(r.instructions) << " | ";
      const json* p = PeerOf(peers, r.core);
      if (p == nullptr) {
        o << NoPeerText(r.core) << " | | | | | | |\n";
        continue;
      }
      const uint64_t ref = Peer(*p, m.name, "instructions_ref"), nn = Peer(*p, m.name, "instructions_cmsis_nn");
      o << Grouped(ref) << " | " << RatioText(r.instructions, ref) << " | " << Grouped(nn) << " | "
        << RatioText(r.instructions, nn) << " | " << RatioText(r.ram_bytes(), Peer(*p, m.name, "arena_bytes_ref"))
        << " / " << RatioText(r.ram_bytes(), Peer(*p, m.name, "arena_bytes_cmsis_nn")) << " | "
        << RatioText(r.footprint.code_bytes, Peer(*p, m.name, "engine_text_bytes_ref")) << " / "
        << RatioText(r.footprint.code_bytes, Peer(*p, m.name, "engine_text_bytes_cmsis_nn")) << " | "
        << YesNo(ref != 0 && r.instructions < ref) << " |\n";
    }
}

void AcceptanceSection(std::ostringstream& o, const std::vector<ModelResult>& models, const Peers& peers) {
  o << "\n## Acceptance targets (issue 12)\n\n"
    << "Instructions at most " << Fixed(kInstructionLimit, 1) << " x TFLM+CMSIS-NN on the same core (the goal: "
    << Fixed(kInstructionGoal, 1) << " x); RAM (arena with inputs and outputs inside) at most kws "
    << Grouped(RamLimitBytes("kws")) << " B, vww " << Grouped(RamLimitBytes("vww")) << " B, ic "
    << Grouped(RamLimitBytes("ic")) << " B, ad " << Grouped(RamLimitBytes("ad"))
    << " B. A report: `make bench` fails only on a failed build or run or an output that is not bit-exact.\n\n"
    << "| model | core | instructions | x CMSIS-NN | limit 0.8 x | within | goal 0.5 x | within | RAM B | "
       "RAM limit B | within |\n|---|---|--:|--:|--:|---|--:|---|--:|--:|---|\n";
  int pairs = 0, within = 0, within_goal = 0, ram_pairs = 0, ram_within = 0;
  for (const ModelResult& m : models)
    for (const CoreResult& r : m.cores) {
      if (!r.ok()) continue;
      const Acceptance a = AcceptanceOf(m.name, r, PeerOf(peers, r.core));
      o << "| " << m.name << " | " << r.core << " | " << Grouped(r.instructions) << " | ";
      if (a.cmsis_nn == 0) {
        o << NoPeerText(r.core) << " | | | | | ";
      } else {
        ++pairs;
        within += a.within_limit;
        within_goal += a.within_goal;
        o << RatioText(r.instructions, a.cmsis_nn) << " | " << Grouped(uint64_t(std::llround(a.limit))) << " | "
          << YesNo(a.within_limit) << " | " << Grouped(uint64_t(std::llround(a.goal))) << " | "
          << YesNo(a.within_goal) << " | ";
      }
      o << Grouped(r.ram_bytes()) << " | ";
      if (a.ram_limit == 0) {
        o << "none | |\n";
      } else {
        ++ram_pairs;
        ram_within += a.ram_within;
        o << Grouped(a.ram_limit) << " | " << YesNo(a.ram_within) << " |\n";
      }
    }
  o << "\nInstructions within " << Fixed(kInstructionLimit, 1) << " x CMSIS-NN: " << within << " of " << pairs
    << " model/core pairs with a peer (within the " << Fixed(kInstructionGoal, 1) << " x goal: " << within_goal
    << "); RAM within the limit: " << ram_within << " of " << ram_pairs << ".\n";
}

// A table header: the leading columns (`lead`, e.g. "| op |", aligned by
// `lead_align`, e.g. "|---|"), one right-aligned column per core, then `tail`.
void CoreHeader(std::ostringstream& o, const std::string& lead, const std::string& lead_align,
                const std::vector<const CoreResult*>& cores, const std::string& tail = "",
                const std::string& tail_align = "") {
  o << lead;
  for (const CoreResult* r : cores) o << " " << r->core << " |";
  o << tail << "\n" << lead_align;
  for (size_t i = 0; i < cores.size(); ++i) o << "--:|";
  o << tail_align << "\n";
}

// Per op type and core (the --profile builds), then against the peer's per-op
// groups on each core that has them.
void PerOpSection(std::ostringstream& o, const std::vector<ModelResult>& models, const Peers& peers) {
  o << "\n## Where the instructions go (per op type, `--profile` builds)\n\n"
    << "Instructions of each op type's kernels and their share of the profile build's total; the profile "
       "build's total is a little above the plain build's (the timer reads around every kernel).\n";
  for (const ModelResult& m : models) {
    std::vector<const CoreResult*> cores;
    std::set<std::string> ops;
    for (const CoreResult& r : m.cores)
      if (r.ok() && !r.layers.empty()) {
        cores.push_back(&r);
        for (const auto& [op, n] : PerOp(r)) ops.insert(op);
      }
    if (cores.empty()) continue;
    o << "\n### " << m.name << "\n\n";
    CoreHeader(o, "| op |", "|---|", cores);
    for (const std::string& op : ops) {
      o << "| " << op << " |";
      for (const CoreResult* r : cores) {
        const auto per_op = PerOp(*r);
        const uint64_t n = per_op.count(op) ? per_op.at(op) : 0;
        o << " " << Grouped(n) << " ("
          << Fixed(100.0 * double(n) / double(r->profile_instructions ? r->profile_instructions : 1), 1) << "%) |";
      }
      o << "\n";
    }
    o << "| total (profile build) |";
    for (const CoreResult* r : cores) o << " " << Grouped(r->profile_instructions) << " |";
    o << "\n| instructions/MAC (plain build) |";
    for (const CoreResult* r : cores) o << " " << (m.macs ? Fixed(Ratio(r->instructions, m.macs), 2) : "n/a") << " |";
    o << "\n";

    std::vector<const CoreResult*> with_peer;
    for (const CoreResult* r : cores)
      if (PeerOf(peers, r->core) != nullptr) with_peer.push_back(r);
    if (with_peer.empty()) continue;
    std::vector<std::string> group_names;  // in the order of the first core's groups
    std::map<std::string, std::map<std::string, OpGroup>> by_group;  // group -> core -> figures
    for (const CoreResult* r : with_peer)
      for (const OpGroup& g : PerPeerGroup(*r, *PeerOf(peers, r->core), m.name)) {
        if (!by_group.count(g.name) && g.name != kOtherGroup) group_names.push_back(g.name);
        by_group[g.name][r->core] = g;
      }
    if (by_group.count(kOtherGroup)) group_names.push_back(kOtherGroup);
    o << "\nember / TFLM+CMSIS-NN per op group (the peer's `per_op_instructions_cmsis_nn`; `other`: ember's ops "
         "the peer's breakdown of that core has no group for):\n\n";
    CoreHeader(o, "| op group |", "|---|", with_peer);
    for (const std::string& name : group_names) {
      o << "| " << name << " |";
      for (const CoreResult* r : with_peer) {
        const auto it = by_group[name].find(r->core);
        if (it == by_group[name].end()) {
          o << " - |";
          continue;
        }
        const OpGroup& g = it->second;
        o << " " << Grouped(g.ember) << " / "
          << (g.cmsis_nn ? Grouped(g.cmsis_nn) + " = " + RatioText(g.ember, g.cmsis_nn) : std::string("-")) << " |";
      }
      o << "\n";
    }
  }
}

void PerLayerSection(std::ostringstream& o, const std::vector<ModelResult>& models) {
  o << "\n## Per layer (`--profile` builds)\n";
  for (const ModelResult& m : models) {
    std::vector<const CoreResult*> cores;
    for (const CoreResult& r : m.cores)
      if (r.ok() && !r.layers.empty()) cores.push_back(&r);
    if (cores.empty()) continue;
    const CoreResult& first = *cores.front();
    o << "\n### " << m.name << "\n\n";
    CoreHeader(o, "| # | op | MACs |", "|--:|---|--:|", cores, " node |", "---|");
    for (size_t i = 0; i < first.layers.size(); ++i) {
      const LayerRow& l = first.layers[i];
      const uint64_t macs = LayerMacs(m, l);
      o << "| " << l.index << " | " << l.op << " | " << (macs ? Grouped(macs) : "") << " |";
      for (const CoreResult* r : cores) {
        // Every core runs the same graph; a core whose rows differ shows "?".
        const bool same = i < r->layers.size() && r->layers[i].index == l.index && r->layers[i].name == l.name;
        o << " " << (same ? Grouped(r->layers[i].instructions) : "?") << " |";
      }
      o << " " << Cell(l.name, 60) << " |\n";
    }
  }
}

}  // namespace

json ResultsJson(const std::vector<ModelResult>& models, const Peers& peers, const std::string& environment) {
  json j;
  j["schema"] = "ember-bench/2";
  j["environment"] = json::object();
  for (const auto& [k, v] : EnvironmentLines(environment)) j["environment"][k] = v;
  j["method"] =
      "one inference of input_1.bin under qemu-system-arm -icount shift=0; instructions = board timer ticks "
      "around tvmgen_<name>_run x instructions per tick; output checked byte for byte against output_1.bin; "
      "sizes from the linker map of the firmware; per-layer instructions from a second build with --profile "
      "(see bench/README.md)";
  json pj = json::object();
  for (const std::string& core : Cores(models)) {
    const json* p = PeerOf(peers, core);
    pj[core] = p == nullptr ? json() : json{{"file", PeerFile(core)}, {"name", p->value("peer", "")},
                                             {"version", p->value("peer_version", "")}};
  }
  j["peers"] = pj;
  json limits = json::object();
  for (const ModelResult& m : models)
    limits[m.name] = RamLimitBytes(m.name) ? json(RamLimitBytes(m.name)) : json();
  j["acceptance"] = {{"instructions_limit_x_cmsis_nn", kInstructionLimit},
                     {"instructions_goal_x_cmsis_nn", kInstructionGoal},
                     {"ram_limit_bytes", limits}};
  json ms = json::object();
  for (const ModelResult& m : models) {
    json mj = {{"macs", m.macs}};
    for (const CoreResult& r : m.cores) mj[r.core] = CoreJson(m, r, peers);
    ms[m.name] = mj;
  }
  j["models"] = ms;
  return j;
}

std::string ResultsMarkdown(const std::vector<ModelResult>& models, const Peers& peers,
                            const std::string& environment) {
  std::ostringstream o;
  o << "# ember benchmark\n\n";
  for (const auto& [k, v] : EnvironmentLines(environment)) o << "- " << k << ": " << v << "\n";
  o << "\n";
  o << "One inference of `input_1.bin`, output bit-exact with `output_1.bin`. Instructions are guest "
       "instructions under `-icount shift=0`. RAM = the model's static RAM (arena with inputs and outputs "
       "inside); stack = the most stack the inference used on the board (not in RAM; `ember analyze "
       "--target` bounds it); code = flash of the model's kernels and runtime without weights.\n\n";
  o << "| model | core (board) | instructions | instr/MAC | RAM B | stack B | code B | weights B | firmware "
       "text/data/bss |\n";
  o << "|---|---|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const ModelResult& m : models)
    for (const CoreResult& r : m.cores) {
      o << "| " << m.name << " | " << r.core << " (" << (r.board.empty() ? "?" : r.board) << ") | ";
      if (!r.ok()) {
        o << Cell(r.status, 70) << " | | | | | | |\n";
        continue;
      }
      o << Grouped(r.instructions) << " | " << (m.macs ? Fixed(Ratio(r.instructions, m.macs), 2) : "n/a") << " | "
        << r.ram_bytes() << " | " << r.stack_bytes << " | " << r.footprint.code_bytes << " | "
        << r.footprint.weights_bytes << " | "
        << r.firmware.text << "/" << r.firmware.data << "/" << r.firmware.bss << " |\n";
    }
  PeerSection(o, models, peers);
  AcceptanceSection(o, models, peers);
  PerOpSection(o, models, peers);
  PerLayerSection(o, models);
  return o.str();
}

}  // namespace ember::bench
