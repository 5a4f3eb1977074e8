#include "report/report.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ir/op_kind.h"
#include "support/file.h"
#include "support/json_text.h"

namespace ember::report {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------- formatting

std::string Grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// 12345 -> "12.1 KiB" (bytes below 1 KiB as "123 B").
std::string Bytes(int64_t b) {
  if (b < 1024) return Grouped(b) + " B";
  if (b < 1024 * 1024) return Fmt("%.1f KiB", static_cast<double>(b) / 1024.0);
  return Fmt("%.2f MiB", static_cast<double>(b) / (1024.0 * 1024.0));
}

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += '?';
        else out += c;
    }
  }
  return out;
}

// A long source name shortened from the front (its end names the layer).
std::string Short(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return "..." + s.substr(s.size() - (max - 3));
}

std::string Percent(double part, double whole) {
  if (whole <= 0) return "0";
  return Fmt("%.1f", std::clamp(100.0 * part / whole, 0.0, 100.0));
}

std::string QuantText(const ir::Tensor& t) {
  if (!t.quant) return "";
  const auto& q = *t.quant;
  if (q.per_axis()) return "per-channel (" + std::to_string(q.scale.size()) + " scales, axis " + std::to_string(q.axis) + ")";
  return "scale " + Fmt("%.6g", q.scale.empty() ? 0.0 : q.scale[0]) + ", zp " +
         std::to_string(q.zero_point.empty() ? 0 : q.zero_point[0]);
}

std::string TensorText(const ir::Tensor& t) {
  return std::string(ir::DTypeName(t.dtype)) + ir::ShapeToString(t.shape);
}

const char* kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#e15759", "#9c755f"};

// ---------------------------------------------------------------- profile

Expected<Profile> FromLayers(const json& j, const std::string& path, Profile p) {
  const auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array() || layers->empty())
    return MakeDiag(kBadProfile, ExitCode::kUsage, path + ": the profile has no per-layer figures ('layers')",
                    "give a bench results.json (make bench) or the profile.json that make demo writes");
  for (const json& l : *layers) {
    if (!l.is_object() || !l.contains("instructions") || !l["instructions"].is_number_integer())
      return MakeDiag(kBadProfile, ExitCode::kUsage, path + ": a layer of the profile has no integer 'instructions'",
                      "each layer is {\"index\", \"op\", \"name\", \"instructions\"}");
    LayerProfile lp;
    lp.index = l.contains("index") && l["index"].is_number_integer() ? l["index"].get<int64_t>()
                                                                      : static_cast<int64_t>(p.layers.size());
    lp.op = l.contains("op") && l["op"].is_string() ? l["op"].get<std::string>() : "";
    lp.name = l.contains("name") && l["name"].is_string() ? l["name"].get<std::string>() : "";
    lp.instructions = l["instructions"].get<int64_t>();
    p.layers.push_back(std::move(lp));
  }
  if (j.contains("instructions") && j["instructions"].is_number_integer()) p.instructions = j["instructions"].get<int64_t>();
  if (j.contains("code_bytes") && j["code_bytes"].is_number_integer()) p.code_bytes = j["code_bytes"].get<int64_t>();
  return p;
}

}  // namespace

Expected<Profile> ReadProfile(const std::string& path, const std::string& model, const std::string& core) {
  auto text = ReadFileText(path, kMaxTextFileBytes, "profile");
  if (!text.ok())
    return MakeDiag(kBadProfile, ExitCode::kUsage, "cannot read the profile: " + text.diag().message,
                    "give a bench results.json (make bench) or the profile.json that make demo writes");
  json j = JsonNestingWithin(*text, kMaxJsonDepth) ? json::parse(*text, nullptr, false) : json(json::value_t::discarded);
  if (j.is_discarded() || !j.is_object())
    return MakeDiag(kBadProfile, ExitCode::kUsage, path + " is not a JSON profile",
                    "give a bench results.json (make bench) or the profile.json that make demo writes");
  Profile p;
  p.source = path;
  if (j.contains("models") && j["models"].is_object()) {  // bench results.json
    const json& models = j["models"];
    if (!models.contains(model)) {
      std::string names;
      for (auto it = models.begin(); it != models.end(); ++it) names += (names.empty() ? "" : ", ") + it.key();
      return MakeDiag(kProfileMismatch, ExitCode::kUsage,
                      path + " has no figures of model '" + model + "' (it has: " + names + ")",
                      "profile this model (make bench with EMBER_BENCH_MODELS, or ember profile), or pass the "
                      "model the profile belongs to");
    }
    const json& m = models[model];
    std::string c = core.empty() ? "cortex-m4" : core;
    if (!m.contains(c) && core.empty()) {
      for (auto it = m.begin(); it != m.end(); ++it)
        if (it.value().is_object() && it.value().contains("profile")) { c = it.key(); break; }
    }
    if (!m.contains(c) || !m[c].is_object() || !m[c].contains("profile") || !m[c]["profile"].is_object())
      return MakeDiag(kBadProfile, ExitCode::kUsage, path + " has no per-layer profile of '" + model + "' on " + c,
                      "run make bench with EMBER_BENCH_CORES including " + c);
    p.core = c;
    EMBER_ASSIGN_OR_RETURN(p, FromLayers(m[c]["profile"], path, p));
    if (m[c].contains("code_bytes") && m[c]["code_bytes"].is_number_integer()) p.code_bytes = m[c]["code_bytes"].get<int64_t>();
    return p;
  }
  if (j.contains("model") && j["model"].is_string() && j["model"].get<std::string>() != model)
    return MakeDiag(kProfileMismatch, ExitCode::kUsage,
                    path + " is the profile of model '" + j["model"].get<std::string>() + "', not of '" + model + "'",
                    "pass the profile of this model, or the model the profile belongs to");
  if (j.contains("core") && j["core"].is_string()) p.core = j["core"].get<std::string>();
  return FromLayers(j, path, p);
}

Status CheckProfileMatches(const Profile& p, const ir::Graph& g, const std::string& model) {
  const std::string hint = "the profile must come from the same model compiled by this ember (make bench, or the "
                           "demo's profile.json); pass the model it belongs to";
  if (p.layers.size() != g.nodes.size())
    return MakeDiag(kProfileMismatch, ExitCode::kUsage,
                    p.source + " does not belong to model '" + model + "': it has " + std::to_string(p.layers.size()) +
                        " layers, the model " + std::to_string(g.nodes.size()) + " nodes",
                    hint);
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const std::string op = ir::OpIrName(g.nodes[i].op);
    if (!p.layers[i].op.empty() && p.layers[i].op != op)
      return MakeDiag(kProfileMismatch, ExitCode::kUsage,
                      p.source + " does not belong to model '" + model + "': its layer " + std::to_string(i) + " is " +
                          p.layers[i].op + ", the model's node " + std::to_string(i) + " is " + op,
                      hint);
  }
  return Status::Ok();
}

const std::vector<Board>& KnownBoards() {
  static const std::vector<Board> boards = {
      // The emulated boards of the qemu template (runtime/platform/cortex-m/linker).
      {"mps2-an385", "cortex-m3", "Arm MPS2 AN385 (QEMU), Cortex-M3", 4 << 20, 4 << 20},
      {"mps2-an386", "cortex-m4", "Arm MPS2 AN386 (QEMU), Cortex-M4F", 4 << 20, 4 << 20},
      {"mps2-an500", "cortex-m7", "Arm MPS2 AN500 (QEMU), Cortex-M7", 4 << 20, 4 << 20},
      {"mps2-an505", "cortex-m33", "Arm MPS2 AN505 (QEMU), Cortex-M33", 4 << 20, 4 << 20},
      {"mps3-an547", "cortex-m55", "Arm MPS3 AN547 (QEMU), Cortex-M55: 512 KiB code + 2 MiB read-only data", (512 << 10) + (2 << 20), 512 << 10},
      // Common boards (the microcontroller's on-chip flash and SRAM).
      {"nucleo-f401re", "cortex-m4", "ST NUCLEO-F401RE (STM32F401RE)", 512 << 10, 96 << 10},
      {"nucleo-f446re", "cortex-m4", "ST NUCLEO-F446RE (STM32F446RE)", 512 << 10, 128 << 10},
      {"nucleo-l4r5zi", "cortex-m4", "ST NUCLEO-L4R5ZI (STM32L4R5ZI)", 2 << 20, 640 << 10},
      {"stm32f746g-disco", "cortex-m7", "ST 32F746GDISCOVERY (STM32F746NG)", 1 << 20, 320 << 10},
      {"nucleo-l552ze-q", "cortex-m33", "ST NUCLEO-L552ZE-Q (STM32L552ZE)", 512 << 10, 256 << 10},
      {"nrf52840dk", "cortex-m4", "Nordic nRF52840 DK (nRF52840)", 1 << 20, 256 << 10},
      {"arduino-nano-33-ble", "cortex-m4", "Arduino Nano 33 BLE (nRF52840)", 1 << 20, 256 << 10},
      {"rpi-pico", "cortex-m0plus", "Raspberry Pi Pico (RP2040, 2 MiB QSPI flash)", 2 << 20, 264 << 10},
  };
  return boards;
}

Expected<Board> FindBoard(const std::string& name) {
  std::string names;
  for (const Board& b : KnownBoards()) {
    if (name == b.name) return b;
    names += (names.empty() ? "" : ", ") + std::string(b.name);
  }
  return MakeDiag(kUnknownBoard, ExitCode::kUsage, "unknown board '" + name + "'", "known boards: " + names);
}

namespace {

// ---------------------------------------------------------------- page parts

const char* kStyle = R"(body{font-family:sans-serif;margin:24px;color:#222;background:#fff;max-width:1300px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:3px}
p.sub{color:#555;margin:0 0 12px}
table{border-collapse:collapse;font-size:12px}td,th{padding:2px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.q{white-space:nowrap;color:#444}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:18px}.card span{color:#555;font-size:12px}
.barcell{width:120px;min-width:120px}.bar{height:10px;background:#4e79a7}.bar.i{background:#e15759}.bar.p{background:#59a14f}
.over{color:#b00;font-weight:bold}.ok{color:#070}
#layers td:last-child{max-width:220px;overflow-wrap:anywhere;word-break:break-all}
svg text{font-family:sans-serif}
)";

std::string Card(const std::string& value, const std::string& label) {
  return "<div class=\"card\"><b>" + Esc(value) + "</b><span>" + Esc(label) + "</span></div>\n";
}

std::string BarCell(double v, double max, const char* cls) {
  return "<td class=\"barcell\"><div class=\"bar" + std::string(cls) + "\" style=\"width:" + Percent(v, max) +
         "%\"></div></td>";
}

// The producer node of every tensor (-1: graph input or constant).
std::vector<int> Producers(const ir::Graph& g) {
  std::vector<int> prod(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (ir::TensorId t : g.nodes[i].outputs)
      if (t >= 0 && static_cast<size_t>(t) < prod.size()) prod[static_cast<size_t>(t)] = static_cast<int>(i);
  return prod;
}

// The graph as a column of boxes in execution order; an edge that skips
// nodes is drawn as an arc on the right.
std::string GraphSvg(const ir::Graph& g) {
  const int box_w = 420, box_h = 24, gap = 12, left = 10, top = 10;
  const int rows = static_cast<int>(g.nodes.size()) + 2;  // inputs, nodes, outputs
  const std::vector<int> prod = Producers(g);
  auto y_of = [&](int row) { return top + row * (box_h + gap); };
  std::string s;
  int max_arc = 0;
  std::string arcs, boxes;
  auto box = [&](int row, const std::string& fill, const std::string& label, const std::string& title) {
    boxes += "<g><title>" + Esc(title) + "</title><rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(y_of(row)) +
             "\" width=\"" + std::to_string(box_w) + "\" height=\"" + std::to_string(box_h) + "\" rx=\"4\" fill=\"" + fill +
             "\" stroke=\"#555\"/><text x=\"" + std::to_string(left + 6) + "\" y=\"" + std::to_string(y_of(row) + 16) +
             "\" font-size=\"12\">" + Esc(label) + "</text></g>\n";
  };
  std::string in_label = "input";
  for (ir::TensorId t : g.inputs) in_label += " " + g.tensor(t).name + " " + TensorText(g.tensor(t));
  box(0, "#e8f0fa", Short(in_label, 64), in_label);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    std::string label = std::to_string(i) + "  " + ir::OpIrName(n.op);
    if (!n.outputs.empty()) {
      const ir::Tensor& o = g.tensor(n.outputs[0]);
      label += "  \xe2\x86\x92 " + TensorText(o);
      if (o.quant && !o.quant->per_axis()) label += "  (" + QuantText(o) + ")";
    }
    box(static_cast<int>(i) + 1, "#fff", Short(label, 70), label + (n.name.empty() ? "" : "\n" + n.name));
    const int row = static_cast<int>(i) + 1;
    for (ir::TensorId t : n.inputs) {
      if (t < 0 || g.tensor(t).is_const()) continue;
      const int p = prod[static_cast<size_t>(t)];
      const int from_row = p < 0 ? 0 : p + 1;
      if (from_row == row - 1) {
        arcs += "<line x1=\"" + std::to_string(left + 30) + "\" y1=\"" + std::to_string(y_of(from_row) + box_h) + "\" x2=\"" +
                std::to_string(left + 30) + "\" y2=\"" + std::to_string(y_of(row)) + "\" stroke=\"#555\" marker-end=\"url(#arr)\"/>\n";
      } else {
        const int span = row - from_row;
        const int dx = std::min(20 + 6 * span, 120);
        max_arc = std::max(max_arc, dx);
        const int x = left + box_w, y1 = y_of(from_row) + box_h / 2, y2 = y_of(row) + box_h / 2;
        arcs += "<path d=\"M" + std::to_string(x) + " " + std::to_string(y1) + " C" + std::to_string(x + dx) + " " +
                std::to_string(y1) + " " + std::to_string(x + dx) + " " + std::to_string(y2) + " " + std::to_string(x) + " " +
                std::to_string(y2) + "\" fill=\"none\" stroke=\"#e15759\" marker-end=\"url(#arr)\"/>\n";
      }
    }
  }
  std::string out_label = "output";
  for (ir::TensorId t : g.outputs) out_label += " " + g.tensor(t).name + " " + TensorText(g.tensor(t));
  const int out_row = rows - 1;
  box(out_row, "#e8f0fa", Short(out_label, 64), out_label);
  if (!g.nodes.empty())
    arcs += "<line x1=\"" + std::to_string(left + 30) + "\" y1=\"" + std::to_string(y_of(out_row - 1) + box_h) + "\" x2=\"" +
            std::to_string(left + 30) + "\" y2=\"" + std::to_string(y_of(out_row)) + "\" stroke=\"#555\" marker-end=\"url(#arr)\"/>\n";
  const int w = left + box_w + max_arc + 20, h = y_of(rows) + 4;
  s += "<svg width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(h) +
       "\" viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) + "\" role=\"img\" aria-label=\"model graph\">\n"
       "<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" "
       "orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" fill=\"#555\"/></marker></defs>\n";
  s += arcs + boxes + "</svg>\n";
  return s;
}

struct Peak {
  int step = 0;
  int64_t bytes = 0;
};

// The step at which the arena buffers live together take the most bytes.
Peak PlanPeak(const memory::MemoryPlan& plan, int steps) {
  Peak best{-1, -1};
  for (int s = -1; s <= steps; ++s) {
    int64_t live = 0;
    for (const auto& a : plan.allocations)
      if (a.in_arena && !a.aliased && a.first <= s && s <= a.last) live += a.bytes;
    if (live > best.bytes) best = {s, live};
  }
  return best;
}

std::string AllocName(const ir::Graph& g, const memory::Allocation& a) {
  if (a.tensor == ir::kNoTensor) return "scratch of node " + std::to_string(a.node);
  return g.tensor(a.tensor).name;
}

// Arena offset (up) against execution step (right): one rectangle per buffer.
std::string PlanSvg(const ir::Graph& g, const memory::MemoryPlan& plan, const Peak& peak) {
  const int steps = static_cast<int>(g.nodes.size());
  const int left = 80, top = 20, plot_w = 860, plot_h = 320, bottom = 40;
  const int cols = steps + 2;  // step -1 (inputs) .. steps (outputs)
  const double col_w = static_cast<double>(plot_w) / cols;
  const double arena = static_cast<double>(std::max<int64_t>(plan.arena_bytes, 1));
  auto x_of = [&](int step) { return left + (step + 1) * col_w; };
  auto y_of = [&](double offset) { return top + plot_h - offset / arena * plot_h; };
  std::string s;
  const int w = left + plot_w + 20, h = top + plot_h + bottom;
  s += "<svg width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(h) +
       "\" viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) + "\" role=\"img\" aria-label=\"memory plan\">\n";
  s += "<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(top) + "\" width=\"" + std::to_string(plot_w) +
       "\" height=\"" + std::to_string(plot_h) + "\" fill=\"#fafafa\" stroke=\"#999\"/>\n";
  if (peak.step >= -1) {
    s += "<rect x=\"" + Fmt("%.1f", x_of(peak.step)) + "\" y=\"" + std::to_string(top) + "\" width=\"" + Fmt("%.1f", col_w) +
         "\" height=\"" + std::to_string(plot_h) + "\" fill=\"#ffe9a8\" stroke=\"#d4a000\" stroke-dasharray=\"4 3\"/>\n";
  }
  size_t k = 0;
  for (const auto& a : plan.allocations) {
    if (!a.in_arena || a.bytes <= 0) continue;
    const double y1 = y_of(static_cast<double>(a.offset + a.bytes)), y2 = y_of(static_cast<double>(a.offset));
    const double hh = std::max(1.0, y2 - y1);
    const std::string name = AllocName(g, a);
    const char* colour = a.tensor == ir::kNoTensor ? "#bab0ac" : kPalette[k++ % 8];
    s += "<rect x=\"" + Fmt("%.1f", x_of(a.first) + 1) + "\" y=\"" + Fmt("%.1f", y1) + "\" width=\"" +
         Fmt("%.1f", std::max(1.0, (a.last - a.first + 1) * col_w - 2)) + "\" height=\"" + Fmt("%.1f", hh) + "\" fill=\"" +
         colour + "\" fill-opacity=\"" + (a.aliased ? "0.35" : "0.8") + "\" stroke=\"#333\" stroke-width=\"0.5\"><title>" +
         Esc(name + ": " + Grouped(a.bytes) + " B at offset " + Grouped(a.offset) + ", steps " + std::to_string(a.first) +
             ".." + std::to_string(a.last) + (a.aliased ? " (shares another buffer's bytes)" : "")) +
         "</title></rect>\n";
  }
  // Axes: offsets at 0, half and the arena size; every step (or every k-th).
  for (int i = 0; i <= 2; ++i) {
    const double off = arena * i / 2.0;
    s += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + Fmt("%.1f", y_of(off) + 4) +
         "\" font-size=\"11\" text-anchor=\"end\">" + Grouped(static_cast<int64_t>(off)) + "</text>\n";
  }
  const int every = std::max(1, cols / 24);
  for (int st = -1; st <= steps; st += every) {
    s += "<text x=\"" + Fmt("%.1f", x_of(st) + col_w / 2) + "\" y=\"" + std::to_string(top + plot_h + 14) +
         "\" font-size=\"10\" text-anchor=\"middle\">" + (st < 0 ? std::string("in") : st == steps ? std::string("out") : std::to_string(st)) +
         "</text>\n";
  }
  s += "<text x=\"" + std::to_string(left + plot_w / 2) + "\" y=\"" + std::to_string(top + plot_h + 32) +
       "\" font-size=\"12\" text-anchor=\"middle\">execution step (node)</text>\n";
  s += "<text x=\"14\" y=\"" + std::to_string(top + plot_h / 2) + "\" font-size=\"12\" transform=\"rotate(-90 14 " +
       std::to_string(top + plot_h / 2) + ")\" text-anchor=\"middle\">arena offset (bytes)</text>\n";
  if (peak.step >= -1) {
    const double px = x_of(peak.step) + col_w / 2;
    s += "<text x=\"" + Fmt("%.1f", std::min(px, static_cast<double>(left + plot_w - 120))) + "\" y=\"" +
         std::to_string(top - 6) + "\" font-size=\"11\" fill=\"#8a6d00\">peak: " + Grouped(peak.bytes) + " B at step " +
         std::to_string(peak.step) + "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

std::string BudgetRow(const std::string& what, int64_t need, int64_t limit, const std::string& detail) {
  const bool fits = need <= limit;
  return "<tr><td>" + Esc(what) + "</td><td class=\"n\">" + Grouped(need) + " B</td><td class=\"n\">" + Grouped(limit) +
         " B</td><td class=\"n\">" + Percent(static_cast<double>(need), static_cast<double>(limit)) + " %</td>" +
         BarCell(static_cast<double>(need), static_cast<double>(limit), fits ? "" : " i") + "<td class=\"" +
         (fits ? "ok\">fits" : "over\">does not fit") + "</td><td>" + Esc(detail) + "</td></tr>\n";
}

}  // namespace

std::string RenderHtml(const ReportInputs& in) {
  const ir::Graph& g = *in.graph;
  const codegen::c::GeneratedModel& m = *in.compiled;
  const memory::GraphFigures f = memory::Analyze(g);
  const Profile* prof = in.profile;
  int64_t prof_total = 0;
  if (prof) {
    for (const auto& l : prof->layers) prof_total += l.instructions;
    if (prof->instructions > 0) prof_total = std::max(prof_total, prof->instructions);
  }
  const bool io_in_arena = std::all_of(m.plan.allocations.begin(), m.plan.allocations.end(),
                                       [](const memory::Allocation& a) { return a.in_arena || a.in_state; });
  const int64_t ram = m.workspace_bytes + m.plan.state_bytes + (io_in_arena ? 0 : m.io_bytes);
  const Peak peak = PlanPeak(m.plan, static_cast<int>(g.nodes.size()));

  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ember report: " + Esc(in.model_name) +
       "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n";
  h += "<h1 id=\"model\">" + Esc(in.model_name) + "</h1>\n";
  h += "<p class=\"sub\">ember report of the " + Esc(in.source_kind) + " <code>" + Esc(in.source) + "</code>, target " +
       Esc(in.target) + (prof ? ", profile <code>" + Esc(prof->source) + "</code>" + (prof->core.empty() ? "" : " (" + Esc(prof->core) + ")") : "") +
       (in.board ? ", board " + Esc(in.board->name) : "") + "</p>\n";

  h += "<div class=\"cards\" id=\"totals\">\n";
  h += Card(Grouped(static_cast<int64_t>(g.nodes.size())), "nodes");
  h += Card(Grouped(f.macs), "MACs per inference");
  h += Card(Grouped(f.param_bytes) + " B", "parameter bytes");
  h += Card(Grouped(m.constants_bytes) + " B", "weights in flash");
  h += Card(Grouped(m.workspace_bytes) + " B", "arena");
  h += Card(Grouped(ram) + " B", io_in_arena ? "RAM (inputs and outputs in the arena)" : "RAM (arena + inputs and outputs)");
  if (prof) {
    h += Card(Grouped(prof_total), "instructions per inference (measured)");
    if (f.macs > 0) h += Card(Fmt("%.2f", static_cast<double>(prof_total) / static_cast<double>(f.macs)), "instructions per MAC");
  }
  if (prof && prof->code_bytes >= 0) h += Card(Grouped(prof->code_bytes) + " B", "model code in flash (measured)");
  h += "</div>\n";

  if (in.targets.size() > 1) {
    h += "<h2>Targets</h2>\n<p class=\"sub\">The same graph planned for each target (kernel scratch differs with the "
         "instruction set); instructions and code from the profile where it has the core. The rest of the page is about " +
         Esc(in.target) + ".</p>\n<table id=\"targets\"><tr><th>target</th><th>arena</th><th>RAM</th><th>weights</th>"
         "<th>code</th><th>instructions</th><th>per MAC</th></tr>\n";
    for (const TargetFigures& t : in.targets) {
      auto known = [](int64_t v, const std::string& unit) { return v < 0 ? std::string("-") : Grouped(v) + unit; };
      h += "<tr><td>" + Esc(t.target) + "</td><td class=\"n\">" + Grouped(t.arena_bytes) + " B</td><td class=\"n\">" +
           Grouped(t.ram_bytes) + " B</td><td class=\"n\">" + Grouped(t.weights_bytes) + " B</td><td class=\"n\">" +
           known(t.code_bytes, " B") + "</td><td class=\"n\">" + known(t.instructions, "") + "</td><td class=\"n\">" +
           (t.instructions >= 0 && f.macs > 0 ? Fmt("%.2f", static_cast<double>(t.instructions) / static_cast<double>(f.macs))
                                              : std::string("-")) +
           "</td></tr>\n";
    }
    h += "</table>\n";
  }

  // Inputs and outputs.
  h += "<h2>Inputs and outputs</h2>\n<table><tr><th></th><th>name</th><th>type</th><th>bytes</th><th>quantization</th></tr>\n";
  for (ir::TensorId t : g.inputs)
    h += "<tr><td>input</td><td>" + Esc(g.tensor(t).name) + "</td><td>" + Esc(TensorText(g.tensor(t))) + "</td><td class=\"n\">" +
         Grouped(g.tensor(t).size_bytes()) + "</td><td>" + Esc(QuantText(g.tensor(t))) + "</td></tr>\n";
  for (ir::TensorId t : g.outputs)
    h += "<tr><td>output</td><td>" + Esc(g.tensor(t).name) + "</td><td>" + Esc(TensorText(g.tensor(t))) + "</td><td class=\"n\">" +
         Grouped(g.tensor(t).size_bytes()) + "</td><td>" + Esc(QuantText(g.tensor(t))) + "</td></tr>\n";
  h += "</table>\n";

  // Layers.
  int64_t max_macs = 1, max_params = 1, max_instr = 1;
  for (const auto& n : f.nodes) {
    max_macs = std::max(max_macs, n.macs);
    max_params = std::max(max_params, n.param_bytes);
  }
  if (prof)
    for (const auto& l : prof->layers) max_instr = std::max(max_instr, l.instructions);
  h += "<h2>Layers</h2>\n<p class=\"sub\">In execution order, after ember's passes. Bars: MACs (blue), parameter bytes "
       "(green)" + std::string(prof ? ", measured instructions (red)" : "") + ", each against the largest layer.</p>\n";
  h += "<table id=\"layers\"><tr><th>#</th><th>op</th><th>inputs</th><th>output</th><th>quantization</th><th>MACs</th><th></th>"
       "<th>params (B)</th><th></th>";
  if (prof) h += "<th>instructions</th><th>share</th><th></th><th>per MAC</th>";
  h += "<th>name</th></tr>\n";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    const auto& nf = f.nodes[i];
    std::string ins, quant;
    for (ir::TensorId t : n.inputs) {
      if (t < 0) continue;
      const ir::Tensor& tt = g.tensor(t);
      ins += (ins.empty() ? "" : "<br>") + Esc((tt.is_const() ? "const " : "") + TensorText(tt));
      if (tt.is_const() && tt.quant)
        quant += (quant.empty() ? "" : "<br>") + Esc((tt.dtype == ir::DType::kInt32 ? "bias: " : "weights: ") + QuantText(tt));
    }
    std::string out;
    for (ir::TensorId t : n.outputs) {
      out += (out.empty() ? "" : "<br>") + Esc(TensorText(g.tensor(t)));
      if (g.tensor(t).quant) quant = Esc("out: " + QuantText(g.tensor(t))) + (quant.empty() ? "" : "<br>" + quant);
    }
    h += "<tr><td class=\"n\">" + std::to_string(i) + "</td><td>" + ir::OpIrName(n.op) + "</td><td class=\"q\">" + ins + "</td><td class=\"q\">" + out +
         "</td><td class=\"q\">" + quant + "</td><td class=\"n\">" + Grouped(nf.macs) + "</td>" +
         BarCell(static_cast<double>(nf.macs), static_cast<double>(max_macs), "") + "<td class=\"n\">" + Grouped(nf.param_bytes) +
         "</td>" + BarCell(static_cast<double>(nf.param_bytes), static_cast<double>(max_params), " p");
    if (prof) {
      const int64_t ins_n = prof->layers[i].instructions;
      h += "<td class=\"n\">" + Grouped(ins_n) + "</td><td class=\"n\">" +
           Percent(static_cast<double>(ins_n), static_cast<double>(prof_total)) + " %</td>" +
           BarCell(static_cast<double>(ins_n), static_cast<double>(max_instr), " i") + "<td class=\"n\">" +
           (nf.macs > 0 ? Fmt("%.2f", static_cast<double>(ins_n) / static_cast<double>(nf.macs)) : std::string()) + "</td>";
    }
    h += "<td title=\"" + Esc(n.name) + "\">" + Esc(Short(n.name, 36)) + "</td></tr>\n";
  }
  h += "<tr><th></th><th>total</th><th></th><th></th><th></th><td class=\"n\"><b>" + Grouped(f.macs) + "</b></td><td></td><td class=\"n\"><b>" +
       Grouped(f.param_bytes) + "</b></td><td></td>";
  if (prof) h += "<td class=\"n\"><b>" + Grouped(prof_total) + "</b></td><td></td><td></td><td></td>";
  h += "<td></td></tr>\n</table>\n";

  h += "<h2>Graph</h2>\n<p class=\"sub\">One box per node in execution order; red arcs are edges that skip nodes.</p>\n";
  h += GraphSvg(g);

  // Memory plan.
  h += "<h2>Memory plan</h2>\n<p class=\"sub\">The arena of " + Grouped(m.plan.arena_bytes) + " bytes (" + Esc(m.plan.algorithm) +
       ", alignment " + std::to_string(m.plan.alignment) + "): one rectangle per buffer, from the step that writes it to the "
       "last step that reads it, at its offset in the arena. Pale rectangles share another buffer's bytes; grey ones are "
       "kernel scratch. The highlighted column is the peak: " + Grouped(peak.bytes) + " bytes live at step " +
       std::to_string(peak.step) + (peak.step >= 0 && peak.step < static_cast<int>(g.nodes.size())
                                        ? std::string(" (") + ir::OpIrName(g.nodes[static_cast<size_t>(peak.step)].op) + ")"
                                        : std::string()) +
       "." + (io_in_arena ? "" : " Inputs and outputs stay in the caller's buffers (" + Grouped(m.io_bytes) + " bytes).") +
       "</p>\n";
  h += PlanSvg(g, m.plan, peak);

  // Budgets.
  if (in.board) {
    const Board& b = *in.board;
    const int64_t code = prof && prof->code_bytes >= 0 ? prof->code_bytes : 0;
    h += "<h2>Budget on " + Esc(b.name) + "</h2>\n<p class=\"sub\">" + Esc(b.description) + ": " + Bytes(b.flash_bytes) +
         " flash, " + Bytes(b.ram_bytes) + " RAM. The model's needs only: the application, its stack and the runtime come on top." +
         (b.core != in.target ? " Note: the board's core is " + std::string(b.core) + ", the report's target " + Esc(in.target) + "." : "") +
         "</p>\n<table id=\"budget\"><tr><th></th><th>needs</th><th>board</th><th>share</th><th></th><th></th><th></th></tr>\n";
    h += BudgetRow("flash", m.constants_bytes + code, b.flash_bytes,
                   code > 0 ? "weights " + Grouped(m.constants_bytes) + " B + code " + Grouped(code) + " B"
                            : "weights only (the code size is measured with a profile from make bench or make demo)");
    h += BudgetRow("RAM", ram, b.ram_bytes,
                   "arena " + Grouped(m.workspace_bytes) + " B" + (io_in_arena ? "" : " + inputs and outputs " + Grouped(m.io_bytes) + " B"));
    h += "</table>\n";
  }
  h += "<p class=\"sub\">Made by ember report.</p>\n</body>\n</html>\n";
  return h;
}

}  // namespace ember::report
