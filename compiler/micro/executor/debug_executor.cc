#include "micro/executor/debug_executor.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <numeric>

#include <nlohmann/json.hpp>

#include "support/npy.h"
#include "support/json_text.h"
#include "support/safe_fs.h"

namespace ember::micro {
namespace fs = std::filesystem;

std::string NpyDescr(const std::string& dtype) {
  if (dtype == "int8") return "|i1";
  if (dtype == "uint8" || dtype == "bool") return "|u1";
  if (dtype == "int16") return "<i2";
  if (dtype == "int32") return "<i4";
  if (dtype == "int64") return "<i8";
  if (dtype == "float32") return "<f4";
  if (dtype == "float64") return "<f8";
  return "";
}

namespace {

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

void WriteText(const fs::path& p, const std::string& text) {
  const Status st = WriteFileAtomic(p.string(), text);
  if (!st.ok()) throw GraphError(st.diag().message);
}

// A file name from the graph's function name: letters, digits, '_', '-' and
// '.' only (no '/', no leading '.'), so a dump never leaves its folder.
std::string SafeFileName(std::string name) {
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') c = '_';
  if (name.empty() || name[0] == '.') name.insert(name.begin(), '_');
  return name.substr(0, 128);
}

}  // namespace

DebugExecutor::DebugExecutor(std::string_view graph_json, RpcClient& rpc, uint32_t ticks_per_second,
                             fs::path dump_root, std::string device_name)
    : graph_(graph_json, rpc), ticks_per_second_(ticks_per_second) {
  std::replace(device_name.begin(), device_name.end(), ':', '_');
  dump_dir_ = dump_root / ("_tvmdbg_device_" + SafeFileName(device_name));
  fs::create_directories(dump_dir_ / "outputs");
  nlohmann::ordered_json dump = ParseJsonText<nlohmann::ordered_json>(graph_json);
  WriteText(dump_dir_ / "_tvmdbg_graph_dump.json", DumpJson(dump, 2) + "\n");
}

std::vector<NodeReport> DebugExecutor::Run(uint32_t number, uint32_t repeat) {
  graph_.Run();  // warm-up
  std::vector<NodeReport> reports;
  const auto& nodes = graph_.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].op != "tvm_op") continue;
    NodeReport r;
    r.node = i;
    r.name = nodes[i].name;
    r.func_name = nodes[i].func_name;
    const GraphEntry& out = graph_.entries()[nodes[i].first_entry];
    r.shape = ShapeText(out.shape);
    r.dtype = out.dtype;
    r.ticks = graph_.TimeNode(i, number, repeat);
    const double total = std::accumulate(r.ticks.begin(), r.ticks.end(), 0.0);
    if (ticks_per_second_ > 0 && number > 0 && !r.ticks.empty())
      r.time_us = total / static_cast<double>(r.ticks.size()) / number * 1e6 / ticks_per_second_;
    reports.push_back(std::move(r));
  }
  // Node by node, reading every output back (inputs were set by the caller).
  size_t k = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    graph_.RunNode(i);
    if (nodes[i].op != "tvm_op") continue;
    NodeReport& r = reports[k++];
    const GraphEntry& out = graph_.entries()[nodes[i].first_entry];
    NpyArray a{NpyDescr(out.dtype), out.shape, graph_.ReadEntry(nodes[i].first_entry)};
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%03zu_", i);
    r.output_file = "outputs/" + std::string(prefix) + SafeFileName(r.func_name) + ".npy";
    const auto bytes = SerializeNpy(a);
    WriteText(dump_dir_ / r.output_file, std::string(bytes.begin(), bytes.end()));
  }
  // Chrome trace: the nodes back to back with their mean times.
  nlohmann::ordered_json trace = nlohmann::ordered_json::array();
  double ts = 0;
  for (const NodeReport& r : reports) {
    trace.push_back({{"name", r.func_name}, {"cat", "op"}, {"ph", "X"}, {"ts", ts}, {"dur", r.time_us},
                     {"pid", 1}, {"tid", 1}, {"args", {{"node", r.name}, {"shape", r.shape}}}});
    ts += r.time_us;
  }
  WriteText(dump_dir_ / "_tvmdbg_execution_trace.json", DumpJson(nlohmann::ordered_json{{"traceEvents", trace}}, 1) + "\n");
  WriteText(dump_dir_ / "table.txt", Table(reports));
  return reports;
}

std::string DebugExecutor::Table(const std::vector<NodeReport>& reports, bool sort_by_time) const {
  std::vector<const NodeReport*> rows;
  for (const auto& r : reports) rows.push_back(&r);
  if (sort_by_time)
    std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->time_us > b->time_us; });
  double total = 0;
  for (const auto& r : reports) total += r.time_us;
  std::string s;
  char line[512];
  std::snprintf(line, sizeof line, "%-32s %-34s %10s %8s %-18s %6s %7s  %s\n", "Node Name", "Ops", "Time(us)",
                "Time(%)", "Shape", "Inputs", "Outputs", "Measurements(us)");
  s += line;
  for (const NodeReport* r : rows) {
    const GraphNode& n = graph_.nodes()[r->node];
    std::string meas = "[";
    for (size_t i = 0; i < r->ticks.size(); ++i) {
      char m[32];
      const double us = ticks_per_second_ ? r->ticks[i] * 1e6 / ticks_per_second_ : 0.0;
      std::snprintf(m, sizeof m, "%s%.3f", i ? ", " : "", us);
      meas += m;
    }
    meas += "]";
    std::string name = r->name.size() > 32 ? r->name.substr(0, 29) + "..." : r->name;
    std::snprintf(line, sizeof line, "%-32s %-34s %10.3f %8.2f %-18s %6zu %7u  %s\n", name.c_str(),
                  r->func_name.c_str(), r->time_us, total > 0 ? 100.0 * r->time_us / total : 0.0, r->shape.c_str(),
                  n.inputs.size(), n.num_outputs, meas.c_str());
    s += line;
  }
  std::snprintf(line, sizeof line, "%-32s %-34s %10.3f\n", "Total_time", "-", total);
  return s + line;
}

}  // namespace ember::micro
