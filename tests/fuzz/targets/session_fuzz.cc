// Fuzz target: the framing and session decoder (runtime/src/framing.c,
// session.c) fed arbitrary bytes, as a device's receive loop feeds them.
//
// Input: byte 0 picks how the stream is cut into receive calls (1..16 bytes
// at a time, or all at once); the rest is a list of records [tag][len][len
// bytes]: an odd tag frames the bytes as one packet with a valid CRC (so
// that the session layer is reached), an even tag passes them raw (link
// noise, broken escapes and CRCs). The stream goes to a bare unframer, to a
// responder session (device) and to an initiator session (host).
//
// Checks, besides ASan/UBSan: every receive call makes progress and reports
// `consumed` within the bytes given; the unframer hands out no more payload
// than announced, at most its limit, and done(1) only for a complete
// payload; a session reports bodies within its buffer; everything a session
// writes (handshake replies, echoed messages) unframes again without error
// as whole, valid packets.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "ember/framing.h"
#include "ember/session.h"

#include "fuzz_util.h"

namespace {

using ember::fuzz::AppendBytes;
using ember::fuzz::Fail;

using Bytes = std::vector<uint8_t>;

constexpr size_t kMaxPayload = 64;

// An unframer sink that checks the unframer's promises.
struct CheckingSink {
  size_t limit = kMaxPayload;  // the unframer's max_payload
  bool open = false;
  uint32_t announced = 0;
  uint32_t got = 0;
  size_t valid_packets = 0;
  size_t bad_packets = 0;

  static ember_error_t Start(void* ctx, uint32_t size) {
    auto* s = static_cast<CheckingSink*>(ctx);
    if (s->open) Fail("start while a packet is open");
    if (size > s->limit) Fail("start for a payload over the limit");
    s->open = true;
    s->announced = size;
    s->got = 0;
    return kEmberErrorNoError;
  }
  static ember_error_t Chunk(void* ctx, const uint8_t* data, size_t n) {
    auto* s = static_cast<CheckingSink*>(ctx);
    if (!s->open) Fail("chunk outside a packet");
    if (n == 0 || data == nullptr || n > s->announced - s->got) Fail("chunk past the announced payload");
    s->got += static_cast<uint32_t>(n);
    return kEmberErrorNoError;
  }
  static ember_error_t Done(void* ctx, int valid) {
    auto* s = static_cast<CheckingSink*>(ctx);
    if (!s->open) Fail("done outside a packet");
    if (valid && s->got != s->announced) Fail("done(valid) for an incomplete payload");
    s->open = false;
    (valid ? s->valid_packets : s->bad_packets)++;
    return kEmberErrorNoError;
  }
};

// Everything a session writes must unframe cleanly.
struct OutputChecker {
  CheckingSink sink;
  ember_unframer_t unframer;

  OutputChecker() {
    sink.limit = kMaxPayload + EMBER_SESSION_HEADER_SIZE;
    const ember_unframer_sink_t s = {CheckingSink::Start, CheckingSink::Chunk, CheckingSink::Done, &sink};
    ember_unframer_init(&unframer, &s, sink.limit);
  }
  static size_t Write(void* ctx, const uint8_t* data, size_t n) {
    auto* c = static_cast<OutputChecker*>(ctx);
    size_t consumed = 0;
    if (ember_unframer_write(&c->unframer, data, n, &consumed) != kEmberErrorNoError || consumed != n) {
      Fail("a session wrote bytes that do not unframe");
    }
    if (c->sink.bad_packets != 0) Fail("a session wrote a corrupt packet");
    return n;
  }
};

struct Peer {
  ember_session_t session;
  uint8_t rx[kMaxPayload];
  OutputChecker out;
  size_t messages = 0;

  static void OnMessage(void* ctx, uint8_t type, const uint8_t* body, size_t n) {
    auto* p = static_cast<Peer*>(ctx);
    if (n > sizeof p->rx) Fail("a message body larger than the receive buffer");
    if (type == EMBER_SESSION_NORMAL) {
      if (!ember_session_is_established(&p->session)) Fail("a normal message outside a session");
      // Echo it (a reply from inside the callback), then free the buffer
      // for every second message only, so that a busy buffer is met too.
      if (ember_session_send_message(&p->session, EMBER_SESSION_NORMAL, body, n) != kEmberErrorNoError) {
        Fail("echo failed");
      }
      if (++p->messages % 2 == 1) ember_session_clear_receive_buffer(&p->session);
    } else if (type != EMBER_SESSION_START_REPLY && type != EMBER_SESSION_TERMINATE &&
               type != EMBER_SESSION_LOG) {
      Fail("an unknown message type reported");
    } else if ((type != EMBER_SESSION_LOG) && (body != nullptr || n != 0)) {
      Fail("a handshake report with a body");
    }
  }
  void Init(uint8_t nonce) {
    ember_session_init(&session, rx, sizeof rx, OutputChecker::Write, &out, OnMessage, this);
    if (ember_session_initialize(&session, nonce) != kEmberErrorNoError) Fail("initialize failed");
  }
};

// Feeds `stream` to `receive` in calls of `step` bytes (0: all at once).
template <typename Receive>
void Feed(const Bytes& stream, size_t step, Receive receive) {
  for (size_t at = 0; at < stream.size();) {
    const size_t n = step == 0 ? stream.size() - at : std::min(step, stream.size() - at);
    size_t done = 0;
    while (done < n) {
      size_t consumed = 0;
      const ember_error_t err = receive(stream.data() + at + done, n - done, &consumed);
      if (consumed > n - done) Fail("consumed more bytes than given");
      if (err == kEmberErrorNoError && consumed != n - done) Fail("success without consuming everything");
      if (consumed == 0) Fail("no progress");
      done += consumed;
    }
    at += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = data[0] % 17;
  Bytes stream;
  ember_framer_t framer;
  ember_framer_init(&framer, AppendBytes, &stream);
  for (size_t i = 1; i < size;) {
    const ember::fuzz::Record r = ember::fuzz::NextRecord(data, size, &i);
    if (r.tag & 1) {
      if (ember_framer_write_packet(&framer, r.bytes, r.n) != kEmberErrorNoError) Fail("framing failed");
    } else {
      stream.insert(stream.end(), r.bytes, r.bytes + r.n);
    }
  }

  CheckingSink sink;
  const ember_unframer_sink_t s = {CheckingSink::Start, CheckingSink::Chunk, CheckingSink::Done, &sink};
  ember_unframer_t unframer;
  ember_unframer_init(&unframer, &s, kMaxPayload);
  Feed(stream, step, [&](const uint8_t* d, size_t n, size_t* c) {
    if (ember_unframer_bytes_needed(&unframer) == 0) Fail("bytes_needed is 0");
    return ember_unframer_write(&unframer, d, n, c);
  });
  ember_unframer_reset(&unframer);
  if (sink.open) Fail("reset left a packet open");

  Peer device;
  device.Init(0xAB);
  Peer host;
  host.Init(0x3C);
  if (ember_session_start_session(&host.session) != kEmberErrorNoError) Fail("start_session failed");
  for (Peer* p : {&device, &host}) {
    Feed(stream, step, [&](const uint8_t* d, size_t n, size_t* c) {
      if (ember_session_bytes_needed(&p->session) == 0) Fail("bytes_needed is 0");
      return ember_session_receive(&p->session, d, n, c);
    });
  }
  return 0;
}
