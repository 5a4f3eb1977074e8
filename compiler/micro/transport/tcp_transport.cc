#include "micro/transport/tcp_transport.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "micro/transport/fd_stream.h"

namespace ember::micro {
namespace {

// Connects a non-blocking socket to `addr` within `timeout_ms`. Returns the
// socket, or -1 with the reason in *why.
int ConnectOne(const addrinfo& addr, int timeout_ms, std::string* why) {
  const int fd = socket(addr.ai_family, addr.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, addr.ai_protocol);
  if (fd < 0) {
    *why = std::strerror(errno);
    return -1;
  }
  int err = 0;
  if (connect(fd, addr.ai_addr, addr.ai_addrlen) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready;
      while ((ready = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
      }
      socklen_t len = sizeof err;
      if (ready == 0) {
        err = ETIMEDOUT;
      } else if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
      }
    }
  }
  if (err != 0) {
    *why = std::strerror(err);
    close(fd);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

TcpTransport::TcpTransport(std::string host, uint16_t port, TransportTimeouts timeouts, double connect_timeout_sec)
    : FdTransport(timeouts, /*socket=*/true),
      host_(std::move(host)),
      port_(port),
      connect_timeout_sec_(connect_timeout_sec) {}

TcpTransport::~TcpTransport() { Close(); }

void TcpTransport::Open() {
  if (fd_ >= 0) return;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &found);
  if (rc != 0) throw TransportError(Describe() + ": cannot resolve '" + host_ + "': " + gai_strerror(rc));
  const int timeout_ms = connect_timeout_sec_ <= 0 ? -1 : static_cast<int>(connect_timeout_sec_ * 1000);
  std::string why = "no address";
  for (const addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) fd_ = ConnectOne(*a, timeout_ms, &why);
  freeaddrinfo(found);
  if (fd_ < 0) {
    throw TransportError(Describe() + ": cannot connect: " + why + "; is the device (or emulator) listening there?");
  }
}

void TcpTransport::Close() {
  if (fd_ < 0) return;
  close(fd_);
  fd_ = -1;
}


std::string TcpTransport::Describe() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return "tcp " + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

}  // namespace ember::micro
