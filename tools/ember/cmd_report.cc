// `ember report MODEL|MLF|PROJECT_DIR [--profile RESULTS | --run] [--board NAME]
//  [--target CORE] -o report.html`: one self-contained HTML page about a
// model (docs/report.md).
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli.h"
#include "codegen/c/aot.h"
#include "codegen/c/emitter.h"
#include "ir/parser.h"
#include "micro/executor/device_model.h"
#include "micro/project/template_server.h"
#include "package/mlf_reader.h"
#include "report/report.h"
#include "support/safe_fs.h"

namespace ember::cli {
namespace {

namespace fs = std::filesystem;

struct Loaded {
  std::string name, kind, target;
  ir::Graph graph;
  bool io_in_arena = false;
  std::string board;  // a project's board option
};

Diagnostic NotAModel(const std::string& path, const std::string& why) {
  return MakeDiag(report::kNotAModel, ExitCode::kUsage,
                  "'" + path + "' is not a model, Model Library Format archive or project ember can report on: " + why,
                  "give a .tflite, .onnx or .ir model, an archive or folder from 'ember compile', or a folder from "
                  "'ember micro create-project'");
}

// The target of an MLF's metadata ("c -keys=arm_cpu,cpu -mcpu=cortex-m4 -model=cortex-m4").
std::string MlfTarget(const package::MlfContents& mlf) {
  for (const std::string& t : mlf.target) {
    const auto p = t.find("-model=");
    if (p != std::string::npos) return t.substr(p + 7, t.find(' ', p) - (p + 7));
  }
  return "host";
}

Expected<Loaded> LoadMlf(const std::string& path, const std::string& shown, const std::string& kind) {
  auto mlf = package::ReadModelLibraryFormat(path);
  if (!mlf.ok()) return NotAModel(shown, mlf.diag().id + " " + mlf.diag().message);
  Loaded l;
  l.name = mlf->module_name;
  l.kind = kind;
  l.target = MlfTarget(*mlf);
  const std::string* ir_text = mlf->Find("src/" + l.name + ".relay");
  if (!ir_text) return NotAModel(shown, "the archive has no src/" + l.name + ".relay (the model's IR)");
  auto g = ir::Parse(*ir_text);
  if (!g.ok()) return NotAModel(shown, g.diag().id + " " + g.diag().message);
  l.graph = std::move(*g);
  const auto& mod = mlf->metadata["modules"][l.name];
  if (mod.is_object() && mod.contains("ram_bytes") && mod.contains("arena_bytes") && mod["ram_bytes"] == mod["arena_bytes"])
    l.io_in_arena = true;
  return l;
}

Expected<Loaded> Load(const std::string& path, const std::string& target, const std::vector<std::string>& input_shapes) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) {
    if (IsProjectDir(path) && fs::exists(p / "model.tar", ec)) {
      EMBER_ASSIGN_OR_RETURN(Loaded l, LoadMlf((p / "model.tar").string(), path, "project"));
      const auto saved = micro::SavedProjectOptions(p);
      if (saved.is_object() && saved.contains("board") && saved["board"].is_string()) l.board = saved["board"].get<std::string>();
      return l;
    }
    if (fs::exists(p / "metadata.json", ec)) return LoadMlf(path, path, "Model Library Format folder");
    return NotAModel(path, "a folder with neither metadata.json (an archive) nor a project's model.tar");
  }
  if (!fs::exists(p, ec)) return NotAModel(path, "no such file");
  const std::string ext = p.extension().string();
  if (ext == ".tar" || ext == ".gz" || ext == ".tgz") return LoadMlf(path, path, "Model Library Format archive");
  if (ext != ".tflite" && ext != ".onnx" && ext != ".ir")
    return NotAModel(path, "the file name ends in neither .tflite, .onnx, .ir nor .tar");
  auto g = LoadModel(path, {}, input_shapes);
  if (!g.ok()) return NotAModel(path, g.diag().id + " " + g.diag().message);
  Loaded l;
  l.name = p.stem().string();
  l.kind = "model";
  l.target = target;
  l.graph = std::move(*g);
  return l;
}

// The per-layer instructions of a project's device: one inference on zero
// inputs through the device RPC (a host_driven project built with --profile).
Expected<report::Profile> ProfileByRunning(const std::string& dir) {
  const std::string hint = "compile the model with --profile, create the project with --project-option "
                           "project_type=host_driven, then 'ember micro build' and 'ember micro flash' it";
  try {
    auto project = micro::GeneratedProject::FromDirectory(dir);
    const micro::ProjectModel model = micro::LoadProjectModel(project);
    if (model.project_type != "host_driven")
      return MakeDiag(report::kCannotRun, ExitCode::kUsage,
                      dir + " was generated with project_type " + model.project_type + "; --run needs host_driven", hint);
    auto link = micro::ConnectDevice(project, model, 600);
    if (link->info.num_profile == 0)
      return MakeDiag(report::kCannotRun, ExitCode::kUsage, "the firmware of " + dir + " has no profile counters", hint);
    for (size_t i = 0; i < model.graph.inputs.size(); ++i) {
      const std::vector<uint8_t> zeros(static_cast<size_t>(model.graph.tensor(model.graph.inputs[i]).size_bytes()), 0);
      link->rpc.Write(micro::MemorySpace::kInput, static_cast<uint32_t>(i), 0, zeros);
    }
    // On emulated boards one tick is one instruction (QEMU -icount shift=0); elsewhere ticks are shown as they are.
    const double per_tick = link->info.ticks_per_second ? 1e9 / link->info.ticks_per_second : 1.0;
    report::Profile p;
    p.source = dir + " (run on " + link->info.platform + ", zero inputs)";
    p.instructions = static_cast<int64_t>(static_cast<double>(link->rpc.Run()) * per_tick + 0.5);
    const auto entries = link->rpc.Profile();
    for (size_t k = 0; k < entries.size(); ++k) {
      report::LayerProfile l;
      l.index = static_cast<int64_t>(k);
      l.op = k < model.graph.nodes.size() ? ir::OpIrName(model.graph.nodes[k].op) : "";
      l.name = entries[k].name;
      l.instructions = static_cast<int64_t>(static_cast<double>(entries[k].ticks) * per_tick + 0.5);
      p.layers.push_back(std::move(l));
    }
    link->session.Close();
    return p;
  } catch (const std::exception& e) {
    return MakeDiag(report::kCannotRun, ExitCode::kDevice, "cannot run " + dir + ": " + e.what(), hint);
  }
}

int RunReport(const std::string& path, const std::string& out, const std::string& profile_path, const std::string& board_name,
              const std::vector<std::string>& targets, const std::string& core, const std::vector<std::string>& input_shapes,
              bool run) {
  auto l = Load(path, targets.empty() ? "cortex-m4" : targets[0], input_shapes);
  if (!l.ok()) return Report(l.diag());
  auto target = codegen::c::ParseTarget(l->target);
  if (!target.ok()) return Report(target.diag());
  std::optional<report::Board> board;
  const std::string bname = board_name.empty() ? l->board : board_name;
  if (!bname.empty()) {
    auto b = report::FindBoard(bname);
    if (!b.ok()) return Report(b.diag());
    board = *b;
  }
  std::optional<report::Profile> profile;
  if (!profile_path.empty()) {
    auto pr = report::ReadProfile(profile_path, l->name, core.empty() ? l->target : core);
    if (!pr.ok()) return Report(pr.diag());
    if (Status st = report::CheckProfileMatches(*pr, l->graph, l->name); !st.ok()) return Report(st.diag());
    profile = std::move(*pr);
  } else if (run) {
    if (l->kind != "project")
      return Report(MakeDiag(report::kCannotRun, ExitCode::kUsage, "--run needs a project folder; '" + path + "' is a " + l->kind,
                             "create a project with 'ember micro create-project', or pass --profile"));
    auto pr = ProfileByRunning(path);
    if (!pr.ok()) return Report(pr.diag());
    if (Status st = report::CheckProfileMatches(*pr, l->graph, l->name); !st.ok()) return Report(st.diag());
    profile = std::move(*pr);
  }
  codegen::c::AotOptions o;
  o.module_name = "report";
  o.target = *target;
  o.io_in_arena = l->io_in_arena;
  auto m = codegen::c::GenerateAot(l->graph, o);
  if (!m.ok()) return Report(m.diag());
  // Several targets (a model file): each one's plan and sizes, and its
  // instructions when the profile is a results.json with that core.
  std::vector<report::TargetFigures> side_by_side;
  if (targets.size() > 1 && l->kind == "model") {
    for (const std::string& name : targets) {
      auto t = codegen::c::ParseTarget(name);
      if (!t.ok()) return Report(t.diag());
      codegen::c::AotOptions to = o;
      to.target = *t;
      auto tm = codegen::c::GenerateAot(l->graph, to);
      if (!tm.ok()) return Report(tm.diag());
      report::TargetFigures f;
      f.target = name;
      f.arena_bytes = tm->workspace_bytes;
      f.weights_bytes = tm->constants_bytes;
      f.ram_bytes = tm->workspace_bytes + (l->io_in_arena ? 0 : tm->io_bytes);
      if (!profile_path.empty()) {
        auto tp = report::ReadProfile(profile_path, l->name, name);
        if (tp.ok() && tp->core == name && report::CheckProfileMatches(*tp, l->graph, l->name).ok()) {
          int64_t sum = 0;
          for (const auto& layer : tp->layers) sum += layer.instructions;
          f.instructions = std::max(sum, tp->instructions);
          f.code_bytes = tp->code_bytes;
        }
      }
      side_by_side.push_back(std::move(f));
    }
  }
  report::ReportInputs in;
  in.model_name = l->name;
  in.source = path;
  in.source_kind = l->kind;
  in.target = l->target;
  in.graph = &l->graph;
  in.compiled = &*m;
  in.profile = profile ? &*profile : nullptr;
  in.board = board;
  in.targets = side_by_side;
  const std::string html = report::RenderHtml(in);
  if (Status st = WriteFileAtomic(out, html); !st.ok()) {
    return Report(MakeDiag(report::kCannotWrite, ExitCode::kFailure,
                           "cannot write the report to '" + out + "': " + st.diag().message,
                           "choose a writable path with -o (nothing was written)"));
  }
  std::printf("wrote %s: model '%s', %zu nodes, target %s%s%s\n", out.c_str(), l->name.c_str(), l->graph.nodes.size(),
              l->target.c_str(), profile ? ", with the measured profile" : "", board ? (", board " + bname).c_str() : "");
  return 0;
}

}  // namespace

void RegisterReport(CLI::App& app, Action* run) {
  struct Args {
    std::string path, out, profile, board, core;
    std::vector<std::string> input_shapes, targets;
    bool run = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("report", "Write one self-contained HTML page about a model: graph, per-layer MACs, "
                                           "parameters and measured instructions, the memory plan, flash and RAM budgets");
  cmd->add_option("INPUT", a->path, "a model (.tflite, .onnx, .ir), a Model Library Format archive or folder, or a project folder")
      ->required();
  cmd->add_option("-o,--output", a->out, "the HTML file to write (replaced atomically)")->required();
  auto* profile = cmd->add_option("--profile", a->profile,
                  "measured per-layer instructions: a bench results.json (make bench) or a profile.json (make demo)");
  cmd->add_flag("--run", a->run,
                "a project: measure the instructions per layer by running one inference on its device (a flashed "
                "host_driven project compiled with --profile)")
      ->excludes(profile);
  cmd->add_option("--core", a->core, "which core's figures to take from a results.json (default: the target)");
  cmd->add_option("--board", a->board, "show flash and RAM against this board's limits (a project's board by default)");
  cmd->add_option("--target", a->targets, "the target a model file is planned for (default cortex-m4; archives and projects "
                                          "keep their own); repeat it to compare targets side by side (the first one is "
                                          "detailed)");
  AddInputShapeOption(cmd, &a->input_shapes);
  cmd->footer("Examples:\n  ember report kws.tflite -o kws.html\n"
              "  ember report kws.tflite --profile build/bench/results.json --board nucleo-f446re -o kws.html\n"
              "  ember report build/demo/project --profile build/demo/profile.json -o report.html\n"
              "  ember report build/demo/project --run -o report.html\n"
              "  ember report kws.tflite --target cortex-m4 --target cortex-m55 --profile build/bench/results.json -o kws.html");
  cmd->callback([=] {
    *run = [=] { return RunReport(a->path, a->out, a->profile, a->board, a->targets, a->core, a->input_shapes, a->run); };
  });
}

}  // namespace ember::cli
