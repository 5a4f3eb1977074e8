#include "tune/tuner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "codegen/c/aot.h"
#include "ir/op_kind.h"
#include "micro/executor/device_model.h"
#include "micro/project/project.h"
#include "micro/session/rpc_client.h"
#include "micro/session/session.h"
#include "ops/evaluate.h"
#include "package/mlf.h"

namespace ember::tune {
namespace fs = std::filesystem;
namespace {

std::string Duration(double s) {
  char b[32];
  if (s < 60) std::snprintf(b, sizeof b, "%.0fs", s);
  else std::snprintf(b, sizeof b, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return b;
}

// The operator name of node `index` of the measurement firmware.
std::string OperatorName(const ir::Graph& g, size_t index) {
  return "tvmgen_tune_" + std::string(ir::OpIrName(g.nodes[index].op)) + "_" + std::to_string(index);
}

micro::DataType DataTypeOf(ir::DType t) {
  switch (t) {
    case ir::DType::kInt8: return *micro::ParseDataType("int8");
    case ir::DType::kUInt8: return *micro::ParseDataType("uint8");
    case ir::DType::kInt16: return *micro::ParseDataType("int16");
    case ir::DType::kInt32: return *micro::ParseDataType("int32");
    case ir::DType::kInt64: return *micro::ParseDataType("int64");
    case ir::DType::kFloat32: return *micro::ParseDataType("float32");
    case ir::DType::kBool: return *micro::ParseDataType("bool");
  }
  return *micro::ParseDataType("uint8");
}

// The firmware of one batch: the graph (one node per candidate, plus an
// uncalled twin for a conv2d task of several layers, so that the candidate
// shares its body as it would in the model), schedules and operator names.
// Each candidate and its twin form a share group: two candidates whose
// kernels have the same text (two schedules that generate the same code, or
// one schedule of two tasks with a body taking the sizes as parameters) do
// not share a body, so that a candidate's code, and its figure, do not depend
// on which other candidates are in its batch.
struct BatchGraph {
  ir::Graph graph;
  std::map<size_t, codegen::c::Schedule> schedules;
  std::map<size_t, std::string> share_groups;  // per candidate, with its twin
  std::vector<std::string> fns;                  // per candidate
  std::map<size_t, std::vector<ir::TensorId>> inputs;  // per task: its input tensors in `graph`
};

BatchGraph MakeBatchGraph(const std::vector<Task>& tasks, const std::vector<Candidate>& batch) {
  BatchGraph b;
  b.graph.name = "tune";
  for (size_t k = 0; k < batch.size(); ++k) {
    const Candidate& c = batch[k];
    const Task& t = tasks[c.task];
    if (!b.inputs.count(c.task)) {
      std::vector<ir::TensorId> ins;
      for (ir::TensorId id : t.graph.inputs) {
        ir::Tensor in = t.graph.tensor(id);
        in.name = "task" + std::to_string(c.task) + "_" + in.name;
        ins.push_back(b.graph.AddTensor(std::move(in)));
        b.graph.inputs.push_back(ins.back());
      }
      b.inputs[c.task] = ins;
    }
    const bool twin = t.nodes.size() > 1;  // bodies shared between layers (shared_kernel.h) stay shared
    for (int copy = 0; copy < (twin ? 2 : 1); ++copy) {
      const std::string suffix = "_c" + std::to_string(k) + (copy ? "_twin" : "");
      std::vector<ir::TensorId> outs = CopyNode(t.graph, 0, b.inputs[c.task], suffix, &b.graph);
      for (ir::TensorId o : outs) b.graph.outputs.push_back(o);
      const size_t index = b.graph.nodes.size() - 1;
      if (!c.is_default) b.schedules[index] = c.schedule;
      b.share_groups[index] = "c" + std::to_string(k);  // shared with its twin only
      if (copy == 0) b.fns.push_back(OperatorName(b.graph, index));
    }
  }
  return b;
}

// Device failures after which the device is restarted (a reply that never
// came, a transport or server that went away, a reboot).
template <typename F>
bool DeviceFailure(F&& f, std::string* what) {
  try {
    f();
    return false;
  } catch (const micro::SessionError& e) {
    *what = e.what();
  } catch (const micro::ServerError& e) {
    *what = e.what();
  } catch (const micro::ProjectApiError& e) {
    *what = e.what();
  } catch (const micro::RpcProtocolError& e) {
    *what = e.what();
  }
  return true;
}

struct Shared {
  Shared(const TuneOptions& options, const std::vector<Task>& t) : o(options), tasks(t) {}
  const TuneOptions& o;
  const std::vector<Task>& tasks;
  std::mutex mu;
  int64_t done = 0, total = 0, errors = 0, lost = 0;
  std::map<size_t, double> default_ticks, best_ticks;  // per task, this run's and the log's
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), first = start;

  void Note(const std::string& s) {
    std::lock_guard<std::mutex> l(mu);
    if (o.note) o.note(s);
  }

  void Progress() {  // with mu held
    if (!o.progress) return;
    double best = 1.0;
    for (const auto& [t, d] : default_ticks) {
      auto b = best_ticks.find(t);
      if (b != best_ticks.end() && b->second > 0) best = std::max(best, d / b->second);
    }
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[256];
    std::snprintf(line, sizeof line, "tune: %zu tasks, %lld/%lld candidates measured (%lld errors), best speed-up %.3fx, %s elapsed",
                  tasks.size(), static_cast<long long>(done), static_cast<long long>(total),
                  static_cast<long long>(errors), best, Duration(el).c_str());
    std::string s = line;
    // ETA from the rate since the first result (a batch's build comes before its first result).
    if (done > 1 && done < total) {
      const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - first).count();
      s += ", ETA " + Duration(since / static_cast<double>(done - 1) * static_cast<double>(total - done));
    }
    o.progress(s);
  }

  void Account(const Candidate& c, const Record& r) {  // with mu held
    if (!r.ok()) return;
    if (c.is_default) default_ticks[c.task] = r.min_ticks;
    auto b = best_ticks.find(c.task);
    if (b == best_ticks.end() || r.min_ticks < b->second) best_ticks[c.task] = r.min_ticks;
  }

  void Add(const Candidate& c, const Record& r) {
    std::lock_guard<std::mutex> l(mu);
    Status st = AppendRecord(o.log_path, r);
    if (!st.ok() && o.note) o.note(st.diag().ToString());
    if (++done == 1) first = std::chrono::steady_clock::now();
    if (!r.ok()) ++errors;
    Account(c, r);
    Progress();
  }
};

Record BaseRecord(const TuneOptions& o, const Task& t, const Candidate& c) {
  Record r;
  r.target = o.target.name;
  r.board = o.board;
  r.task = t.key;
  r.kernel = t.space.kernel;
  r.schedule = c.schedule;
  r.is_default = c.is_default;
  r.layers = static_cast<int64_t>(t.nodes.size());
  return r;
}

// Builds one batch's firmware and measures its candidates on one device.
void MeasureBatch(Shared& sh, const std::vector<Candidate>& batch, const fs::path& dir) {
  const TuneOptions& o = sh.o;
  const std::vector<Task>& tasks = sh.tasks;
  BatchGraph bg = MakeBatchGraph(tasks, batch);
  auto lose = [&](const std::string& why) {
    sh.Note("batch of " + std::to_string(batch.size()) + " candidates not measured: " + why);
    std::lock_guard<std::mutex> l(sh.mu);
    sh.lost += static_cast<int64_t>(batch.size());
  };
  codegen::c::AotOptions ao;
  ao.module_name = "tune";
  ao.target = o.target;
  ao.graph_executor = true;
  ao.schedules = bg.schedules;
  ao.share_groups = bg.share_groups;
  auto m = codegen::c::GenerateAot(bg.graph, ao);
  if (!m.ok()) return lose(m.diag().ToString());
  if (o.patch_sources) o.patch_sources(*m, bg.fns, batch);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  const std::string tar = (dir / "tune.tar").string();
  package::MlfOptions mo;
  mo.target = o.target.name;
  mo.graph = &bg.graph;
  if (Status st = package::ExportModelLibraryFormat(*m, tar, mo); !st.ok()) return lose(st.diag().ToString());
  micro::Json options = o.project_options;
  options["project_type"] = "host_driven";
  std::unique_ptr<micro::GeneratedProject> project;
  std::string what;
  if (DeviceFailure([&] {
        micro::LaunchOptions launch;
        launch.output_path = (dir / "server.log").string();  // build tools and server logs, out of the way
        project = std::make_unique<micro::GeneratedProject>(
            micro::TemplateProject::FromDirectory(o.template_dir, launch).GenerateProjectFromMlf(tar, dir / "project", options));
        project->Build();
      }, &what))
    return lose("the firmware could not be generated or built: " + what + " (its log: " + (dir / "server.log").string() +
                ", kept with --keep-projects)");
  micro::ProjectModel model;
  std::unique_ptr<micro::DeviceConnection> conn;
  auto connect = [&] {
    conn.reset();
    conn = micro::ConnectDevice(*project, model, o.timeout_sec);
  };
  if (DeviceFailure([&] {
        model = micro::LoadProjectModel(*project);
        connect();
      }, &what))
    return lose("the device did not start: " + what);

  // Per task: reference output and device buffers (valid for one session).
  struct TaskIo {
    std::vector<std::vector<uint8_t>> inputs;
    std::vector<uint8_t> want;
    std::vector<uint32_t> in_handles;
    uint32_t out_handle = 0;
    int session = -1;
  };
  std::map<size_t, TaskIo> io;
  int session = 0;
  for (const auto& [ti, ins] : bg.inputs) {
    const Task& t = tasks[ti];
    TaskIo& x = io[ti];
    for (size_t i = 0; i < t.graph.inputs.size(); ++i)
      x.inputs.push_back(TaskInputBytes(t.key, i, static_cast<size_t>(t.graph.tensor(t.graph.inputs[i]).size_bytes())));
    auto ref = ops::EvaluateGraph(t.graph, x.inputs);
    if (!ref.ok()) return lose("the reference evaluator failed: " + ref.diag().ToString());
    x.want = ref->outputs.at(0);
  }

  for (size_t k = 0; k < batch.size(); ++k) {
    const Candidate& c = batch[k];
    const Task& t = tasks[c.task];
    Record r = BaseRecord(o, t, c);
    TaskIo& x = io[c.task];
    const ir::Node& node = t.graph.nodes[0];
    const ir::Tensor& out_t = t.graph.tensor(node.outputs[0]);
    for (int attempt = 0;; ++attempt) {
      r.error.clear();
      const bool failed = DeviceFailure([&] {
        micro::RpcClient& rpc = conn->rpc;
        r.ticks_per_second = conn->info.ticks_per_second;
        if (x.session != session) {
          x.in_handles.clear();
          for (size_t i = 0; i < x.inputs.size(); ++i) {
            x.in_handles.push_back(rpc.Alloc(static_cast<uint32_t>(x.inputs[i].size())));
            rpc.Write(micro::MemorySpace::kPool, x.in_handles.back(), 0, x.inputs[i]);
          }
          x.out_handle = rpc.Alloc(static_cast<uint32_t>(x.want.size()));
          x.session = session;
        }
        std::vector<micro::CallArg> args;
        for (size_t i = 0; i < x.in_handles.size(); ++i)
          args.push_back({x.in_handles[i], DataTypeOf(t.graph.tensor(t.graph.inputs[i]).dtype)});
        args.push_back({x.out_handle, DataTypeOf(out_t.dtype)});
        try {
          // A fresh fill first: a candidate that wrote nothing cannot pass on an earlier one's output.
          rpc.Write(micro::MemorySpace::kPool, x.out_handle, 0, std::vector<uint8_t>(x.want.size(), 0xA5));
          rpc.Call(bg.fns[k], args);
          const std::vector<uint8_t> got = rpc.Read(micro::MemorySpace::kPool, x.out_handle, 0,
                                                    static_cast<uint32_t>(x.want.size()));
          size_t bad = 0, first = got.size();
          for (size_t i = 0; i < got.size() && i < x.want.size(); ++i)
            if (got[i] != x.want[i]) first = std::min(first, i), ++bad;
          if (got.size() != x.want.size() || bad > 0) {
            r.error = "wrong output: " + std::to_string(bad) + " of " + std::to_string(x.want.size()) +
                      " bytes differ from the reference evaluator (first at byte " + std::to_string(first) + ": " +
                      std::to_string(static_cast<int8_t>(got[first])) + " instead of " +
                      std::to_string(static_cast<int8_t>(x.want[first])) + ")";
            return;
          }
          const std::vector<uint32_t> probe = rpc.Time(bg.fns[k], args, 1, 1);
          const uint32_t one = std::max<uint32_t>(1, probe.at(0));
          r.number = std::clamp<uint32_t>((o.min_ticks + one - 1) / one, 1, 100000);
          r.repeat = std::max<uint32_t>(1, o.repeat);
          std::vector<uint32_t> ticks = rpc.Time(bg.fns[k], args, r.number, r.repeat);
          std::sort(ticks.begin(), ticks.end());
          r.min_ticks = static_cast<double>(ticks.front()) / r.number;
          const size_t n = ticks.size();
          r.median_ticks = (n % 2 ? static_cast<double>(ticks[n / 2])
                                  : (static_cast<double>(ticks[n / 2 - 1]) + ticks[n / 2]) / 2.0) / r.number;
        } catch (const micro::RpcError& e) {
          r.error = std::string("the device refused the call: ") + e.what();
        }
      }, &what);
      if (!failed) break;
      // The device stopped answering: restart it; a candidate that hangs it twice is an error.
      sh.Note("device stopped answering (" + what.substr(0, 200) + "); restarting it");
      ++session;
      std::string again;
      if (DeviceFailure(connect, &again)) {
        // Not logged: a later run measures them.
        std::lock_guard<std::mutex> l(sh.mu);
        sh.lost += static_cast<int64_t>(batch.size() - k);
        if (o.note) o.note("the device could not be restarted: " + again.substr(0, 200));
        return;
      }
      if (attempt >= 1) {
        r.error = "the device stopped answering while running this candidate (restarted): " + what.substr(0, 200);
        r.min_ticks = r.median_ticks = 0;
        break;
      }
    }
    sh.Add(c, r);
  }
  conn.reset();
  if (!o.keep_projects) fs::remove_all(dir, ec);
}

}  // namespace

std::vector<Candidate> TaskCandidates(const Task& task, size_t task_index, int64_t trials, uint64_t seed) {
  std::vector<Candidate> out;
  const codegen::c::ScheduleSpace& sp = task.space;
  out.push_back({task_index, sp.default_point, true});
  std::vector<int64_t> others;
  for (int64_t i = 0; i < sp.Size(); ++i)
    if (!(sp.Point(i) == sp.default_point)) others.push_back(i);
  if (static_cast<int64_t>(others.size()) > trials - 1) {
    // Seeded partial Fisher-Yates: the same draw on every run.
    uint64_t x = seed ^ HashText(task.key);
    const size_t want = static_cast<size_t>(std::max<int64_t>(0, trials - 1));
    for (size_t i = 0; i < want; ++i) {
      const size_t j = i + static_cast<size_t>(SplitMix64(&x) % (others.size() - i));
      std::swap(others[i], others[j]);
    }
    others.resize(want);
    std::sort(others.begin(), others.end());
  }
  for (int64_t i : others) out.push_back({task_index, sp.Point(i), false});
  return out;
}

Expected<TuneResult> Tune(const ir::Graph& g, const TuneOptions& o) {
  TuneResult res;
  EMBER_ASSIGN_OR_RETURN(Log before, ReadLog(o.log_path, o.target.name, o.board, /*missing_ok=*/true));
  res.tasks = ExtractTasks(g, o.target);
  std::set<std::string> done;
  for (const Record& r : before.records) done.insert(r.Id());
  std::vector<Candidate> pending;
  for (size_t t = 0; t < res.tasks.size(); ++t) {
    for (const Candidate& c : TaskCandidates(res.tasks[t], t, o.trials, o.seed)) {
      ++res.candidates;
      Record probe = BaseRecord(o, res.tasks[t], c);
      if (done.count(probe.Id())) ++res.resumed;
      else pending.push_back(c);
    }
  }
  Shared sh(o, res.tasks);
  sh.total = static_cast<int64_t>(pending.size());
  for (const Record& r : before.records) {
    for (size_t t = 0; t < res.tasks.size(); ++t) {
      if (res.tasks[t].key != r.task) continue;
      sh.Account(Candidate{t, r.schedule, r.is_default}, r);
    }
  }
  // Batches: the pending candidates split evenly over the devices, at most batch_size each.
  const size_t devices = static_cast<size_t>(std::max(1, o.devices));
  std::vector<std::vector<Candidate>> batches;
  if (!pending.empty()) {
    size_t per = (pending.size() + devices - 1) / devices;
    per = std::max<size_t>(1, std::min(per, std::max<size_t>(1, o.batch_size)));
    for (size_t i = 0; i < pending.size(); i += per)
      batches.emplace_back(pending.begin() + static_cast<std::ptrdiff_t>(i),
                           pending.begin() + static_cast<std::ptrdiff_t>(std::min(pending.size(), i + per)));
  }
  {
    std::lock_guard<std::mutex> l(sh.mu);
    sh.Progress();
  }
  std::atomic<size_t> next{0};
  auto worker = [&](size_t d) {
    for (size_t b; (b = next.fetch_add(1)) < batches.size();) {
      try {
        MeasureBatch(sh, batches[b], o.work_dir / ("device" + std::to_string(d)) / ("batch" + std::to_string(b)));
      } catch (const std::exception& e) {
        sh.Note(std::string("batch not measured: ") + e.what());
        std::lock_guard<std::mutex> l(sh.mu);
        sh.lost += static_cast<int64_t>(batches[b].size());
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t d = 1; d < std::min(devices, batches.size()); ++d) threads.emplace_back(worker, d);
  worker(0);
  for (std::thread& t : threads) t.join();
  res.measured = sh.done;
  res.errors = sh.errors;
  res.lost = sh.lost;
  EMBER_ASSIGN_OR_RETURN(res.log, ReadLog(o.log_path, o.target.name, o.board, /*missing_ok=*/true));
  return res;
}

std::map<size_t, codegen::c::Schedule> SchedulesFromLog(const ir::Graph& g, const codegen::c::Target& target,
                                                        const Log& log, std::vector<std::string>* applied) {
  std::map<size_t, codegen::c::Schedule> out;
  const std::map<std::string, TaskBest> best = BestPerTask(log);
  codegen::c::ConstPool unused("tune");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const codegen::c::KernelContext ctx{g, g.nodes[i], i, "f", unused, target};
    std::optional<codegen::c::ScheduleSpace> space = codegen::c::TuningSpace(ctx);
    if (!space) continue;
    auto it = best.find(TaskKey(g, i));
    if (it == best.end() || it->second.best->is_default || it->second.best->kernel != space->kernel ||
        !space->Contains(it->second.best->schedule))
      continue;
    out[i] = space->Complete(it->second.best->schedule);
    if (applied) {
      char b[64] = "";
      if (it->second.default_record && it->second.best->min_ticks > 0)
        std::snprintf(b, sizeof b, " (%.3fx)", it->second.default_record->min_ticks / it->second.best->min_ticks);
      applied->push_back(std::string(ir::OpIrName(g.nodes[i].op)) + " '" + g.nodes[i].name + "': " +
                         out[i].ToString() + b);
    }
  }
  return out;
}

std::string Summary(const std::vector<std::pair<std::string, Log>>& logs) {
  std::string s;
  std::map<std::string, std::vector<std::string>> best_by_task;  // per task, each log's best schedule
  for (const auto& [path, log] : logs) {
    const std::map<std::string, TaskBest> best = BestPerTask(log);
    std::string target, board;
    if (!log.records.empty()) target = log.records[0].target, board = log.records[0].board;
    s += path + ": target " + target + (board.empty() ? "" : ", board " + board) + ", " +
         std::to_string(best.size()) + " tasks\n";
    char line[512];
    std::snprintf(line, sizeof line, "  %-4s %-22s %6s %6s %12s %12s %8s  %s\n", "task", "kernel", "layers", "tried",
                  "default", "best", "speed-up", "best schedule");
    s += line;
    int n = 0;
    double sum_default = 0, sum_best = 0;
    for (const auto& [key, b] : best) {
      ++n;
      const Record& bt = *b.best;
      std::string def = "-", speed = "-";
      if (b.default_record) {
        std::snprintf(line, sizeof line, "%.1f", b.default_record->min_ticks);
        def = line;
        std::snprintf(line, sizeof line, "%.3fx", b.default_record->min_ticks / std::max(1e-9, bt.min_ticks));
        speed = line;
        sum_default += b.default_record->min_ticks * static_cast<double>(std::max<int64_t>(1, bt.layers));
        sum_best += bt.min_ticks * static_cast<double>(std::max<int64_t>(1, bt.layers));
      }
      const std::string tried = std::to_string(b.measured) + (b.errors ? "/" + std::to_string(b.errors) + "e" : "");
      std::snprintf(line, sizeof line, "  %-4d %-22s %6lld %6s %12s %12.1f %8s  %s%s\n", n, bt.kernel.c_str(),
                    static_cast<long long>(bt.layers), tried.c_str(), def.c_str(), bt.min_ticks, speed.c_str(),
                    bt.is_default ? "default " : "", bt.schedule.ToString().c_str());
      s += line;
      s += "       " + key + "\n";
      best_by_task[key].push_back(bt.is_default ? "default" : bt.schedule.ToString());
    }
    if (sum_best > 0) {
      std::snprintf(line, sizeof line,
                    "  tuned layers in all (ticks per call x layers): default %.0f, best %.0f, %.3fx\n", sum_default,
                    sum_best, sum_default / sum_best);
      s += line;
    }
    s += "  (ticks per call on the device timer, minimum of the measurements; tried: candidates measured/errors)\n";
  }
  if (logs.size() > 1) {
    std::string diff;
    for (const auto& [key, v] : best_by_task) {
      if (v.size() < 2) continue;
      bool same = std::all_of(v.begin(), v.end(), [&](const std::string& x) { return x == v[0]; });
      if (same) continue;
      diff += "  " + key + ":";
      for (size_t i = 0; i < v.size(); ++i) diff += (i ? " vs " : " ") + v[i];
      diff += "\n";
    }
    s += diff.empty() ? "the best schedules are the same in every log\n"
                      : "best schedules that differ between the logs (in the order given):\n" + diff;
  }
  return s;
}

}  // namespace ember::tune
