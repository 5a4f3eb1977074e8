// The byte stream to a running device, as microTVM's Transport: every way of
// reaching a device (a project's API server, a child process's pipes, a
// serial port, a TCP socket, an in-process device) implements this class,
// and the session layer (micro/session/session.h) runs on any of them.
//
// Semantics (microTVM's, kept exactly):
//   - Open() before use, Close() after; Close() is idempotent.
//   - Read(n, timeout) returns 1..n bytes, never 0 bytes: IoTimeoutError when
//     nothing arrived in time, TransportClosedError when the device side is
//     gone (EOF, I/O failure).
//   - Write(data, timeout) sends all of `data` or throws (IoTimeoutError when
//     not everything was taken in time, TransportClosedError).
//   - timeout_sec: nullopt blocks, 0 tries once, t > 0 waits up to t seconds.
//   - timeouts() are the session timeouts the device needs (0 = never/forever).
// The error classes are those of micro/project_api/protocol.h, so errors
// coming back through a Project API server and from a local transport are
// the same C++ types.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "micro/project_api/protocol.h"

namespace ember::micro {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Open() = 0;
  virtual void Close() = 0;
  virtual TransportTimeouts timeouts() const = 0;
  virtual std::string Read(int64_t n, std::optional<double> timeout_sec) = 0;
  virtual void Write(std::string_view data, std::optional<double> timeout_sec) = 0;
  // What the transport reaches, for error messages ("tcp 127.0.0.1:6000",
  // "serial /dev/ttyACM0 at 115200 baud"). Transports that do not say
  // are just "transport".
  virtual std::string Describe() const { return "transport"; }
};

// A transport that cannot be opened or configured (bad path, refused
// connection, unsupported baud rate): what failed, where, and why.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "5.00s"-style seconds for messages; "None" for nullopt.
std::string FormatSeconds(std::optional<double> seconds);

}  // namespace ember::micro
