#include "micro/project_api/launch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace ember::micro {
namespace {

namespace fs = std::filesystem;

// Child side of fork(): only async-signal-safe calls until exec.
[[noreturn]] void ExecChild(const char* cwd, char* const* argv, int server_read, int server_write, int output) {
  setpgid(0, 0);
  if (output >= 0) {
    dup2(output, 1);
    dup2(output, 2);
  }
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  fcntl(server_read, F_SETFD, 0);  // the two server fds survive exec; all others are O_CLOEXEC
  fcntl(server_write, F_SETFD, 0);
  if (chdir(cwd) == 0) execv(argv[0], argv);
  static const char kMsg[] = "project api: could not start the server\n";
  ssize_t ignored = write(2, kMsg, sizeof kMsg - 1);
  (void)ignored;
  _exit(127);
}

// Waits until `pid` has exited (without reaping it) or `sec` passed.
bool WaitExited(pid_t pid, double sec) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(sec);
  for (;;) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::unique_ptr<ServerProcess> ServerProcess::Launch(const fs::path& dir_in, const LaunchOptions& options) {
  std::error_code ec;
  const fs::path dir = fs::absolute(dir_in, ec);
  const fs::path py = dir / "microtvm_api_server.py";
  const fs::path script = dir / "launch_microtvm_api_server.sh";
  std::vector<std::string> args;
  if (fs::exists(script, ec)) {
    args = {script.string(), py.string()};
  } else if (fs::exists(py, ec)) {
    args = {options.python, py.string()};
  } else {
    throw ProjectApiServerNotFoundError("no project api server in " + dir.string() +
                                        ": expected launch_microtvm_api_server.sh or microtvm_api_server.py");
  }
  int to_server[2], from_server[2];
  if (pipe2(to_server, O_CLOEXEC) != 0) throw ProjectApiError(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(from_server, O_CLOEXEC) != 0) {
    close(to_server[0]);
    close(to_server[1]);
    throw ProjectApiError(std::string("pipe: ") + std::strerror(errno));
  }
  args.insert(args.end(), {"--read-fd", std::to_string(to_server[0]), "--write-fd", std::to_string(from_server[1])});
  if (options.debug) args.push_back("--debug");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string cwd = dir.string();

  const int output =
      options.output_path.empty() ? -1 : open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const pid_t pid = fork();
  if (pid == 0) ExecChild(cwd.c_str(), argv.data(), to_server[0], from_server[1], output);
  const int fork_errno = errno;
  if (output >= 0) close(output);
  close(to_server[0]);
  close(from_server[1]);
  if (pid < 0) {
    close(to_server[1]);
    close(from_server[0]);
    throw ProjectApiError(std::string("fork: ") + std::strerror(fork_errno));
  }
  setpgid(pid, pid);  // also set here so kill(-pid) works even before the child runs
  auto client = std::make_unique<ProjectApiClient>(from_server[0], to_server[1], options.timeouts);
  return std::unique_ptr<ServerProcess>(new ServerProcess(pid, std::move(client), options.exit_grace_sec));
}

int ServerProcess::Stop() {
  if (client_) client_->Shutdown();
  if (pid_ <= 0) return -1;
  if (!WaitExited(pid_, grace_sec_)) {
    kill(-pid_, SIGTERM);
    if (!WaitExited(pid_, 0.5)) kill(-pid_, SIGKILL);
  }
  // The leader is a zombie now (or about to be), so its group id cannot be
  // reused: kill what is left of the group (e.g. children of a launch script).
  kill(-pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

ServerProcess::~ServerProcess() { Stop(); }

}  // namespace ember::micro
