// `ember compile MODEL --target T [--executor aot|graph] [--module-name NAME]
//  [--dump-ir-after PASS|import|all] [--keep-io-layout] [--keep-constant-channels] [--tuning-log FILE.jsonl]
//  [--quantize int8 --calibration DATA [--method M] [--per-channel]] -o OUT`
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli.h"
#include "codegen/c/aot.h"
#include "codegen/c/module_name.h"
#include "ir/printer.h"
#include "memory/planner.h"
#include "package/mlf.h"
#include "tune/log.h"
#include "tune/tuner.h"

namespace ember::cli {

void RegisterCompile(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand(
      "compile", "Compile a model to C99 and package it in Model Library Format (.tar or folder)");
  struct Args {
    std::string model, target = "host", executor = "aot", module_name = "default", out, quantize, tuning_log;
    std::string optimize = "speed";
    QuantizeArgs q;
    bool io_in_arena = false, external_arena = false, verbose = false, profile = false;
  };
  auto a = std::make_shared<Args>();
  auto pass_args = std::make_shared<PassArgs>();
  cmd->add_option("MODEL", a->model, "model file (.tflite, .onnx, or ember IR text .ir)")->required();
  AddInputShapeOption(cmd, &pass_args->input_shapes);
  cmd->add_option("--target", a->target, "host, cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55")
      ->capture_default_str();
  cmd->add_option("--executor", a->executor,
                  "aot: the entry point tvmgen_<name>_run; graph: also the graph JSON "
                  "(executor-config/graph/<name>.graph) and the operator table tvmgen_<name>_operators")
      ->check(CLI::IsMember({"aot", "graph"}))
      ->capture_default_str();
  cmd->add_option("--module-name", a->module_name,
                  "the <name> of tvmgen_<name>_run and of the files; letters, digits, '_'")
      ->capture_default_str();
  cmd->add_option("-o,--output", a->out,
                  "OUT.tar for an archive, anything else for a folder (an existing folder is replaced only if "
                  "ember wrote it)")
      ->required();
  cmd->add_flag("--io-in-arena", a->io_in_arena,
                "place inputs and outputs inside the arena too (one block of RAM; "
                "tvmgen_<name>_map_inputs/map_outputs return their places)");
  cmd->add_flag("--external-arena", a->external_arena,
                "the caller provides the arena (struct tvmgen_<name>_workspace_pools) instead of a static array");
  cmd->add_flag("--profile", a->profile,
                "time every layer: reads the platform timer around each kernel call into "
                "tvmgen_<name>_profile_ticks[] (off by default; no cost when off)");
  AddOptimizeOption(cmd, &a->optimize);
  cmd->add_flag("-v,--verbose", a->verbose, "print the memory plan");
  cmd->add_option("--dump-ir-after", pass_args->after,
                  "print the IR to stderr after this pass (" + passes::PassNames() +
                      "), 'import' for the graph as imported, 'all' for every step; constants elided "
                      "(`ember inspect --after PASS --full` prints them)");
  AddKeepIoLayoutFlag(cmd, pass_args.get());
  AddKeepConstantChannelsFlag(cmd, pass_args.get());
  AddInt8SemanticsOption(cmd, &pass_args->int8_semantics);
  cmd->add_option("--tuning-log", a->tuning_log,
                  "a log of `ember tune` for this --target: each tunable layer gets its task's best measured "
                  "schedule (the default where the log has none; docs/tuning.md)");
  cmd->add_option("--quantize", a->quantize,
                  "int8: quantize a float ONNX model first (as `ember quantize` does, into a temporary file) "
                  "and compile the int8 model")
      ->check(CLI::IsMember({"int8"}));
  AddQuantizeOptions(cmd, &a->q);
  cmd->footer("Examples:\n  ember compile kws.tflite --target cortex-m4 -o kws.tar\n"
              "  ember compile kws.tflite --target cortex-m4 --executor graph -o kws.tar\n"
              "  ember compile kws.tflite --target host --module-name kws -o build/kws\n"
              "  ember compile kws.onnx --quantize int8 --calibration calib.npz --target cortex-m4 -o kws.tar");
  cmd->callback([=] {
    *run = [=]() -> int {
      auto target = codegen::c::ParseTarget(a->target);
      if (!target.ok()) return Report(target.diag());
      if (Status st = codegen::c::CheckModuleName(a->module_name); !st.ok()) return Report(st.diag());
      std::string model = a->model, temp_dir;
      struct Cleanup {
        std::string* dir;
        ~Cleanup() {
          std::error_code ec;
          if (!dir->empty()) std::filesystem::remove_all(*dir, ec);
        }
      } cleanup{&temp_dir};
      if (a->quantize.empty() && !a->q.calibration.empty()) {
        return Report(MakeDiag("E1308", ExitCode::kUsage, "--calibration is given without --quantize int8",
                               "add --quantize int8 to quantize the model before compiling it"));
      }
      if (!a->quantize.empty()) {
        auto q = QuantizeToTemp(a->model, a->q, pass_args->input_shapes, &temp_dir);
        if (!q.ok()) return Report(q.diag());
        model = *q;
      }
      auto g = LoadModelShowing(model, *pass_args, [](std::string_view pass, const ir::Graph& step) {
        std::fprintf(stderr, "// ember: IR after %.*s\n%s", static_cast<int>(pass.size()), pass.data(),
                     ir::Print(step, {.full_constants = false}).c_str());
      });
      if (!g.ok()) return Report(g.diag());
      codegen::c::AotOptions o;
      o.module_name = a->module_name;
      o.target = *target;
      o.io_in_arena = a->io_in_arena;
      o.external_arena = a->external_arena;
      o.profile = a->profile;
      o.graph_executor = a->executor == "graph";
      o.optimize_size = a->optimize == "size";
      if (!a->tuning_log.empty()) {
        auto log = tune::ReadLog(a->tuning_log, target->name, "", /*missing_ok=*/false);
        if (!log.ok()) return Report(log.diag());
        for (const tune::LogIssue& i : log->skipped)
          std::fprintf(stderr, "warning[W1601]: %s line %lld skipped: %s\n", a->tuning_log.c_str(),
                       static_cast<long long>(i.line), i.message.c_str());
        std::vector<std::string> applied;
        o.schedules = tune::SchedulesFromLog(*g, *target, *log, &applied);
        std::printf("tuning log %s: %zu layers with a tuned schedule\n", a->tuning_log.c_str(), applied.size());
        if (a->verbose)
          for (const std::string& s : applied) std::printf("  %s\n", s.c_str());
      }
      auto m = codegen::c::GenerateAot(*g, o);
      if (!m.ok()) return Report(m.diag());
      package::MlfOptions mo;
      mo.target = a->target;
      mo.graph = &*g;
      mo.inputs = {a->model};  // never replaced by the output, nor the quantized model or its calibration data
      if (model != a->model) mo.inputs.push_back(model);
      if (!a->q.calibration.empty()) mo.inputs.push_back(a->q.calibration);
      Status st = package::ExportModelLibraryFormat(*m, a->out, mo);
      if (!st.ok()) return Report(st.diag());
      if (a->verbose) std::fputs(memory::PlanSummary(*g, m->plan).c_str(), stdout);
      const int64_t ram = m->workspace_bytes + m->plan.state_bytes + (a->io_in_arena ? 0 : m->io_bytes);
      std::printf("wrote %s: module '%s', target %s, %zu kernels\n", a->out.c_str(), m->module_name.c_str(),
                  a->target.c_str(), g->nodes.size());
      if (o.graph_executor) {
        std::printf("  graph executor: executor-config/graph/%s.graph, %lld operators in tvmgen_%s_operators\n",
                    m->module_name.c_str(), static_cast<long long>(m->num_operators), m->module_name.c_str());
      }
      std::printf("  arena %lld B%s, %sweights %lld B, RAM %lld B in all\n",
                  static_cast<long long>(m->workspace_bytes),
                  a->io_in_arena ? " (inputs and outputs inside)" : "",
                  m->plan.state_bytes > 0 ? ("state " + std::to_string(m->plan.state_bytes) + " B, ").c_str() : "",
                  static_cast<long long>(m->constants_bytes), static_cast<long long>(ram));
      return 0;
    };
  });
}

}  // namespace ember::cli
