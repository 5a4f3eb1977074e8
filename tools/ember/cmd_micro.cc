// `ember micro create-project | build | flash | info`: projects for boards
// through the Project API (docs/project-api.md), like `tvmc micro`.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "micro/project/model_glue.h"
#include "micro/project/project.h"
#include "micro/project/template_server.h"
#include "package/mlf_reader.h"
#include "support/file.h"
#include "support/json_text.h"

namespace ember::cli {
namespace {

namespace fs = std::filesystem;
using micro::Json;

Expected<Json> ParseOptions(const std::vector<std::string>& items) { return ParseProjectOptions(items); }

// What create-project checks before a server starts: compile_definitions
// (E0905), the archive (E07xx, and E0506 for a model name that cannot be built) and, for --force, that the
// existing folder may be replaced (E0005-E0007).
Status CheckCreateProject(const std::string& project_dir, const std::string& mlf, const fs::path& template_dir,
                          const Json& options) {
  if (options.contains("compile_definitions") && options["compile_definitions"].is_string())
    EMBER_RETURN_IF_ERROR(micro::ParseCompileDefinitions(options["compile_definitions"].get<std::string>()).status());
  // A malformed archive, or one whose model name cannot be built (E0506).
  EMBER_RETURN_IF_ERROR(package::ReadModelLibraryFormat(mlf).status());
  return micro::CheckProjectReplaceable(project_dir, {mlf, template_dir});
}

// Runs a Project API action and maps its exceptions to diagnostics.
template <typename F>
int Guard(F&& f) {
  try {
    return f();
  } catch (const micro::UnsafeProjectDirError& e) {
    return Report(e.diag());
  } catch (const micro::ProjectOptionError& e) {
    return Report(MakeDiag("E0903", ExitCode::kUsage, e.what(),
                           "run 'ember micro info TEMPLATE' for the options, their choices and defaults"));
  } catch (const micro::ProjectApiServerNotFoundError& e) {
    return Report(MakeDiag("E0904", ExitCode::kUsage, e.what(), "pass a template name, a template folder or a project folder"));
  } catch (const micro::JsonRpcError& e) {
    std::string msg = e.message();
    if (msg.rfind("calling method", 0) == 0 && e.data().is_object() && e.data().contains("traceback") && e.data()["traceback"].is_string())
      msg += ": " + e.data()["traceback"].get<std::string>();
    return Report(MakeDiag("E0902", ExitCode::kFailure, "the project's server reported: " + msg,
                           "see the server's log above; 'ember micro info PROJECT_DIR' shows its options"));
  } catch (const micro::ProjectApiError& e) {
    return Report(MakeDiag("E0904", ExitCode::kUsage, e.what(), "check the folder"));
  } catch (const std::runtime_error& e) {
    return Report(MakeDiag("E0902", ExitCode::kDevice, e.what(), "see the server's log above"));
  }
}

std::string ShowValue(const Json& v) { return v.is_string() ? v.get<std::string>() : DumpJson(v); }

// A project's value of every declared option: what it was generated with
// (ember_project.json), else the default; null when neither is set.
Json ProjectValues(const fs::path& dir, const micro::ServerInfo& info) {
  const Json saved = micro::SavedProjectOptions(dir);
  Json values = Json::object();
  for (const auto& o : info.project_options)
    values[o.name] = saved.contains(o.name) && !saved[o.name].is_null() ? saved[o.name] : o.default_value;
  return values;
}

void PrintInfo(const fs::path& dir, const micro::ServerInfo& info) {
  std::printf("%s: %s '%s'\n", dir.string().c_str(), info.is_template ? "template" : "project",
              info.platform_name.c_str());
  if (info.model_library_format_path && !info.model_library_format_path->empty())
    std::printf("model: %s\n", info.model_library_format_path->c_str());
  std::printf("protocol version: %d\n", info.protocol_version);
  if (!info.is_template) {
    // A project: its own values first (a --project-option given to a command overrides them there).
    const Json values = ProjectValues(dir, info);
    const Json saved = micro::SavedProjectOptions(dir);
    std::printf("this project's options (ember_project.json):\n");
    for (const auto& o : info.project_options) {
      const Json& v = values[o.name];
      const bool set = saved.contains(o.name) && !saved[o.name].is_null();
      std::printf("  %s=%s%s\n", o.name.c_str(), v.is_null() ? "(unset)" : ShowValue(v).c_str(),
                  set || v.is_null() ? "" : " (the default)");
    }
  }
  std::printf("%s:\n%s", info.is_template ? "options" : "all options, their choices and defaults",
              micro::DescribeProjectOptions(info.project_options).c_str());
}

int Info(const std::string& what, bool json) {
  if (what.empty()) {
    std::printf("templates:");
    for (const auto& n : micro::ListTemplateProjects()) std::printf(" %s", n.c_str());
    std::printf("\n");
    return 0;
  }
  return Guard([&] {
    fs::path dir = micro::GetTemplateProjectDir(what);
    auto server = micro::ServerProcess::Launch(dir);
    const micro::ServerInfo info = server->client().ServerInfoQuery("ember");
    if (json) {
      Json j = info.ToJson();
      if (!info.is_template) j["project_option_values"] = ProjectValues(dir, info);
      std::printf("%s\n", DumpJson(j, 2).c_str());
    } else {
      PrintInfo(dir, info);
    }
    return 0;
  });
}

int CreateProject(const std::string& project_dir, const std::string& mlf, const std::string& tmpl,
                  const std::vector<std::string>& items, bool force) {
  auto options = ParseOptions(items);
  if (!options.ok()) return Report(options.diag());
  if (!fs::is_regular_file(mlf))
    return Report(MakeDiag("E0903", ExitCode::kUsage, "'" + mlf + "' is not a file",
                           "pass the .tar archive written by 'ember compile MODEL -o NAME.tar'"));
  std::error_code ec;
  if (fs::exists(fs::symlink_status(project_dir, ec)) && !force)
    return Report(MakeDiag("E0903", ExitCode::kUsage, "'" + project_dir + "' already exists",
                           "choose a new folder, or pass --force to replace a project ember created"));
  return Guard([&] {
    const fs::path template_dir = micro::GetTemplateProjectDir(tmpl);
    if (Status st = CheckCreateProject(project_dir, mlf, template_dir, *options); !st.ok()) return Report(st.diag());
    auto t = micro::TemplateProject::FromDirectory(template_dir);
    t.GenerateProjectFromMlf(mlf, project_dir, *options, force);
    std::printf("generated %s from template '%s'\n", fs::absolute(project_dir).string().c_str(),
                t.info().platform_name.c_str());
    return 0;
  });
}

int BuildOrFlash(const std::string& project_dir, const std::vector<std::string>& items, bool flash) {
  auto options = ParseOptions(items);
  if (!options.ok()) return Report(options.diag());
  return Guard([&] {
    auto p = micro::GeneratedProject::FromDirectory(project_dir, *options);
    if (flash) {
      p.Flash();
    } else {
      p.Build();
    }
    std::printf("%s %s\n", flash ? "flashed" : "built", p.dir().string().c_str());
    return 0;
  });
}

// The model table (`ember_model`, runtime/include/ember/model_io.h) of the
// archive's model as a C file: what create-project writes to src/model_io.c,
// for firmware built outside the templates (the CMake package's
// ember_add_model(... MODEL_TABLE)).
int ModelTable(const std::string& mlf, const std::string& out) {
  auto contents = package::ReadModelLibraryFormat(mlf);
  if (!contents.ok()) return Report(contents.diag());
  auto glue = micro::GenerateModelGlue(*contents);
  if (!glue.ok()) return Report(glue.diag());
  if (Status st = WriteFileBytes(out, glue->data(), glue->size()); !st.ok()) return Report(st.diag());
  return 0;
}

}  // namespace

// --project-option KEY=VALUE items → an options object (values as strings;
// the template's declaration converts them). The key ends at the first '=':
// the value may hold more (compile_definitions=NAME=VALUE).
Expected<micro::Json> ParseProjectOptions(const std::vector<std::string>& items) {
  micro::Json out = micro::Json::object();
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return MakeDiag("E0903", ExitCode::kUsage, "--project-option '" + item + "' is not KEY=VALUE",
                      "write one option per item, e.g. --project-option board=mps2-an386");
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

void RegisterMicro(CLI::App& app, Action* run) {
  auto* micro = app.add_subcommand("micro", "Projects for boards through the Project API (templates host, qemu, standalone)");
  micro->require_subcommand(1);
  micro->footer("Examples:\n  ember micro info                     the templates\n"
                "  ember micro info qemu                a template's options\n"
                "  ember micro create-project p kws.tar --template qemu --project-option board=mps2-an386\n"
                "  ember micro build p && ember micro flash p && ember run p --input x.npy\n"
                "Run 'ember micro COMMAND --help' for the options of a command.");
  struct Args {
    std::string project, mlf, tmpl, what;
    std::vector<std::string> options;
    bool force = false, json = false;
  };
  auto a = std::make_shared<Args>();
  const char* opt_help = "KEY=VALUE options of the template ('ember micro info TEMPLATE' lists them)";

  auto* create = micro->add_subcommand("create-project", "Generate a project from a template and an MLF archive");
  create->alias("create");
  create->add_option("PROJECT_DIR", a->project, "the project folder to create")->required();
  create->add_option("MLF", a->mlf, "the model's archive from 'ember compile ... -o NAME.tar'")->required();
  create->add_option("--template,-t", a->tmpl, "a template name (host, qemu, standalone) or folder")->required();
  create->add_option("--project-option", a->options, opt_help);
  create->add_flag("-f,--force", a->force,
                 "replace PROJECT_DIR if it is a project ember created (never the current folder, an ancestor, "
                 "or a folder holding MLF)");
  create->footer("Example:\n  ember compile kws.tflite --target cortex-m4 -o kws.tar\n"
                 "  ember micro create-project kws-qemu kws.tar --template qemu --project-option board=mps2-an386");
  create->callback([=] { *run = [=] { return CreateProject(a->project, a->mlf, a->tmpl, a->options, a->force); }; });

  auto* build = micro->add_subcommand("build", "Build a generated project's firmware");
  build->add_option("PROJECT_DIR", a->project, "the project folder")->required();
  build->add_option("--project-option", a->options, opt_help);
  build->footer("Example:\n  ember micro build kws-qemu                 firmware in kws-qemu/build/\n"
                "  ember micro build kws-qemu --project-option verbose=true   show the compiler's commands\n"
                "Then 'ember micro flash PROJECT_DIR', or 'ember run PROJECT_DIR --input ...'.");
  build->callback([=] { *run = [=] { return BuildOrFlash(a->project, a->options, false); }; });

  auto* flash = micro->add_subcommand("flash", "Flash a built project onto its device (start it, for host and qemu)");
  flash->add_option("PROJECT_DIR", a->project, "the project folder")->required();
  flash->add_option("--project-option", a->options, opt_help);
  flash->footer("Examples:\n  ember micro flash kws-qemu\n"
                "  ember micro flash kws-qemu --project-option gdbserver_port=1234   qemu: halted, for a debugger\n"
                "qemu and host projects are started again by every 'ember run', 'profile' and 'validate';\n"
                "flash checks that the firmware starts (docs/templates/qemu.md, \"Debugging\").");
  flash->callback([=] { *run = [=] { return BuildOrFlash(a->project, a->options, true); }; });

  auto* table = micro->add_subcommand("model-table",
                                      "Write the C definition of `ember_model` (ember/model_io.h) for an MLF's model");
  table->add_option("MLF", a->mlf, "the model's archive or folder from 'ember compile'")->required();
  table->add_option("-o,--output", a->project, "the C file to write")->required();
  table->footer("Example:\n  ember compile kws.tflite --target cortex-m4 --module-name kws -o kws_mlf\n"
                "  ember micro model-table kws_mlf -o model_io.c");
  table->callback([=] { *run = [=] { return ModelTable(a->mlf, a->project); }; });

  auto* info = micro->add_subcommand("info", "Describe a template or project (its server's info), or list the templates");
  info->add_option("TEMPLATE_OR_PROJECT", a->what, "a template name or folder, or a project folder");
  info->add_flag("--json", a->json, "print server_info_query's reply as JSON");
  info->footer("Examples:\n  ember micro info                 the templates\n"
               "  ember micro info qemu            a template's options, their choices and defaults\n"
               "  ember micro info kws-qemu        a project: the values it was generated with\n"
               "  ember micro info kws-qemu --json");
  info->callback([=] { *run = [=] { return Info(a->what, a->json); }; });
}

}  // namespace ember::cli
