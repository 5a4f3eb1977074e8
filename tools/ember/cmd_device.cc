// Host-driven commands on a flashed project (project_type host_driven):
//   ember profile PROJECT_DIR     per-layer ticks (and instructions in QEMU)
//   ember validate MODEL --device PROJECT_DIR
//                                 every node's device output vs the reference
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "cli.h"
#include "codegen/c/aot.h"
#include "ops/evaluate.h"
#include "package/mlf.h"
#include "support/safe_fs.h"
#include "micro/executor/debug_executor.h"
#include "micro/executor/device_model.h"
#include "micro/executor/validate.h"
#include "micro/session/rpc_client.h"

namespace ember::cli {
namespace {

namespace fs = std::filesystem;

// The device of a project, connected and identified.
struct Device {
  micro::GeneratedProject project;
  micro::ProjectModel model;
  std::unique_ptr<micro::DeviceConnection> link;
};

std::unique_ptr<Device> Connect(const std::string& dir, double timeout_sec) {
  auto project = micro::GeneratedProject::FromDirectory(dir);
  CheckHasTransport(project, dir);
  auto model = micro::LoadProjectModel(project);
  if (model.project_type != "host_driven")
    throw micro::ProjectApiError(dir + " was generated with project_type " + model.project_type +
                                 "; host-driven commands need project_type host_driven (create the project with "
                                 "--project-option project_type=host_driven)");
  auto link = micro::ConnectDevice(project, model, timeout_sec);
  return std::unique_ptr<Device>(new Device{std::move(project), std::move(model), std::move(link)});
}

// Emulated boards count instructions: with -icount shift=0 one instruction
// takes one nanosecond of guest time.
bool Emulated(const micro::DeviceInfo& info) {
  return info.platform.rfind("mps2-", 0) == 0 || info.platform.rfind("mps3-", 0) == 0;
}

template <typename F>
int GuardDevice(const std::string& dir, F&& f) {
  try {
    return f();
  } catch (const micro::ProjectApiError& e) {
    return Report(MakeDiag("E0805", ExitCode::kUsage, e.what(), "check the project folder; 'ember micro info DIR'"));
  } catch (const micro::DeviceMismatchError& e) {
    return Report(MakeDiag("E0806", ExitCode::kDevice, e.what(), "run 'ember micro build DIR && ember micro flash DIR'"));
  } catch (const micro::MalformedGraphError& e) {
    return Report(MakeDiag("E0810", ExitCode::kFailure, "the project's archive has a malformed " + std::string(e.what()),
                           "compile the model again with --executor graph and create the project again"));
  } catch (const micro::GraphError& e) {
    return Report(MakeDiag("E0807", ExitCode::kUsage, e.what(),
                           "compile the model with --executor graph, create the project with "
                           "project_type=host_driven, build and flash it"));
  } catch (const micro::JsonRpcError& e) {
    return ReportServerError(e, dir, "E0805", "the device link failed");
  } catch (const std::runtime_error& e) {
    return Report(MakeDiag("E0804", ExitCode::kDevice, std::string("the device link failed: ") + e.what(),
                           "flash the project again ('ember micro flash DIR'); the server's log is above"));
  }
}

std::vector<std::vector<uint8_t>> Inputs(const micro::ProjectModel& m, const std::vector<std::string>& files) {
  std::vector<std::vector<uint8_t>> in;
  for (size_t i = 0; i < m.graph.inputs.size(); ++i) {
    const ir::Tensor& t = m.graph.tensor(m.graph.inputs[i]);
    if (i < files.size()) {
      auto bytes = ReadTensorFile(files[i], t, i);
      if (!bytes.ok()) throw micro::ProjectApiError(bytes.diag().message);
      in.push_back(std::move(*bytes));
    } else {
      in.emplace_back(static_cast<size_t>(t.size_bytes()), 0);  // zeros
    }
  }
  return in;
}

void PrintRow(const std::string& index, const std::string& op, const std::string& name, uint64_t ticks, const micro::DeviceInfo& info,
              uint64_t total) {
  const double pct = total ? 100.0 * static_cast<double>(ticks) / static_cast<double>(total) : 0.0;
  std::string shown = name.size() > 60 ? name.substr(0, 57) + "..." : name;
  if (Emulated(info) && info.ticks_per_second) {
    const double instr = static_cast<double>(ticks) * 1e9 / info.ticks_per_second;
    std::printf("%5s  %-18s %14.0f %7.2f%%  %s\n", index.c_str(), op.c_str(), instr, pct, shown.c_str());
  } else {
    const double us = info.ticks_per_second ? static_cast<double>(ticks) * 1e6 / info.ticks_per_second : 0.0;
    std::printf("%5s  %-18s %14.3f %7.2f%%  %s\n", index.c_str(), op.c_str(), us, pct, shown.c_str());
  }
}

int Profile(const std::string& dir, const std::vector<std::string>& inputs, uint32_t repeat) {
  return GuardDevice(dir, [&] {
    auto d = Connect(dir, 600);
    const auto in = Inputs(d->model, inputs);
    for (size_t i = 0; i < in.size(); ++i) d->link->rpc.Write(micro::MemorySpace::kInput, static_cast<uint32_t>(i), 0, in[i]);
    std::vector<uint64_t> ticks;
    std::vector<std::string> ops, names;
    uint64_t whole = 0;
    if (d->link->info.num_profile > 0) {  // --profile build: counters around every kernel
      for (uint32_t r = 0; r < repeat; ++r) {  // the least of `repeat` runs, per kernel and whole
        const uint64_t w = d->link->rpc.Run();
        const auto entries = d->link->rpc.Profile();
        if (r == 0) {
          whole = w;
          for (const auto& e : entries) {
            ticks.push_back(e.ticks);
            names.push_back(e.name);
          }
          continue;
        }
        whole = std::min(whole, w);
        for (size_t i = 0; i < entries.size() && i < ticks.size(); ++i) ticks[i] = std::min<uint64_t>(ticks[i], entries[i].ticks);
      }
    } else if (d->link->info.num_operators > 0) {  // graph build: time every operator
      const std::string* graph = d->model.graph_json();
      if (!graph) throw micro::GraphError("the project's archive has no graph JSON");
      micro::GraphExecutor exec(*graph, d->link->rpc);
      for (size_t i = 0; i < in.size(); ++i) exec.SetInput(i, in[i]);
      for (size_t i = 0; i < exec.nodes().size(); ++i) {
        if (exec.nodes()[i].op != "tvm_op") continue;
        const auto t = exec.TimeNode(i, 1, repeat);
        ticks.push_back(*std::min_element(t.begin(), t.end()));
        names.push_back(exec.nodes()[i].func_name);
      }
      const auto w = d->link->rpc.TimeRun(1, repeat);
      whole = *std::min_element(w.begin(), w.end());
    } else {
      throw micro::GraphError("the firmware has neither profile counters nor an operator table: compile the model "
                              "with --profile (or --executor graph)");
    }
    const bool emulated = Emulated(d->link->info);
    if (emulated)
      std::printf("model '%s' on %s: instructions per node (QEMU -icount shift=0: one per nanosecond), the least of %u runs\n",
                  d->model.name.c_str(), d->link->info.platform.c_str(), repeat);
    else
      std::printf("model '%s' on %s: microseconds per node (the device's timer, %u ticks/s), the least of %u runs\n",
                  d->model.name.c_str(), d->link->info.platform.c_str(), d->link->info.ticks_per_second, repeat);
    std::printf("%5s  %-18s %14s %8s  %s\n", "node", "op", emulated ? "instructions" : "time(us)", "share", "name");
    for (size_t i = 0; i < ticks.size(); ++i) {
      const ir::Node* node = i < d->model.graph.nodes.size() && ticks.size() == d->model.graph.nodes.size()
                                 ? &d->model.graph.nodes[i] : nullptr;
      PrintRow(std::to_string(i), node ? ir::OpIrName(node->op) : "", node && !node->name.empty() ? node->name : names[i], ticks[i],
               d->link->info, whole);
    }
    const uint64_t sum = std::accumulate(ticks.begin(), ticks.end(), uint64_t{0});
    PrintRow("", "sum of nodes", "", sum, d->link->info, whole);
    PrintRow("", "whole inference", "", whole, d->link->info, whole);
    d->link->session.Close();
    return 0;
  });
}

// Where `given` (the model validate was handed) differs from the graph the
// project's archive was compiled from, or "" when it is the same model.
std::string ModelDifference(const ir::Graph& given, const ir::Graph& project) {
  auto io = [](const ir::Graph& g, const std::vector<ir::TensorId>& ids) {
    std::string s;
    for (ir::TensorId id : ids) s += (s.empty() ? "" : ", ") + DescribeTensor(g.tensor(id));
    return s;
  };
  if (io(given, given.inputs) != io(project, project.inputs))
    return "its inputs are " + io(given, given.inputs) + "; the compiled model takes " + io(project, project.inputs);
  if (given.nodes.size() != project.nodes.size())
    return "it has " + std::to_string(given.nodes.size()) + " nodes, the compiled model " +
           std::to_string(project.nodes.size());
  for (size_t i = 0; i < given.nodes.size(); ++i) {
    const ir::Node& a = given.nodes[i];
    const ir::Node& b = project.nodes[i];
    const std::string where = "node " + std::to_string(i) + " is ";
    if (a.op != b.op || a.inputs.size() != b.inputs.size() || a.outputs.size() != b.outputs.size())
      return where + ir::OpIrName(a.op) + " '" + a.name + "', in the compiled model " + ir::OpIrName(b.op) + " '" +
             b.name + "'";
    for (size_t k = 0; k < a.outputs.size(); ++k)
      if (given.tensor(a.outputs[k]).shape != project.tensor(b.outputs[k]).shape)
        return where + ir::OpIrName(a.op) + " '" + a.name + "' with output " +
               DescribeTensor(given.tensor(a.outputs[k])) + ", in the compiled model " +
               DescribeTensor(project.tensor(b.outputs[k]));
    for (size_t k = 0; k < a.inputs.size(); ++k) {
      if (a.inputs[k] == ir::kNoTensor || b.inputs[k] == ir::kNoTensor) continue;
      const ir::Tensor& x = given.tensor(a.inputs[k]);
      const ir::Tensor& y = project.tensor(b.inputs[k]);
      if (x.data != y.data)
        return where + ir::OpIrName(a.op) + " '" + a.name + "' in both, but its constant '" + x.name +
               "' holds other values";
    }
  }
  return "";
}

int Validate(const std::string& model_path, const std::string& dir, const std::vector<std::string>& inputs,
             const std::vector<std::string>& input_shapes, const std::string& int8_semantics) {
  auto g = LoadModel(model_path, Int8SemanticsPipeline(int8_semantics), input_shapes);
  if (!g.ok()) return Report(g.diag());
  return GuardDevice(dir, [&] {
    {  // the model first: a wrong one would show as differences "on the device"
      auto project = micro::GeneratedProject::FromDirectory(dir);
      CheckHasTransport(project, dir);
      const micro::ProjectModel pm = micro::LoadProjectModel(project);
      if (const std::string diff = ModelDifference(*g, pm.graph); !diff.empty())
        return Report(MakeDiag("E0811", ExitCode::kUsage,
                               "'" + model_path + "' is not the model project '" + dir + "' was compiled from ('" +
                                   pm.name + "'): " + diff,
                               "pass the model file the project's archive was compiled from, or compile this one "
                               "and create a project of it"));
    }
    auto d = Connect(dir, 600);
    const std::string* graph = d->model.graph_json();
    if (!graph) throw micro::GraphError("the project's archive has no executor-config/graph/" + d->model.name + ".graph");
    micro::GraphExecutor exec(*graph, d->link->rpc);
    const auto report = micro::ValidateOnDevice(*g, exec, Inputs(d->model, inputs));
    d->link->session.Close();
    for (const auto& c : report.nodes) {
      std::printf("%5zu  %-18s %s  max|diff| %-10g %s\n", c.node, c.op.c_str(), c.mismatches ? "DIFF" : "ok  ",
                  c.max_abs_diff, c.name.c_str());
    }
    if (!report.first_mismatch) {
      std::printf("all %zu nodes match the reference on %s\n", report.nodes.size(), d->link->info.platform.c_str());
      return 0;
    }
    const auto& c = report.nodes[*report.first_mismatch];
    return Report(MakeDiag("E0808", ExitCode::kMismatch,
                           "node " + std::to_string(c.node) + " '" + c.name + "' (" + c.op + ") differs on the device: " +
                               std::to_string(c.mismatches) + " of " + std::to_string(c.elements) +
                               " elements, max |difference| " + std::to_string(c.max_abs_diff),
                           "the first differing node is the one to look at; earlier nodes match"));
  });
}

// The usual figures of a compiled model's outputs against the reference,
// over a data set (the metrics of tvmc's and stedgeai's validation).
struct OutputMetrics {
  double max_abs = 0, sum_sq_diff = 0, sum_sq_ref = 0, sum_sq_got = 0, dot = 0, max_ref = 0;
  size_t samples = 0, same_top1 = 0, identical = 0;
};

// Element i of a tensor's bytes as a real value (dequantized when quantized per tensor).
double RealValue(const ir::Tensor& t, const std::vector<uint8_t>& b, size_t i) {
  double v = 0;
  switch (t.dtype) {
    case ir::DType::kInt8: v = static_cast<int8_t>(b[i]); break;
    case ir::DType::kUInt8: case ir::DType::kBool: v = b[i]; break;
    case ir::DType::kInt16: { int16_t x; std::memcpy(&x, &b[i * 2], 2); v = x; break; }
    case ir::DType::kInt32: { int32_t x; std::memcpy(&x, &b[i * 4], 4); v = x; break; }
    case ir::DType::kInt64: { int64_t x; std::memcpy(&x, &b[i * 8], 8); v = static_cast<double>(x); break; }
    case ir::DType::kFloat32: { float x; std::memcpy(&x, &b[i * 4], 4); v = x; break; }
  }
  if (t.quant && t.quant->scale.size() == 1)
    v = t.quant->scale[0] * (v - static_cast<double>(t.quant->zero_point.empty() ? 0 : t.quant->zero_point[0]));
  return v;
}

void Accumulate(const ir::Tensor& t, const std::vector<uint8_t>& ref, const std::vector<uint8_t>& got, OutputMetrics* m) {
  const size_t n = static_cast<size_t>(t.num_elements());
  size_t top_ref = 0, top_got = 0;
  double best_ref = -INFINITY, best_got = -INFINITY;
  for (size_t i = 0; i < n; ++i) {
    const double r = RealValue(t, ref, i), g = RealValue(t, got, i);
    m->max_abs = std::max(m->max_abs, std::isnan(r - g) ? INFINITY : std::fabs(r - g));
    m->max_ref = std::max(m->max_ref, std::fabs(r));
    m->sum_sq_diff += (r - g) * (r - g);
    m->sum_sq_ref += r * r;
    m->sum_sq_got += g * g;
    m->dot += r * g;
    if (r > best_ref) best_ref = r, top_ref = i;
    if (g > best_got) best_got = g, top_got = i;
  }
  ++m->samples;
  m->same_top1 += top_ref == top_got;
  m->identical += ref == got;
}

// `ember validate MODEL --target host [--archive A.tar]`: the model's C code
// (compiled here, or the archive's) run on this machine against the
// reference evaluator, output by output, over a data set.
int ValidateHost(const std::string& model_path, const std::string& archive, const std::string& data,
                 const std::vector<std::string>& inputs, uint32_t count, const std::vector<std::string>& input_shapes,
                 const std::string& int8_semantics) {
  auto g = LoadModel(model_path, Int8SemanticsPipeline(int8_semantics), input_shapes);
  if (!g.ok()) return Report(g.diag());
  auto scratch = TempFolder::Create("ember-validate-");
  if (!scratch.ok()) return Report(scratch.diag());
  std::string tar = archive;
  if (tar.empty()) {  // as `ember compile MODEL --target host -o model.tar`
    codegen::c::AotOptions o;
    auto m = codegen::c::GenerateAot(*g, o);
    if (!m.ok()) return Report(m.diag());
    tar = (scratch->path() / "model.tar").string();
    package::MlfOptions mo;
    mo.graph = &*g;
    if (Status st = package::ExportModelLibraryFormat(*m, tar, mo); !st.ok()) return Report(st.diag());
  }
  HostRunner runner;
  if (Status st = runner.Open(tar, scratch->path()); !st.ok()) return Report(st.diag());
  if (const std::string diff = ModelDifference(*g, runner.graph()); !diff.empty())
    return Report(MakeDiag("E0811", ExitCode::kUsage,
                           "'" + model_path + "' is not the model archive '" + archive + "' was compiled from: " + diff,
                           "pass the model file the archive was compiled from"));
  std::vector<std::vector<std::vector<uint8_t>>> samples;
  std::string source;
  if (!data.empty()) {
    auto set = ReadDataSet(data, *g);
    if (!set.ok()) return Report(set.diag());
    samples = std::move(*set);
    source = data;
  } else {
    const uint32_t n = inputs.empty() ? std::max<uint32_t>(count, 1) : 1;
    for (uint32_t k = 0; k < n; ++k) {
      std::vector<std::vector<uint8_t>> sample;
      for (size_t i = 0; i < g->inputs.size(); ++i) {
        const std::string spec = inputs.empty() ? "random:" + std::to_string(k + 1) : i < inputs.size() ? inputs[i] : "zeros";
        auto bytes = ReadTensorFile(spec, g->tensor(g->inputs[i]), i);
        if (!bytes.ok()) return Report(bytes.diag());
        sample.push_back(std::move(*bytes));
      }
      samples.push_back(std::move(sample));
    }
    source = inputs.empty() ? "random inputs (seeds 1.." + std::to_string(n) + ")" : "the given inputs";
  }
  if (Status st = runner.Build(); !st.ok()) return Report(st.diag());
  std::vector<OutputMetrics> metrics(g->outputs.size());
  for (const auto& sample : samples) {
    auto ref = ops::EvaluateGraph(*g, sample);
    if (!ref.ok()) return Report(ref.diag());
    auto got = runner.Run(sample, nullptr);
    if (!got.ok()) return Report(got.diag());
    for (size_t o = 0; o < g->outputs.size(); ++o)
      Accumulate(g->tensor(g->outputs[o]), ref->outputs[o], (*got)[o], &metrics[o]);
  }
  std::printf("'%s' compiled for the host (%s) against the reference evaluator, %zu samples of %s:\n",
              model_path.c_str(), archive.empty() ? "cc -O2" : archive.c_str(), samples.size(), source.c_str());
  bool differs = false;
  for (size_t o = 0; o < g->outputs.size(); ++o) {
    const ir::Tensor& t = g->tensor(g->outputs[o]);
    const OutputMetrics& m = metrics[o];
    const double l2 = m.sum_sq_ref > 0 ? std::sqrt(m.sum_sq_diff / m.sum_sq_ref) : std::sqrt(m.sum_sq_diff);
    const double cos = m.sum_sq_ref > 0 && m.sum_sq_got > 0 ? m.dot / std::sqrt(m.sum_sq_ref * m.sum_sq_got)
                                                             : (m.sum_sq_diff == 0 ? 1.0 : 0.0);
    std::printf("output %zu '%s' %s\n", o, t.name.c_str(), DescribeTensor(t).c_str());
    std::printf("  max abs error        %.9g\n  L2 relative error    %.9g\n  cosine similarity    %.9g\n", m.max_abs, l2, cos);
    std::printf("  top-1 agreement      %.2f%% (%zu of %zu)\n", m.samples ? 100.0 * m.same_top1 / m.samples : 0.0,
                m.same_top1, m.samples);
    std::printf("  identical bytes      %zu of %zu samples\n", m.identical, m.samples);
    // int8 and other integer outputs: bit-exact; float: 1e-5 + 1e-4 of the largest reference value.
    differs |= t.dtype == ir::DType::kFloat32 ? m.max_abs > 1e-5 + 1e-4 * m.max_ref : m.identical != m.samples;
  }
  if (!differs) return 0;
  return Report(MakeDiag("E0812", ExitCode::kMismatch,
                         "the compiled model's outputs differ from the reference evaluator (figures above)",
                         "'ember validate MODEL --device PROJECT' on a host_driven project finds the first differing node"));
}

}  // namespace

void RegisterDevice(CLI::App& app, Action* run) {
  struct Args {
    std::string project, model, target, archive, data;
    std::vector<std::string> inputs, input_shapes;
    std::string int8_semantics;
    uint32_t repeat = 3, count = 10;
  };
  auto a = std::make_shared<Args>();
  auto* prof = app.add_subcommand("profile", "Per-layer time on a flashed project's device (host_driven)");
  prof->add_option("PROJECT_DIR", a->project, "a generated, built and flashed project")->required();
  prof->add_option("--input,-i", a->inputs, "input files (.npy/.bin), or zeros, random, random:SEED; zeros when omitted");
  prof->add_option("--repeat", a->repeat, "runs (--profile builds) or measurements per node (graph builds); the least is shown")
      ->capture_default_str();
  prof->footer("Examples:\n  ember compile kws.tflite --target cortex-m4 --profile -o kws.tar\n"
               "  ember micro create-project p kws.tar --template qemu --project-option board=mps2-an386 "
               "--project-option project_type=host_driven\n"
               "  ember micro build p && ember profile p --input x.npy --repeat 5\n"
               "Compile with --profile (counters around every kernel in the AOT code) or --executor graph.\n"
               "On emulated boards (qemu template) the figures are instructions (QEMU -icount shift=0).");
  prof->callback([=] { *run = [=] { return Profile(a->project, a->inputs, std::max<uint32_t>(a->repeat, 1)); }; });

  auto* val = app.add_subcommand(
      "validate", "Compare a compiled model with the reference evaluator: every node on a device, or the outputs of "
                  "its C code on the host over a data set");
  val->add_option("MODEL", a->model, "the model file the project or archive was compiled from")->required();
  AddInputShapeOption(val, &a->input_shapes);
  AddInt8SemanticsOption(val, &a->int8_semantics);
  auto* device = val->add_option("--device", a->project, "a flashed host_driven project compiled with --executor graph");
  auto* target = val->add_option("--target", a->target, "host: compile MODEL for this machine and compare its outputs")
                     ->check(CLI::IsMember({"host"}));
  auto* archive = val->add_option("--archive", a->archive,
                                  "compare the outputs of this archive (compiled with --target host) instead");
  device->excludes(target)->excludes(archive);
  auto* data = val->add_option("--data", a->data,
                               "host: a data set, .npz (one array per input, N samples each) or .npy; "
                               "float32 data of an int8 input is quantized with its scale");
  val->add_option("--count", a->count, "host, without --data or --input: this many random samples (seeds 1..N)")
      ->capture_default_str();
  data->excludes(device);
  val->add_option("--input,-i", a->inputs, "input files (.npy/.bin), or zeros, random, random:SEED; zeros when omitted");
  val->footer("Examples:\n  ember validate kws.tflite --target host --data test.npz      outputs over a data set\n"
              "  ember validate kws.tflite --archive kws.tar --count 20          an archive, 20 random samples\n"
              "  ember validate kws.tflite --device p --input random:1   every node (p: a host_driven project of kws)\n"
              "Host: max abs error, L2 relative error, cosine similarity, top-1 agreement per output.\n"
              "Exit status 6 when an output or node differs (int8: any difference; float: beyond 1e-5 + 1e-4 |ref|).");
  val->callback([=] {
    *run = [=] {
      if (!a->project.empty()) return Validate(a->model, a->project, a->inputs, a->input_shapes, a->int8_semantics);
      if (a->target.empty() && a->archive.empty())
        return Report(MakeDiag("E0813", ExitCode::kUsage, "validate needs --device PROJECT_DIR, --target host or --archive ARCHIVE",
                               "--target host compares the model's C code on this machine with the reference"));
      return ValidateHost(a->model, a->archive, a->data, a->inputs, a->count, a->input_shapes, a->int8_semantics);
    };
  });
}

}  // namespace ember::cli
