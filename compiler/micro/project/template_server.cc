#include "micro/project/template_server.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "micro/project/model_glue.h"
#include "support/file.h"
#include "support/json_text.h"
#include "support/safe_fs.h"

namespace ember::micro {
namespace fs = std::filesystem;

namespace {

constexpr const char* kLaunchScript = "launch_microtvm_api_server.sh";
constexpr const char* kServerExe = "microtvm_api_server";
constexpr const char* kProjectFile = "ember_project.json";

// Creates `dir` with mkdir (never an existing folder) after the parents it
// needs (support/safe_fs.h); the folders it made, `dir` last, go to `made`.
void MakeNewFolder(const fs::path& dir, std::vector<fs::path>& made) {
  auto parents = MakeParentFolders(dir);
  if (!parents.ok()) throw ServerError(parents.diag().message);
  made = std::move(*parents);
  if (mkdir(dir.c_str(), 0777) != 0) {
    const int err = errno;
    RemoveMadeFolders(made);
    made.clear();
    throw ServerError(err == EEXIST ? "project folder " + dir.string() + " already exists"
                                    : "cannot create " + dir.string() + ": " + std::strerror(err));
  }
  made.push_back(dir);
}

// Removes what MakeNewFolder made: the project folder with its contents (if
// it made it), then each parent it created if it is empty.
void RemoveMade(std::vector<fs::path> made, const fs::path& project) {
  if (!made.empty() && made.back() == project) {
    std::error_code ec;
    fs::remove_all(project, ec);
    made.pop_back();
  }
  RemoveMadeFolders(made);
}

}  // namespace

void WriteProjectFile(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (ec || !f.good()) throw ServerError("cannot write " + path.string());
}

std::string CMakeCompileDefinitions(const Json& options) {
  if (!options.is_object() || !options.contains("compile_definitions") || !options["compile_definitions"].is_string())
    return "";
  const auto items = ParseCompileDefinitions(options["compile_definitions"].get<std::string>());
  if (!items.ok()) throw ServerError(items.diag().message + " (" + items.diag().hint + ")");
  return CMakeQuotedArguments(*items);
}

fs::path ExecutableDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

void RunTool(const std::vector<std::string>& argv, const fs::path& cwd) {
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(2, 1);  // tool output goes to the log, never to the protocol pipes
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execvp(args[0], args.data());
    _exit(127);
  }
  if (pid < 0) throw ServerError("cannot run '" + cmd + "': " + std::strerror(errno));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) why += " (is '" + argv[0] + "' installed?)";
  throw ServerError("'" + cmd + "' failed in " + cwd.string() + " with " + why + "; its output is above");
}

void CopyTree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) throw ServerError("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
}

std::string ReadTemplateFile(const fs::path& path) {
  auto text = ReadFileText(path.string(), kMaxTextFileBytes, "a template file");
  if (!text.ok()) throw ServerError(text.diag().message);
  return std::move(*text);
}

void ReplaceAll(std::string& text, const std::string& key, const std::string& value) {
  if (key.empty()) return;
  for (size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size()))
    text.replace(pos, key.size(), value);
}

std::string ChildDeviceServer::ReadTransport(int64_t n, std::optional<double> timeout_sec) {
  if (!device_) throw TransportClosedError();
  return device_->Read(n, timeout_sec);
}

void ChildDeviceServer::WriteTransport(std::string_view data, std::optional<double> timeout_sec) {
  if (!device_) throw TransportClosedError();
  device_->Write(data, timeout_sec);
}

TemplateServer::TemplateServer(fs::path dir, std::string platform_name, std::vector<ProjectOption> options)
    : dir_(std::move(dir)), platform_name_(std::move(platform_name)), options_(std::move(options)) {
  is_template_ = !fs::exists(dir_ / "model.tar");
}

ServerInfo TemplateServer::ServerInfoQuery(const std::string& /*tvm_version*/) {
  ServerInfo info;
  info.platform_name = platform_name_;
  info.is_template = is_template_;
  info.model_library_format_path = is_template_ ? "" : (dir_ / "model.tar").string();
  info.project_options = options_;
  return info;
}

void TemplateServer::RequireProject(const std::string& method) const {
  if (is_template_)
    throw ServerError(method + " needs a generated project, but " + dir_.string() +
                      " is a template (it has no model.tar); run generate_project first");
}

Json SavedProjectOptions(const fs::path& project_dir) {
  const auto text = ReadFileText((project_dir / kProjectFile).string(), kMaxJsonFileBytes, "a project's saved options");
  if (!text.ok()) return Json::object();
  const Json saved = ParseJsonText<Json>(*text);
  if (saved.is_object() && saved.contains("options") && saved["options"].is_object()) return saved["options"];
  return Json::object();
}

Json TemplateServer::ProjectOptions(const Json& given, const std::string& method) const {
  Json merged = SavedProjectOptions(dir_);
  if (given.is_object()) {
    for (const auto& [k, v] : given.items())
      if (!v.is_null()) merged[k] = v;
  }
  try {
    return CheckProjectOptions(options_, merged, method);
  } catch (const ProjectOptionError& e) {
    throw ServerError(e.what());
  }
}

void TemplateServer::GenerateProject(const fs::path& mlf_path, const fs::path& crt_dir, const fs::path& project_dir,
                                     const Json& options) {
  if (!is_template_) throw ServerError(dir_.string() + " is a generated project, not a template");
  Json checked;
  try {
    checked = CheckProjectOptions(options_, options, "generate_project");
  } catch (const ProjectOptionError& e) {
    throw ServerError(e.what());
  }
  (void)CMakeCompileDefinitions(checked);  // refuses a bad value before anything is written
  // Relative paths are taken from the server's folder, as microTVM's do.
  const fs::path project = fs::absolute(dir_ / project_dir).lexically_normal();
  if (project.filename().empty() || project == project.root_path())
    throw ServerError("project folder " + project.string() + " names no new folder; give a new folder's path");
  if (fs::exists(fs::symlink_status(project))) throw ServerError("project folder " + project.string() + " already exists");
  if (!fs::is_regular_file(dir_ / mlf_path))
    throw ServerError("model_library_format_path " + (dir_ / mlf_path).string() +
                      " is not a file; pass the .tar archive 'ember compile -o NAME.tar' writes");
  auto mlf = package::ReadModelLibraryFormat((dir_ / mlf_path).string());
  if (!mlf.ok()) throw ServerError(mlf.diag().message + " (" + mlf.diag().hint + ")");
  auto glue = GenerateModelGlue(*mlf);
  if (!glue.ok()) throw ServerError(glue.diag().message + " (" + glue.diag().hint + ")");
  const fs::path crt = fs::absolute(dir_ / crt_dir);
  if (!fs::is_directory(crt / "include") || !fs::is_directory(crt / "src"))
    throw ServerError("standalone_crt_dir " + crt.string() + " is not an ember runtime (no include/ and src/)");
  std::vector<fs::path> made;
  try {
    MakeNewFolder(project, made);
    for (const char* f : {kLaunchScript, kServerExe}) fs::copy_file(dir_ / f, project / f);
    fs::copy_file(dir_ / mlf_path, project / "model.tar");
    for (const auto& [path, content] : mlf->files) WriteProjectFile(project / "model" / path, content);
    fs::create_directories(project / "crt");
    CopyTree(crt / "include", project / "crt/include");
    CopyTree(crt / "src", project / "crt/src");
    if (fs::exists(crt / "CMakeLists.txt")) fs::copy_file(crt / "CMakeLists.txt", project / "crt/CMakeLists.txt");
    WriteProjectFile(project / "src/model_io.c", *glue);
    Json saved = {{"template", platform_name_}, {"options", checked}};
    WriteProjectFile(project / kProjectFile, DumpJson(saved, 2) + "\n");
    Populate(project, *mlf, checked);
    const Status marked = WriteMarker(project, kProjectMarkerFile, kProjectMarkerFormat);
    if (!marked.ok()) throw ServerError(marked.diag().message);
  } catch (const fs::filesystem_error& e) {
    RemoveMade(made, project);
    throw ServerError(std::string("generating the project failed: ") + e.what());
  } catch (...) {
    RemoveMade(made, project);
    throw;
  }
}

}  // namespace ember::micro
