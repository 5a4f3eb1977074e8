// `ember tune`: measures the candidate schedules of a model's tasks on a
// device through the Project API and a host-driven session (docs/tuning.md).
//
// Every batch of candidates becomes ONE firmware: a graph holding one node
// per candidate (built with the graph executor, so each is an operator
// callable by name), generated with the template, built and started. Over
// the session each task's inputs are written once into device memory; each
// candidate is called, its output read back and compared byte for byte with
// the reference evaluator (a wrong one is logged as an error and can never
// be selected), then timed with the device timer (RPC TIME: `repeat`
// measurements of `number` calls; min and median per call). A device that
// stops answering is restarted and the run goes on. Several devices measure
// batches in parallel. Each measurement is appended to the log at once; a
// run resumes from the log and measures no candidate twice.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "codegen/c/aot.h"
#include "codegen/c/schedule.h"
#include "ir/graph.h"
#include "micro/project_api/protocol.h"
#include "support/status.h"
#include "tune/log.h"
#include "tune/task.h"

namespace ember::tune {

struct Candidate {
  size_t task = 0;
  codegen::c::Schedule schedule;  // complete (every knob set); the default's too
  bool is_default = false;        // emitted with no schedule: exactly the default build's code
};

// The candidates of a task: the default, then every other point when the
// space has at most `trials` points (grid), else `trials - 1` distinct
// points drawn with a generator seeded by `seed` and the task's key (the
// same on every run, so that a resumed run continues the same search).
std::vector<Candidate> TaskCandidates(const Task& task, size_t task_index, int64_t trials, uint64_t seed);

struct TuneOptions {
  codegen::c::Target target;
  std::string template_dir;          // a template with a host_driven project type
  micro::Json project_options = micro::Json::object();  // project_type is set to host_driven
  std::string board;                 // what the log records ("" for the host template)
  int64_t trials = 24;               // candidates per task, the default included
  int devices = 1;                   // devices measuring in parallel
  std::string log_path;              // the .jsonl log (appended, resumed)
  double timeout_sec = 60;           // per device reply; a silent device is restarted
  uint32_t repeat = 5;               // measurements per candidate
  uint32_t min_ticks = 2000;         // ticks per measurement at least (calls per measurement grow)
  size_t batch_size = 48;            // candidates per firmware at most
  uint64_t seed = 1;
  std::filesystem::path work_dir;    // projects are generated under it
  bool keep_projects = false;
  // Progress: called with one line of text whenever a candidate is done.
  std::function<void(const std::string&)> progress;
  // Notes (device restarts, batches that failed to build).
  std::function<void(const std::string&)> note;
  // Tests: edits the generated sources of a batch before the build, given
  // the operator (function) name of each candidate of the batch.
  std::function<void(codegen::c::GeneratedModel&, const std::vector<std::string>& fns,
                     const std::vector<Candidate>& batch)>
      patch_sources;
};

struct TuneResult {
  std::vector<Task> tasks;
  int64_t candidates = 0;  // of all tasks
  int64_t resumed = 0;     // already in the log
  int64_t measured = 0;    // measured by this run
  int64_t errors = 0;      // of this run's measurements
  int64_t lost = 0;        // not measured: their batch could not be built or its device not started
  Log log;                 // the log after the run
};

// Tunes every task of `g`. Fails when the log cannot be read or belongs to
// another target, board or ember version (E1601).
Expected<TuneResult> Tune(const ir::Graph& g, const TuneOptions& options);

// The schedules of `g`'s nodes from a log: per node with a tuning space, the
// best measured schedule of its task when that is not the default (absent
// nodes keep the default). `applied` (optional) gets one line per layer that
// changed.
std::map<size_t, codegen::c::Schedule> SchedulesFromLog(const ir::Graph& g, const codegen::c::Target& target,
                                                        const Log& log, std::vector<std::string>* applied);

// The summary of one or more logs: per task, default and best ticks per call,
// speed-up and best schedule; with several logs, the tasks whose best
// schedule differs between them are named.
std::string Summary(const std::vector<std::pair<std::string, Log>>& logs);

}  // namespace ember::tune
