#include "micro/project_api/fd_io.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>

namespace ember::micro {

using Clock = std::chrono::steady_clock;

std::optional<Clock::time_point> DeadlineAfter(std::optional<double> timeout_sec) {
  if (!timeout_sec) return std::nullopt;
  double sec = *timeout_sec;
  if (!(sec > 0)) sec = 0;  // negative or NaN
  if (sec > kMaxTimeoutSec) sec = kMaxTimeoutSec;
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(sec));
}

// Searches only the bytes not searched before. A consumed prefix is dropped
// when it is at least half the buffer, so many short lines also cost linear
// time.
bool LineReader::TakeLine(std::string* line) {
  const size_t nl = buf_.find('\n', scanned_);
  bytes_scanned_ += (nl == std::string::npos ? buf_.size() : nl + 1) - scanned_;
  if (nl == std::string::npos) {
    scanned_ = buf_.size();
    return false;
  }
  line->assign(buf_, start_, nl - start_);
  start_ = scanned_ = nl + 1;
  if (start_ == buf_.size()) {
    buf_.clear();
    start_ = scanned_ = 0;
  } else if (start_ >= buf_.size() / 2) {
    buf_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
  }
  return true;
}

bool LineReader::SkipLongLine() {
  const size_t nl = buf_.find('\n');
  bytes_scanned_ += nl == std::string::npos ? buf_.size() : nl + 1;
  if (nl == std::string::npos) {
    buf_.clear();
    return false;
  }
  buf_.erase(0, nl + 1);
  start_ = scanned_ = 0;
  skipping_ = false;
  return true;
}

LineReader::Result LineReader::ReadLine(std::string* line, std::optional<double> timeout_sec) {
  const auto deadline = DeadlineAfter(timeout_sec);
  for (;;) {
    if (skipping_) {
      if (SkipLongLine()) return Result::kTooLong;
    } else if (TakeLine(line)) {
      if (line->size() <= max_line_) return Result::kLine;
      line->clear();
      return Result::kTooLong;
    } else if (buf_.size() - start_ > max_line_) {
      skipping_ = true;  // drop what we have and the rest of the line as it comes
      buf_.clear();
      start_ = scanned_ = 0;
    }
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
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
    peak_buffered_ = std::max(peak_buffered_, buf_.size());
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
