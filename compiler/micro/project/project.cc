#include "micro/project/project.h"

#include <algorithm>
#include <cstdlib>

#include "micro/project/template_server.h"
#include "package/runtime_dir.h"
#include "support/safe_fs.h"
#include "support/utf8.h"

namespace ember::micro {
namespace fs = std::filesystem;

namespace {

// What ember sends as server_info_query's tvm_version.
constexpr const char* kClientVersion = "ember";

std::vector<fs::path> TemplateRoots() {
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("EMBER_TEMPLATES_DIR"); env && *env) roots.emplace_back(env);
  const fs::path exe = ExecutableDir();
  for (const fs::path& p : {exe / "templates", exe.parent_path() / "templates",
                            exe.parent_path().parent_path() / "templates", exe.parent_path() / "share/ember/templates"})
    roots.push_back(p);
#ifdef EMBER_BUILD_TEMPLATES_DIR
  roots.emplace_back(EMBER_BUILD_TEMPLATES_DIR);
#endif
  return roots;
}

bool IsServerDir(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p / "launch_microtvm_api_server.sh", ec) || fs::exists(p / "microtvm_api_server.py", ec);
}

// The options given (non-null) only: a project's server keeps the values
// the project was generated with for the others.
Json GivenOptions(const Json& options) {
  Json out = Json::object();
  if (!options.is_object()) return out;
  for (const auto& [k, v] : options.items())
    if (!v.is_null()) out[k] = v;
  return out;
}

}  // namespace

std::vector<std::string> ListTemplateProjects() {
  std::vector<std::string> names;
  for (const fs::path& root : TemplateRoots()) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root, ec)) {
      const std::string n = e.path().filename().string();
      if (IsServerDir(e.path()) && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

fs::path GetTemplateProjectDir(const std::string& name) {
  std::error_code ec;
  if (name.find('/') != std::string::npos || fs::is_directory(name, ec)) return fs::absolute(name);
  for (const fs::path& root : TemplateRoots())
    if (IsServerDir(root / name)) return fs::absolute(root / name);
  std::string known;
  for (const auto& n : ListTemplateProjects()) known += (known.empty() ? "" : ", ") + n;
  throw ProjectApiError("no template named '" + name + "'; known templates: " + (known.empty() ? "(none found)" : known) +
                        ". Pass a template folder, or set EMBER_TEMPLATES_DIR");
}

ProjectTransport::~ProjectTransport() {
  try {
    Close();
  } catch (const std::exception&) {
    // Closing is best effort: the server is stopped below either way.
  }
}

void ProjectTransport::Open() {
  if (!server_) throw ConnectionShutdownError("the transport was closed; open a new one from the project");
  timeouts_ = server_->client().OpenTransport(options_);
}

void ProjectTransport::Close() {
  if (!server_) return;
  std::unique_ptr<ServerProcess> server = std::move(server_);
  if (timeouts_ && !server->client().is_shutdown()) server->client().CloseTransport();
  server->Stop();
}

TransportTimeouts ProjectTransport::timeouts() const {
  if (!timeouts_) throw ProjectApiError("the transport is not open");
  return *timeouts_;
}

std::string ProjectTransport::Read(int64_t n, std::optional<double> timeout_sec) {
  if (!server_) throw TransportClosedError();
  return server_->client().ReadTransport(n, timeout_sec);
}

void ProjectTransport::Write(std::string_view data, std::optional<double> timeout_sec) {
  if (!server_) throw TransportClosedError();
  server_->client().WriteTransport(data, timeout_sec);
}

GeneratedProject GeneratedProject::FromDirectory(const fs::path& dir, const Json& options, LaunchOptions launch) {
  const fs::path abs = fs::absolute(dir);
  auto server = ServerProcess::Launch(abs, launch);
  ServerInfo info = server->client().ServerInfoQuery(kClientVersion);
  if (info.is_template)
    throw ProjectApiError(abs.string() + " is a template, not a generated project; create a project from it first");
  (void)CheckProjectOptions(info.project_options, options, "");  // names and values
  return GeneratedProject(abs, std::move(server), std::move(info), GivenOptions(options), std::move(launch));
}

void GeneratedProject::Build() { server_->client().Build(GivenOptions(options_)); }

void GeneratedProject::Flash() { server_->client().Flash(GivenOptions(options_)); }

std::unique_ptr<ProjectTransport> GeneratedProject::OpenTransport() const {
  return std::make_unique<ProjectTransport>(ServerProcess::Launch(dir_, launch_), GivenOptions(options_));
}

TemplateProject TemplateProject::FromDirectory(const fs::path& dir, LaunchOptions launch) {
  const fs::path abs = fs::absolute(dir);
  auto server = ServerProcess::Launch(abs, launch);
  ServerInfo info = server->client().ServerInfoQuery(kClientVersion);
  if (!info.is_template)
    throw ProjectApiError(abs.string() + " is a generated project, not a template; use it with GeneratedProject");
  return TemplateProject(abs, std::move(server), std::move(info), std::move(launch));
}

Status CheckProjectReplaceable(const fs::path& project_dir, const std::vector<fs::path>& inputs) {
  return CheckReplaceable(project_dir, inputs, kProjectMarkerFile, kProjectMarkerFormat, "the project folder");
}

GeneratedProject TemplateProject::GenerateProjectFromMlf(const fs::path& mlf_path, const fs::path& project_dir,
                                                         const Json& options, bool replace) {
  const Json checked = CheckProjectOptions(info_.project_options, options, "generate_project");
  std::string path = fs::absolute(project_dir).lexically_normal().string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const fs::path project(path);
  // The Project API carries paths as JSON text, which holds UTF-8 only.
  for (const fs::path& p : {fs::absolute(mlf_path), project}) {
    if (!IsValidUtf8(p.string()))
      throw ProjectApiError("the path '" + EscapeInvalidUtf8(p.string()) +
                            "' is not valid UTF-8, and the Project API passes paths as JSON text; rename it");
  }
  std::error_code ec;
  if (fs::exists(fs::symlink_status(project, ec))) {
    if (!replace) throw ProjectApiError("project folder " + project.string() + " already exists");
    const Status st = CheckProjectReplaceable(project, {mlf_path, dir_});
    if (!st.ok()) throw UnsafeProjectDirError(st.diag());
  } else if (project == project.root_path()) {
    throw ProjectApiError("the project folder cannot be /");
  }
  auto made = MakeParentFolders(project);  // removed again on failure
  if (!made.ok()) throw UnsafeProjectDirError(made.diag());
  auto staging = MakeUniqueDir(project.parent_path(), "." + project.filename().string() + ".ember-new-");
  if (!staging.ok()) {
    RemoveMadeFolders(*made);
    throw UnsafeProjectDirError(staging.diag());
  }
  // The server creates the project inside the staging folder, under the
  // project's own name; this client marks it (a template of another kind
  // may not) and swaps it into place.
  const fs::path fresh = *staging / project.filename();
  try {
    server_->client().GenerateProject(fs::absolute(mlf_path).string(), package::GetStandaloneCrtDir(), fresh.string(),
                                      checked);
    if (!fs::is_directory(fresh)) throw ProjectApiError("generate_project created no folder at " + fresh.string());
    if (!HasMarker(fresh, kProjectMarkerFile, kProjectMarkerFormat)) {
      const Status marked = WriteMarker(fresh, kProjectMarkerFile, kProjectMarkerFormat);
      if (!marked.ok()) throw UnsafeProjectDirError(marked.diag());
    }
    const Status moved = ReplaceFolder(fresh, project, kProjectMarkerFile, kProjectMarkerFormat);
    if (!moved.ok()) throw UnsafeProjectDirError(moved.diag());
  } catch (...) {
    fs::remove_all(*staging, ec);
    RemoveMadeFolders(*made);
    throw;
  }
  fs::remove_all(*staging, ec);
  return GeneratedProject::FromDirectory(project, Json::object(), launch_);
}

GeneratedProject GenerateProject(const fs::path& template_dir, const fs::path& mlf_path, const fs::path& project_dir,
                                 const Json& options) {
  return TemplateProject::FromDirectory(template_dir).GenerateProjectFromMlf(mlf_path, project_dir, options);
}

}  // namespace ember::micro
