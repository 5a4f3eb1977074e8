// The `host` template's Project API server: the "device" is a POSIX process
// built from the model, the C runtime and a small firmware
// (src/main_<project_type>.c).
// flash starts it; the transport is its standard input and output.
#include <memory>
#include <string>

#include "micro/project/child_process.h"
#include "micro/project/template_server.h"

namespace ember::micro {
namespace fs = std::filesystem;

namespace {

std::vector<ProjectOption> HostOptions() {
  ProjectOption verbose{"verbose", std::nullopt, false, "bool", std::nullopt,
                        std::vector<std::string>{"generate_project", "build"}, "Show the build tools' commands."};
  ProjectOption project_type{"project_type",
                             std::vector<Json>{"aot_io", "host_driven"},
                             "aot_io",
                             "str",
                             std::nullopt,
                             std::vector<std::string>{"generate_project"},
                             "The firmware: aot_io reads the bytes of every input from the transport, runs the "
                             "model and writes the bytes of every output (docs/project-api.md); host_driven "
                             "serves the ember RPC (docs/rpc.md) for ember run, profile and validate."};
  ProjectOption warning_as_error{"warning_as_error", std::nullopt, true, "bool", std::nullopt,
                                 std::vector<std::string>{"generate_project"},
                                 "Treat C compiler warnings in the firmware as errors."};
  ProjectOption compile_definitions{"compile_definitions", std::nullopt, nullptr, "str", std::nullopt,
                                    std::vector<std::string>{"generate_project"},
                                    "Extra C preprocessor definitions for the firmware, separated by spaces "
                                    "(NAME or NAME=VALUE)."};
  return {verbose, project_type, warning_as_error, compile_definitions};
}

class HostServer : public ChildDeviceServer {
 public:
  explicit HostServer(fs::path dir) : ChildDeviceServer(std::move(dir), "host", HostOptions()) {}

  void Build(const Json& options) override {
    RequireProject("build");
    const Json o = ProjectOptions(options, "build");
    std::vector<std::string> configure = {"cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"};
    if (o["verbose"] == true) configure.push_back("-DCMAKE_VERBOSE_MAKEFILE=ON");
    RunTool(configure, dir());
    RunTool({"cmake", "--build", "build"}, dir());
  }

  void Flash(const Json& options) override {
    RequireProject("flash");
    (void)ProjectOptions(options, "flash");
    Start();
  }

  TransportTimeouts OpenTransport(const Json& options) override {
    RequireProject("open_transport");
    (void)ProjectOptions(options, "open_transport");
    if (!device_ || !device_->running()) Start();
    return TransportTimeouts{0, 0, 0};
  }

 protected:
  void Populate(const fs::path& project, const package::MlfContents& mlf, const Json& options) override {
    CopyTree(dir() / "src", project / "src");
    std::string cmake = ReadTemplateFile(dir() / "CMakeLists.txt.template");
    std::string flags = options["warning_as_error"] == true ? "-Werror" : "";
    ReplaceAll(cmake, "@MODEL_NAME@", mlf.module_name);
    ReplaceAll(cmake, "@PROJECT_TYPE@", options["project_type"].get<std::string>());
    ReplaceAll(cmake, "@EXTRA_C_FLAGS@", flags);
    ReplaceAll(cmake, "@COMPILE_DEFINITIONS@", CMakeCompileDefinitions(options));
    WriteProjectFile(project / "CMakeLists.txt", cmake);
    fs::copy_file(dir() / "README.md", project / "README.md");
  }

 private:
  // "Flashing" the host device: (re)start the firmware process.
  void Start() {
    const fs::path exe = dir() / "build/main";
    if (!fs::exists(exe)) throw ServerError("no firmware at " + exe.string() + "; run build first");
    device_.reset();
    device_ = ChildProcess::Start({exe.string()}, dir());
  }
};

}  // namespace
}  // namespace ember::micro

int main(int argc, char** argv) {
  ember::micro::HostServer server(ember::micro::ExecutableDir());
  return ember::micro::ServerMain(server, argc, argv);
}
