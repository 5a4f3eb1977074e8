// Session (host end, initiator) against the device's own C session code in
// the responder role, in process. Expected wire bytes are microTVM's
// published session vectors; timeouts are microTVM's semantics (§5.6).
#include "micro/session/session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "micro/session/in_process_device.h"

namespace ember::micro {
namespace {

using Clock = std::chrono::steady_clock;

std::string Hex(const std::string& text) {
  std::string out, digits;
  for (char c : text) {
    if (c != ' ') digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) out += static_cast<char>(std::stoul(digits.substr(i, 2), nullptr, 16));
  return out;
}

// Records what the host writes and lets a test act on each write.
class Tap : public Transport {
 public:
  explicit Tap(Transport& child) : child_(child) {}
  std::string written;
  int writes = 0;
  std::function<void(int)> before_write;  // called with the write's number (1, 2, ...)

  void Open() override { child_.Open(); }
  void Close() override { child_.Close(); }
  TransportTimeouts timeouts() const override { return child_.timeouts(); }
  std::string Read(int64_t n, std::optional<double> t) override { return child_.Read(n, t); }
  void Write(std::string_view data, std::optional<double> t) override {
    ++writes;
    if (before_write) before_write(writes);
    written.append(data);
    child_.Write(data, t);
  }
  std::string Describe() const override { return child_.Describe(); }

 private:
  Transport& child_;
};

std::optional<std::string> Echo(std::string_view request) { return std::string(request); }

SessionOptions Quiet(std::optional<uint8_t> nonce = std::nullopt) {
  SessionOptions o;
  o.nonce = nonce;
  o.device_log = nullptr;
  return o;
}

TEST(SessionTest, HandshakeAndMessageMatchThePublishedVectors) {
  InProcessTransport link;
  InProcessSessionDevice device(link, Echo, /*nonce=*/0xAB);
  Tap tap(link);
  Session session(tap, Quiet(0x3C));
  session.Open();
  // Host: Initialize (TerminateSession with the NOP prefix), then Alice's
  // StartSessionInit (nonce 0x3C advanced to 0x82), in one write.
  EXPECT_EQ(tap.written, Hex("fe ff fd 03 00 00 00 00 00 02 66 77") + Hex("ff fd 04 00 00 00 82 00 00 01 7b e9"));
  EXPECT_TRUE(session.established());
  EXPECT_EQ(session.session_id(), 0x6682);  // Bob's reply: nonce 0xAB advanced to 0x66
  tap.written.clear();
  session.Send("hello");
  EXPECT_EQ(tap.written, Hex("ff fd 08 00 00 00 82 66 10 68 65 6c 6c 6f 90 28"));
  EXPECT_EQ(session.Receive(), "hello");
}

TEST(SessionTest, EchoesMessagesOfEverySize) {
  InProcessTransport link(nullptr, TransportTimeouts{0.1, 1, 1});
  InProcessSessionDevice device(link, Echo);
  Session session(link, Quiet());
  session.Open();
  for (size_t size : {0u, 1u, 3u, 255u, 2045u}) {
    std::string body(size, '\xff');  // every byte escaped on the wire
    for (size_t i = 0; i < size; i += 3) body[i] = static_cast<char>(i);
    session.Send(body);
    EXPECT_EQ(session.Receive(), body) << size;
  }
  EXPECT_EQ(session.stats().bad_packets, 0u);
  EXPECT_EQ(session.stats().messages_received, 5u);
}

TEST(SessionTest, DeviceLogsGoToTheSink) {
  InProcessTransport link;
  InProcessSessionDevice device(link, nullptr);
  std::vector<std::string> logs;
  SessionOptions options = Quiet();
  options.device_log = [&](const std::string& m) { logs.push_back(m); };
  Session session(link, options);
  session.Open();
  device.set_serve([&](std::string_view request) -> std::optional<std::string> {
    device.SendLog("log1");
    return std::string(request) + "!";
  });
  session.Send("x");
  EXPECT_EQ(session.Receive(), "x!");
  EXPECT_EQ(logs, std::vector<std::string>{"remote: log1"});
}

TEST(SessionTest, DeviceResetTerminatesTheSessionUntilReconnect) {
  InProcessTransport link(nullptr, TransportTimeouts{0.1, 1, 1});
  InProcessSessionDevice device(link, Echo);
  Session session(link, Quiet());
  session.Open();
  const uint16_t first_id = session.session_id();
  device.Boot(0x42);  // the device rebooted: its TerminateSession arrives
  try {
    session.Receive();
    FAIL() << "a terminated session delivered a message";
  } catch (const SessionTerminatedError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("SessionTerminatedError: remote device terminated connection", 0), 0u) << what;
    EXPECT_NE(what.find("in-process device"), std::string::npos) << what;
    EXPECT_NE(what.find("Reconnect()"), std::string::npos) << what;
  }
  EXPECT_FALSE(session.established());
  EXPECT_THROW(session.Send("x"), SessionTerminatedError);
  session.Reconnect();
  EXPECT_TRUE(session.established());
  EXPECT_NE(session.session_id(), first_id);
  session.Send("again");
  EXPECT_EQ(session.Receive(), "again");
}

TEST(SessionTest, SilentDeviceFailsTheHandshakeAfterTheStartTimeout) {
  InProcessTransport link(nullptr, TransportTimeouts{0.05, 0.2, 1});
  InProcessSessionDevice device(link, Echo);
  device.set_silent(true);
  Session session(link, Quiet());
  const auto t0 = Clock::now();
  try {
    session.Open();
    FAIL() << "a silent device completed the handshake";
  } catch (const SessionTimeoutError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("MicroSessionTimeoutError: session start handshake failed after 0.2s", 0), 0u) << what;
    EXPECT_NE(what.find("over in-process device"), std::string::npos) << what;
    EXPECT_NE(what.find("session_start_timeout 0.2s"), std::string::npos) << what;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_GE(elapsed, 0.19);
  EXPECT_LT(elapsed, 1.0);
  // One attempt per retry interval: 0.2 / 0.05 = 4 (timer slack allows 3..5).
  EXPECT_GE(session.stats().handshake_attempts, 3u);
  EXPECT_LE(session.stats().handshake_attempts, 5u);
  EXPECT_THROW(link.Read(1, 0), TransportClosedError) << "the transport stays open after a failed Open()";
}

TEST(SessionTest, RetriesUntilTheDeviceAnswers) {
  InProcessTransport link(nullptr, TransportTimeouts{0.05, 2, 1});
  InProcessSessionDevice device(link, Echo);
  device.set_silent(true);
  Tap tap(link);
  tap.before_write = [&](int n) {
    if (n == 3) device.set_silent(false);  // wakes up for the third attempt
  };
  Session session(tap, Quiet());
  session.Open();
  EXPECT_EQ(session.stats().handshake_attempts, 3u);
  session.Send("up");
  EXPECT_EQ(session.Receive(), "up");
}

TEST(SessionTest, SilentDeviceTimesOutAReadNamingTransportAndTimeout) {
  InProcessTransport link(nullptr, TransportTimeouts{0, 1, 0.1});
  InProcessSessionDevice device(link, nullptr);  // answers nothing
  Session session(link, Quiet());
  session.Open();
  session.Send("anyone?");
  const auto t0 = Clock::now();
  try {
    session.Receive();
    FAIL();
  } catch (const SessionTimeoutError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("MicroSessionTimeoutError: failed to read reply message after timeout 0.1s", 0), 0u) << what;
    EXPECT_NE(what.find("over in-process device"), std::string::npos) << what;
  }
  EXPECT_GE(std::chrono::duration<double>(Clock::now() - t0).count(), 0.09);
  // An explicit wait overrides the transport's.
  try {
    session.Receive(0.02);
    FAIL();
  } catch (const SessionTimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("after timeout 0.02s"), std::string::npos) << e.what();
  }
}

TEST(SessionTest, ForeverTimeoutsBlockUntilEstablished) {
  InProcessTransport link;  // all timeouts 0: never/forever
  InProcessSessionDevice device(link, Echo);
  SessionOptions options = Quiet();
  options.transport_name = "the bench board";
  Session session(link, options);
  session.Open();
  EXPECT_EQ(session.stats().handshake_attempts, 1u);
  device.set_silent(true);
  session.Send("x");
  // The in-process transport cannot wait: it reports a timeout at once.
  try {
    session.Receive();
    FAIL();
  } catch (const SessionTimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("over the bench board"), std::string::npos) << e.what();
  }
}

TEST(SessionTest, UseBeforeOpenAndTransportLog) {
  InProcessTransport link;
  InProcessSessionDevice device(link, Echo);
  std::vector<std::string> lines;
  SessionOptions options = Quiet();
  options.transport_log = [&](const std::string& m) { lines.push_back(m); };
  Session session(link, options);
  EXPECT_THROW(session.Send("x"), SessionError);
  EXPECT_THROW(session.Receive(), SessionError);
  session.Open();
  session.Close();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.front(), "micro-rpc: opening transport");
  EXPECT_EQ(lines.back(), "micro-rpc: closing transport");
  EXPECT_EQ(lines[1].rfind("micro-rpc: write { None }        <- [ 24 B]:\n0000  fe ff fd 03", 0), 0u) << lines[1];
}

}  // namespace
}  // namespace ember::micro
