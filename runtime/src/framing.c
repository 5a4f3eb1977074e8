/* Framing of the host link: CRC-16/CCITT-FALSE, Framer and Unframer.
 * Wire format and contracts: include/ember/framing.h and docs/rpc.md. */
#include "ember/framing.h"

/* ---- CRC ------------------------------------------------------------------
 * Bitwise, MSB first: for each byte, XOR it into the high byte of the CRC,
 * then shift left eight times, XORing the polynomial in whenever a 1 falls
 * out. No table: 256 entries would cost more flash than the link saves. */
uint16_t ember_crc16_update(uint16_t crc, const uint8_t* data, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i) {
    unsigned bit;
    crc = (uint16_t)(crc ^ ((uint16_t)data[i] << 8));
    for (bit = 0; bit < 8u; ++bit) {
      crc = (crc & 0x8000u) ? (uint16_t)(((unsigned)crc << 1) ^ 0x1021u) : (uint16_t)((unsigned)crc << 1);
    }
  }
  return crc;
}

static const uint8_t kPacketStart[2] = {EMBER_FRAMING_ESCAPE, EMBER_FRAMING_PACKET_START};

/* ---- Framer ---------------------------------------------------------------- */

enum { kFramerReset = 0, kFramerIdle = 1, kFramerInPacket = 2 };

void ember_framer_init(ember_framer_t* f, ember_write_fn write, void* write_ctx) {
  f->write = write;
  f->write_ctx = write_ctx;
  f->state = kFramerReset;
  f->crc = EMBER_CRC16_INIT;
  f->remaining = 0;
}

void ember_framer_reset(ember_framer_t* f) {
  f->state = kFramerReset;
  f->remaining = 0;
}

/* Hands all `n` bytes to the write callback, however many calls it takes.
 * A failing callback leaves a broken packet on the link: reset, so that the
 * next packet starts with the NOP byte. */
static ember_error_t write_all(ember_framer_t* f, const uint8_t* data, size_t n) {
  while (n > 0) {
    size_t written = f->write(f->write_ctx, data, n);
    if (written == 0 || written > n) {
      ember_framer_reset(f);
      return written == 0 ? kEmberErrorWriteStreamShortWrite : kEmberErrorWriteStreamLongWrite;
    }
    data += written;
    n -= written;
  }
  return kEmberErrorNoError;
}

/* Writes `n` data bytes escaped (FF as FF FF), in runs between FF bytes, and
 * adds what goes on the wire to the packet CRC when `with_crc` is set. */
static ember_error_t write_escaped(ember_framer_t* f, const uint8_t* data, size_t n, int with_crc) {
  static const uint8_t kEscapedFF[2] = {EMBER_FRAMING_ESCAPE, EMBER_FRAMING_ESCAPE};
  size_t i = 0;
  while (i < n) {
    size_t end = i;
    ember_error_t err;
    while (end < n && data[end] != EMBER_FRAMING_ESCAPE) ++end;
    if (end > i) {
      if (with_crc) f->crc = ember_crc16_update(f->crc, data + i, end - i);
      err = write_all(f, data + i, end - i);
      if (err != kEmberErrorNoError) return err;
    }
    if (end < n) {
      if (with_crc) f->crc = ember_crc16_update(f->crc, kEscapedFF, 2);
      err = write_all(f, kEscapedFF, 2);
      if (err != kEmberErrorNoError) return err;
      ++end;
    }
    i = end;
  }
  return kEmberErrorNoError;
}

static void put_le(uint8_t* out, uint32_t value, unsigned n_bytes) {
  unsigned i;
  for (i = 0; i < n_bytes; ++i) out[i] = (uint8_t)(value >> (8u * i));
}

ember_error_t ember_framer_start_packet(ember_framer_t* f, uint32_t payload_size) {
  static const uint8_t kNop = EMBER_FRAMING_NOP;
  uint8_t length[4];
  ember_error_t err;
  if (f->state == kFramerInPacket) return kEmberErrorFramingInvalidState;
  if (f->state == kFramerReset) {
    err = write_all(f, &kNop, 1);
    if (err != kEmberErrorNoError) return err;
  }
  err = write_all(f, kPacketStart, 2);
  if (err != kEmberErrorNoError) return err;
  f->crc = ember_crc16_update(EMBER_CRC16_INIT, kPacketStart, 2);
  put_le(length, payload_size, 4);
  err = write_escaped(f, length, 4, 1);
  if (err != kEmberErrorNoError) return err;
  f->state = kFramerInPacket;
  f->remaining = payload_size;
  return kEmberErrorNoError;
}

ember_error_t ember_framer_write_payload_chunk(ember_framer_t* f, const uint8_t* data, size_t n) {
  ember_error_t err;
  if (f->state != kFramerInPacket) return kEmberErrorFramingInvalidState;
  if (n > f->remaining) return kEmberErrorFramingPayloadOverflow;
  err = write_escaped(f, data, n, 1);
  if (err != kEmberErrorNoError) return err;
  f->remaining -= (uint32_t)n;
  return kEmberErrorNoError;
}

ember_error_t ember_framer_finish_packet(ember_framer_t* f) {
  uint8_t crc[2];
  ember_error_t err;
  if (f->state != kFramerInPacket) return kEmberErrorFramingInvalidState;
  if (f->remaining != 0) {
    ember_framer_reset(f);
    return kEmberErrorFramingPayloadIncomplete;
  }
  put_le(crc, f->crc, 2);
  err = write_escaped(f, crc, 2, 0);
  if (err != kEmberErrorNoError) return err;
  f->state = kFramerIdle;
  return kEmberErrorNoError;
}

ember_error_t ember_framer_write_packet(ember_framer_t* f, const uint8_t* payload, size_t n) {
  ember_error_t err;
  if (n != (size_t)(uint32_t)n) return kEmberErrorFramingPayloadOverflow;
  err = ember_framer_start_packet(f, (uint32_t)n);
  if (err == kEmberErrorNoError) err = ember_framer_write_payload_chunk(f, payload, n);
  if (err == kEmberErrorNoError) err = ember_framer_finish_packet(f);
  return err;
}

/* ---- Unframer --------------------------------------------------------------
 * A byte-driven state machine: hunting for FF FD, then the 4 length bytes,
 * the payload, the 2 CRC bytes. An FF is held back until the next byte says
 * what the pair means. The CRC covers the raw bytes received in the length
 * and payload states (escapes and NOPs included), which is what the sender
 * transmitted. Payload runs without FF are passed to the sink in one call. */

enum { kUnframerHunt = 0, kUnframerLength = 1, kUnframerPayload = 2, kUnframerCrc = 3 };

void ember_unframer_init(ember_unframer_t* u, const ember_unframer_sink_t* sink, size_t max_payload) {
  u->sink = *sink;
  u->max_payload = max_payload;
  u->state = kUnframerHunt;
  u->escape_pending = 0;
  u->sink_open = 0;
  u->field_len = 0;
  u->field = 0;
  u->remaining = 0;
  u->crc = EMBER_CRC16_INIT;
}

/* Drops the packet in progress and hunts for the next start. */
static void abandon_packet(ember_unframer_t* u) {
  u->state = kUnframerHunt;
  if (u->sink_open) {
    u->sink_open = 0;
    (void)u->sink.done(u->sink.ctx, 0);
  }
}

void ember_unframer_reset(ember_unframer_t* u) {
  abandon_packet(u);
  u->escape_pending = 0;
}

static void begin_packet(ember_unframer_t* u) {
  u->state = kUnframerLength;
  u->field = 0;
  u->field_len = 0;
  u->crc = ember_crc16_update(EMBER_CRC16_INIT, kPacketStart, 2);
}

static void begin_crc(ember_unframer_t* u) {
  u->state = kUnframerCrc;
  u->field = 0;
  u->field_len = 0;
}

static ember_error_t length_done(ember_unframer_t* u) {
  ember_error_t err;
  if ((size_t)u->field > u->max_payload) {
    u->state = kUnframerHunt;
    return kEmberErrorFramingPayloadOverflow;
  }
  err = u->sink.start(u->sink.ctx, u->field);
  if (err != kEmberErrorNoError) {
    u->state = kUnframerHunt;
    return err;
  }
  u->sink_open = 1;
  u->remaining = u->field;
  u->state = kUnframerPayload;
  if (u->remaining == 0) begin_crc(u);
  return kEmberErrorNoError;
}

static ember_error_t crc_done(ember_unframer_t* u) {
  int valid = (uint16_t)u->field == u->crc;
  ember_error_t err;
  u->state = kUnframerHunt;
  u->sink_open = 0;
  err = u->sink.done(u->sink.ctx, valid);
  if (err != kEmberErrorNoError) return err;
  return valid ? kEmberErrorNoError : kEmberErrorFramingBadCrc;
}

static ember_error_t deliver(ember_unframer_t* u, const uint8_t* data, size_t n) {
  ember_error_t err = u->sink.chunk(u->sink.ctx, data, n);
  if (err != kEmberErrorNoError) {
    abandon_packet(u);
    return err;
  }
  u->remaining -= (uint32_t)n;
  if (u->remaining == 0) begin_crc(u);
  return kEmberErrorNoError;
}

/* One unescaped byte of the packet; the CRC was already updated. */
static ember_error_t take_byte(ember_unframer_t* u, uint8_t b) {
  switch (u->state) {
    case kUnframerLength:
      u->field |= (uint32_t)b << (8u * u->field_len);
      return ++u->field_len == 4 ? length_done(u) : kEmberErrorNoError;
    case kUnframerPayload:
      return deliver(u, &b, 1);
    case kUnframerCrc:
      u->field |= (uint32_t)b << (8u * u->field_len);
      return ++u->field_len == 2 ? crc_done(u) : kEmberErrorNoError;
    default:
      return kEmberErrorNoError;
  }
}

static int crc_covers(const ember_unframer_t* u) {
  return u->state == kUnframerLength || u->state == kUnframerPayload;
}

/* The byte after an FF. */
static ember_error_t escape_pair(ember_unframer_t* u, uint8_t b) {
  uint8_t pair[2];
  if (b == EMBER_FRAMING_PACKET_START) {
    int was_hunting = u->state == kUnframerHunt;
    abandon_packet(u);
    begin_packet(u);
    return was_hunting ? kEmberErrorNoError : kEmberErrorFramingShortPacket;
  }
  if (u->state == kUnframerHunt) return kEmberErrorNoError;
  if (b != EMBER_FRAMING_ESCAPE && b != EMBER_FRAMING_NOP) {
    abandon_packet(u);
    return kEmberErrorFramingInvalidEscape;
  }
  if (crc_covers(u)) {
    pair[0] = EMBER_FRAMING_ESCAPE;
    pair[1] = b;
    u->crc = ember_crc16_update(u->crc, pair, 2);
  }
  return b == EMBER_FRAMING_NOP ? kEmberErrorNoError : take_byte(u, EMBER_FRAMING_ESCAPE);
}

static ember_error_t step(ember_unframer_t* u, uint8_t b) {
  if (u->escape_pending) {
    u->escape_pending = 0;
    return escape_pair(u, b);
  }
  if (b == EMBER_FRAMING_ESCAPE) {
    u->escape_pending = 1;
    return kEmberErrorNoError;
  }
  if (u->state == kUnframerHunt) return kEmberErrorNoError;
  if (crc_covers(u)) u->crc = ember_crc16_update(u->crc, &b, 1);
  return take_byte(u, b);
}

ember_error_t ember_unframer_write(ember_unframer_t* u, const uint8_t* data, size_t n, size_t* consumed) {
  ember_error_t err = kEmberErrorNoError;
  size_t i = 0;
  while (i < n && err == kEmberErrorNoError) {
    if (u->state == kUnframerPayload && !u->escape_pending && data[i] != EMBER_FRAMING_ESCAPE) {
      /* Fast path: a run of plain payload bytes. */
      size_t end = i;
      size_t limit = n - i;
      if (limit > u->remaining) limit = u->remaining;
      limit += i;
      while (end < limit && data[end] != EMBER_FRAMING_ESCAPE) ++end;
      u->crc = ember_crc16_update(u->crc, data + i, end - i);
      err = deliver(u, data + i, end - i);
      i = end;
    } else {
      err = step(u, data[i]);
      ++i;
    }
  }
  if (consumed != NULL) *consumed = i;
  return err;
}

size_t ember_unframer_bytes_needed(const ember_unframer_t* u) {
  switch (u->state) {
    case kUnframerLength:
      return 4u - u->field_len;
    case kUnframerPayload:
      return u->remaining;
    case kUnframerCrc:
      return 2u - (size_t)u->field_len;
    default:
      return 1;
  }
}
