// What ember's template servers share (templates/<name>/server/): the
// template/project distinction, option checking, generating the project
// skeleton (the server copies itself, the model archive and the runtime)
// and running build tools. docs/project-api.md, "Writing a template".
//
// A template folder holds `launch_microtvm_api_server.sh` and the server
// executable `microtvm_api_server` next to it; a generated project holds the
// same two files, `model.tar` (the MLF archive), `model/` (unpacked),
// `crt/` (the runtime), `ember_project.json` (the template's name and the
// options the project was generated with, so that `build` and `flash` need
// none) and the marker `.ember-project` (support/safe_fs.h: the folder is
// ember's, so `create-project --force` may replace it). A folder with
// `model.tar` is a project, else a template.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "micro/project/child_process.h"
#include "micro/project/options.h"
#include "micro/project_api/server.h"
#include "package/mlf_reader.h"

namespace ember::micro {

// Runs a build tool: argv in `cwd`, its stdout and stderr on our stderr (the
// server's log, which reaches the client). Throws ServerError with the
// command, the folder and the exit status when it fails or cannot start.
void RunTool(const std::vector<std::string>& argv, const std::filesystem::path& cwd);

// Copies a folder tree (files and folders; symlinks as links).
void CopyTree(const std::filesystem::path& from, const std::filesystem::path& to);

// The marker file of a generated project and its format (docs/safety.md).
inline constexpr const char* kProjectMarkerFile = ".ember-project";
inline constexpr const char* kProjectMarkerFormat = "ember-project";

// Writes a file of a new project (its folder is created); throws
// ServerError naming it when it cannot be written.
void WriteProjectFile(const std::filesystem::path& path, const std::string& text);

// The compile_definitions option, checked (ParseCompileDefinitions) and
// quoted for set(VAR ...) in a generated CMakeLists.txt; "" when not set.
// Throws ServerError with the E0905 message for a bad value.
std::string CMakeCompileDefinitions(const Json& options);

// Reads a whole file (e.g. a template's CMakeLists.txt.template) of at most
// kMaxTextFileBytes; throws ServerError naming it when it cannot be read.
std::string ReadTemplateFile(const std::filesystem::path& path);

// Replaces every occurrence of `key` in `text` by `value` (@NAME@ fields of
// file templates). `value` may contain `key`: replaced text is not rescanned.
void ReplaceAll(std::string& text, const std::string& key, const std::string& value);

// The options a project was generated with (ember_project.json in
// `project_dir`), or an empty object when there is no readable file.
Json SavedProjectOptions(const std::filesystem::path& project_dir);

class TemplateServer : public ProjectApiHandler {
 public:
  // `dir` is the folder the server runs from (its executable's folder).
  TemplateServer(std::filesystem::path dir, std::string platform_name, std::vector<ProjectOption> options);

  ServerInfo ServerInfoQuery(const std::string& tvm_version) override;

  // Checks the options, the archive's module name and compile_definitions,
  // creates `project_dir` (which must not exist: it is made with mkdir, so
  // a folder that appears meanwhile is never written into), copies the
  // server, the archive (model.tar + model/) and the runtime (crt/), writes
  // ember_project.json, calls Populate and writes the marker last. On
  // failure it removes what it created in this call, and nothing else: the
  // project folder and the parent folders it made.
  void GenerateProject(const std::filesystem::path& model_library_format_path,
                       const std::filesystem::path& standalone_crt_dir, const std::filesystem::path& project_dir,
                       const Json& options) final;

 protected:
  // Adds the template's own files to a new project.
  virtual void Populate(const std::filesystem::path& project_dir, const package::MlfContents& mlf,
                        const Json& options) = 0;

  // The project's options for `method`: those it was generated with,
  // overridden by `given`, checked (ServerError on a bad one).
  Json ProjectOptions(const Json& given, const std::string& method) const;

  bool is_template() const { return is_template_; }
  const std::filesystem::path& dir() const { return dir_; }
  // Throws ServerError unless this server runs in a generated project.
  void RequireProject(const std::string& method) const;

 private:
  std::filesystem::path dir_;
  std::string platform_name_;
  std::vector<ProjectOption> options_;
  bool is_template_;
};

// A template whose device is a child process (a POSIX firmware, QEMU):
// the transport methods read and write its stdout and stdin; closing the
// transport stops it. Subclasses start `device_` in flash/open_transport.
class ChildDeviceServer : public TemplateServer {
 public:
  using TemplateServer::TemplateServer;

  void CloseTransport() override { device_.reset(); }
  std::string ReadTransport(int64_t n, std::optional<double> timeout_sec) override;
  void WriteTransport(std::string_view data, std::optional<double> timeout_sec) override;

 protected:
  std::unique_ptr<ChildProcess> device_;
};

// The folder of the running executable (/proc/self/exe).
std::filesystem::path ExecutableDir();

}  // namespace ember::micro
