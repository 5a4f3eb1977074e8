#include "micro/session/in_process_device.h"

#include <deque>
#include <vector>

#include "ember/session.h"

namespace ember::micro {

struct InProcessSessionDevice::Link {
  ember_session_t session;
  std::vector<uint8_t> rx;
  std::deque<std::string> pending;  // requests received, not yet served
};

InProcessSessionDevice::InProcessSessionDevice(InProcessTransport& link, ServeFn serve, uint8_t nonce,
                                               size_t max_message)
    : link_(link), serve_(std::move(serve)), state_(std::make_unique<Link>()) {
  state_->rx.resize(max_message);
  ember_session_init(&state_->session, state_->rx.data(), state_->rx.size(), WriteOut, this, OnMessage, this);
  link_.set_device([this](std::string_view bytes) { OnBytes(bytes); });
  Boot(nonce);
}

InProcessSessionDevice::~InProcessSessionDevice() { link_.set_device({}); }

void InProcessSessionDevice::Boot(uint8_t nonce) { ember_session_initialize(&state_->session, nonce); }

void InProcessSessionDevice::SendLog(std::string_view text) {
  ember_session_send_message(&state_->session, EMBER_SESSION_LOG, reinterpret_cast<const uint8_t*>(text.data()),
                             text.size());
}

void InProcessSessionDevice::SendNormal(std::string_view body) {
  ember_session_send_message(&state_->session, EMBER_SESSION_NORMAL, reinterpret_cast<const uint8_t*>(body.data()),
                             body.size());
}

bool InProcessSessionDevice::established() const { return ember_session_is_established(&state_->session) != 0; }

// Feeds the host's bytes to the device session; a request that arrived is
// served after the session code returned (the callback must not re-enter it).
void InProcessSessionDevice::OnBytes(std::string_view bytes) {
  if (silent_) return;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t consumed = 0;
    ember_session_receive(&state_->session, data + pos, bytes.size() - pos, &consumed);
    if (consumed == 0) break;
    pos += consumed;
    while (!state_->pending.empty()) {
      std::string request = std::move(state_->pending.front());
      state_->pending.pop_front();
      ++requests_;
      std::optional<std::string> reply = serve_ ? serve_(request) : std::nullopt;
      if (reply) SendNormal(*reply);
    }
  }
}

void InProcessSessionDevice::OnMessage(void* ctx, uint8_t type, const uint8_t* body, size_t n) {
  auto* self = static_cast<InProcessSessionDevice*>(ctx);
  if (type != EMBER_SESSION_NORMAL) return;
  self->state_->pending.emplace_back(reinterpret_cast<const char*>(body), n);
  ember_session_clear_receive_buffer(&self->state_->session);
}

size_t InProcessSessionDevice::WriteOut(void* ctx, const uint8_t* data, size_t n) {
  static_cast<InProcessSessionDevice*>(ctx)->link_.Deliver(std::string_view(reinterpret_cast<const char*>(data), n));
  return n;
}

}  // namespace ember::micro
