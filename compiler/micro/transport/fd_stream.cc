#include "micro/transport/fd_stream.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>

#include "micro/project_api/fd_io.h"
#include "micro/project_api/protocol.h"

namespace ember::micro {
namespace {

using Clock = std::chrono::steady_clock;

// poll(2) milliseconds until `deadline`, rounded up so that a wait never
// ends before it; -1 without a deadline.
int MsUntil(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  const auto left = *deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  const double ms = std::ceil(std::chrono::duration<double, std::milli>(left).count());
  return ms > 1e9 ? 1000000000 : static_cast<int>(ms);
}

// Waits for `events` on `fd`. false: the deadline passed first.
bool WaitFor(int fd, short events, const std::optional<Clock::time_point>& deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ready = poll(&p, 1, MsUntil(deadline));
    if (ready > 0) return true;  // readable/writable or HUP/ERR: the next call says which
    if (ready == 0) return false;
    if (errno != EINTR) throw TransportClosedError();
  }
}

}  // namespace

std::string ReadSomeFd(int fd, int64_t n, std::optional<double> timeout_sec) {
  if (fd < 0) throw TransportClosedError();
  if (n <= 0) throw std::invalid_argument("transport read of " + std::to_string(n) + " bytes: ask for at least 1");
  const auto deadline = DeadlineAfter(timeout_sec);
  std::string buf(static_cast<size_t>(std::min(n, kMaxTransportChunkBytes)), '\0');  // a read gives 1..n bytes
  for (;;) {
    const ssize_t got = read(fd, buf.data(), buf.size());
    if (got > 0) {
      buf.resize(static_cast<size_t>(got));
      return buf;
    }
    if (got == 0) throw TransportClosedError();
    if (errno == EINTR) continue;
    // A pty whose other side closed reads EIO; treat every hard error as closed.
    if (errno != EAGAIN && errno != EWOULDBLOCK) throw TransportClosedError();
    if (!WaitFor(fd, POLLIN, deadline)) throw IoTimeoutError();
  }
}

void WriteAllFd(int fd, std::string_view data, std::optional<double> timeout_sec, bool socket) {
  if (fd < 0) throw TransportClosedError();
  const auto deadline = DeadlineAfter(timeout_sec);
  while (!data.empty()) {
    const ssize_t put = socket ? send(fd, data.data(), data.size(), MSG_NOSIGNAL) : write(fd, data.data(), data.size());
    if (put > 0) {
      data.remove_prefix(static_cast<size_t>(put));
      continue;
    }
    if (put < 0 && errno == EINTR) continue;
    if (put < 0 && errno != EAGAIN && errno != EWOULDBLOCK) throw TransportClosedError();
    if (!WaitFor(fd, POLLOUT, deadline)) throw IoTimeoutError();
  }
}

bool MakeNonBlocking(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return false;
  const int fdfl = fcntl(fd, F_GETFD);
  return fdfl >= 0 && fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) >= 0;
}

}  // namespace ember::micro
