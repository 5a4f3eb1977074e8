#include "micro/project/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "micro/project_api/fd_io.h"
#include "micro/project_api/protocol.h"

namespace ember::micro {
namespace {

using Clock = std::chrono::steady_clock;

// Milliseconds left until `deadline` for poll(2): -1 (forever) without one.
int PollMs(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left, 1'000'000'000));
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::Start(const std::vector<std::string>& argv,
                                                  const std::filesystem::path& cwd) {
  if (argv.empty()) throw ServerError("no program to start");
  signal(SIGPIPE, SIG_IGN);  // writes to a dead device fail with EPIPE instead
  int to_child[2], from_child[2], status_pipe[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) throw ServerError(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(from_child, O_CLOEXEC) != 0 || pipe2(status_pipe, O_CLOEXEC) != 0) {
    close(to_child[0]);
    close(to_child[1]);
    throw ServerError(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string dir = cwd.string();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec. A failure is reported
    // to the parent as errno on the status pipe (closed by a successful exec).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    signal(SIGPIPE, SIG_DFL);
    int err = 0;
    if (dup2(to_child[0], 0) < 0 || dup2(from_child[1], 1) < 0) err = errno;
    if (!err && !dir.empty() && chdir(dir.c_str()) != 0) err = errno;
    if (!err) execvp(args[0], args.data());
    if (!err) err = errno;
    (void)!write(status_pipe[1], &err, sizeof err);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  close(status_pipe[1]);
  if (pid < 0) {
    const int e = errno;
    close(to_child[1]);
    close(from_child[0]);
    close(status_pipe[0]);
    throw ServerError("cannot start " + argv[0] + ": " + std::strerror(e));
  }
  int child_errno = 0;
  ssize_t got;
  while ((got = read(status_pipe[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  close(status_pipe[0]);
  std::unique_ptr<ChildProcess> child(new ChildProcess(pid, to_child[1], from_child[0], argv[0]));
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    child->Stop(0);
    throw ServerError("cannot start " + argv[0] + " in " + dir + ": " + std::strerror(child_errno));
  }
  fcntl(child->out_fd_, F_SETFL, fcntl(child->out_fd_, F_GETFL) | O_NONBLOCK);
  fcntl(child->in_fd_, F_SETFL, fcntl(child->in_fd_, F_GETFL) | O_NONBLOCK);
  return child;
}

ChildProcess::~ChildProcess() { Stop(); }

std::string ChildProcess::Read(int64_t n, std::optional<double> timeout_sec) {
  if (out_fd_ < 0) throw TransportClosedError();
  if (n <= 0) return {};
  const auto deadline = DeadlineAfter(timeout_sec);
  std::string buf(static_cast<size_t>(std::min(n, kMaxTransportChunkBytes)), '\0');  // a read gives 1..n bytes
  for (;;) {
    const ssize_t r = read(out_fd_, buf.data(), buf.size());
    if (r > 0) {
      buf.resize(static_cast<size_t>(r));
      return buf;
    }
    if (r == 0) throw TransportClosedError();
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) throw TransportClosedError();
    pollfd p{out_fd_, POLLIN, 0};
    const int ms = PollMs(deadline);
    const int ready = poll(&p, 1, ms);
    if (ready == 0) throw IoTimeoutError();
    if (ready < 0 && errno != EINTR) throw TransportClosedError();
  }
}

void ChildProcess::Write(std::string_view data, std::optional<double> timeout_sec) {
  if (in_fd_ < 0) throw TransportClosedError();
  const auto deadline = DeadlineAfter(timeout_sec);
  // Non-blocking pipe: on EAGAIN wait for room and go on with the rest.
  // SIGPIPE is ignored (Start), so a dead child gives EPIPE here.
  while (!data.empty()) {
    const ssize_t w = write(in_fd_, data.data(), data.size());
    if (w > 0) {
      data.remove_prefix(static_cast<size_t>(w));
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) throw TransportClosedError();
    pollfd p{in_fd_, POLLOUT, 0};
    const int ready = poll(&p, 1, PollMs(deadline));
    if (ready == 0) throw IoTimeoutError();
    if (ready < 0 && errno != EINTR) throw TransportClosedError();
    if (p.revents & (POLLERR | POLLHUP)) throw TransportClosedError();
  }
}

int ChildProcess::Stop(double grace_sec) {
  CloseFd(in_fd_);
  CloseFd(out_fd_);
  if (pid_ <= 0) return -1;
  int status = 0;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(grace_sec * 1e6));
  for (;;) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) break;
    if (Clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return status;
}

}  // namespace ember::micro
