// The host end of the framed session (microTVM's MicroTransportChannel):
// the device's own C framing and session code (runtime/src/framing.c,
// session.c) driven over a Transport, in the initiator role.
//
// Open() opens the transport and performs the handshake with microTVM's
// timeouts (TransportTimeouts, seconds, 0 = never/forever):
//   - retry = start = 0: wait for the device's reply forever;
//   - otherwise each attempt (Initialize: TerminateSession, then
//     StartSessionInit with a fresh nonce) waits up to `retry` seconds
//     (`start` when retry is 0), and the handshake fails with
//     SessionTimeoutError once `start` seconds have passed in total
//     (never, when start is 0).
//   - Writes use `start` as their timeout before the session is established
//     and `established` afterwards; Receive() waits up to `established`.
// Once established, a TerminateSession from the device (it reset) makes
// every later Send/Receive throw SessionTerminatedError until Reconnect().
// Log messages (kLog) from the device go to `device_log` as "remote: <text>".
// Packets damaged on the link are dropped by the framing CRC and counted.
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "micro/transport/transport.h"
#include "micro/transport/transport_logger.h"

namespace ember::micro {

// A session failure (base class).
class SessionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The device ended the established session: it reset or rebooted.
// what(): "SessionTerminatedError: remote device terminated connection (...)".
class SessionTerminatedError : public SessionError {
 public:
  using SessionError::SessionError;
};

// A handshake, read or write took longer than the transport's timeout.
// what() starts with microTVM's "MicroSessionTimeoutError: ..." and names
// the transport and the timeout that ran out.
class SessionTimeoutError : public SessionError {
 public:
  using SessionError::SessionError;
};

struct SessionOptions {
  std::string name = "micro-rpc";                  // in logs and errors
  std::optional<TransportTimeouts> timeout_override;  // else transport.timeouts()
  // Largest message body the host accepts (the session payload minus its
  // 3-byte header): the device's EMBER_RPC_MAX_PACKET is 2048 by default.
  size_t max_receive = 64 * 1024;
  // Our first nonce; nullopt draws a random non-zero one (tests fix it).
  std::optional<uint8_t> nonce;
  // kLog text from the device, as "remote: <text>"; default: stderr.
  LogSink device_log = StderrLogSink();
  // When set, the transport is wrapped in a TransportLogger with `name`.
  LogSink transport_log;
  // What the errors call the transport; empty: transport.Describe().
  std::string transport_name;
};

// Link statistics, for diagnostics and the fault tests.
struct SessionStats {
  uint64_t bad_packets = 0;       // dropped by the framing: CRC, escapes, lengths
  uint64_t handshake_attempts = 0;
  uint64_t messages_received = 0;
};

class Session {
 public:
  // Runs over `transport`, which must outlive the session (not owned).
  explicit Session(Transport& transport, SessionOptions options = {});
  // Runs over and owns `transport`.
  explicit Session(std::unique_ptr<Transport> transport, SessionOptions options = {});
  ~Session();  // Close()
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Opens the transport and establishes a session (see the header comment).
  // On failure the transport is closed again and the error rethrown:
  // SessionTimeoutError, or the transport's TransportClosedError etc.
  void Open();
  // Closes the transport (idempotent). The session is then unusable until
  // Open().
  void Close();
  // A new session on the open transport (after SessionTerminatedError, e.g.
  // when the device reset): drops whatever was received, handshakes again.
  void Reconnect();

  // Sends one kNormal message. SessionTerminatedError if the device ended
  // the session, SessionError if it was never opened, SessionTimeoutError
  // if the transport did not take the bytes in time.
  void Send(std::string_view body);
  // The next kNormal message. Waits up to the established timeout
  // (`timeout_sec` overrides it; nullopt there keeps the default; 0 and
  // negative values mean forever), then SessionTimeoutError.
  std::string Receive(std::optional<double> timeout_sec = std::nullopt);

  bool established() const;
  uint16_t session_id() const;
  const TransportTimeouts& timeouts() const { return timeouts_; }
  const SessionStats& stats() const { return stats_; }
  const std::string& name() const { return options_.name; }
  std::string transport_name() const;
  Transport& transport() { return *transport_; }

 private:
  struct Link;  // the C session and its buffers

  void Handshake();
  bool PumpUntil(const std::function<bool()>& done, std::optional<double> budget_sec);
  void FeedBytes(std::string_view bytes);
  void Flush(std::optional<double> timeout_sec, const char* what);
  void StartAttempt();
  std::optional<double> WriteTimeout() const;
  [[noreturn]] void ThrowTerminated() const;
  void OnMessage(uint8_t type, const uint8_t* body, size_t n);
  static void OnMessageThunk(void* ctx, uint8_t type, const uint8_t* body, size_t n);
  static size_t WriteThunk(void* ctx, const uint8_t* data, size_t n);

  std::unique_ptr<Transport> owned_;
  std::unique_ptr<TransportLogger> logger_;
  Transport* transport_;
  SessionOptions options_;
  TransportTimeouts timeouts_;
  std::unique_ptr<Link> link_;
  std::string tx_;                  // framed bytes waiting for Flush
  std::deque<std::string> inbox_;   // received kNormal bodies
  std::exception_ptr callback_error_;
  bool open_ = false;
  bool terminated_ = false;
  uint8_t nonce_ = 0;
  SessionStats stats_;
};

}  // namespace ember::micro
