// Reading and writing a non-blocking file descriptor with Transport
// semantics (transport.h): the shared core of SerialTransport and
// TcpTransport. The errors are IoTimeoutError and TransportClosedError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "micro/transport/transport.h"

namespace ember::micro {

// 1..n bytes from `fd`, waiting as `timeout_sec` says (nullopt: forever;
// 0: one attempt). End of stream, POLLHUP without data, or a read error
// other than EINTR/EAGAIN → TransportClosedError; nothing in time →
// IoTimeoutError.
std::string ReadSomeFd(int fd, int64_t n, std::optional<double> timeout_sec);

// All of `data` to `fd` within `timeout_sec` (IoTimeoutError otherwise; what
// was written stays written). `socket` uses send(MSG_NOSIGNAL), so a peer
// that went away gives TransportClosedError rather than SIGPIPE.
void WriteAllFd(int fd, std::string_view data, std::optional<double> timeout_sec, bool socket);

// Sets O_NONBLOCK (and FD_CLOEXEC); false with errno on failure.
bool MakeNonBlocking(int fd);

// A Transport over one non-blocking file descriptor: Read and Write as
// above. Subclasses open and configure fd_ (-1 while closed) and close it.
class FdTransport : public Transport {
 public:
  TransportTimeouts timeouts() const override { return timeouts_; }
  // TransportClosedError while closed.
  std::string Read(int64_t n, std::optional<double> timeout_sec) override { return ReadSomeFd(fd_, n, timeout_sec); }
  void Write(std::string_view data, std::optional<double> timeout_sec) override {
    WriteAllFd(fd_, data, timeout_sec, socket_);
  }

 protected:
  FdTransport(TransportTimeouts timeouts, bool socket) : timeouts_(timeouts), socket_(socket) {}

  int fd_ = -1;

 private:
  TransportTimeouts timeouts_;
  bool socket_;
};

}  // namespace ember::micro
