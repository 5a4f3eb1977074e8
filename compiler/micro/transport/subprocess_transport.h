// A device that is a child process talking on its stdin/stdout: the host
// template's firmware, QEMU with the board's UART on standard I/O, or any
// command (`cat` echoes, which the tests use). Open() starts the command,
// Close() stops it (SIGTERM, then SIGKILL after a grace period) and reaps
// it; the destructor closes. The child dies with this process.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "micro/project/child_process.h"
#include "micro/transport/transport.h"

namespace ember::micro {

class SubprocessTransport : public Transport {
 public:
  // `argv[0]` is searched in PATH; the child runs in `cwd` (empty: ours).
  SubprocessTransport(std::vector<std::string> argv, TransportTimeouts timeouts = {},
                      std::filesystem::path cwd = {});
  ~SubprocessTransport() override;

  // TransportError naming the command when it cannot be started; a second
  // Open() without Close() is a no-op.
  void Open() override;
  void Close() override;
  TransportTimeouts timeouts() const override { return timeouts_; }
  // TransportClosedError before Open() / after Close() or once the child
  // closed its stdout.
  std::string Read(int64_t n, std::optional<double> timeout_sec) override;
  void Write(std::string_view data, std::optional<double> timeout_sec) override;
  std::string Describe() const override;

  // The running child's pid, or -1.
  int pid() const;

 private:
  std::vector<std::string> argv_;
  TransportTimeouts timeouts_;
  std::filesystem::path cwd_;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace ember::micro
