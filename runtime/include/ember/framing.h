/* Framing of the host link: packets on a byte stream (microTVM-compatible).
 *
 * Wire format of one packet (docs/rpc.md, "Framing"):
 *
 *   [FE]        one NOP byte, only before the first packet after a reset
 *   FF FD       packet start, never escaped
 *   LEN         uint32 little-endian, number of payload bytes before
 *               escaping; escaped
 *   PAYLOAD     LEN bytes, escaped
 *   CRC         uint16 little-endian, escaped: CRC-16/CCITT-FALSE of the
 *               bytes as transmitted from FF FD up to the last payload byte
 *
 * Escaping: a data byte FF is sent as FF FF. A receiver reads FF FE as a NOP
 * (ignored), FF FD as the start of a new packet, FF + anything else as an
 * invalid escape.
 *
 * Both ends are push-based and allocate nothing: the Framer writes through a
 * caller-given write callback; the Unframer is handed the bytes that arrived
 * and passes the payload on to a caller-given sink. All state lives in
 * caller-owned structs; their fields are private. */
#ifndef EMBER_FRAMING_H_
#define EMBER_FRAMING_H_

#include <stddef.h>
#include <stdint.h>

#include "ember/error_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EMBER_FRAMING_ESCAPE 0xFFu       /* starts a two-byte escape */
#define EMBER_FRAMING_NOP 0xFEu          /* FF FE: ignored by the receiver */
#define EMBER_FRAMING_PACKET_START 0xFDu /* FF FD: a packet starts */

/* Bytes a packet adds around its payload when nothing needs escaping:
 * start (2) + length (4) + CRC (2). */
#define EMBER_FRAMING_OVERHEAD 8u

/* ---- CRC-16/CCITT-FALSE -------------------------------------------------
 * Polynomial 0x1021, MSB first, initial value 0xFFFF, no final XOR; the
 * check value of the ASCII bytes "123456789" is 0x29B1. */
#define EMBER_CRC16_INIT 0xFFFFu

/* Continues the CRC `crc` over `n` bytes at `data` (which may be NULL when
 * n is 0) and returns the new value. Start with EMBER_CRC16_INIT. */
uint16_t ember_crc16_update(uint16_t crc, const uint8_t* data, size_t n);

/* ---- Framer (sending side) ----------------------------------------------- */

/* Writes up to `n` bytes from `data` to the link and returns how many were
 * written. Returning fewer than `n` is allowed (the rest is offered again);
 * returning 0 means the link failed. */
typedef size_t (*ember_write_fn)(void* ctx, const uint8_t* data, size_t n);

typedef struct ember_framer {
  ember_write_fn write;
  void* write_ctx;
  uint8_t state;      /* private: reset, idle or inside a packet */
  uint16_t crc;       /* private: CRC of the packet being sent */
  uint32_t remaining; /* private: payload bytes the current packet still needs */
} ember_framer_t;

/* Prepares `f` to write through `write(write_ctx, ...)`. The framer starts
 * in the reset state: its first packet is preceded by a NOP byte (FE), so
 * that a dangling FF left on the link pairs up as a harmless NOP. */
void ember_framer_init(ember_framer_t* f, ember_write_fn write, void* write_ctx);

/* Abandons a packet in progress (the receiver will drop it) and makes the
 * next packet start with the NOP byte again. */
void ember_framer_reset(ember_framer_t* f);

/* Sends one whole packet carrying `n` payload bytes from `payload`.
 * Errors: kEmberErrorFramingInvalidState while a streamed packet is open;
 * kEmberErrorFramingPayloadOverflow if `n` does not fit the 32-bit length;
 * kEmberErrorWriteStreamShortWrite / LongWrite when the write callback
 * fails or claims more than it was given (the framer then resets). */
ember_error_t ember_framer_write_packet(ember_framer_t* f, const uint8_t* payload, size_t n);

/* Streaming: opens a packet whose payload will be exactly `payload_size`
 * bytes, handed over by ember_framer_write_payload_chunk() in any number of
 * pieces, then closed by ember_framer_finish_packet(). Errors as for
 * ember_framer_write_packet. */
ember_error_t ember_framer_start_packet(ember_framer_t* f, uint32_t payload_size);

/* Sends the next `n` payload bytes of the open packet.
 * kEmberErrorFramingInvalidState if no packet is open;
 * kEmberErrorFramingPayloadOverflow (nothing written) if the chunk goes past
 * the size given to ember_framer_start_packet. */
ember_error_t ember_framer_write_payload_chunk(ember_framer_t* f, const uint8_t* data, size_t n);

/* Sends the CRC and closes the packet. kEmberErrorFramingPayloadIncomplete
 * if fewer payload bytes were sent than announced: the framer then resets
 * and nothing more is written, so the receiver drops the truncated packet
 * when the next one starts. */
ember_error_t ember_framer_finish_packet(ember_framer_t* f);

/* ---- Unframer (receiving side) ------------------------------------------ */

/* Where the unframer delivers payloads. For every packet whose length is
 * acceptable the unframer calls `start` once; if `start` returns
 * kEmberErrorNoError it then calls `chunk` with the unescaped payload bytes
 * in order (any number of calls, none for an empty payload) and finally
 * `done` exactly once: valid = 1 only when the CRC matched, valid = 0 when
 * the packet was corrupt, cut short or abandoned. A sink must therefore keep
 * what `chunk` gave it provisional until `done(valid = 1)`.
 * A non-zero return from `start` rejects the packet (no further calls); from
 * `chunk`, it abandons the packet (`done(0)` follows). Any non-zero return is
 * passed out of ember_unframer_write. The callbacks must not call
 * ember_unframer_write on the same unframer. */
typedef struct ember_unframer_sink {
  ember_error_t (*start)(void* ctx, uint32_t payload_size);
  ember_error_t (*chunk)(void* ctx, const uint8_t* data, size_t n);
  ember_error_t (*done)(void* ctx, int valid);
  void* ctx;
} ember_unframer_sink_t;

typedef struct ember_unframer {
  ember_unframer_sink_t sink;
  size_t max_payload;
  uint8_t state;          /* private: hunting, length, payload or CRC */
  uint8_t escape_pending; /* private: the last byte was an unpaired FF */
  uint8_t sink_open;      /* private: start succeeded, done still owed */
  uint8_t field_len;      /* private: bytes collected of LEN or CRC */
  uint32_t field;         /* private: LEN or CRC being collected */
  uint32_t remaining;     /* private: payload bytes still expected */
  uint16_t crc;           /* private: CRC of the bytes received so far */
} ember_unframer_t;

/* Prepares `u` to deliver payloads of at most `max_payload` bytes to `sink`
 * (copied). Longer packets are rejected from their length field, before any
 * payload byte is delivered. Starts out hunting for a packet start. */
void ember_unframer_init(ember_unframer_t* u, const ember_unframer_sink_t* sink, size_t max_payload);

/* Forgets any partial packet (calling done(0) if the sink has one open) and
 * hunts for the next packet start. */
void ember_unframer_reset(ember_unframer_t* u);

/* Feeds `n` received bytes. Everything outside a packet is skipped. Stops
 * at the first problem and returns it, with *consumed = bytes used so far
 * (including the one that caused the problem); the unframer has already
 * recovered, so the caller passes the remaining bytes in a new call. On
 * success *consumed = n. Problems:
 *   kEmberErrorFramingInvalidEscape   FF + a byte other than FF/FE/FD in a
 *                                     packet; the packet is dropped;
 *   kEmberErrorFramingShortPacket     FF FD inside a packet: the old packet is
 *                                     dropped and the new one begins;
 *   kEmberErrorFramingPayloadOverflow LEN > max_payload; packet skipped;
 *   kEmberErrorFramingBadCrc          CRC mismatch; done(0) was called;
 *   any error returned by the sink. */
ember_error_t ember_unframer_write(ember_unframer_t* u, const uint8_t* data, size_t n, size_t* consumed);

/* How many more bytes the current field needs at least: 1 while hunting
 * for a packet start, else what is left of the length, the payload or the
 * CRC (escapes may add more). A host reading with timeouts asks its
 * transport for this many, so that it never waits for bytes that are not
 * coming. Always at least 1. */
size_t ember_unframer_bytes_needed(const ember_unframer_t* u);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EMBER_FRAMING_H_ */
