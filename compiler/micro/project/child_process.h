// A device that is a child process: the host template's firmware, or QEMU
// emulating a board with its UART on standard I/O. The child's stdin and
// stdout are pipes to us (the transport); its stderr is ours. The child dies
// with us (PR_SET_PDEATHSIG) and stays in our process group, so a client
// that stops a template server's group stops the device too.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ember::micro {

class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) in `cwd`. Throws ServerError naming
  // the program when it cannot be started.
  static std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& argv,
                                             const std::filesystem::path& cwd);
  ~ChildProcess();  // Stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads 1..n bytes of the child's stdout. Without a timeout blocks; with
  // one (0 = one attempt) throws IoTimeoutError when nothing came in time.
  // TransportClosedError when the child closed its stdout (it exited).
  std::string Read(int64_t n, std::optional<double> timeout_sec);

  // Writes all of `data` to the child's stdin: IoTimeoutError when not
  // everything was taken in time, TransportClosedError when the child is gone.
  void Write(std::string_view data, std::optional<double> timeout_sec);

  // Closes the pipes, sends SIGTERM, waits up to `grace_sec`, then SIGKILL;
  // reaps the child. Returns its wait status (-1 if already stopped).
  int Stop(double grace_sec = 1.0);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& program() const { return program_; }

 private:
  ChildProcess(pid_t pid, int in_fd, int out_fd, std::string program)
      : pid_(pid), in_fd_(in_fd), out_fd_(out_fd), program_(std::move(program)) {}

  pid_t pid_;
  int in_fd_;   // the child's stdin (we write)
  int out_fd_;  // the child's stdout (we read)
  std::string program_;
};

}  // namespace ember::micro
