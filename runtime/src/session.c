/* Session layer of the host link: message header, handshake, receive buffer.
 * Contracts: include/ember/session.h; wire format: docs/rpc.md. */
#include "ember/session.h"

#include <string.h>

uint8_t ember_session_next_nonce(uint8_t nonce) {
  do {
    nonce = (uint8_t)((((unsigned)nonce << 5) | ((unsigned)nonce >> 5)) + 1u);
  } while (nonce == 0);
  return nonce;
}

/* ---- Sending ----------------------------------------------------------------- */

static ember_error_t start_with_header(ember_session_t* s, uint8_t type, uint16_t id, size_t body_size) {
  uint8_t header[EMBER_SESSION_HEADER_SIZE];
  ember_error_t err;
  if (body_size > (size_t)(0xFFFFFFFFu - EMBER_SESSION_HEADER_SIZE)) return kEmberErrorFramingPayloadOverflow;
  err = ember_framer_start_packet(&s->framer, (uint32_t)(body_size + EMBER_SESSION_HEADER_SIZE));
  if (err != kEmberErrorNoError) return err;
  header[0] = (uint8_t)(id & 0xffu);
  header[1] = (uint8_t)(id >> 8);
  header[2] = type;
  return ember_framer_write_payload_chunk(&s->framer, header, sizeof(header));
}

static ember_error_t send_whole(ember_session_t* s, uint8_t type, uint16_t id, const uint8_t* body, size_t n) {
  ember_error_t err = start_with_header(s, type, id, n);
  if (err == kEmberErrorNoError) err = ember_framer_write_payload_chunk(&s->framer, body, n);
  if (err == kEmberErrorNoError) err = ember_framer_finish_packet(&s->framer);
  return err;
}

/* What the layer above may send now, and with which session id. */
static ember_error_t check_sendable(const ember_session_t* s, uint8_t type, uint16_t* id) {
  if (type == EMBER_SESSION_LOG) {
    *id = 0;
    return kEmberErrorNoError;
  }
  if (type != EMBER_SESSION_NORMAL) return kEmberErrorSessionInvalidMessageType;
  if (s->state != EMBER_SESSION_STATE_ESTABLISHED) return kEmberErrorSessionInvalidState;
  *id = s->session_id;
  return kEmberErrorNoError;
}

ember_error_t ember_session_send_message(ember_session_t* s, uint8_t message_type, const uint8_t* body,
                                         size_t body_size) {
  uint16_t id = 0;
  ember_error_t err = check_sendable(s, message_type, &id);
  if (err != kEmberErrorNoError) return err;
  return send_whole(s, message_type, id, body, body_size);
}

ember_error_t ember_session_start_message(ember_session_t* s, uint8_t message_type, size_t body_size) {
  uint16_t id = 0;
  ember_error_t err = check_sendable(s, message_type, &id);
  if (err != kEmberErrorNoError) return err;
  return start_with_header(s, message_type, id, body_size);
}

ember_error_t ember_session_send_body_chunk(ember_session_t* s, const uint8_t* data, size_t n) {
  return ember_framer_write_payload_chunk(&s->framer, data, n);
}

ember_error_t ember_session_finish_message(ember_session_t* s) {
  return ember_framer_finish_packet(&s->framer);
}

/* ---- Handshake ----------------------------------------------------------------- */

static void notify(ember_session_t* s, uint8_t type, const uint8_t* body, size_t n) {
  if (s->on_message != NULL) s->on_message(s->message_ctx, type, body, n);
}

ember_error_t ember_session_initialize(ember_session_t* s, uint8_t nonce) {
  s->nonce = nonce;
  s->session_id = 0;
  s->state = EMBER_SESSION_STATE_NO_SESSION;
  /* A restart of the link: drop half-received and half-sent packets (the
   * framer's reset also puts the NOP byte before the Terminate). */
  ember_unframer_reset(&s->unframer);
  ember_framer_reset(&s->framer);
  s->rx_busy = 0;
  s->rx_size = 0;
  s->rx_header_size = 0;
  return send_whole(s, EMBER_SESSION_TERMINATE, 0, NULL, 0);
}

ember_error_t ember_session_start_session(ember_session_t* s) {
  static const uint8_t kVersion = EMBER_SESSION_VERSION;
  ember_error_t err;
  s->nonce = ember_session_next_nonce(s->nonce);
  s->session_id = s->nonce;
  err = send_whole(s, EMBER_SESSION_START_INIT, s->session_id, &kVersion, 1);
  if (err != kEmberErrorNoError) return err;
  s->state = EMBER_SESSION_STATE_START_SENT;
  return kEmberErrorNoError;
}

/* Responder: accept the initiator's nonce `theirs` with a fresh one of ours. */
static ember_error_t reply_to_start(ember_session_t* s, uint8_t theirs) {
  static const uint8_t kVersion = EMBER_SESSION_VERSION;
  uint16_t id;
  ember_error_t err;
  s->nonce = ember_session_next_nonce(s->nonce);
  id = (uint16_t)(theirs | ((unsigned)s->nonce << 8));
  err = send_whole(s, EMBER_SESSION_START_REPLY, id, &kVersion, 1);
  if (err != kEmberErrorNoError) return err;
  s->session_id = id;
  s->state = EMBER_SESSION_STATE_ESTABLISHED;
  notify(s, EMBER_SESSION_START_REPLY, NULL, 0);
  return kEmberErrorNoError;
}

/* kStartSessionInit: answered in every state except when we started a
 * handshake ourselves; then the lower initiator nonce wins, and on a tie we
 * propose again with a new nonce. */
static ember_error_t on_start_init(ember_session_t* s, uint16_t id, uint8_t version) {
  uint8_t theirs = (uint8_t)(id & 0xffu);
  if (theirs == 0) return kEmberErrorNoError;
  if (s->state == EMBER_SESSION_STATE_START_SENT) {
    if (theirs == s->nonce) return ember_session_start_session(s);
    if (theirs > s->nonce || version != EMBER_SESSION_VERSION) return kEmberErrorNoError;
  }
  return reply_to_start(s, theirs);
}

/* kStartSessionReply: completes our handshake if it answers our nonce. Once
 * established, a repeat of the reply that made the session is ignored; any
 * other reply means the peer's idea of the session differs from ours: the
 * session is over (reported as a termination). */
static void on_start_reply(ember_session_t* s, uint16_t id, uint8_t version) {
  if (s->state == EMBER_SESSION_STATE_START_SENT) {
    if ((id & 0xffu) != s->nonce || (id >> 8) == 0 || version != EMBER_SESSION_VERSION) return;
    s->session_id = id;
    s->state = EMBER_SESSION_STATE_ESTABLISHED;
    notify(s, EMBER_SESSION_START_REPLY, NULL, 0);
  } else if (s->state == EMBER_SESSION_STATE_ESTABLISHED && id != s->session_id) {
    s->session_id = 0;
    s->state = EMBER_SESSION_STATE_RESET;
    notify(s, EMBER_SESSION_TERMINATE, NULL, 0);
  }
}

/* ---- Receiving -------------------------------------------------------------------
 * The session is the unframer's sink: the first 3 payload bytes go to the
 * header, the rest to the caller's buffer. Nothing is acted upon before the
 * unframer has checked the CRC (done(valid = 1)). */

static ember_error_t rx_start(void* ctx, uint32_t payload_size) {
  ember_session_t* s = (ember_session_t*)ctx;
  if (s->rx_busy) return kEmberErrorSessionReceiveBufferBusy;
  if (payload_size < EMBER_SESSION_HEADER_SIZE) return kEmberErrorSessionShortMessage;
  if ((size_t)(payload_size - EMBER_SESSION_HEADER_SIZE) > s->rx_capacity) {
    return kEmberErrorSessionReceiveBufferShortWrite;
  }
  s->rx_size = 0;
  s->rx_header_size = 0;
  return kEmberErrorNoError;
}

static ember_error_t rx_chunk(void* ctx, const uint8_t* data, size_t n) {
  ember_session_t* s = (ember_session_t*)ctx;
  while (n > 0 && s->rx_header_size < EMBER_SESSION_HEADER_SIZE) {
    s->rx_header[s->rx_header_size++] = *data++;
    --n;
  }
  if (n > s->rx_capacity - s->rx_size) return kEmberErrorSessionReceiveBufferShortWrite;
  if (n > 0) memcpy(s->rx_buffer + s->rx_size, data, n);
  s->rx_size += n;
  return kEmberErrorNoError;
}

static ember_error_t rx_done(void* ctx, int valid) {
  ember_session_t* s = (ember_session_t*)ctx;
  uint16_t id = (uint16_t)(s->rx_header[0] | ((unsigned)s->rx_header[1] << 8));
  uint8_t type = s->rx_header[2];
  size_t size = s->rx_size;
  uint8_t version = size > 0 ? s->rx_buffer[0] : 0;
  s->rx_size = 0;
  s->rx_header_size = 0;
  if (!valid) return kEmberErrorNoError;
  switch (type) {
    case EMBER_SESSION_START_INIT:
      return on_start_init(s, id, version);
    case EMBER_SESSION_START_REPLY:
      on_start_reply(s, id, version);
      break;
    case EMBER_SESSION_TERMINATE:
      if (s->state == EMBER_SESSION_STATE_ESTABLISHED) {
        s->state = EMBER_SESSION_STATE_NO_SESSION;
        s->session_id = 0;
        notify(s, EMBER_SESSION_TERMINATE, NULL, 0);
      }
      break;
    case EMBER_SESSION_LOG:
      if (id == 0 || id == s->session_id) notify(s, EMBER_SESSION_LOG, s->rx_buffer, size);
      break;
    case EMBER_SESSION_NORMAL:
      if (s->state == EMBER_SESSION_STATE_ESTABLISHED && id == s->session_id) {
        s->rx_busy = 1;
        s->rx_size = size;
        notify(s, EMBER_SESSION_NORMAL, s->rx_buffer, size);
      }
      break;
    default:
      break;
  }
  return kEmberErrorNoError;
}

void ember_session_init(ember_session_t* s, uint8_t* rx_buffer, size_t rx_capacity, ember_write_fn write,
                        void* write_ctx, ember_session_message_fn on_message, void* message_ctx) {
  ember_unframer_sink_t sink;
  size_t max_payload = rx_capacity + EMBER_SESSION_HEADER_SIZE;
  if (max_payload < rx_capacity) max_payload = (size_t)-1;
  sink.start = rx_start;
  sink.chunk = rx_chunk;
  sink.done = rx_done;
  sink.ctx = s;
  ember_framer_init(&s->framer, write, write_ctx);
  ember_unframer_init(&s->unframer, &sink, max_payload);
  s->on_message = on_message;
  s->message_ctx = message_ctx;
  s->rx_buffer = rx_buffer;
  s->rx_capacity = rx_capacity;
  s->rx_size = 0;
  memset(s->rx_header, 0, sizeof(s->rx_header));
  s->rx_header_size = 0;
  s->rx_busy = 0;
  s->state = EMBER_SESSION_STATE_RESET;
  s->nonce = 0;
  s->session_id = 0;
}

ember_error_t ember_session_receive(ember_session_t* s, const uint8_t* data, size_t n, size_t* consumed) {
  return ember_unframer_write(&s->unframer, data, n, consumed);
}

void ember_session_clear_receive_buffer(ember_session_t* s) {
  s->rx_busy = 0;
  s->rx_size = 0;
}

uint8_t ember_session_state(const ember_session_t* s) { return s->state; }

uint16_t ember_session_id(const ember_session_t* s) { return s->session_id; }

int ember_session_is_established(const ember_session_t* s) {
  return s->state == EMBER_SESSION_STATE_ESTABLISHED;
}

size_t ember_session_bytes_needed(const ember_session_t* s) { return ember_unframer_bytes_needed(&s->unframer); }
