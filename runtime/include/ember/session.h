/* Session layer of the host link (microTVM-compatible), on top of framing.h.
 *
 * Every packet payload is a message: a 3-byte header (uint16 session id,
 * little-endian, then a uint8 message type) followed by the body. A session
 * id is `initiator_nonce | responder_nonce << 8`; 0 means "no session". The
 * initiator (the host) proposes its nonce with kStartSessionInit; the
 * responder (the device) answers kStartSessionReply carrying both nonces.
 * Initializing a session sends kTerminateSession, so that a device that
 * reboots tells the host its session is gone. Details: docs/rpc.md.
 *
 * The same code runs on both ends. Push-based, no allocation: received bytes
 * are handed to ember_session_receive(), messages leave through the write
 * callback, and received messages are reported through the message callback.
 * The receive buffer belongs to the caller. All fields are private. */
#ifndef EMBER_SESSION_H_
#define EMBER_SESSION_H_

#include <stddef.h>
#include <stdint.h>

#include "ember/error_codes.h"
#include "ember/framing.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Message types (the third header byte). */
#define EMBER_SESSION_START_INIT 0x00u  /* body: protocol version */
#define EMBER_SESSION_START_REPLY 0x01u /* body: protocol version */
#define EMBER_SESSION_TERMINATE 0x02u   /* empty body, session id 0 */
#define EMBER_SESSION_LOG 0x03u         /* body: log text, session id 0 */
#define EMBER_SESSION_NORMAL 0x10u      /* body: one message of the layer above */

#define EMBER_SESSION_VERSION 0x01u    /* the protocol version in the handshake */
#define EMBER_SESSION_HEADER_SIZE 3u

/* Session states (the values are microTVM's). */
#define EMBER_SESSION_STATE_RESET 0u
#define EMBER_SESSION_STATE_NO_SESSION 1u
#define EMBER_SESSION_STATE_START_SENT 2u
#define EMBER_SESSION_STATE_ESTABLISHED 3u

/* Called for what the layer above must know, from inside
 * ember_session_receive():
 *   EMBER_SESSION_START_REPLY (body NULL, 0): a session was established (on
 *     either end; the new id is ember_session_id()).
 *   EMBER_SESSION_TERMINATE (body NULL, 0): the established session ended:
 *     the peer reset, or answered oddly. The session is now unestablished.
 *   EMBER_SESSION_LOG: log text from the peer (not NUL-terminated). The body
 *     is valid during the call only.
 *   EMBER_SESSION_NORMAL: a message of the established session. The body
 *     stays in the receive buffer, and the buffer stays busy (every further
 *     packet is refused with kEmberErrorSessionReceiveBufferBusy), until
 *     ember_session_clear_receive_buffer() is called, in the callback or
 *     later.
 * The callback may send messages, clear the receive buffer, or call
 * ember_session_initialize / ember_session_start_session; it must not call
 * ember_session_receive. */
typedef void (*ember_session_message_fn)(void* ctx, uint8_t message_type, const uint8_t* body,
                                         size_t body_size);

typedef struct ember_session {
  ember_framer_t framer;
  ember_unframer_t unframer;
  ember_session_message_fn on_message;
  void* message_ctx;
  uint8_t* rx_buffer;   /* caller-owned; holds the body of a received message */
  size_t rx_capacity;
  size_t rx_size;       /* body bytes received so far */
  uint8_t rx_header[EMBER_SESSION_HEADER_SIZE];
  uint8_t rx_header_size;
  uint8_t rx_busy;      /* a kNormal message waits in rx_buffer */
  uint8_t state;
  uint8_t nonce;        /* our nonce */
  uint16_t session_id;
} ember_session_t;

/* Prepares `s` in the reset state: messages leave through
 * `write(write_ctx, ...)`, received message bodies go to `rx_buffer`
 * (`rx_capacity` bytes, caller-owned, must outlive the session; longer
 * messages are refused before any byte is stored), and `on_message(
 * message_ctx, ...)` reports them. `on_message` may be NULL. Sends nothing:
 * call ember_session_initialize next. The session points into itself: do
 * not copy or move `*s` after this call. */
void ember_session_init(ember_session_t* s, uint8_t* rx_buffer, size_t rx_capacity, ember_write_fn write,
                        void* write_ctx, ember_session_message_fn on_message, void* message_ctx);

/* (Re)starts with our nonce `nonce` (any value; a random one on a device
 * so that each boot differs): forgets any session and partial message,
 * clears the receive buffer, goes to the no-session state and sends
 * kTerminateSession. Returns the framer's write error, if any. */
ember_error_t ember_session_initialize(ember_session_t* s, uint8_t nonce);

/* Initiator: advances our nonce and sends kStartSessionInit proposing it;
 * the session is established when the reply arrives (reported through the
 * callback). Resending after a timeout is the caller's business. */
ember_error_t ember_session_start_session(ember_session_t* s);

/* Sends one message of `body_size` bytes. `message_type` must be
 * EMBER_SESSION_NORMAL (only once established, else
 * kEmberErrorSessionInvalidState) or EMBER_SESSION_LOG (always allowed; sent
 * with session id 0); anything else is kEmberErrorSessionInvalidMessageType.
 * Framer errors are passed on. */
ember_error_t ember_session_send_message(ember_session_t* s, uint8_t message_type, const uint8_t* body,
                                         size_t body_size);

/* Streaming send: as ember_session_send_message, in pieces. Announce the
 * total body size, send exactly that many bytes in any number of chunks,
 * then finish. The framer's errors apply (kEmberErrorFramingInvalidState for
 * a second start or a chunk without start, kEmberErrorFramingPayloadOverflow
 * for too many bytes, kEmberErrorFramingPayloadIncomplete for too few). */
ember_error_t ember_session_start_message(ember_session_t* s, uint8_t message_type, size_t body_size);
ember_error_t ember_session_send_body_chunk(ember_session_t* s, const uint8_t* data, size_t n);
ember_error_t ember_session_finish_message(ember_session_t* s);

/* Feeds `n` received bytes; semantics of ember_unframer_write: stops at the
 * first problem (a dropped packet: ember_error_name says why) with
 * *consumed = bytes used; the session has recovered, so pass the remaining
 * bytes in a new call. Messages that are valid but not for us (a kNormal of
 * another or no session, an unexpected handshake message) are dropped
 * silently. kEmberErrorSessionReceiveBufferBusy: a packet arrived while a
 * kNormal message was still in the buffer; that packet is lost. */
ember_error_t ember_session_receive(ember_session_t* s, const uint8_t* data, size_t n, size_t* consumed);

/* Frees the receive buffer after a kNormal message was handled. */
void ember_session_clear_receive_buffer(ember_session_t* s);

/* The current state (EMBER_SESSION_STATE_*), session id (0 if none), and
 * whether the session is established. */
uint8_t ember_session_state(const ember_session_t* s);
uint16_t ember_session_id(const ember_session_t* s);
int ember_session_is_established(const ember_session_t* s);

/* The next nonce after `nonce`: ((nonce << 5) | (nonce >> 5)) + 1, kept to
 * 8 bits, skipping 0 (0 is never a valid nonce). */
uint8_t ember_session_next_nonce(uint8_t nonce);

/* How many bytes to ask the transport for next (ember_unframer_bytes_needed). */
size_t ember_session_bytes_needed(const ember_session_t* s);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EMBER_SESSION_H_ */
