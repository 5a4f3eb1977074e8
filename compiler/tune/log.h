// The tuning log (docs/tuning.md): one JSON object per line, one line per
// measured candidate, appended as the measurements come in, so that an
// interrupted `ember tune` resumes without measuring anything twice and
// `ember compile --tuning-log` picks the best schedule per layer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c/schedule.h"
#include "support/status.h"

namespace ember::tune {

inline constexpr int kLogFormat = 1;

// The ember version that writes logs (the build's).
const char* EmberVersion();

struct Record {
  std::string ember = EmberVersion();  // the ember version that measured it
  int format = kLogFormat;
  std::string target;                  // --target of the kernels (cortex-m4, ...)
  std::string board;                   // the template's board ("" for the host template)
  std::string task;                    // the task key (tune/task.h)
  std::string kernel;                  // the tunable kernel ("dsp.conv2d", ...)
  codegen::c::Schedule schedule;       // every knob set
  bool is_default = false;             // the emitter's default schedule
  int64_t layers = 0;                  // layers of the model in the task
  double min_ticks = 0, median_ticks = 0;  // device ticks per call
  uint32_t number = 0, repeat = 0;     // calls per measurement, measurements
  uint32_t ticks_per_second = 0;       // the device timer's rate (0: unknown)
  std::string error;                   // "" when the candidate ran and its output was right
  bool ok() const { return error.empty(); }
  // The identity of a measurement: what a resumed run does not measure again.
  std::string Id() const { return task + "|" + (is_default ? "default" : schedule.ToString()); }
};

// One JSON line (no newline).
std::string RecordToJson(const Record& r);

struct LogIssue {
  int64_t line = 0;
  std::string message;
};

struct Log {
  std::vector<Record> records;    // in file order, the good lines only
  std::vector<LogIssue> skipped;  // malformed or foreign lines (reported, not used)
};

// Reads a log. A line that is not JSON, or JSON that is not an ember tuning
// record, is skipped and listed in `skipped` with its line number. A missing
// file is an empty log when `missing_ok`. Fails (E1601, exit 2) when a record
// was written by another ember version, or for another target than `target`
// or board than `board` (each checked only when not empty): such a log
// cannot be mixed with this run's measurements.
Expected<Log> ReadLog(const std::string& path, const std::string& target, const std::string& board,
                      bool missing_ok);

// Appends one record and flushes, so that a killed run loses at most the
// measurement in progress.
Status AppendRecord(const std::string& path, const Record& r);

// Per task: the default's record and the best record: the fewest ticks
// among the good ones, where records within the timer's resolution of the
// fastest (one tick per measurement) are ties, won by the default, else by
// the first schedule in text order (independent of the log's order). Tasks
// without a good record are absent.
struct TaskBest {
  const Record* default_record = nullptr;
  const Record* best = nullptr;
  int64_t measured = 0, errors = 0;
};
std::map<std::string, TaskBest> BestPerTask(const Log& log);

}  // namespace ember::tune
