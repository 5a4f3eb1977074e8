// Launching a Project API server in a template or project folder, as
// microTVM's instantiate_from_dir does:
//   - `launch_microtvm_api_server.sh` present: argv = [<dir>/launch_microtvm_api_server.sh,
//     <dir>/microtvm_api_server.py, --read-fd, N, --write-fd, M] (the script
//     picks the interpreter or server binary);
//   - else `microtvm_api_server.py` present: argv = [python, <dir>/microtvm_api_server.py,
//     --read-fd, N, --write-fd, M];
//   - else ProjectApiServerNotFoundError.
// N is the read end of the pipe the client writes requests into, M the write
// end of the pipe the client reads replies from; only these two extra fds are
// inherited. The child runs in <dir> (made absolute), in its own process
// group, inherits stdin/stdout/stderr (its log goes to our stderr), and on
// Linux dies with its parent.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "micro/project_api/client.h"

namespace ember::micro {

struct LaunchOptions {
  std::string python = "/usr/bin/python3";  // interpreter for microtvm_api_server.py
  bool debug = false;                       // pass --debug to the server
  ClientTimeouts timeouts;
  // How long the server may take to exit after its pipes close before it is
  // killed (SIGKILL to its whole process group).
  double exit_grace_sec = 2;
  // When set, the server's stdout and stderr (its log, build tools' output)
  // are appended to this file instead of being inherited.
  std::string output_path;
};

// A running server and the client connected to it. Destruction closes the
// pipes, waits up to exit_grace_sec for the server to exit, then kills its
// process group and reaps it: no server process outlives this object.
class ServerProcess {
 public:
  // Throws ProjectApiServerNotFoundError, or ProjectApiError when the
  // process cannot be started.
  static std::unique_ptr<ServerProcess> Launch(const std::filesystem::path& dir, const LaunchOptions& options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  ProjectApiClient& client() { return *client_; }
  pid_t pid() const { return pid_; }

  // Shuts the client down and ends the process as the destructor does;
  // returns the exit status (waitpid's), or -1 when already reaped.
  int Stop();

 private:
  ServerProcess(pid_t pid, std::unique_ptr<ProjectApiClient> client, double grace)
      : pid_(pid), client_(std::move(client)), grace_sec_(grace) {}

  pid_t pid_;
  std::unique_ptr<ProjectApiClient> client_;
  double grace_sec_;
};

}  // namespace ember::micro
