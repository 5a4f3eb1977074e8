#include "micro/project_api/fd_io.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

namespace ember::micro {

LineReader::Result LineReader::ReadLine(std::string* line, std::optional<double> timeout_sec) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_sec.value_or(0)));
  for (;;) {
    const size_t nl = buf_.find('\n');
    if (nl != std::string::npos) {
      line->assign(buf_, 0, nl);
      buf_.erase(0, nl + 1);
      return Result::kLine;
    }
    if (buf_.size() > kMaxLineBytes) return Result::kError;
    int wait_ms = -1;
    if (timeout_sec) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return Result::kTimeout;
      wait_ms = static_cast<int>(left > 1'000'000 ? 1'000'000 : left);
    }
    pollfd p{fd_, POLLIN, 0};
    const int r = poll(&p, 1, wait_ms);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Result::kError;
    }
    if (r == 0) continue;  // the deadline check above decides
    char chunk[4096];
    const ssize_t n = read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Result::kError;
    }
    if (n == 0) return Result::kEof;
    buf_.append(chunk, static_cast<size_t>(n));
  }
}

bool WriteAll(int fd, std::string_view data) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  bool ok = true;
  int saved_errno = 0;
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      saved_errno = errno;
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (!ok && saved_errno == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);  // consume the SIGPIPE our write raised
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = saved_errno;
  return ok;
}

}  // namespace ember::micro
