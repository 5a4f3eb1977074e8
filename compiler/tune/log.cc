#include "tune/log.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#ifndef EMBER_VERSION
#error "EMBER_VERSION must be defined by the build (compiler/CMakeLists.txt)"
#endif

namespace ember::tune {
namespace {

using Json = nlohmann::ordered_json;

// Reads field `name` of the right type into `out`; false when absent or of another type.
template <typename T>
bool Field(const Json& j, const char* name, T* out) {
  auto it = j.find(name);
  if (it == j.end()) return false;
  try {
    *out = it->get<T>();
  } catch (const Json::exception&) {
    return false;
  }
  return true;
}

// Parses one record; "" on success, else what is wrong.
std::string ParseRecord(const Json& j, Record* r) {
  if (!j.is_object()) return "not a JSON object";
  if (!Field(j, "ember", &r->ember) || !Field(j, "task", &r->task))
    return "not an ember tuning record (no \"ember\" and \"task\" fields)";
  if (!Field(j, "format", &r->format)) return "no \"format\" field";
  if (!Field(j, "target", &r->target) || !Field(j, "board", &r->board) || !Field(j, "kernel", &r->kernel))
    return "missing \"target\", \"board\" or \"kernel\"";
  auto s = j.find("schedule");
  if (s == j.end() || !s->is_object()) return "no \"schedule\" object";
  for (const auto& [k, v] : s->items()) {
    if (!v.is_number_integer()) return "schedule knob \"" + k + "\" is not an integer";
    r->schedule.knobs[k] = v.get<int64_t>();
  }
  if (!Field(j, "default", &r->is_default)) return "no \"default\" field";
  Field(j, "layers", &r->layers);
  auto err = j.find("error");
  if (err != j.end() && err->is_string()) r->error = err->get<std::string>();
  else if (err != j.end() && !err->is_null()) return "\"error\" is neither a string nor null";
  if (r->error.empty()) {
    if (!Field(j, "min_ticks", &r->min_ticks) || !Field(j, "median_ticks", &r->median_ticks))
      return "a record without error needs \"min_ticks\" and \"median_ticks\"";
    if (!(r->min_ticks >= 0) || !(r->median_ticks >= r->min_ticks)) return "impossible ticks";
  }
  Field(j, "number", &r->number);
  Field(j, "repeat", &r->repeat);
  Field(j, "ticks_per_second", &r->ticks_per_second);
  return "";
}

}  // namespace

const char* EmberVersion() { return EMBER_VERSION; }

std::string RecordToJson(const Record& r) {
  Json j;
  j["ember"] = r.ember;
  j["format"] = r.format;
  j["target"] = r.target;
  j["board"] = r.board;
  j["task"] = r.task;
  j["kernel"] = r.kernel;
  Json s = Json::object();
  for (const auto& [k, v] : r.schedule.knobs) s[k] = v;
  j["schedule"] = s;
  j["default"] = r.is_default;
  j["layers"] = r.layers;
  if (r.ok()) {
    j["min_ticks"] = r.min_ticks;
    j["median_ticks"] = r.median_ticks;
  }
  j["number"] = r.number;
  j["repeat"] = r.repeat;
  j["ticks_per_second"] = r.ticks_per_second;
  j["error"] = r.ok() ? Json(nullptr) : Json(r.error);
  return j.dump();
}

Expected<Log> ReadLog(const std::string& path, const std::string& target, const std::string& board,
                      bool missing_ok) {
  Log log;
  std::ifstream in(path);
  if (!in) {
    if (missing_ok) return log;
    return MakeDiag("E1602", ExitCode::kUsage, "cannot read the tuning log '" + path + "'",
                    "give the .jsonl file that `ember tune --log FILE` wrote");
  }
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      log.skipped.push_back({n, "not JSON (a line cut short by an interrupted run, or not a tuning log)"});
      continue;
    }
    Record r;
    if (std::string why = ParseRecord(j, &r); !why.empty()) {
      log.skipped.push_back({n, why});
      continue;
    }
    if (r.ember != EmberVersion() || r.format != kLogFormat) {
      return MakeDiag("E1601", ExitCode::kUsage,
                      path + " line " + std::to_string(n) + ": the log was written by ember " + r.ember +
                          " (log format " + std::to_string(r.format) + "); this is ember " + EmberVersion() +
                          ": its measurements may not hold for this version's kernels",
                      "tune again with a new --log file (kernels change between versions)");
    }
    if (!target.empty() && r.target != target) {
      return MakeDiag("E1601", ExitCode::kUsage,
                      path + " line " + std::to_string(n) + ": the log is for target " + r.target + ", not " + target,
                      "use the log tuned for --target " + target + ", or tune that target with its own --log file");
    }
    if (!board.empty() && r.board != board) {
      return MakeDiag("E1601", ExitCode::kUsage,
                      path + " line " + std::to_string(n) + ": the log was measured on board " + r.board +
                          ", not " + board,
                      "give each board its own --log file");
    }
    log.records.push_back(std::move(r));
  }
  return log;
}

Status AppendRecord(const std::string& path, const Record& r) {
  // A log cut short inside a line (an interrupted run) ends without a
  // newline: the record starts on a line of its own, or it would be read as
  // part of the broken line and lost.
  bool starts_line = true;
  if (std::FILE* in = std::fopen(path.c_str(), "rb")) {
    if (std::fseek(in, -1, SEEK_END) == 0) starts_line = std::fgetc(in) == '\n';
    std::fclose(in);
  }
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr)
    return MakeDiag("E1603", ExitCode::kFailure, "cannot append to the tuning log '" + path + "'",
                    "check that its folder exists and is writable");
  const std::string line = (starts_line ? "" : "\n") + RecordToJson(r) + "\n";
  const bool ok = std::fwrite(line.data(), 1, line.size(), f) == line.size() && std::fflush(f) == 0;
  std::fclose(f);
  if (!ok) return MakeDiag("E1603", ExitCode::kFailure, "cannot append to the tuning log '" + path + "'", "");
  return Status::Ok();
}

std::map<std::string, TaskBest> BestPerTask(const Log& log) {
  std::map<std::string, TaskBest> out;
  std::map<std::string, std::vector<const Record*>> good;
  std::set<std::string> seen;
  for (const Record& r : log.records) {
    if (!seen.insert(r.Id()).second) continue;  // a repeated measurement counts once (the first)
    TaskBest& b = out[r.task];
    ++b.measured;
    if (!r.ok()) {
      ++b.errors;
      continue;
    }
    if (r.is_default && b.default_record == nullptr) b.default_record = &r;
    good[r.task].push_back(&r);
  }
  // The fastest; candidates within the timer's resolution of it (one tick
  // per measurement, 1/number per call) are ties: the default wins a tie,
  // else the first schedule in text order, whatever the order of the log
  // (a resumed run's log has another order).
  for (auto& [task, rs] : good) {
    const Record* fastest = *std::min_element(rs.begin(), rs.end(), [](const Record* a, const Record* b) {
      return a->min_ticks < b->min_ticks;
    });
    const double tol = 1.0 / std::max<uint32_t>(1, fastest->number) + 1e-9;
    const Record* pick = nullptr;
    for (const Record* r : rs) {
      if (r->min_ticks > fastest->min_ticks + tol) continue;
      if (pick == nullptr || (r->is_default && !pick->is_default) ||
          (r->is_default == pick->is_default && r->schedule.ToString() < pick->schedule.ToString()))
        pick = r;
    }
    out[task].best = pick;
  }
  for (auto it = out.begin(); it != out.end();) it = it->second.best == nullptr ? out.erase(it) : std::next(it);
  return out;
}

}  // namespace ember::tune
