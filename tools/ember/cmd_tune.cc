// `ember tune MODEL --target CORE --template NAME [--project-option K=V]...
//  [--trials N] [--devices K] [--log FILE.jsonl] [--timeout S]` and
// `ember tune --summary FILE.jsonl...` (docs/tuning.md).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli.h"
#include "micro/project/project.h"
#include "tune/log.h"
#include "tune/tuner.h"

namespace ember::cli {
namespace tune_cli {

namespace fs = std::filesystem;

void ReportSkipped(const std::string& path, const tune::Log& log) {
  for (const tune::LogIssue& i : log.skipped)
    std::fprintf(stderr, "warning[W1601]: %s line %lld skipped: %s\n", path.c_str(), static_cast<long long>(i.line),
                 i.message.c_str());
}

int Summary(const std::vector<std::string>& paths) {
  std::vector<std::pair<std::string, tune::Log>> logs;
  for (const std::string& p : paths) {
    auto log = tune::ReadLog(p, "", "", /*missing_ok=*/false);
    if (!log.ok()) return Report(log.diag());
    ReportSkipped(p, *log);
    logs.emplace_back(p, std::move(*log));
  }
  std::fputs(tune::Summary(logs).c_str(), stdout);
  return 0;
}

}  // namespace tune_cli

void RegisterTune(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand(
      "tune", "Tune the kernels' schedules of a model on a device (one firmware per batch of candidates)");
  struct Args {
    std::string model, target, tmpl, log, work_dir;
    std::vector<std::string> options, summary;
    int64_t trials = 24;
    int devices = 1;
    double timeout = 60;
    uint32_t repeat = 5;
    bool keep = false;
  };
  auto a = std::make_shared<Args>();
  auto pass_args = std::make_shared<PassArgs>();
  cmd->add_option("MODEL", a->model, "model file (.tflite, .onnx, or ember IR text .ir)");
  AddInputShapeOption(cmd, &pass_args->input_shapes);
  cmd->add_option("--target", a->target, "the core the kernels are for: cortex-m4, cortex-m7, cortex-m33, ...");
  cmd->add_option("--template", a->tmpl,
                  "a template with a host_driven project type: qemu, host, or a template folder");
  cmd->add_option("--project-option", a->options, "KEY=VALUE options of the template (e.g. board=mps2-an386)");
  cmd->add_option("--trials", a->trials, "candidates per task at most, the default schedule included")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();
  cmd->add_option("--devices", a->devices, "devices measuring in parallel (K instances of the project)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--log", a->log,
                  "the tuning log, one JSON record per measurement, appended as it goes; an existing log is "
                  "resumed (default: MODEL_STEM.TARGET.tuning.jsonl)");
  cmd->add_option("--timeout", a->timeout, "seconds a device may take to answer before it is restarted")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--repeat", a->repeat, "timed measurements per candidate (min and median are logged)")
      ->check(CLI::Range(1u, 100u))
      ->capture_default_str();
  cmd->add_option("--work-dir", a->work_dir, "where the batches' projects are generated (default: a temporary folder)");
  cmd->add_flag("--keep-projects", a->keep, "keep every batch's generated project");
  cmd->add_option("--summary", a->summary,
                  "print per task the default and best figures of these logs (and, for several logs, where their "
                  "best schedules differ) instead of tuning");
  AddInt8SemanticsOption(cmd, &pass_args->int8_semantics);
  cmd->footer(
      "Examples:\n"
      "  ember tune kws.tflite --target cortex-m4 --template qemu --project-option board=mps2-an386 \\\n"
      "      --devices 2 --log kws-m4.jsonl\n"
      "  ember tune --summary kws-m4.jsonl\n"
      "  ember tune --summary kws-m4.jsonl kws-m7.jsonl     where the best schedules differ\n"
      "  ember compile kws.tflite --target cortex-m4 --tuning-log kws-m4.jsonl -o kws.tar\n"
      "See docs/tuning.md.");
  cmd->callback([=] {
    *run = [=]() -> int {
      if (!a->summary.empty()) return tune_cli::Summary(a->summary);
      if (a->model.empty() || a->target.empty() || a->tmpl.empty())
        return Report(MakeDiag("E1604", ExitCode::kUsage, "ember tune needs MODEL, --target and --template",
                               "e.g. ember tune kws.tflite --target cortex-m4 --template qemu --project-option "
                               "board=mps2-an386; or ember tune --summary LOG.jsonl"));
      auto target = codegen::c::ParseTarget(a->target);
      if (!target.ok()) return Report(target.diag());
      auto options = ParseProjectOptions(a->options);
      if (!options.ok()) return Report(options.diag());
      tune::TuneOptions o;
      o.target = *target;
      o.project_options = *options;
      o.trials = a->trials;
      o.devices = a->devices;
      o.timeout_sec = a->timeout;
      o.repeat = a->repeat;
      o.keep_projects = a->keep;
      o.log_path = a->log.empty() ? fs::path(a->model).stem().string() + "." + a->target + ".tuning.jsonl" : a->log;
      try {
        o.template_dir = micro::GetTemplateProjectDir(a->tmpl).string();
      } catch (const std::exception& e) {
        return Report(MakeDiag("E0904", ExitCode::kUsage, e.what(), "pass a template name (qemu, host) or folder"));
      }
      o.board = options->contains("board") && (*options)["board"].is_string() ? (*options)["board"].get<std::string>()
                                                                              : fs::path(o.template_dir).filename().string();
      auto g = LoadModel(a->model, Int8SemanticsPipeline(pass_args->int8_semantics), pass_args->input_shapes);
      if (!g.ok()) return Report(g.diag());
      {
        auto before = tune::ReadLog(o.log_path, o.target.name, o.board, /*missing_ok=*/true);
        if (!before.ok()) return Report(before.diag());
        tune_cli::ReportSkipped(o.log_path, *before);
      }
      std::string temp;
      if (a->work_dir.empty()) {
        std::string tmpl = (fs::temp_directory_path() / "ember-tune-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr)
          return Report(MakeDiag("E1603", ExitCode::kFailure, "cannot create a temporary folder", "pass --work-dir"));
        temp = tmpl;
        o.work_dir = temp;
      } else {
        o.work_dir = a->work_dir;
      }
      const bool tty = isatty(fileno(stderr)) != 0;
      o.progress = [tty](const std::string& line) {
        if (tty) std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
        else std::fprintf(stderr, "%s\n", line.c_str());
      };
      o.note = [tty](const std::string& line) { std::fprintf(stderr, "%snote: %s\n", tty ? "\n" : "", line.c_str()); };
      auto r = tune::Tune(*g, o);
      if (tty) std::fprintf(stderr, "\n");
      std::error_code ec;
      if (!temp.empty() && !a->keep) fs::remove_all(temp, ec);
      if (!r.ok()) return Report(r.diag());
      std::printf("tuned %zu tasks of %s for %s on %s: %lld candidates, %lld measured now, %lld from the log, "
                  "%lld errors\n",
                  r->tasks.size(), a->model.c_str(), a->target.c_str(), o.board.c_str(),
                  static_cast<long long>(r->candidates), static_cast<long long>(r->measured),
                  static_cast<long long>(r->resumed), static_cast<long long>(r->errors));
      std::fputs(tune::Summary({{o.log_path, r->log}}).c_str(), stdout);
      if (r->lost > 0) {
        return Report(MakeDiag("E1605", ExitCode::kDevice,
                               std::to_string(r->lost) + " candidates were not measured (see the notes above)",
                               "run the same command again: the log is resumed and only those are measured"));
      }
      return 0;
    };
  });
}

}  // namespace ember::cli
