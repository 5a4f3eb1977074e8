// The `standalone` template's Project API server: a plain CMake project for
// users who put the model into their own IDE or build. It holds the model
// (model/, its Model Library Format folder), the runtime (crt/) and an
// example program (src/main.c, written for the model) that calls
// tvmgen_<name>_run directly. There is no transport: the example runs on its
// own. build runs CMake; flash runs the example once (on the host, or in
// QEMU for a board) and fails if it fails. docs/templates/standalone.md.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "example_main.h"
#include "micro/project/template_server.h"

namespace ember::micro {
namespace fs = std::filesystem;

namespace {

// The Cortex-M cores: gcc flags (as runtime/platform/cortex-m/build.sh) and
// the instruction-set level the generated code may use: 0 portable C,
// 1 DSP (SMLAD/SXTB16), 2 DSP + Helium. Code for level L runs on cores >= L.
struct Core {
  const char* name;
  const char* flags;
  int isa;
};
constexpr Core kCores[] = {
    {"cortex-m0plus", "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft", 0},
    {"cortex-m3", "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft", 0},
    {"cortex-m4", "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16", 1},
    {"cortex-m7", "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16", 1},
    {"cortex-m33", "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16", 1},
    {"cortex-m55", "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard", 2},
};

// The QEMU boards of the Cortex-M port and their cores.
struct Board {
  const char* name;
  const char* core;
};
constexpr Board kBoards[] = {{"mps2-an385", "cortex-m3"},
                             {"mps2-an386", "cortex-m4"},
                             {"mps2-an500", "cortex-m7"},
                             {"mps2-an505", "cortex-m33"},
                             {"mps3-an547", "cortex-m55"}};

constexpr double kHostRunSeconds = 60;
constexpr double kQemuRunSeconds = 300;

const Core& FindCore(const std::string& name) {
  for (const Core& c : kCores)
    if (name == c.name) return c;
  throw ServerError("unknown core '" + name + "'");
}

std::vector<ProjectOption> StandaloneOptions() {
  const auto gen = std::vector<std::string>{"generate_project"};
  std::vector<Json> cores, boards;
  for (const Core& c : kCores) cores.push_back(c.name);
  for (const Board& b : kBoards) boards.push_back(b.name);
  return {
      {"toolchain", std::vector<Json>{"host", "arm-none-eabi"}, "host", "str", std::nullopt, gen,
       "The compiler of the project: host (the system's C compiler; the example is a program) or arm-none-eabi "
       "(GNU Arm Embedded; cmake/arm-none-eabi.cmake)."},
      {"cpu", cores, nullptr, "str", std::nullopt, gen,
       "The Cortex-M core to compile for, with toolchain arm-none-eabi. Default: the board's core with a board, "
       "else the core the model was compiled for (ember compile --target), else cortex-m4."},
      {"board", boards, nullptr, "str", std::nullopt, gen,
       "With toolchain arm-none-eabi: a QEMU board to link a runnable build/main.elf for (the Cortex-M port is "
       "copied into port/); flash runs it in qemu-system-arm. Without a board the build is a static library "
       "for your own link."},
      {"verbose", std::nullopt, false, "bool", std::nullopt, std::vector<std::string>{"generate_project", "build"},
       "Show the build tools' commands."},
      {"warning_as_error", std::nullopt, true, "bool", std::nullopt, gen,
       "Treat C compiler warnings in the example as errors."},
      {"compile_definitions", std::nullopt, nullptr, "str", std::nullopt, gen,
       "Extra C preprocessor definitions for the example, separated by spaces (NAME or NAME=VALUE)."},
  };
}

// Replaces every "@KEY@" of `text` by its value.
std::string Substitute(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [key, value] : values) {
    const std::string at = "@" + key + "@";
    for (size_t pos = 0; (pos = text.find(at, pos)) != std::string::npos; pos += value.size())
      text.replace(pos, at.size(), value);
  }
  return text;
}

std::string OptionString(const Json& options, const char* name) {
  return options[name].is_string() ? options[name].get<std::string>() : "";
}

// The core the archive's model was compiled for ("-mcpu=X" in its target
// string), or "" for a host build.
std::string ModelCore(const package::MlfContents& mlf) {
  if (mlf.target.empty()) return "";
  const std::string& t = mlf.target[0];
  const size_t at = t.find("-mcpu=");
  if (at == std::string::npos) return "";
  return t.substr(at + 6, t.find(' ', at) == std::string::npos ? std::string::npos : t.find(' ', at) - at - 6);
}

// What a project is built for: the options resolved against each other and
// against the model. Throws ServerError for combinations that cannot work.
struct Setup {
  bool cross = false;  // toolchain arm-none-eabi
  std::string cpu;     // cross only
  std::string board;   // cross only, may be empty
};

Setup ResolveSetup(const Json& options, const std::string& model_core) {
  Setup s;
  s.cross = OptionString(options, "toolchain") == "arm-none-eabi";
  s.cpu = OptionString(options, "cpu");
  s.board = OptionString(options, "board");
  if (!s.cross) {
    if (!s.cpu.empty() || !s.board.empty())
      throw ServerError("project options 'cpu' and 'board' need toolchain=arm-none-eabi; the host toolchain "
                        "builds a program for this machine (drop them, or add toolchain=arm-none-eabi)");
    return s;
  }
  if (!s.board.empty()) {
    const auto* b = std::find_if(std::begin(kBoards), std::end(kBoards), [&](const Board& x) { return s.board == x.name; });
    if (!s.cpu.empty() && s.cpu != b->core)
      throw ServerError("board " + s.board + " has a " + b->core + ", but cpu is " + s.cpu +
                        "; drop the cpu option or choose cpu=" + b->core);
    s.cpu = b->core;
  }
  if (s.cpu.empty()) s.cpu = model_core.empty() ? "cortex-m4" : model_core;
  if (!model_core.empty() && FindCore(model_core).isa > FindCore(s.cpu).isa)
    throw ServerError("the model was compiled for " + model_core + " and uses instructions a " + s.cpu +
                      " lacks; compile it with 'ember compile --target " + s.cpu + "' or choose another cpu/board");
  return s;
}

// Runs `argv` in `cwd` with its output on our stderr (the server's log) and
// at most `seconds` of time; the process is killed and reaped at the limit,
// and dies with the server. Returns a description of the failure, or "".
std::string RunOnce(const std::vector<std::string>& argv, const fs::path& cwd, double seconds) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(2, 1);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execvp(args[0], args.data());
    _exit(127);
  }
  if (pid < 0) return std::string("cannot start it: ") + std::strerror(errno);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return "it did not finish within " + std::to_string(static_cast<int>(seconds)) + " s and was stopped";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return "it could not be started (is '" + argv[0] + "' installed?)";
  return WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                           : "signal " + std::to_string(WTERMSIG(status));
}

class StandaloneServer : public TemplateServer {
 public:
  explicit StandaloneServer(fs::path dir) : TemplateServer(std::move(dir), "standalone", StandaloneOptions()) {}

  void Build(const Json& options) override {
    RequireProject("build");
    const Json o = ProjectOptions(options, "build");
    std::vector<std::string> configure = {"cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"};
    if (OptionString(o, "toolchain") == "arm-none-eabi")
      configure.push_back("-DCMAKE_TOOLCHAIN_FILE=" + (dir() / "cmake/arm-none-eabi.cmake").string());
    if (o["verbose"] == true) configure.push_back("-DCMAKE_VERBOSE_MAKEFILE=ON");
    RunTool(configure, dir());
    RunTool({"cmake", "--build", "build"}, dir());
  }

  // Runs the example once: a program on the host, firmware in QEMU.
  void Flash(const Json& options) override {
    RequireProject("flash");
    const Json o = ProjectOptions(options, "flash");
    std::vector<std::string> argv;
    double limit = kHostRunSeconds;
    if (OptionString(o, "toolchain") != "arm-none-eabi") {
      argv = {(dir() / "build/main").string()};
    } else if (const std::string board = OptionString(o, "board"); !board.empty()) {
      argv = {"qemu-system-arm", "-M", board, "-nographic", "-monitor", "none", "-serial", "null",
              "-semihosting-config", "enable=on,target=native", "-icount", "shift=0",
              "-kernel", (dir() / "build/main.elf").string()};
      limit = kQemuRunSeconds;
    } else {
      throw ServerError(
          "this standalone project has no board: its build is a static library (" + LibraryName() + ") for your "
          "own firmware, so flashing is up to your own tools: link the library with your startup code and linker "
          "script, then program the board with its flasher (OpenOCD, pyOCD, J-Link, ...). To run the example in "
          "QEMU, generate the project with board=mps2-an386 (or another QEMU board)");
    }
    const fs::path program = argv.size() == 1 ? fs::path(argv[0]) : dir() / "build/main.elf";
    if (!fs::exists(program)) throw ServerError("no program at " + program.string() + "; run build first");
    const std::string failure = RunOnce(argv, dir(), limit);
    if (!failure.empty())
      throw ServerError("the example " + program.string() + " failed: " + failure + "; its output is above");
  }

  TransportTimeouts OpenTransport(const Json& /*options*/) override { throw NoTransport(); }
  void CloseTransport() override {}
  std::string ReadTransport(int64_t, std::optional<double>) override { throw NoTransport(); }
  void WriteTransport(std::string_view, std::optional<double>) override { throw NoTransport(); }

 protected:
  void Populate(const fs::path& project, const package::MlfContents& mlf, const Json& options) override {
    const Setup setup = ResolveSetup(options, ModelCore(mlf));
    const standalone::ExampleModel model = standalone::DescribeExampleModel(mlf);
    std::string variant = setup.cross ? (setup.board.empty() ? "library" : "board") : "host";
    std::string board_macro = "EMBER_CM_BOARD_" + standalone::UpperCase(setup.board);
    std::replace(board_macro.begin(), board_macro.end(), '-', '_');
    const std::vector<std::pair<std::string, std::string>> values = {
        {"MODEL_NAME", model.name},
        {"CPU", setup.cpu},
        {"CPU_FLAGS", setup.cross ? FindCore(setup.cpu).flags : ""},
        {"BOARD", setup.board},
        {"BOARD_MACRO", board_macro},
        {"WERROR", options["warning_as_error"] == true ? "-Werror" : ""},
        {"COMPILE_DEFINITIONS", CMakeCompileDefinitions(options)},
        {"SETUP", Describe(setup, model.name)},
    };
    const std::string toolchain =
        setup.cross ? Substitute(ReadTemplateFile(dir() / "cmake/toolchain-default.cmake.in"), values) : "";
    auto cmake_values = values;
    cmake_values.push_back({"TOOLCHAIN", toolchain});
    cmake_values.push_back({"EXAMPLE", Substitute(ReadTemplateFile(dir() / ("cmake/example-" + variant + ".cmake.in")), values)});
    WriteProjectFile(project / "CMakeLists.txt", Substitute(ReadTemplateFile(dir() / "CMakeLists.txt.template"), cmake_values));
    if (setup.cross)
      WriteProjectFile(project / "cmake/arm-none-eabi.cmake",
                       Substitute(ReadTemplateFile(dir() / "cmake/arm-none-eabi.cmake.in"), values));
    // The base's model table (src/model_io.c) serves firmware that runs any
    // model; the example calls the model directly instead.
    fs::remove(project / "src/model_io.c");
    WriteProjectFile(project / "src/main.c", standalone::ExampleMain(model));
    for (const char* f : {"example_io.c", "example_io.h"}) fs::copy_file(dir() / "src" / f, project / "src" / f);
    if (!setup.cross) fs::copy_file(dir() / "src/platform_posix.c", project / "src/platform_posix.c");
    if (!setup.board.empty()) CopyPort(project, setup.board);
    WriteProjectFile(project / "README.md", Substitute(ReadTemplateFile(dir() / "README.md"), values));
  }

 private:
  static ServerError NoTransport() {
    return ServerError(
        "the standalone template has no transport: its example runs on its own (flash runs it once). To talk to "
        "the model from the host, generate the project with --template host (a POSIX process) or --template qemu "
        "(an emulated board)");
  }

  // The library a project without a board builds (build/lib<name>_example.a).
  std::string LibraryName() const {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir() / "build", ec)) {
      const std::string f = e.path().filename().string();
      if (f.size() > 13 && f.rfind("lib", 0) == 0 && f.substr(f.size() - 10) == "_example.a") return "build/" + f;
    }
    return "build/lib<model>_example.a";
  }

  // One sentence for the README: what this project builds.
  static std::string Describe(const Setup& s, const std::string& name) {
    if (!s.cross) return "the host's C compiler; `build/main` is the example program";
    if (s.board.empty())
      return "arm-none-eabi-gcc for a " + s.cpu + " without a board; `build/lib" + name +
             "_example.a` holds the model, the runtime and the example for your own link";
    return "arm-none-eabi-gcc for the QEMU board " + s.board + " (" + s.cpu +
           "); `build/main.elf` is the example firmware";
  }

  // The Cortex-M port's files a board's firmware needs (the template holds
  // the port in platform/, see templates/standalone/runtime_port).
  void CopyPort(const fs::path& project, const std::string& board) const {
    const fs::path port = dir() / "platform";
    if (!fs::is_directory(port / "linker"))
      throw ServerError("the template has no Cortex-M port in " + port.string() + "; rebuild ember's templates");
    fs::create_directories(project / "port/linker");
    for (const char* f : {"board.h", "platform.c", "platform.h", "semihost.c", "semihost.h", "startup.c"})
      fs::copy_file(port / f, project / "port" / f);
    for (const std::string& f : {std::string("common.ld"), board + ".ld"})
      fs::copy_file(port / "linker" / f, project / "port/linker" / f);
  }
};

}  // namespace
}  // namespace ember::micro

int main(int argc, char** argv) {
  ember::micro::StandaloneServer server(ember::micro::ExecutableDir());
  return ember::micro::ServerMain(server, argc, argv);
}
