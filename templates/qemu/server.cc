// The `qemu` template's Project API server: the device is an emulated
// Cortex-M board (MPS2/MPS3) in qemu-system-arm. generate_project writes a
// CMake project that cross-compiles the model, the runtime, the runtime's
// Cortex-M port and the firmware of the project_type (src/main_aot_io.c or
// src/main_host_driven.c) with arm-none-eabi-gcc;
// flash starts QEMU with the image; the transport is the board's UART 0.
//
// How the UART reaches us: QEMU runs as a ChildProcess whose stdin/stdout
// are our pipes, under a shell that moves them to fds 3 and 4 and points
// QEMU's own stdout at stderr. QEMU's "pipe" chardev opens <path>.in and
// <path>.out, which are symlinks in build/ to /dev/fd/3 and /dev/fd/4, so
// the UART talks over our pipes while semihosting output (the port's log,
// fault reports), which QEMU writes to its stdout, lands in the server's log
// instead of in the byte stream. The UART only takes a byte when the
// firmware has read the previous one, and QEMU reads the pipe only then:
// no byte is ever dropped, however long the model runs.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "codegen/c/emitter.h"
#include "micro/project/child_process.h"
#include "micro/project/template_server.h"

namespace ember::micro {
namespace fs = std::filesystem;

namespace {

struct Board {
  const char* name;
  const char* core;       // ember's --target name of the board's core
  const char* cpu_flags;  // gcc flags of the core (runtime/platform/cortex-m/build.sh)
  unsigned pool_kib;      // host_driven: the RPC ALLOC pool, beside the model in RAM
};

constexpr Board kBoards[] = {
    {"mps2-an385", "cortex-m3", "-mcpu=cortex-m3 -mfloat-abi=soft", 1024},
    {"mps2-an386", "cortex-m4", "-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16", 1024},
    {"mps2-an500", "cortex-m7", "-mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16", 1024},
    {"mps2-an505", "cortex-m33", "-mcpu=cortex-m33 -mfloat-abi=hard -mfpu=fpv5-sp-d16", 1024},
    {"mps3-an547", "cortex-m55", "-mcpu=cortex-m55 -mfloat-abi=hard", 256},
};

const Board& FindBoard(const std::string& name) {
  for (const Board& b : kBoards)
    if (name == b.name) return b;
  throw ServerError("unknown board '" + name + "'");  // CheckProjectOptions lists the choices first
}

std::vector<ProjectOption> QemuOptions() {
  std::vector<Json> boards;
  for (const Board& b : kBoards) boards.push_back(b.name);
  const std::vector<std::string> gen = {"generate_project"};
  const std::vector<std::string> run = {"flash", "open_transport"};
  return {
      {"board", boards, nullptr, "str", gen, std::nullopt,
       "The board to emulate: mps2-an385 (Cortex-M3), mps2-an386 (Cortex-M4F), mps2-an500 (Cortex-M7), "
       "mps2-an505 (Cortex-M33), mps3-an547 (Cortex-M55). The model must be compiled for its core or a "
       "smaller one (--target host or cortex-m3 run on every board)."},
      {"project_type", std::vector<Json>{"aot_io", "host_driven"}, "aot_io", "str", std::nullopt, gen,
       "The firmware: aot_io reads the bytes of every input from the UART, runs the model and writes the "
       "bytes of every output (docs/project-api.md); host_driven serves the ember RPC (docs/rpc.md) on the "
       "UART for ember run, profile and validate and the graph and debug executors."},
      {"verbose", std::nullopt, false, "bool", std::nullopt, std::vector<std::string>{"generate_project", "build"},
       "Show the build tools' commands."},
      {"warning_as_error", std::nullopt, true, "bool", std::nullopt, gen,
       "Treat C compiler warnings in the firmware as errors."},
      {"compile_definitions", std::nullopt, nullptr, "str", std::nullopt, gen,
       "Extra C preprocessor definitions for the firmware, separated by spaces (NAME or NAME=VALUE)."},
      {"qemu", std::nullopt, "qemu-system-arm", "str", std::nullopt, run,
       "The QEMU program that emulates the board (a name searched in PATH, or a path)."},
      {"gdbserver_port", std::nullopt, nullptr, "int", std::nullopt, run,
       "When set, flash starts QEMU halted at reset with a gdb server on this TCP port and leaves it "
       "running after ember exits, for a debugger (arm-none-eabi-gdb build/firmware.elf -ex 'target remote "
       ":PORT', then 'continue'); UART 0 is then the socket build/uart.sock, the log build/qemu.log. "
       "The next flash or run stops it (or kill the pid in build/qemu-gdb.pid)."},
  };
}

// The value of "-<flag>=" in a TVM-style target string ("c -keys=arm_cpu,cpu
// -mcpu=cortex-m4 -model=cortex-m4"), or "".
std::string TargetFlag(const std::string& target, const std::string& flag) {
  const std::string key = "-" + flag + "=";
  for (size_t pos = target.find(key); pos != std::string::npos; pos = target.find(key, pos + 1)) {
    if (pos > 0 && target[pos - 1] != ' ') continue;
    const size_t start = pos + key.size();
    return target.substr(start, target.find(' ', start) - start);
  }
  return "";
}

// The core the model's code was generated for, as an ember --target name:
// from "-model=" (ember's MLFs) or "-mcpu=" (microTVM's); a target with
// neither is portable C ("host").
std::string ModelCore(const package::MlfContents& mlf) {
  for (const std::string& t : mlf.target) {
    if (std::string m = TargetFlag(t, "model"); !m.empty() && codegen::c::ParseTarget(m).ok()) return m;
    if (std::string m = TargetFlag(t, "mcpu"); !m.empty()) return m;
  }
  return "host";
}

// Refuses a model whose code uses instructions (DSP, Helium/MVE) the
// board's core lacks, saying which --target fits the board.
void CheckModelRunsOn(const package::MlfContents& mlf, const Board& board) {
  const std::string core = ModelCore(mlf);
  const auto model = codegen::c::ParseTarget(core);
  const auto have = codegen::c::ParseTarget(board.core);
  const std::string fix = "; compile the model with --target " + std::string(board.core) +
                          " (or --target host for portable C) for board " + board.name;
  if (!model.ok())
    throw ServerError("model '" + mlf.module_name + "' was compiled for core '" + core +
                      "', which ember does not know" + fix);
  std::string missing;
  if (model->has_mve && !have->has_mve) missing = "Helium (MVE)";
  else if (model->has_dsp && !have->has_dsp) missing = "DSP";
  if (missing.empty()) return;
  std::string boards;
  for (const Board& b : kBoards) {
    const auto t = codegen::c::ParseTarget(b.core);
    if ((!model->has_mve || t->has_mve) && (!model->has_dsp || t->has_dsp))
      boards += std::string(boards.empty() ? "" : ", ") + b.name;
  }
  throw ServerError("model '" + mlf.module_name + "' was compiled for " + core + " and uses its " + missing +
                    " instructions, which board " + board.name + " (" + board.core + ") does not have" + fix +
                    ", or choose a board that has them: " + boards);
}

// True if `program` names an executable file, directly or through PATH.
bool OnPath(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    if (access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

// Whether the process `pid` (our child) has exited, without reaping it:
// its exit status (-1 after a signal), or nullopt while it runs.
std::optional<int> ExitStatus(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return -1;
  if (info.si_pid != pid) return std::nullopt;
  return info.si_code == CLD_EXITED ? info.si_status : -1;
}

class QemuServer : public ChildDeviceServer {
 public:
  explicit QemuServer(fs::path dir) : ChildDeviceServer(std::move(dir), "qemu", QemuOptions()) {}
  ~QemuServer() override { StopDevice(); }

  void CloseTransport() override { StopDevice(); }

  void Build(const Json& options) override {
    RequireProject("build");
    const Json o = ProjectOptions(options, "build");
    (void)ProjectBoard(o);
    if (!OnPath("arm-none-eabi-gcc"))
      throw ServerError("arm-none-eabi-gcc is not on PATH; install it (Debian: apt-get install "
                        "gcc-arm-none-eabi libnewlib-arm-none-eabi)");
    std::vector<std::string> configure = {"cmake", "-S", ".", "-B", "build"};
    if (o["verbose"] == true) configure.push_back("-DCMAKE_VERBOSE_MAKEFILE=ON");
    RunTool(configure, dir());
    RunTool({"cmake", "--build", "build"}, dir());
  }

  void Flash(const Json& options) override {
    RequireProject("flash");
    const Json o = ProjectOptions(options, "flash");
    if (o["gdbserver_port"].is_number_integer()) {
      StartForDebugger(o);
    } else {
      Start(o);
    }
  }

  TransportTimeouts OpenTransport(const Json& options) override {
    RequireProject("open_transport");
    const Json o = ProjectOptions(options, "open_transport");
    if (!device_ || ExitStatus(device_->pid())) Start(o);
    return TransportTimeouts{2, 10, 10};  // as microTVM's Zephyr QEMU boards
  }

 protected:
  void Populate(const fs::path& project, const package::MlfContents& mlf, const Json& options) override {
    const Board& board = FindBoard(options["board"].get<std::string>());
    CheckModelRunsOn(mlf, board);
    CopyTree(dir() / "src", project / "src");
    const fs::path port = dir() / "platform";
    fs::create_directories(project / "port");
    for (const char* f : {"board.h", "platform.c", "platform.h", "semihost.c", "semihost.h", "startup.c",
                          "uart_cmsdk.c", "uart_cmsdk.h"})
      fs::copy_file(port / f, project / "port" / f);
    CopyTree(port / "linker", project / "port/linker");
    std::string macro = std::string("EMBER_CM_BOARD_") + board.name;
    for (char& c : macro) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string cmake = ReadTemplateFile(dir() / "CMakeLists.txt.template");
    ReplaceAll(cmake, "@MODEL_NAME@", mlf.module_name);
    ReplaceAll(cmake, "@BOARD@", board.name);
    ReplaceAll(cmake, "@CORE@", board.core);
    ReplaceAll(cmake, "@CPU_FLAGS@", board.cpu_flags);
    ReplaceAll(cmake, "@BOARD_MACRO@", macro);
    ReplaceAll(cmake, "@PROJECT_TYPE@", options["project_type"].get<std::string>());
    ReplaceAll(cmake, "@POOL_BYTES@", std::to_string(board.pool_kib * 1024u));
    ReplaceAll(cmake, "@EXTRA_C_FLAGS@", options["warning_as_error"] == true ? "-Werror" : "");
    ReplaceAll(cmake, "@COMPILE_DEFINITIONS@", CMakeCompileDefinitions(options));
    WriteProjectFile(project / "CMakeLists.txt", cmake);
    fs::copy_file(dir() / "README.md", project / "README.md");
  }

 private:
  // The board the project was generated for; a different one given now is
  // an error (the firmware is built for one board).
  const Board& ProjectBoard(const Json& o) const {
    const Json saved = ProjectOptions(Json::object(), "");
    if (!saved["board"].is_string()) throw ServerError("the project has no board; generate it anew with one");
    if (o["board"] != saved["board"])
      throw ServerError("the project was generated for board " + saved["board"].get<std::string>() + ", not " +
                        o["board"].dump() + "; generate a new project for that board");
    return FindBoard(saved["board"].get<std::string>());
  }

  // Stops our QEMU. SIGKILL, not SIGTERM: the emulator has nothing to save,
  // and SIGTERM makes it log "terminating on signal 15" on every stop.
  void StopDevice() {
    if (device_ && device_->running()) kill(device_->pid(), SIGKILL);
    device_.reset();
  }

  // The firmware, checked, and the QEMU program, found.
  fs::path Firmware() const {
    const fs::path elf = dir() / "build/firmware.elf";
    if (!fs::exists(elf)) throw ServerError("no firmware at " + elf.string() + "; run build first");
    return elf;
  }
  static std::string QemuProgram(const Json& o) {
    const std::string qemu = o["qemu"].get<std::string>();
    if (!OnPath(qemu))
      throw ServerError("'" + qemu + "' is not on PATH; install QEMU (Debian: apt-get install qemu-system-arm) "
                        "or set the project option qemu");
    return qemu;
  }

  fs::path DebugPidFile() const { return dir() / "build/qemu-gdb.pid"; }

  // Stops the QEMU a flash with gdbserver_port left running, if it still
  // runs this project's firmware (the pid may have been reused).
  void StopDebugQemu() {
    std::ifstream f(DebugPidFile());
    long pid = 0;
    if (!(f >> pid) || pid <= 1) return;
    f.close();
    std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    const std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find((dir() / "build/firmware.elf").string()) != std::string::npos) {
      kill(static_cast<pid_t>(pid), SIGKILL);
      for (int i = 0; i < 200 && fs::exists("/proc/" + std::to_string(pid) + "/cmdline"); ++i) {
        std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
        std::string p, comm, state;
        if (st >> p >> comm >> state && state == "Z") break;  // dead, waiting for init to reap it
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    std::error_code ec;
    fs::remove(DebugPidFile(), ec);
  }

  // The QEMU command line for `board` and the firmware, UART 0 on `chardev`.
  static std::vector<std::string> QemuArgs(const std::string& qemu, const Board& board, const std::string& chardev,
                                           const fs::path& elf) {
    return {qemu, "-M", board.name, "-display", "none", "-monitor", "none", "-chardev", chardev,
            "-serial", "chardev:uart0", "-semihosting-config", "enable=on,target=native", "-icount", "shift=0",
            "-kernel", elf.string()};
  }

  // flash with gdbserver_port: QEMU halted at reset (-S) with its gdb server
  // on the port, in a session of its own so that it outlives this server and
  // the ember command; UART 0 on the socket build/uart.sock, the log in
  // build/qemu.log, the pid in build/qemu-gdb.pid.
  void StartForDebugger(const Json& o) {
    const Board& board = ProjectBoard(o);
    const fs::path elf = Firmware();
    const std::string qemu = QemuProgram(o);
    StopDevice();
    StopDebugQemu();
    const int64_t port = o["gdbserver_port"].get<int64_t>();
    if (port < 1 || port > 65535) throw ServerError("gdbserver_port " + std::to_string(port) + " is not a TCP port");
    std::vector<std::string> argv = QemuArgs(qemu, board, "socket,id=uart0,path=build/uart.sock,server=on,wait=off", elf);
    argv.insert(argv.end(), {"-gdb", "tcp::" + std::to_string(port), "-S"});
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const std::string cwd = dir().string();
    const std::string log = (dir() / "build/qemu.log").string();
    int pid_pipe[2];
    if (pipe2(pid_pipe, O_CLOEXEC) != 0) throw ServerError("pipe failed");
    const pid_t child = fork();
    if (child == 0) {  // only async-signal-safe calls from here
      setsid();
      const pid_t grandchild = fork();
      if (grandchild == 0) {
        const int null = open("/dev/null", O_RDONLY);
        const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (null < 0 || out < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 || chdir(cwd.c_str()) != 0)
          _exit(127);
        for (int fd = 3; fd < 1024; ++fd) close(fd);  // nothing of the server's (its Project API pipes) stays open
        execvp(args[0], args.data());
        _exit(127);
      }
      (void)!write(pid_pipe[1], &grandchild, sizeof grandchild);
      _exit(0);
    }
    close(pid_pipe[1]);
    pid_t pid = -1;
    ssize_t got;
    while ((got = read(pid_pipe[0], &pid, sizeof pid)) < 0 && errno == EINTR) {
    }
    close(pid_pipe[0]);
    if (child > 0) waitpid(child, nullptr, 0);
    if (got != static_cast<ssize_t>(sizeof pid) || pid <= 0) throw ServerError("cannot start " + qemu);
    WriteProjectFile(DebugPidFile(), std::to_string(pid) + "\n");
    // QEMU fails at once on a bad image, machine, option or a port in use.
    for (int i = 0; i < 30; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
      std::string p, comm, state;
      if (!(st >> p >> comm >> state) || state == "Z") {
        std::ifstream l(log);
        const std::string text((std::istreambuf_iterator<char>(l)), std::istreambuf_iterator<char>());
        std::error_code ec;
        fs::remove(DebugPidFile(), ec);
        throw ServerError(qemu + " exited at once emulating " + board.name + " with " + elf.string() +
                          (text.empty() ? std::string() : ": " + text));
      }
    }
    std::fprintf(stderr,
                 "qemu: %s halted at reset, waiting for a debugger on TCP port %lld (pid %ld; UART 0 on "
                 "build/uart.sock, log build/qemu.log): arm-none-eabi-gdb build/firmware.elf -ex 'target remote "
                 ":%lld'; the next flash or run stops it\n",
                 board.name, static_cast<long long>(port), static_cast<long>(pid), static_cast<long long>(port));
  }

  // "Flashing" the emulated board: (re)start QEMU with the firmware.
  void Start(const Json& o) {
    const Board& board = ProjectBoard(o);
    const fs::path elf = Firmware();
    const std::string qemu = QemuProgram(o);
    StopDebugQemu();
    const fs::path uart = dir() / "build/uart";
    for (const auto& [suffix, fd] : {std::pair{".in", "/dev/fd/3"}, std::pair{".out", "/dev/fd/4"}}) {
      fs::remove(uart.string() + suffix);
      fs::create_symlink(fd, uart.string() + suffix);
    }
    std::string chardev_path = uart.string();
    ReplaceAll(chardev_path, ",", ",,");  // QEMU option syntax: a ',' is written ",,"
    std::vector<std::string> argv = {"/bin/sh", "-c", "exec 3<&0 4>&1 1>&2 0</dev/null; exec \"$@\"", "ember-qemu"};
    for (std::string& a : QemuArgs(qemu, board, "pipe,id=uart0,path=" + chardev_path, elf)) argv.push_back(std::move(a));
    if (o["gdbserver_port"].is_number_integer())
      argv.insert(argv.end(), {"-gdb", "tcp::" + std::to_string(o["gdbserver_port"].get<int64_t>()), "-S"});
    StopDevice();
    device_ = ChildProcess::Start(argv, dir());
    // QEMU fails at once on a bad image, machine or option: report it here.
    // (Firmware that ends with status 0 is no error: the transport still
    // delivers what it sent, then reports the device closed.)
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const std::optional<int> status = ExitStatus(device_->pid());
      if (!status) continue;
      if (*status == 0) break;
      StopDevice();
      throw ServerError(qemu + " exited at once with status " + std::to_string(*status) + " emulating " +
                        board.name + " with " + elf.string() + "; its messages are in the log above");
    }
  }

};

}  // namespace
}  // namespace ember::micro

int main(int argc, char** argv) {
  ember::micro::QemuServer server(ember::micro::ExecutableDir());
  return ember::micro::ServerMain(server, argc, argv);
}
