#include "micro/session/session.h"

#include <chrono>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "ember/session.h"

namespace ember::micro {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsLeft(Clock::time_point deadline) {
  return std::chrono::duration<double>(deadline - Clock::now()).count();
}

uint8_t RandomNonce() {
  std::random_device rd;
  uint8_t n = 0;
  for (int i = 0; i < 10 && n == 0; ++i) n = static_cast<uint8_t>(rd());
  return n == 0 ? 1 : n;
}

// A device log line is shown up to this many bytes (microTVM: 1023).
constexpr size_t kMaxLogBytes = 1023;

}  // namespace

struct Session::Link {
  ember_session_t session;
  std::vector<uint8_t> rx;
};

Session::Session(Transport& transport, SessionOptions options)
    : transport_(&transport), options_(std::move(options)) {
  if (options_.transport_log) {
    logger_ = std::make_unique<TransportLogger>(options_.name, transport, options_.transport_log);
    transport_ = logger_.get();
  }
}

Session::Session(std::unique_ptr<Transport> transport, SessionOptions options)
    : Session(*transport, std::move(options)) {
  owned_ = std::move(transport);
}

Session::~Session() {
  try {
    Close();
  } catch (...) {
    // A transport that fails to close must not take the program down.
  }
}

std::string Session::transport_name() const {
  return options_.transport_name.empty() ? transport_->Describe() : options_.transport_name;
}

void Session::Open() {
  if (open_) return;
  transport_->Open();
  open_ = true;
  try {
    timeouts_ = options_.timeout_override ? *options_.timeout_override : transport_->timeouts();
    link_ = std::make_unique<Link>();
    link_->rx.resize(options_.max_receive);
    ember_session_init(&link_->session, link_->rx.data(), link_->rx.size(), WriteThunk, this, OnMessageThunk, this);
    nonce_ = options_.nonce ? *options_.nonce : RandomNonce();
    Handshake();
  } catch (...) {
    Close();
    throw;
  }
}

void Session::Close() {
  if (!open_) return;
  open_ = false;
  tx_.clear();
  inbox_.clear();
  transport_->Close();
}

void Session::Reconnect() {
  if (!open_) return Open();
  Handshake();
}

bool Session::established() const { return open_ && link_ && ember_session_is_established(&link_->session); }

uint16_t Session::session_id() const { return link_ ? ember_session_id(&link_->session) : 0; }

std::optional<double> Session::WriteTimeout() const {
  const double t = established() ? timeouts_.session_established_timeout_sec : timeouts_.session_start_timeout_sec;
  return t > 0 ? std::optional<double>(t) : std::nullopt;
}

// One handshake attempt: TerminateSession (so a device in a stale session
// drops it) and StartSessionInit with the next nonce.
void Session::StartAttempt() {
  ++stats_.handshake_attempts;
  terminated_ = false;
  inbox_.clear();
  ember_session_initialize(&link_->session, nonce_);
  ember_session_start_session(&link_->session);
  nonce_ = ember_session_next_nonce(nonce_);
  Flush(WriteTimeout(), "the session start handshake");
}

void Session::Handshake() {
  const double retry = timeouts_.session_start_retry_timeout_sec;
  const double start = timeouts_.session_start_timeout_sec;
  const auto established_now = [this] { return ember_session_is_established(&link_->session) != 0; };
  const std::string where = " (session '" + options_.name + "' over " + transport_name() + ")";
  if (retry <= 0 && start <= 0) {
    StartAttempt();
    if (PumpUntil(established_now, std::nullopt)) return;
    throw SessionTimeoutError("MicroSessionTimeoutError: session start handshake failed: the transport timed out "
                              "although the session start timeout is 0 (forever)" + where);
  }
  const double attempt = retry > 0 ? retry : start;
  const auto began = Clock::now();
  for (;;) {
    StartAttempt();
    double budget = attempt;
    if (start > 0) budget = std::min(budget, start - std::chrono::duration<double>(Clock::now() - began).count());
    if (PumpUntil(established_now, budget)) return;
    if (start > 0 && std::chrono::duration<double>(Clock::now() - began).count() >= start) {
      throw SessionTimeoutError("MicroSessionTimeoutError: session start handshake failed after " +
                                FormatSeconds(start) + where + ": no StartSessionReply within session_start_timeout " +
                                FormatSeconds(start) + " (retried every " + FormatSeconds(attempt) +
                                "); check that the device runs a host-driven firmware and is connected");
    }
  }
}

// Reads and feeds bytes until done() or the budget runs out (nullopt: no
// limit). false: out of time, or the transport gave up (IoTimeoutError).
bool Session::PumpUntil(const std::function<bool()>& done, std::optional<double> budget_sec) {
  // A plain time point and a flag (std::optional<time_point> trips GCC 12's
  // -Wmaybe-uninitialized).
  const bool limited = budget_sec.has_value();
  const Clock::time_point deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(limited ? std::max(0.0, *budget_sec) : 0.0));
  while (!done()) {
    std::optional<double> left;
    if (limited) {
      left = SecondsLeft(deadline);
      if (*left <= 0) return false;
    }
    std::string bytes;
    try {
      bytes = transport_->Read(static_cast<int64_t>(ember_session_bytes_needed(&link_->session)), left);
    } catch (const IoTimeoutError&) {
      // A transport may give up early (nothing can come): the wait still
      // lasts the whole budget, as a real link's would.
      if (limited) std::this_thread::sleep_until(deadline);
      return false;
    }
    FeedBytes(bytes);
    if (!tx_.empty()) Flush(WriteTimeout(), "a session reply");
  }
  return true;
}

void Session::FeedBytes(std::string_view bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t consumed = 0;
    const ember_error_t err = ember_session_receive(&link_->session, data + pos, bytes.size() - pos, &consumed);
    if (err != kEmberErrorNoError) ++stats_.bad_packets;
    if (consumed == 0) break;  // cannot happen (the unframer always advances); never spin
    pos += consumed;
  }
  if (callback_error_) std::rethrow_exception(std::exchange(callback_error_, nullptr));
}

void Session::Flush(std::optional<double> timeout_sec, const char* what) {
  if (tx_.empty()) return;
  const std::string bytes = std::exchange(tx_, {});
  try {
    transport_->Write(bytes, timeout_sec);
  } catch (const IoTimeoutError&) {
    throw SessionTimeoutError("MicroSessionTimeoutError: failed to write " + std::to_string(bytes.size()) +
                              " bytes of " + what + " after timeout " + FormatSeconds(timeout_sec) +
                              " (session '" + options_.name + "' over " + transport_name() +
                              "): the device does not take data");
  }
}

void Session::Send(std::string_view body) {
  if (!open_) throw SessionError("session '" + options_.name + "' is not open; call Open() first");
  if (terminated_) ThrowTerminated();
  const ember_error_t err = ember_session_send_message(
      &link_->session, EMBER_SESSION_NORMAL, reinterpret_cast<const uint8_t*>(body.data()), body.size());
  if (err != kEmberErrorNoError) {
    tx_.clear();
    throw SessionError("session '" + options_.name + "' over " + transport_name() + ": cannot send a " +
                       std::to_string(body.size()) + "-byte message: " + ember_error_name(err));
  }
  Flush(WriteTimeout(), "a message");
}

std::string Session::Receive(std::optional<double> timeout_sec) {
  if (!open_) throw SessionError("session '" + options_.name + "' is not open; call Open() first");
  const double wait = timeout_sec ? *timeout_sec : timeouts_.session_established_timeout_sec;
  const bool ok = PumpUntil([this] { return !inbox_.empty() || terminated_; },
                            wait > 0 ? std::optional<double>(wait) : std::nullopt);
  if (!inbox_.empty()) {
    std::string body = std::move(inbox_.front());
    inbox_.pop_front();
    return body;
  }
  if (terminated_) ThrowTerminated();
  (void)ok;
  throw SessionTimeoutError("MicroSessionTimeoutError: failed to read reply message after timeout " +
                            (wait > 0 ? FormatSeconds(wait) : std::string("0s (forever; the transport gave up)")) +
                            " (session '" + options_.name + "' over " + transport_name() +
                            ", session_established_timeout): the device did not answer; check that it is "
                            "running and has not crashed");
}

void Session::ThrowTerminated() const {
  throw SessionTerminatedError("SessionTerminatedError: remote device terminated connection (session '" +
                               options_.name + "' over " + transport_name() +
                               "): the device reset or restarted; call Reconnect() for a new session");
}

size_t Session::WriteThunk(void* ctx, const uint8_t* data, size_t n) {
  auto* self = static_cast<Session*>(ctx);
  try {
    self->tx_.append(reinterpret_cast<const char*>(data), n);
    return n;
  } catch (...) {
    self->callback_error_ = std::current_exception();
    return 0;
  }
}

void Session::OnMessageThunk(void* ctx, uint8_t type, const uint8_t* body, size_t n) {
  auto* self = static_cast<Session*>(ctx);
  try {
    self->OnMessage(type, body, n);
  } catch (...) {
    self->callback_error_ = std::current_exception();
  }
}

void Session::OnMessage(uint8_t type, const uint8_t* body, size_t n) {
  switch (type) {
    case EMBER_SESSION_TERMINATE:
      terminated_ = true;
      break;
    case EMBER_SESSION_LOG:
      if (options_.device_log) {
        options_.device_log("remote: " + std::string(reinterpret_cast<const char*>(body), std::min(n, kMaxLogBytes)));
      }
      break;
    case EMBER_SESSION_NORMAL:
      ++stats_.messages_received;
      inbox_.emplace_back(reinterpret_cast<const char*>(body), n);
      ember_session_clear_receive_buffer(&link_->session);
      break;
    default:
      break;
  }
}

}  // namespace ember::micro
