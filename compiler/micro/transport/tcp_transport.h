// A device reached over TCP: a board behind a network bridge, QEMU with
// `-serial tcp::PORT,server`, or a simulator. Open() connects to host:port
// (IPv4 or IPv6, names resolved with getaddrinfo) within connect_timeout_sec;
// Close() closes the socket. Nagle's algorithm is off: the session sends
// small packets and waits for each reply. The destructor closes.
#pragma once

#include <cstdint>
#include <string>

#include "micro/transport/fd_stream.h"

namespace ember::micro {

class TcpTransport : public FdTransport {
 public:
  TcpTransport(std::string host, uint16_t port, TransportTimeouts timeouts = {}, double connect_timeout_sec = 10);
  ~TcpTransport() override;

  // TransportError naming host:port when the name does not resolve or no
  // address accepts the connection in time. A second Open() is a no-op.
  void Open() override;
  void Close() override;
  std::string Describe() const override;

 private:
  std::string host_;
  uint16_t port_;
  double connect_timeout_sec_;
};

}  // namespace ember::micro
