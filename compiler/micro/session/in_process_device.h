// The device end of a session, in this process: the device's C session
// code in the responder role, on an InProcessTransport, serving each kNormal
// message with a C++ function. For tests and simulations of the link
// (echo devices, scripted RPC replies, silent or resetting devices); a real
// RPC server (runtime/src/rpc_server.c) is wired to an InProcessTransport
// directly instead.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "micro/transport/test_transports.h"

namespace ember::micro {

class InProcessSessionDevice {
 public:
  // Returns the reply to one request, or nullopt to send none.
  using ServeFn = std::function<std::optional<std::string>(std::string_view request)>;

  // Attaches to `link` (sets its device function; `link` must outlive this
  // object). `max_message`: the largest message body the device accepts.
  InProcessSessionDevice(InProcessTransport& link, ServeFn serve, uint8_t nonce = 0xAB, size_t max_message = 2045);
  ~InProcessSessionDevice();
  InProcessSessionDevice(const InProcessSessionDevice&) = delete;
  InProcessSessionDevice& operator=(const InProcessSessionDevice&) = delete;

  // (Re)boots: initializes the session, which sends TerminateSession (a
  // reset device's announcement). Also what the constructor does.
  void Boot(uint8_t nonce);
  // Sends a kLog message / an unsolicited kNormal message to the host.
  void SendLog(std::string_view text);
  void SendNormal(std::string_view body);
  // A silent device takes bytes and never answers.
  void set_silent(bool silent) { silent_ = silent; }
  void set_serve(ServeFn serve) { serve_ = std::move(serve); }

  bool established() const;
  uint64_t requests() const { return requests_; }

 private:
  struct Link;
  void OnBytes(std::string_view bytes);
  static void OnMessage(void* ctx, uint8_t type, const uint8_t* body, size_t n);
  static size_t WriteOut(void* ctx, const uint8_t* data, size_t n);

  InProcessTransport& link_;
  ServeFn serve_;
  std::unique_ptr<Link> state_;
  bool silent_ = false;
  uint64_t requests_ = 0;
};

}  // namespace ember::micro
