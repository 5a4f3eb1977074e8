// The C++ twin of tvm.micro's project glue: TemplateProject, GeneratedProject
// and generate_project. A TemplateProject talks to the API server in a
// template folder and generates projects; a GeneratedProject talks to the
// server copied into a project and builds, flashes and opens the transport.
// Project options are checked against the template's declaration before
// they are sent (ProjectOptionError); server failures arrive as the
// exceptions of micro/project_api/protocol.h.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "micro/project/options.h"
#include "micro/project_api/launch.h"
#include "micro/transport/transport.h"
#include "support/status.h"

namespace ember::micro {

// The transport of a generated project, through its API server
// (open_transport ... close_transport). Closing it also shuts the server
// down, as microTVM's ProjectTransport does.
class ProjectTransport : public Transport {
 public:
  ProjectTransport(std::unique_ptr<ServerProcess> server, Json options)
      : server_(std::move(server)), options_(std::move(options)) {}
  ~ProjectTransport() override;
  void Open() override;
  void Close() override;
  TransportTimeouts timeouts() const override;
  std::string Read(int64_t n, std::optional<double> timeout_sec) override;
  void Write(std::string_view data, std::optional<double> timeout_sec) override;

 private:
  std::unique_ptr<ServerProcess> server_;
  Json options_;
  std::optional<TransportTimeouts> timeouts_;
};

class GeneratedProject {
 public:
  // Launches the project's server; throws ProjectApiError if `dir` holds a
  // template rather than a generated project. `options` (checked) override
  // those the project was generated with, for build, flash and transport.
  static GeneratedProject FromDirectory(const std::filesystem::path& dir, const Json& options = Json::object(),
                                        LaunchOptions launch = {});

  const ServerInfo& info() const { return info_; }
  const std::filesystem::path& dir() const { return dir_; }
  const Json& options() const { return options_; }
  void set_options(Json options) { options_ = std::move(options); }

  void Build();
  void Flash();
  // A new server for the transport (as tvm.micro: the transport owns it).
  std::unique_ptr<ProjectTransport> OpenTransport() const;

  // snake_case names of tvm.micro, for ported code.
  void build() { Build(); }
  void flash() { Flash(); }
  std::unique_ptr<ProjectTransport> transport() const { return OpenTransport(); }

 private:
  GeneratedProject(std::filesystem::path dir, std::unique_ptr<ServerProcess> server, ServerInfo info, Json options,
                   LaunchOptions launch)
      : dir_(std::move(dir)), server_(std::move(server)), info_(std::move(info)), options_(std::move(options)),
        launch_(std::move(launch)) {}

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
  ServerInfo info_;
  Json options_;
  LaunchOptions launch_;
};

class TemplateProject {
 public:
  // Launches the template's server; throws ProjectApiError if `dir` holds a
  // generated project rather than a template.
  static TemplateProject FromDirectory(const std::filesystem::path& dir, LaunchOptions launch = {});

  const ServerInfo& info() const { return info_; }
  const std::filesystem::path& dir() const { return dir_; }

  // Checks `options` for generate_project, generates `project_dir` from the
  // MLF archive with the runtime of get_standalone_crt_dir(), and returns
  // the generated project (bound to a new server in it).
  //
  // The server generates into a new folder inside a unique sibling of
  // `project_dir` (mkdtemp), which is renamed into place once complete, so
  // a failure leaves nothing at `project_dir`. A folder that exists is an
  // error (ProjectApiError) unless `replace`; then it must pass
  // CheckProjectReplaceable (else UnsafeProjectDirError) and is swapped out
  // and deleted only after the new project is in place.
  GeneratedProject GenerateProjectFromMlf(const std::filesystem::path& mlf_path,
                                          const std::filesystem::path& project_dir, const Json& options = {},
                                          bool replace = false);

 private:
  TemplateProject(std::filesystem::path dir, std::unique_ptr<ServerProcess> server, ServerInfo info,
                  LaunchOptions launch)
      : dir_(std::move(dir)), server_(std::move(server)), info_(std::move(info)), launch_(std::move(launch)) {}

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
  ServerInfo info_;
  LaunchOptions launch_;
};

// A project folder that may not be replaced or written (docs/safety.md);
// diag() is the E0005-E0008 diagnostic, what() its text.
class UnsafeProjectDirError : public ProjectApiError {
 public:
  explicit UnsafeProjectDirError(Diagnostic d) : ProjectApiError(d.ToString()), diag_(std::move(d)) {}
  const Diagnostic& diag() const { return diag_; }

 private:
  Diagnostic diag_;
};

// Whether an existing `project_dir` may be replaced: ember created it (its
// marker .ember-project), and it is not `/`, the home folder, the current
// folder or an ancestor of it, a symlink, nor holds one of `inputs` (the
// archive, the template). E0005-E0007; ok when the folder does not exist.
Status CheckProjectReplaceable(const std::filesystem::path& project_dir,
                               const std::vector<std::filesystem::path>& inputs);

// tvm.micro.generate_project_from_mlf with the argument order of
// tvm.micro.generate_project: template folder, archive, project folder.
GeneratedProject GenerateProject(const std::filesystem::path& template_dir, const std::filesystem::path& mlf_path,
                                 const std::filesystem::path& project_dir, const Json& options = {});

// The folder of a template shipped with ember ("host", "qemu",
// "standalone"): $EMBER_TEMPLATES_DIR/<name>, else templates/<name> next to
// the running executable or up to two levels above it, else this build's.
// A name containing '/' or naming an existing folder is returned as is.
// Throws ProjectApiError listing the known templates when none is found.
std::filesystem::path GetTemplateProjectDir(const std::string& name_or_dir);

// The names of the templates found where GetTemplateProjectDir looks.
std::vector<std::string> ListTemplateProjects();

}  // namespace ember::micro
