// Framing of the host link (runtime/src/framing.c). Expected bytes are
// microTVM's published test vectors (docs/rpc.md) or were computed by hand
// with Python's binascii.crc_hqx(data, 0xFFFF) as the CRC oracle.
#include "ember/framing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/runtime/link_test_util.h"

namespace ember::testing {
namespace {

const Bytes kOnePacket = Hex("ff fd 03 00 00 00 6f 6e 65 58 f4");
const Bytes kEmptyPacket = Hex("ff fd 00 00 00 00 83 44");
const Bytes kEscapePayload = Hex("65 73 5f ff 5f 63 61 70 65 69 72 2f 5e 3e 74 40 22 68 72");
const Bytes kEscapePacket =
    Hex("ff fd 13 00 00 00 65 73 5f ff ff 5f 63 61 70 65 69 72 2f 5e 3e 74 40 22 68 72 b4 ff ff");

TEST(Crc16, CheckValueAndIncremental) {
  const Bytes digits = Text("123456789");
  EXPECT_EQ(ember_crc16_update(EMBER_CRC16_INIT, digits.data(), digits.size()), 0x29B1);
  uint16_t crc = ember_crc16_update(EMBER_CRC16_INIT, digits.data(), 4);
  crc = ember_crc16_update(crc, digits.data() + 4, 5);
  EXPECT_EQ(crc, 0x29B1);
  EXPECT_EQ(ember_crc16_update(EMBER_CRC16_INIT, nullptr, 0), 0xFFFF);
}

struct FramerFixture : ::testing::Test {
  Wire wire;
  ember_framer_t framer;
  void SetUp() override { ember_framer_init(&framer, Wire::Write, &wire); }
  ember_error_t Send(const Bytes& payload) { return ember_framer_write_packet(&framer, payload.data(), payload.size()); }
};

TEST_F(FramerFixture, PublishedVectorsAndNopPrefixAfterReset) {
  ASSERT_EQ(Send(Text("one")), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), Concat({Hex("fe"), kOnePacket}));  // first packet: NOP prefix
  ASSERT_EQ(Send({}), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), kEmptyPacket);
  ASSERT_EQ(Send(kEscapePayload), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), kEscapePacket);
  ASSERT_EQ(Send(Text("one")), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), kOnePacket);
  ember_framer_reset(&framer);
  ASSERT_EQ(Send(Text("one")), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), Concat({Hex("fe"), kOnePacket}));
}

TEST_F(FramerFixture, StreamingEqualsWholePacket) {
  ASSERT_EQ(Send({}), kEmberErrorNoError);
  wire.Take();
  ASSERT_EQ(ember_framer_start_packet(&framer, 19), kEmberErrorNoError);
  const size_t pieces[] = {1, 2, 1, 0, 7, 8};  // the FF falls on a chunk edge
  size_t pos = 0;
  for (size_t n : pieces) {
    ASSERT_EQ(ember_framer_write_payload_chunk(&framer, kEscapePayload.data() + pos, n), kEmberErrorNoError);
    pos += n;
  }
  ASSERT_EQ(pos, kEscapePayload.size());
  ASSERT_EQ(ember_framer_finish_packet(&framer), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), kEscapePacket);
}

TEST_F(FramerFixture, StreamingMisuseIsRefused) {
  const uint8_t byte = 0x41;
  EXPECT_EQ(ember_framer_write_payload_chunk(&framer, &byte, 1), kEmberErrorFramingInvalidState);
  EXPECT_EQ(ember_framer_finish_packet(&framer), kEmberErrorFramingInvalidState);
  ASSERT_EQ(ember_framer_start_packet(&framer, 1), kEmberErrorNoError);
  EXPECT_EQ(ember_framer_start_packet(&framer, 1), kEmberErrorFramingInvalidState);
  EXPECT_EQ(Send(Text("x")), kEmberErrorFramingInvalidState);
  const uint8_t two[2] = {1, 2};
  size_t before = wire.data.size();
  EXPECT_EQ(ember_framer_write_payload_chunk(&framer, two, 2), kEmberErrorFramingPayloadOverflow);
  EXPECT_EQ(wire.data.size(), before);  // nothing of the refused chunk was sent
  // Finishing short: nothing more is written and the next packet gets FE.
  EXPECT_EQ(ember_framer_finish_packet(&framer), kEmberErrorFramingPayloadIncomplete);
  EXPECT_EQ(wire.data.size(), before);
  wire.Take();
  ASSERT_EQ(Send(Text("one")), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), Concat({Hex("fe"), kOnePacket}));
}

TEST_F(FramerFixture, PartialWritesAreCompleted) {
  wire.max_per_call = 1;
  ASSERT_EQ(Send(kEscapePayload), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), Concat({Hex("fe"), kEscapePacket}));
}

TEST_F(FramerFixture, FailingWriteResetsTheFramer) {
  ASSERT_EQ(Send({}), kEmberErrorNoError);
  wire.Take();
  wire.fail = true;
  EXPECT_EQ(Send(Text("one")), kEmberErrorWriteStreamShortWrite);
  wire.fail = false;
  wire.overclaim = true;
  EXPECT_EQ(Send(Text("one")), kEmberErrorWriteStreamLongWrite);
  wire.overclaim = false;
  ASSERT_EQ(Send(Text("one")), kEmberErrorNoError);
  EXPECT_EQ(wire.Take(), Concat({Hex("fe"), kOnePacket}));
}

// ---- Unframer ----------------------------------------------------------------

// A sink that records every event and checks the call protocol.
struct Recorder {
  struct Packet {
    uint32_t announced = 0;
    Bytes payload;
    int valid = -1;  // -1: done not called yet
  };
  std::vector<Packet> packets;
  bool open = false;
  int protocol_errors = 0;
  ember_error_t reject_start = kEmberErrorNoError;
  ember_error_t reject_chunk = kEmberErrorNoError;

  static ember_error_t Start(void* ctx, uint32_t size) {
    auto* r = static_cast<Recorder*>(ctx);
    if (r->open) ++r->protocol_errors;
    if (r->reject_start != kEmberErrorNoError) return r->reject_start;
    r->packets.push_back(Packet{size, {}, -1});
    r->open = true;
    return kEmberErrorNoError;
  }
  static ember_error_t Chunk(void* ctx, const uint8_t* data, size_t n) {
    auto* r = static_cast<Recorder*>(ctx);
    if (!r->open || n == 0) ++r->protocol_errors;
    if (r->reject_chunk != kEmberErrorNoError) return r->reject_chunk;
    Packet& p = r->packets.back();
    p.payload.insert(p.payload.end(), data, data + n);
    if (p.payload.size() > p.announced) ++r->protocol_errors;
    return kEmberErrorNoError;
  }
  static ember_error_t Done(void* ctx, int valid) {
    auto* r = static_cast<Recorder*>(ctx);
    if (!r->open) ++r->protocol_errors;
    r->open = false;
    r->packets.back().valid = valid;
    return kEmberErrorNoError;
  }
  std::vector<Bytes> Valid() const {
    std::vector<Bytes> out;
    for (const Packet& p : packets) {
      if (p.valid == 1) out.push_back(p.payload);
    }
    return out;
  }
};

struct UnframerFixture : ::testing::Test {
  Recorder rec;
  ember_unframer_t unframer;
  void SetUp() override { Init(64); }
  void Init(size_t max_payload) {
    ember_unframer_sink_t sink{Recorder::Start, Recorder::Chunk, Recorder::Done, &rec};
    ember_unframer_init(&unframer, &sink, max_payload);
  }
  std::vector<ember_error_t> Push(const Bytes& bytes, bool one_at_a_time = false) {
    return Feed(
        [this](const uint8_t* d, size_t n, size_t* c) { return ember_unframer_write(&unframer, d, n, c); }, bytes,
        one_at_a_time);
  }
  using Errors = std::vector<ember_error_t>;
};

TEST_F(UnframerFixture, DecodesPublishedVectors) {
  EXPECT_EQ(Push(Concat({Hex("fe"), kOnePacket, kEmptyPacket, kEscapePacket})), Errors{});
  EXPECT_EQ(rec.Valid(), (std::vector<Bytes>{Text("one"), Bytes{}, kEscapePayload}));
  EXPECT_EQ(rec.packets.size(), 3u);
  EXPECT_EQ(rec.protocol_errors, 0);
}

TEST_F(UnframerFixture, SkipsGarbageBeforeTheStart) {
  // Log text, a NOP, an invalid escape and an escaped FF followed by FD:
  // none of it is a packet start.
  Bytes garbage = Concat({Text("boot log\r\n"), Hex("ff fe 00 ff 41 ff ff fd 13")});
  EXPECT_EQ(Push(Concat({garbage, kOnePacket})), Errors{});
  EXPECT_EQ(rec.Valid(), std::vector<Bytes>{Text("one")});
  EXPECT_EQ(rec.packets.size(), 1u);
}

TEST_F(UnframerFixture, InvalidEscapeDropsThePacket) {
  Bytes bad = Hex("ff fd 03 00 00 00 6f ff 01 65 58 f4");
  size_t consumed = 0;
  EXPECT_EQ(ember_unframer_write(&unframer, bad.data(), bad.size(), &consumed), kEmberErrorFramingInvalidEscape);
  EXPECT_EQ(consumed, 9u);  // up to and including the byte after FF
  ASSERT_EQ(rec.packets.size(), 1u);
  EXPECT_EQ(rec.packets[0].valid, 0);
  // The rest of the broken packet is skipped; the next packet decodes.
  EXPECT_EQ(Push(Concat({Bytes(bad.begin() + 9, bad.end()), kOnePacket})), Errors{});
  EXPECT_EQ(rec.Valid(), std::vector<Bytes>{Text("one")});
  EXPECT_EQ(rec.protocol_errors, 0);
}

TEST_F(UnframerFixture, PacketStartInsideAPacketRestarts) {
  Bytes cut = Hex("ff fd 03 00 00 00 6f");
  Bytes stream = Concat({cut, kOnePacket});
  size_t consumed = 0;
  EXPECT_EQ(ember_unframer_write(&unframer, stream.data(), stream.size(), &consumed), kEmberErrorFramingShortPacket);
  EXPECT_EQ(consumed, cut.size() + 2);
  EXPECT_EQ(Push(Bytes(stream.begin() + static_cast<long>(consumed), stream.end())), Errors{});
  ASSERT_EQ(rec.packets.size(), 2u);
  EXPECT_EQ(rec.packets[0].valid, 0);
  EXPECT_EQ(rec.Valid(), std::vector<Bytes>{Text("one")});
  // Cut inside the length field too.
  EXPECT_EQ(Push(Concat({Hex("ff fd 03 00"), kOnePacket})), Errors{kEmberErrorFramingShortPacket});
  EXPECT_EQ(rec.Valid(), (std::vector<Bytes>{Text("one"), Text("one")}));
}

TEST_F(UnframerFixture, BadCrcIsReportedAndNotValid) {
  Bytes bad = kOnePacket;
  bad.back() ^= 0x01;
  EXPECT_EQ(Push(bad), Errors{kEmberErrorFramingBadCrc});
  ASSERT_EQ(rec.packets.size(), 1u);
  EXPECT_EQ(rec.packets[0].valid, 0);
  Bytes bad_payload = kOnePacket;
  bad_payload[7] = 'N';
  EXPECT_EQ(Push(Concat({bad_payload, kOnePacket})), Errors{kEmberErrorFramingBadCrc});
  EXPECT_EQ(rec.Valid(), std::vector<Bytes>{Text("one")});
}

TEST_F(UnframerFixture, NopEscapesAreIgnored) {
  // Between and inside the CRC bytes (not covered by the CRC) ...
  EXPECT_EQ(Push(Hex("ff fe ff fd 03 00 00 00 6f 6e 65 ff fe 58 ff fe f4")), Errors{});
  // ... and inside the payload, where the CRC covers them as transmitted
  // (crc_hqx of ff fd 03 00 00 00 6f ff fe 6e 65 = 0x283d).
  EXPECT_EQ(Push(Hex("ff fd 03 00 00 00 6f ff fe 6e 65 3d 28")), Errors{});
  EXPECT_EQ(rec.Valid(), (std::vector<Bytes>{Text("one"), Text("one")}));
}

TEST_F(UnframerFixture, OversizedPacketIsRejectedFromItsLength) {
  Init(5);
  // FF "hello": 6 payload bytes (crc_hqx of the escaped packet = 0xc5b2).
  Bytes big = Hex("ff fd 06 00 00 00 ff ff 68 65 6c 6c 6f b2 c5");
  EXPECT_EQ(Push(Concat({big, kOnePacket})), Errors{kEmberErrorFramingPayloadOverflow});
  EXPECT_EQ(rec.packets.size(), 1u);  // the sink never saw the big one
  EXPECT_EQ(rec.Valid(), std::vector<Bytes>{Text("one")});
  Init(6);
  EXPECT_EQ(Push(big), Errors{});
  EXPECT_EQ(rec.Valid().back(), Hex("ff 68 65 6c 6c 6f"));
}

TEST_F(UnframerFixture, SinkErrorsArePassedOn) {
  rec.reject_start = kEmberErrorSessionReceiveBufferBusy;
  EXPECT_EQ(Push(Concat({kOnePacket, kOnePacket})),
            (Errors{kEmberErrorSessionReceiveBufferBusy, kEmberErrorSessionReceiveBufferBusy}));
  EXPECT_TRUE(rec.packets.empty());
  rec.reject_start = kEmberErrorNoError;
  rec.reject_chunk = kEmberErrorSessionReceiveBufferShortWrite;
  EXPECT_EQ(Push(kOnePacket), Errors{kEmberErrorSessionReceiveBufferShortWrite});
  ASSERT_EQ(rec.packets.size(), 1u);
  EXPECT_EQ(rec.packets[0].valid, 0);
  rec.reject_chunk = kEmberErrorNoError;
  EXPECT_EQ(Push(kOnePacket), Errors{});
  EXPECT_EQ(rec.Valid(), std::vector<Bytes>{Text("one")});
  EXPECT_EQ(rec.protocol_errors, 0);
}

TEST_F(UnframerFixture, BytesNeededFollowsTheFields) {
  EXPECT_EQ(ember_unframer_bytes_needed(&unframer), 1u);
  const Bytes steps[] = {Hex("ff fd"), Hex("03 00"), Hex("00 00"), Hex("6f"), Hex("6e 65"), Hex("58")};
  const size_t expected[] = {4, 2, 3, 2, 2, 1};
  for (size_t i = 0; i < 6; ++i) {
    Push(steps[i]);
    EXPECT_EQ(ember_unframer_bytes_needed(&unframer), expected[i]) << "after step " << i;
  }
  Push(Hex("f4"));
  EXPECT_EQ(ember_unframer_bytes_needed(&unframer), 1u);
  EXPECT_EQ(rec.Valid(), std::vector<Bytes>{Text("one")});
}

TEST_F(UnframerFixture, ResetAbandonsAnOpenPacket) {
  Push(Hex("ff fd 03 00 00 00 6f"));
  ember_unframer_reset(&unframer);
  ASSERT_EQ(rec.packets.size(), 1u);
  EXPECT_EQ(rec.packets[0].valid, 0);
  EXPECT_EQ(Push(Hex("6e 65 58 f4")), Errors{});  // the tail is garbage now
  EXPECT_TRUE(rec.Valid().empty());
}

// A stream exercising every path, fed whole and byte by byte: same events,
// same errors.
TEST(Unframer, ByteAtATimeEqualsWholeBuffer) {
  Bytes bad_crc = kOnePacket;
  bad_crc[9] ^= 0x40;
  const Bytes stream = Concat({Text("garbage"), Hex("fe"), kOnePacket, Hex("ff fd 03 00 00 00 6f ff 01"), kEmptyPacket,
                               Hex("ff fd 02 00"), kEscapePacket, bad_crc, Hex("ff fd 41 00 00 00 00 ff ff fd"),
                               Hex("ff fd 03 00 00 00 6f ff fe 6e 65 3d 28")});
  const std::vector<ember_error_t> expected_errors = {kEmberErrorFramingInvalidEscape, kEmberErrorFramingShortPacket,
                                                      kEmberErrorFramingBadCrc, kEmberErrorFramingPayloadOverflow};
  const std::vector<Bytes> expected_valid = {Text("one"), Bytes{}, kEscapePayload, Text("one")};
  std::vector<Recorder> recs(2);
  for (int mode = 0; mode < 2; ++mode) {
    ember_unframer_t u;
    ember_unframer_sink_t sink{Recorder::Start, Recorder::Chunk, Recorder::Done, &recs[mode]};
    ember_unframer_init(&u, &sink, 32);
    auto errors = Feed([&u](const uint8_t* d, size_t n, size_t* c) { return ember_unframer_write(&u, d, n, c); },
                       stream, mode == 1);
    EXPECT_EQ(errors, expected_errors) << "mode " << mode;
    EXPECT_EQ(recs[mode].Valid(), expected_valid) << "mode " << mode;
    EXPECT_EQ(recs[mode].protocol_errors, 0);
  }
  ASSERT_EQ(recs[0].packets.size(), recs[1].packets.size());
  for (size_t i = 0; i < recs[0].packets.size(); ++i) {
    EXPECT_EQ(recs[0].packets[i].payload, recs[1].packets[i].payload);
    EXPECT_EQ(recs[0].packets[i].valid, recs[1].packets[i].valid);
  }
}

// A sink writing into a fixed array: with any max_payload, nothing beyond
// it is ever written (ASan checks the array bounds in the sanitizer build).
TEST(Unframer, NeverWritesPastTheBound) {
  struct Fixed {
    uint8_t buf[5];
    size_t used = 0;
    static ember_error_t Start(void* ctx, uint32_t size) {
      auto* f = static_cast<Fixed*>(ctx);
      f->used = 0;
      return size <= sizeof(f->buf) ? kEmberErrorNoError : kEmberErrorBufferTooSmall;
    }
    static ember_error_t Chunk(void* ctx, const uint8_t* d, size_t n) {
      auto* f = static_cast<Fixed*>(ctx);
      if (n > sizeof(f->buf) - f->used) return kEmberErrorBufferTooSmall;
      for (size_t i = 0; i < n; ++i) f->buf[f->used++] = d[i];
      return kEmberErrorNoError;
    }
    static ember_error_t Done(void*, int) { return kEmberErrorNoError; }
  } fixed;
  ember_unframer_t u;
  ember_unframer_sink_t sink{Fixed::Start, Fixed::Chunk, Fixed::Done, &fixed};
  ember_unframer_init(&u, &sink, sizeof(fixed.buf));
  Bytes huge = Hex("ff fd ff ff ff ff ff ff 7f");  // LEN 0x7fffffff, escaped
  huge.resize(huge.size() + 300, 0x55);
  auto errors = Feed([&u](const uint8_t* d, size_t n, size_t* c) { return ember_unframer_write(&u, d, n, c); }, huge);
  EXPECT_EQ(errors, std::vector<ember_error_t>{kEmberErrorFramingPayloadOverflow});
  EXPECT_EQ(fixed.used, 0u);
}

}  // namespace
}  // namespace ember::testing
