// The device-side RPC server (runtime/src/rpc_server.c, rpc_pool.c) against
// a host end made of the same C session code (initiator role), with a small
// hand-written model table. Expected values are computed by hand from
// docs/rpc.md ("RPC messages"); handshake bytes are microTVM's published vectors.
#include "ember/rpc_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <memory>
#include <string>
#include <vector>

#include "codegen/c/aot.h"
#include "ember/platform.h"
#include "ember/runtime.h"
#include "frontend/tflite/import.h"
#include "unit/runtime/link_test_util.h"
#include "util/test_models.h"

// The test binary's timer: it moves only when the fake model's functions run
// (its weak default in the runtime returns 0, which this keeps for every
// other test of the binary).
static uint32_t g_fake_ticks = 0;
extern "C" uint32_t ember_platform_ticks(void) { return g_fake_ticks; }

namespace ember::testing {
namespace {

// ---- The fake model: out = in0 + in1 (bytewise), 3 operators, 5 counters ----

uint8_t g_in0[4], g_in1[4], g_out[4];
int32_t g_run_status = 0;
ember_io_tensor g_inputs[2] = {{"a", nullptr, 4}, {"b", nullptr, 4}};
ember_io_tensor g_outputs[1] = {{"out", nullptr, 4}};

void Prepare() {
  g_inputs[0].data = g_in0;
  g_inputs[1].data = g_in1;
  g_outputs[0].data = g_out;
}
int32_t Run() {
  for (int i = 0; i < 4; ++i) g_out[i] = static_cast<uint8_t>(g_in0[i] + g_in1[i]);
  g_fake_ticks += 100;
  return g_run_status;
}
int32_t AddBytes(void* const* args, uint32_t n) {
  if (n != 3) return kEmberErrorFunctionCallNumArguments;
  const auto* a = static_cast<const uint8_t*>(args[0]);
  const auto* b = static_cast<const uint8_t*>(args[1]);
  auto* c = static_cast<uint8_t*>(args[2]);
  for (int i = 0; i < 4; ++i) c[i] = static_cast<uint8_t>(a[i] + b[i]);
  g_fake_ticks += 7;
  return 0;
}
int32_t Copy(void* const* args, uint32_t) {
  std::memcpy(args[1], args[0], 4);
  g_fake_ticks += 3;
  return 0;
}
int32_t Fail(void* const*, uint32_t) { return kEmberErrorFunctionCallInvalidArg; }

// Every argument: 4 bytes of uint8.
const ember_operator_arg kU8x4[3] = {{4, EMBER_DTYPE_UINT, 8, 1}, {4, EMBER_DTYPE_UINT, 8, 1}, {4, EMBER_DTYPE_UINT, 8, 1}};
const ember_operator kOperators[] = {{"tvmgen_default_fused_add_bytes", AddBytes, 2, 1, kU8x4},
                                     {"tvmgen_default_fused_copy", Copy, 1, 1, kU8x4},
                                     {"tvmgen_default_fused_fail", Fail, 0, 1, kU8x4}};
const uint32_t kProfileTicks[] = {11, 22, 33, 44, 55};
const char* const kProfileNames[] = {"node_0_conv2d", "node_1_add", "node_2_relu",
                                     "node_3_a_name_of_exactly_fifty_characters_long_xyz", "node_4"};
const ember_model_io kModel = {"fake",  "0123456789abcdef", g_inputs,      2,      g_outputs, 1,
                               Prepare, Run,                kProfileTicks, kProfileNames, 5,  kOperators, 3};

// ---- A conv2d operator with the argument table the codegen emits for
// TinyConvModel's conv (i8[1,8,8,1] -> i8[1,8,8,4]; FakeConvHasTheGenerated-
// ArgTable checks it), and an operator with int32 elements ----

constexpr uint32_t kConvIn = 64, kConvOut = 256;
int g_conv_calls = 0;
// Reads all of its input and writes all of its output, as the kernel does.
int32_t FakeConv(void* const* args, uint32_t n) {
  if (n != 2) return kEmberErrorFunctionCallNumArguments;
  const auto* in = static_cast<const int8_t*>(args[0]);
  auto* out = static_cast<int8_t*>(args[1]);
  int sum = 0;
  for (uint32_t i = 0; i < kConvIn; ++i) sum += in[i];
  for (uint32_t i = 0; i < kConvOut; ++i) out[i] = static_cast<int8_t>(sum + static_cast<int>(i));
  ++g_conv_calls;
  return 0;
}
// uint8[4] -> int32[4].
int32_t Widen(void* const* args, uint32_t) {
  const auto* in = static_cast<const uint8_t*>(args[0]);
  auto* out = static_cast<int32_t*>(args[1]);
  for (int i = 0; i < 4; ++i) out[i] = in[i];
  return 0;
}
const ember_operator_arg kConvArgs[2] = {{kConvIn, EMBER_DTYPE_INT, 8, 1}, {kConvOut, EMBER_DTYPE_INT, 8, 1}};
const ember_operator_arg kWidenArgs[2] = {{4, EMBER_DTYPE_UINT, 8, 1}, {16, EMBER_DTYPE_INT, 32, 1}};
const ember_operator kConvOperators[] = {{"conv", FakeConv, 1, 1, kConvArgs},
                                         {"widen", Widen, 1, 1, kWidenArgs},
                                         {"no_table", FakeConv, 1, 1, nullptr}};
const ember_model_io kConvModel = {"conv",  "00000000000000c0", nullptr, 0, nullptr,        0, nullptr,
                                   nullptr, nullptr,            nullptr, 0, kConvOperators, 3};

// ---- Messages ----

struct Out {
  Bytes b;
  Out& U8(uint32_t v) { return b.push_back(static_cast<uint8_t>(v)), *this; }
  Out& U16(uint32_t v) { return U8(v).U8(v >> 8); }
  Out& U32(uint32_t v) { return U16(v).U16(v >> 16); }
  Out& Str(const std::string& s) { return U16(static_cast<uint32_t>(s.size())).Raw(Text(s)); }
  Out& Raw(const Bytes& r) { return b.insert(b.end(), r.begin(), r.end()), *this; }
  // A CALL/TIME argument: the handle and its dtype (uint8 unless told).
  Out& Arg(uint32_t handle, uint32_t code = EMBER_DTYPE_UINT, uint32_t bits = 8, uint32_t lanes = 1) {
    return U32(handle).U8(code).U8(bits).U16(lanes);
  }
};

struct In {
  Bytes b;
  size_t pos = 0;
  uint32_t U8() { return pos < b.size() ? b[pos++] : (ok = false, 0u); }
  uint32_t U16() { return U8() | (U8() << 8); }
  uint32_t U32() { return U16() | (U16() << 16); }
  std::string Str() {
    size_t n = U16();
    if (pos + n > b.size()) return ok = false, "";
    std::string s(b.begin() + static_cast<long>(pos), b.begin() + static_cast<long>(pos + n));
    pos += n;
    return s;
  }
  bool Done() const { return ok && pos == b.size(); }
  bool ok = true;
};

struct Reply {
  uint8_t op = 0;
  uint16_t seq = 0;
  int32_t status = -1;
  In body;
};

// A device (the server) and a host end linked in memory. Not movable: both
// sessions point into it.
class Link {
 public:
  explicit Link(size_t pool_bytes = 256, const ember_model_io* model = &kModel)
      : pool_bytes_(pool_bytes), model_(model) {}
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Device boot (TerminateSession with the published bytes) and the handshake
  // of the published vectors (host nonce 0x3C, device 0xAB: session 0x6682).
  void Connect() {
    ember_rpc_server_init(&server, model_, "test", storage_ + 1, pool_bytes_, Wire::Write, &device_out, 0xAB);
    ASSERT_EQ(device_out.Take(), Hex("fe ff fd 03 00 00 00 00 00 02 66 77"));
    ember_session_init(&host_, host_rx_.data(), host_rx_.size(), Wire::Write, &host_out, OnHost, this);
    ASSERT_EQ(ember_session_initialize(&host_, 0x3C), kEmberErrorNoError);
    ToDevice(host_out.Take());
    ASSERT_EQ(ember_session_start_session(&host_), kEmberErrorNoError);
    ToDevice(host_out.Take());
    ASSERT_EQ(device_out.data, Hex("ff fd 04 00 00 00 82 66 01 01 81 f3"));
    ToHost(device_out.Take());
    ASSERT_EQ(ember_session_id(&host_), 0x6682);
    ASSERT_EQ(errors, std::vector<ember_error_t>{});
  }
  // A new session on the same device (the host restarts).
  void Reconnect() {
    ASSERT_EQ(ember_session_start_session(&host_), kEmberErrorNoError);
    ToDevice(host_out.Take());
    ToHost(device_out.Take());
    ASSERT_TRUE(ember_session_is_established(&host_));
  }
  void ToDevice(const Bytes& bytes) {
    size_t step = one_byte_at_a_time ? 1 : bytes.size();
    for (size_t i = 0; i < bytes.size(); i += step) {
      int32_t err = ember_rpc_server_feed(&server, bytes.data() + i, std::min(step, bytes.size() - i));
      if (err != kEmberErrorNoError) errors.push_back(err);
    }
  }
  void ToHost(const Bytes& bytes) {
    Feed([this](const uint8_t* d, size_t n, size_t* c) { return ember_session_receive(&host_, d, n, c); }, bytes);
  }
  // Frames the raw RPC message `msg` as the host would; returns the packet.
  Bytes Frame(const Bytes& msg) {
    EXPECT_EQ(ember_session_send_message(&host_, EMBER_SESSION_NORMAL, msg.data(), msg.size()), kEmberErrorNoError);
    return host_out.Take();
  }
  // Sends `msg` and returns every reply the device wrote.
  std::vector<Reply> Exchange(const Bytes& msg) {
    ToDevice(Frame(msg));
    const Bytes wrote = device_out.Take();
    transcript.insert(transcript.end(), wrote.begin(), wrote.end());
    ToHost(wrote);
    std::vector<Reply> out;
    for (const Bytes& m : received_) {
      Reply r;
      In in{m};
      r.op = static_cast<uint8_t>(in.U8());
      EXPECT_EQ(in.U8(), 0u);
      r.seq = static_cast<uint16_t>(in.U16());
      r.status = static_cast<int32_t>(in.U32());
      EXPECT_TRUE(in.ok) << "reply shorter than its 8-byte header";
      r.body.b.assign(m.begin() + 8, m.end());
      EXPECT_LE(m.size(), server.max_reply) << "reply longer than max_reply";
      out.push_back(r);
    }
    received_.clear();
    return out;
  }
  // One request, exactly one reply with the request's op and seq.
  Reply Call(uint8_t op, const Bytes& body = {}) {
    seq_ = static_cast<uint16_t>(seq_ + 0x0101);
    std::vector<Reply> replies = Exchange(Out{}.U8(op).U8(0).U16(seq_).Raw(body).b);
    if (replies.size() != 1) {
      ADD_FAILURE() << "op " << int(op) << ": " << replies.size() << " replies";
      return Reply{};
    }
    EXPECT_EQ(replies[0].op, op | 0x80);
    EXPECT_EQ(replies[0].seq, seq_);
    if (replies[0].status != 0) {  // an error reply's body is one str
      In msg = replies[0].body;
      msg.Str();
      EXPECT_TRUE(msg.Done()) << "error body is not one str";
    }
    return replies[0];
  }
  uint32_t Alloc(uint32_t nbytes, uint32_t align) {
    Reply r = Call(EMBER_RPC_OP_ALLOC, Out{}.U32(nbytes).U32(align).b);
    EXPECT_EQ(r.status, 0);
    uint32_t h = r.body.U32();
    EXPECT_TRUE(r.body.Done());
    return h;
  }
  int32_t Write(uint32_t space, uint32_t id, uint32_t offset, const Bytes& data) {
    return Call(EMBER_RPC_OP_WRITE, Out{}.U8(space).U32(id).U32(offset).Raw(data).b).status;
  }
  Reply Read(uint32_t space, uint32_t id, uint32_t offset, uint32_t n) {
    return Call(EMBER_RPC_OP_READ, Out{}.U8(space).U32(id).U32(offset).U32(n).b);
  }
  uint8_t* Pool() { return storage_ + 1; }
  // The bytes after the pool (the pool is at most 1024 bytes).
  uint8_t* PastPool() { return storage_ + 1 + pool_bytes_; }
  size_t PastPoolBytes() const { return sizeof(storage_) - 1 - pool_bytes_; }

  ember_rpc_server server{};
  Wire device_out, host_out;
  std::vector<ember_error_t> errors;  // from ember_rpc_server_feed
  Bytes transcript;                   // every reply packet the device wrote
  bool one_byte_at_a_time = false;

 private:
  static void OnHost(void* ctx, uint8_t type, const uint8_t* body, size_t n) {
    auto* l = static_cast<Link*>(ctx);
    if (type == EMBER_SESSION_NORMAL) {
      l->received_.emplace_back(body, body + n);
      ember_session_clear_receive_buffer(&l->host_);
    }
  }
  size_t pool_bytes_;
  const ember_model_io* model_;
  // The pool starts at storage_ + 1 (misaligned on purpose); the bytes after
  // it catch writes past its end.
  alignas(64) uint8_t storage_[2048] = {};
  Bytes host_rx_ = Bytes(8192);
  ember_session_t host_{};
  std::vector<Bytes> received_;
  uint16_t seq_ = 0;
};

class RpcServer : public ::testing::Test {
 protected:
  void SetUp() override {
    g_fake_ticks = 0;
    g_run_status = 0;
    std::memset(g_in0, 0, 4);
    std::memset(g_in1, 0, 4);
    std::memset(g_out, 0, 4);
    link_ = std::make_unique<Link>();
    link_->Connect();
  }
  Link& L() { return *link_; }
  std::unique_ptr<Link> link_;
};

TEST_F(RpcServer, PingEchoes) {
  Reply r = L().Call(EMBER_RPC_OP_PING, Text("hello"));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.body.b, Text("hello"));
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PING).body.b, Bytes{});
}

TEST_F(RpcServer, Info) {
  Reply r = L().Call(EMBER_RPC_OP_INFO);
  ASSERT_EQ(r.status, 0);
  In& in = r.body;
  EXPECT_EQ(in.U32(), 2u);            // abi_version
  EXPECT_EQ(in.U32(), 2048u - 3u);    // max_request
  EXPECT_EQ(in.U32(), 2048u - 3u);    // max_reply
  EXPECT_EQ(in.U32(), 256u);          // pool_bytes
  EXPECT_EQ(in.U32(), 0u);            // ticks_per_second: the weak default (no timer)
  EXPECT_EQ(in.U32(), 2u);            // num_inputs
  EXPECT_EQ(in.U32(), 1u);            // num_outputs
  EXPECT_EQ(in.U32(), 3u);            // num_operators
  EXPECT_EQ(in.U32(), 5u);            // num_profile
  EXPECT_EQ(in.Str(), "0.1.0");
  EXPECT_EQ(in.Str(), "fake");
  EXPECT_EQ(in.Str(), "0123456789abcdef");
  EXPECT_EQ(in.Str(), "test");
  EXPECT_TRUE(in.Done());
  EXPECT_EQ(L().Call(EMBER_RPC_OP_INFO, {0}).status, kEmberErrorRpcBadRequest);
}

TEST_F(RpcServer, IoInfo) {
  Reply r = L().Call(EMBER_RPC_OP_IO_INFO, Out{}.U8(0).U32(1).b);
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.body.U32(), 4u);
  EXPECT_EQ(r.body.Str(), "b");
  EXPECT_TRUE(r.body.Done());
  r = L().Call(EMBER_RPC_OP_IO_INFO, Out{}.U8(1).U32(0).b);
  EXPECT_EQ(r.body.U32(), 4u);
  EXPECT_EQ(r.body.Str(), "out");
  EXPECT_EQ(L().Call(EMBER_RPC_OP_IO_INFO, Out{}.U8(0).U32(2).b).status, kEmberErrorRpcBadArgs);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_IO_INFO, Out{}.U8(1).U32(1).b).status, kEmberErrorRpcBadArgs);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_IO_INFO, Out{}.U8(2).U32(0).b).status, kEmberErrorRpcBadArgs);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_IO_INFO, Out{}.U8(0).U16(0).b).status, kEmberErrorRpcBadRequest);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_IO_INFO, Out{}.U8(0).U32(0).U8(0).b).status, kEmberErrorRpcBadRequest);
}

// The pool starts at an address 1 past a multiple of 64; offsets below are
// worked out from that.
TEST_F(RpcServer, AllocAlignsFirstFitAndFrees) {
  EXPECT_EQ(L().Alloc(10, 0), 15u);  // align 16: address 16
  EXPECT_EQ(L().Alloc(4, 1), 0u);    // the gap before it
  EXPECT_EQ(L().Alloc(8, 64), 63u);  // address 64: after block 15..24
  EXPECT_EQ((reinterpret_cast<uintptr_t>(L().Pool()) + 15) % 16, 0u);
  EXPECT_EQ((reinterpret_cast<uintptr_t>(L().Pool()) + 63) % 64, 0u);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_ALLOC, Out{}.U32(1).U32(3).b).status, kEmberErrorRpcBadArgs);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_ALLOC, Out{}.U32(1).U32(128).b).status, kEmberErrorRpcBadArgs);
  // Free gaps are 4..15 (11), 25..63 (38) and 71..256 (185).
  EXPECT_EQ(L().Call(EMBER_RPC_OP_ALLOC, Out{}.U32(186).U32(1).b).status, kEmberErrorPlatformNoMemory);
  EXPECT_EQ(L().Alloc(185, 1), 71u);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_FREE, Out{}.U32(16).b).status, kEmberErrorRpcBadHandle);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_FREE, Out{}.U32(15).b).status, 0);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_FREE, Out{}.U32(15).b).status, kEmberErrorRpcBadHandle);
  EXPECT_EQ(L().Alloc(12, 16), 15u);  // reused: 4..63 is free again, address 16
  EXPECT_EQ(L().Alloc(0, 1), 4u);     // 0 bytes take 1, so handles stay distinct
  EXPECT_EQ(L().Alloc(0, 1), 5u);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_FREE, Out{}.U16(0).b).status, kEmberErrorRpcBadRequest);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_ALLOC, Out{}.U32(1).b).status, kEmberErrorRpcBadRequest);
}

TEST_F(RpcServer, AllocTableFull) {
  for (uint32_t i = 0; i < EMBER_RPC_MAX_ALLOCS; ++i) ASSERT_EQ(L().Alloc(1, 1), i);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_ALLOC, Out{}.U32(1).U32(1).b).status, kEmberErrorPlatformNoMemory);
}

TEST_F(RpcServer, NewSessionEmptiesThePool) {
  uint32_t h = L().Alloc(10, 16);
  ASSERT_EQ(L().Write(EMBER_RPC_SPACE_POOL, h, 0, {1}), 0);
  L().Reconnect();
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, h, 0, 1).status, kEmberErrorRpcBadHandle);
  EXPECT_EQ(L().Alloc(10, 16), h);
}

TEST_F(RpcServer, WriteReadPool) {
  uint32_t h = L().Alloc(10, 4);
  EXPECT_EQ(L().Write(EMBER_RPC_SPACE_POOL, h, 2, {1, 2, 3, 4, 5}), 0);
  EXPECT_EQ(L().Pool()[h + 2], 1);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, h, 3, 3).body.b, (Bytes{2, 3, 4}));
  EXPECT_EQ(L().Write(EMBER_RPC_SPACE_POOL, h, 8, {9, 9, 9}), kEmberErrorRpcOutOfBounds);
  EXPECT_EQ(L().Pool()[h + 8], 0);  // nothing transferred
  EXPECT_EQ(L().Write(EMBER_RPC_SPACE_POOL, h, 0xFFFFFFFFu, {9}), kEmberErrorRpcOutOfBounds);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, h, 8, 3).status, kEmberErrorRpcOutOfBounds);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, h, 10, 0).status, 0);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, h, 11, 0).status, kEmberErrorRpcOutOfBounds);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, h + 1, 0, 1).status, kEmberErrorRpcBadHandle);
  EXPECT_EQ(L().Write(EMBER_RPC_SPACE_POOL, h + 1, 0, {1}), kEmberErrorRpcBadHandle);
  EXPECT_EQ(L().Read(3, 0, 0, 1).status, kEmberErrorRpcBadArgs);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_WRITE, Out{}.U8(0).U32(h).U16(0).b).status, kEmberErrorRpcBadRequest);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_READ, Out{}.U8(0).U32(h).U32(0).U32(1).U8(0).b).status,
            kEmberErrorRpcBadRequest);
}

TEST_F(RpcServer, WriteReadModelInputsAndOutputs) {
  EXPECT_EQ(L().Write(EMBER_RPC_SPACE_INPUT, 0, 0, {1, 2, 3, 4}), 0);
  EXPECT_EQ(L().Write(EMBER_RPC_SPACE_INPUT, 1, 1, {10, 20, 30}), 0);
  EXPECT_EQ(Bytes(g_in1, g_in1 + 4), (Bytes{0, 10, 20, 30}));
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_INPUT, 0, 0, 4).body.b, (Bytes{1, 2, 3, 4}));
  EXPECT_EQ(L().Write(EMBER_RPC_SPACE_INPUT, 1, 2, {1, 2, 3}), kEmberErrorRpcOutOfBounds);
  EXPECT_EQ(L().Write(EMBER_RPC_SPACE_INPUT, 2, 0, {1}), kEmberErrorRpcBadArgs);
  g_out[3] = 77;
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_OUTPUT, 0, 3, 1).body.b, Bytes{77});
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_OUTPUT, 0, 0, 5).status, kEmberErrorRpcOutOfBounds);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_OUTPUT, 1, 0, 1).status, kEmberErrorRpcBadArgs);
}

TEST_F(RpcServer, ReadLongerThanAReplyIsRefused) {
  ember_rpc_server_set_max_reply(&L().server, 64);
  uint32_t h = L().Alloc(100, 1);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, h, 0, 56).body.b.size(), 56u);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, h, 0, 57).status, kEmberErrorRpcBadArgs);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PING, Bytes(56, 1)).status, 0);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PING, Bytes(57, 1)).status, kEmberErrorRpcBadArgs);
}

TEST_F(RpcServer, Call) {
  uint32_t a = L().Alloc(4, 0), b = L().Alloc(4, 0), c = L().Alloc(4, 0);
  ASSERT_EQ(L().Write(EMBER_RPC_SPACE_POOL, a, 0, {1, 2, 3, 250}), 0);
  ASSERT_EQ(L().Write(EMBER_RPC_SPACE_POOL, b, 0, {10, 20, 30, 10}), 0);
  const std::string add = "tvmgen_default_fused_add_bytes";
  Reply r = L().Call(EMBER_RPC_OP_CALL, Out{}.Str(add).U8(3).Arg(a).Arg(b).Arg(c).b);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.body.b, Bytes{});
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, c, 0, 4).body.b, (Bytes{11, 22, 33, 4}));  // 250 + 10 wraps
  EXPECT_EQ(L().Call(EMBER_RPC_OP_CALL, Out{}.Str("tvmgen_default_fused_copy").U8(2).Arg(c).Arg(a).b).status, 0);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, a, 0, 4).body.b, (Bytes{11, 22, 33, 4}));

  auto status = [&](const Bytes& body) { return L().Call(EMBER_RPC_OP_CALL, body).status; };
  EXPECT_EQ(status(Out{}.Str("tvmgen_default_fused_add").U8(3).Arg(a).Arg(b).Arg(c).b),
            kEmberErrorFunctionNameNotFound);
  EXPECT_EQ(status(Out{}.Str(add + std::string(1, '\0')).U8(3).Arg(a).Arg(b).Arg(c).b),
            kEmberErrorFunctionNameNotFound);
  EXPECT_EQ(status(Out{}.Str(add).U8(2).Arg(a).Arg(b).b), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(status(Out{}.Str(add).U8(3).Arg(a).Arg(b).Arg(c + 1).b), kEmberErrorRpcBadHandle);
  EXPECT_EQ(status(Out{}.Str(add).U8(3).Arg(a).Arg(b).b), kEmberErrorRpcBadRequest);
  EXPECT_EQ(status(Out{}.Str(add).U8(3).Arg(a).Arg(b).Arg(c).U8(0).b), kEmberErrorRpcBadRequest);
  EXPECT_EQ(status(Out{}.Str(add).U8(3).Arg(a).Arg(b).U32(c).b), kEmberErrorRpcBadRequest);  // no dtype
  EXPECT_EQ(status(Out{}.U16(200).Raw(Text(add)).b), kEmberErrorRpcBadRequest);
  EXPECT_EQ(status(Out{}.Str("tvmgen_default_fused_fail").U8(1).Arg(c).b), kEmberErrorFunctionCallInvalidArg);
}

TEST_F(RpcServer, TimeCountsTicksAroundTheCalls) {
  uint32_t a = L().Alloc(4, 0), b = L().Alloc(4, 0), c = L().Alloc(4, 0);
  const Bytes call = Out{}.Str("tvmgen_default_fused_add_bytes").U8(3).Arg(a).Arg(b).Arg(c).b;
  g_fake_ticks = 0xFFFFFFF0u;  // the counter wraps during the measurement
  Reply r = L().Call(EMBER_RPC_OP_TIME, Out{}.U32(3).U32(2).Raw(call).b);
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.body.U32(), 21u);  // 3 calls x 7 ticks
  EXPECT_EQ(r.body.U32(), 21u);
  EXPECT_TRUE(r.body.Done());
  r = L().Call(EMBER_RPC_OP_TIME, Out{}.U32(0).U32(1).Raw(call).b);
  EXPECT_EQ(r.body.U32(), 0u);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_TIME, Out{}.U32(1).U32(0).Raw(call).b).status, kEmberErrorRpcBadArgs);
  ember_rpc_server_set_max_reply(&L().server, 64);  // repeat <= (64 - 8) / 4 = 14
  EXPECT_EQ(L().Call(EMBER_RPC_OP_TIME, Out{}.U32(1).U32(14).Raw(call).b).body.b.size(), 56u);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_TIME, Out{}.U32(1).U32(15).Raw(call).b).status, kEmberErrorRpcBadArgs);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_TIME, Out{}.U32(1).Raw(call).b).status, kEmberErrorRpcBadRequest);
  const Bytes fail = Out{}.Str("tvmgen_default_fused_fail").U8(1).Arg(c).b;
  EXPECT_EQ(L().Call(EMBER_RPC_OP_TIME, Out{}.U32(1).U32(1).Raw(fail).b).status,
            kEmberErrorFunctionCallInvalidArg);
}

TEST_F(RpcServer, RunAndTimeRun) {
  ASSERT_EQ(L().Write(EMBER_RPC_SPACE_INPUT, 0, 0, {1, 2, 3, 4}), 0);
  ASSERT_EQ(L().Write(EMBER_RPC_SPACE_INPUT, 1, 0, {5, 6, 7, 255}), 0);
  Reply r = L().Call(EMBER_RPC_OP_RUN);
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.body.U32(), 100u);
  EXPECT_TRUE(r.body.Done());
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_OUTPUT, 0, 0, 4).body.b, (Bytes{6, 8, 10, 3}));
  r = L().Call(EMBER_RPC_OP_TIME_RUN, Out{}.U32(2).U32(3).b);
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.body.b, (Out{}.U32(200).U32(200).U32(200).b));
  EXPECT_EQ(L().Call(EMBER_RPC_OP_RUN, {0}).status, kEmberErrorRpcBadRequest);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_TIME_RUN, Out{}.U32(2).b).status, kEmberErrorRpcBadRequest);
  g_run_status = kEmberErrorGeneratedBadArena;
  EXPECT_EQ(L().Call(EMBER_RPC_OP_RUN).status, kEmberErrorGeneratedBadArena);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_TIME_RUN, Out{}.U32(1).U32(1).b).status, kEmberErrorGeneratedBadArena);
}

// Entry sizes: 4 + 2 + name (PROFILE), 2 + name + 2 (OPERATORS). With
// max_reply 64 the entries get 64 - 8 - 8 = 48 bytes per reply.
TEST_F(RpcServer, ProfilePagesAtSmallMaxReply) {
  ember_rpc_server_set_max_reply(&L().server, 64);
  // node_0_conv2d (19) + node_1_add (16) fit (35), + node_2_relu (17) does not.
  const std::vector<std::vector<std::pair<uint32_t, std::string>>> expected = {
      {{11, "node_0_conv2d"}, {22, "node_1_add"}},
      {{33, "node_2_relu"}},
      {{44, std::string(kProfileNames[3]).substr(0, 42)}},  // alone too long: cut to 48 - 6
      {{55, "node_4"}}};
  uint32_t start = 0;
  for (const auto& page : expected) {
    Reply r = L().Call(EMBER_RPC_OP_PROFILE, Out{}.U32(start).b);
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.body.U32(), 5u);
    ASSERT_EQ(r.body.U32(), page.size());
    for (const auto& [ticks, name] : page) {
      EXPECT_EQ(r.body.U32(), ticks);
      EXPECT_EQ(r.body.Str(), name);
    }
    EXPECT_TRUE(r.body.Done());
    start += static_cast<uint32_t>(page.size());
  }
  Reply end = L().Call(EMBER_RPC_OP_PROFILE, Out{}.U32(5).b);
  EXPECT_EQ(end.body.b, (Out{}.U32(5).U32(0).b));
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PROFILE, Out{}.U32(6).b).status, kEmberErrorRpcOutOfBounds);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PROFILE).status, kEmberErrorRpcBadRequest);
}

TEST_F(RpcServer, OperatorsPageAtSmallMaxReply) {
  ember_rpc_server_set_max_reply(&L().server, 64);
  // 34 + 29 > 48: one per reply.
  const std::vector<std::tuple<std::string, uint32_t, uint32_t>> expected = {
      {"tvmgen_default_fused_add_bytes", 2, 1}, {"tvmgen_default_fused_copy", 1, 1}, {"tvmgen_default_fused_fail", 0, 1}};
  for (uint32_t i = 0; i < 3; ++i) {
    Reply r = L().Call(EMBER_RPC_OP_OPERATORS, Out{}.U32(i).b);
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.body.U32(), 3u);
    EXPECT_EQ(r.body.U32(), 1u);
    EXPECT_EQ(r.body.Str(), std::get<0>(expected[i]));
    EXPECT_EQ(r.body.U8(), std::get<1>(expected[i]));
    EXPECT_EQ(r.body.U8(), std::get<2>(expected[i]));
    EXPECT_TRUE(r.body.Done());
  }
  ember_rpc_server_set_max_reply(&L().server, 2045);
  Reply all = L().Call(EMBER_RPC_OP_OPERATORS, Out{}.U32(0).b);
  EXPECT_EQ(all.body.U32(), 3u);
  EXPECT_EQ(all.body.U32(), 3u);
}

TEST_F(RpcServer, ResetIsUnsupportedByDefault) {
  EXPECT_EQ(ember_platform_reset(), kEmberErrorRpcUnsupported);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_RESET).status, kEmberErrorRpcUnsupported);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_RESET, {0}).status, kEmberErrorRpcBadRequest);
}

TEST_F(RpcServer, UnknownOpsAndBadEnvelopes) {
  for (uint8_t op : {0x00, 0x0F, 0x7F, 0x81}) EXPECT_EQ(L().Call(op).status, kEmberErrorRpcUnknownOp) << int(op);
  std::vector<Reply> r = L().Exchange(Out{}.U8(EMBER_RPC_OP_PING).U8(1).U16(7).b);  // reserved byte set
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, kEmberErrorRpcBadRequest);
  EXPECT_EQ(r[0].seq, 7);
  EXPECT_TRUE(L().Exchange({EMBER_RPC_OP_PING, 0, 1}).empty());  // no envelope: no reply
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PING, Text("x")).status, 0);
}

TEST_F(RpcServer, OversizedRequestIsDroppedAndTheNextWorks) {
  // The largest request fits; one byte more does not reach the server.
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PING, Bytes(2045 - 4, 7)).status, kEmberErrorRpcBadArgs);  // its echo would not fit
  EXPECT_TRUE(L().Exchange(Out{}.U8(EMBER_RPC_OP_PING).U8(0).U16(1).Raw(Bytes(2045 - 3, 7)).b).empty());
  EXPECT_EQ(L().errors, std::vector<ember_error_t>{kEmberErrorFramingPayloadOverflow});
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PING, Text("ok")).body.b, Text("ok"));
}

TEST_F(RpcServer, CorruptedRequestGetsNoReply) {
  Bytes packet = L().Frame(Out{}.U8(EMBER_RPC_OP_PING).U8(0).U16(9).Raw(Text("abc")).b);
  const Bytes abc = Text("abc");
  auto at = std::search(packet.begin(), packet.end(), abc.begin(), abc.end());
  ASSERT_NE(at, packet.end());
  *at ^= 0x01;  // 'a' becomes '`': the CRC no longer matches
  L().ToDevice(packet);
  EXPECT_TRUE(L().device_out.data.empty());
  EXPECT_EQ(L().errors, std::vector<ember_error_t>{kEmberErrorFramingBadCrc});
  EXPECT_EQ(L().Call(EMBER_RPC_OP_PING, Text("abc")).body.b, Text("abc"));
}

// The same conversation fed whole and one byte per call gives the same bytes.
TEST(RpcServerFeed, ByteAtATimeEqualsWholeBuffers) {
  std::vector<Bytes> wires;
  for (bool one_byte : {false, true}) {
    g_fake_ticks = 0;
    auto link = std::make_unique<Link>();
    link->one_byte_at_a_time = one_byte;
    link->Connect();
    uint32_t h = link->Alloc(8, 0);
    link->Write(EMBER_RPC_SPACE_POOL, h, 0, {0xFF, 0xFD, 0xFE, 1});  // bytes the framing escapes
    link->Read(EMBER_RPC_SPACE_POOL, h, 0, 8);
    link->Call(EMBER_RPC_OP_INFO);
    link->Call(EMBER_RPC_OP_RUN);
    link->Call(EMBER_RPC_OP_PROFILE, Out{}.U32(0).b);
    link->Call(0x42);
    EXPECT_EQ(link->errors, std::vector<ember_error_t>{});
    wires.push_back(link->transcript);
  }
  EXPECT_GT(wires[0].size(), 100u);
  EXPECT_EQ(wires[0], wires[1]);
}

// ---- CALL and TIME are checked against the operator's argument table -------
// (a mismatch is kEmberErrorRpcArgMismatch and nothing is called or written)

constexpr uint8_t kCanary = 0xC5;

class RpcCallChecks : public ::testing::Test {
 protected:
  static constexpr size_t kPoolBytes = 1024;
  void SetUp() override {
    g_conv_calls = 0;
    link_ = std::make_unique<Link>(kPoolBytes, &kConvModel);
    link_->Connect();
    std::memset(L().PastPool(), kCanary, L().PastPoolBytes());
  }
  Link& L() { return *link_; }
  // CALL conv with (handle, dtype) arguments: its status.
  int32_t CallConv(const Bytes& args, uint32_t nargs = 2, uint8_t op = EMBER_RPC_OP_CALL) {
    const Bytes call = Out{}.Str("conv").U8(nargs).Raw(args).b;
    return L().Call(op, op == EMBER_RPC_OP_TIME ? Out{}.U32(1).U32(1).Raw(call).b : call).status;
  }
  static Bytes I8(uint32_t handle) { return Out{}.Arg(handle, EMBER_DTYPE_INT, 8).b; }
  // The allocation `h` of `n` bytes holds nothing but the canary.
  bool Intact(uint32_t h, uint32_t n) {
    Reply r = L().Read(EMBER_RPC_SPACE_POOL, h, 0, n);
    return r.status == 0 && r.body.b == Bytes(n, kCanary);
  }
  bool PastPoolIntact() {
    const uint8_t* p = L().PastPool();
    return std::all_of(p, p + L().PastPoolBytes(), [](uint8_t b) { return b == kCanary; });
  }
  std::unique_ptr<Link> link_;
};

TEST_F(RpcCallChecks, OutputTooSmallIsRefusedAndItsNeighbourKept) {
  const uint32_t in = L().Alloc(kConvIn, 1), out = L().Alloc(1, 1), next = L().Alloc(300, 1);
  ASSERT_EQ(next, out + 1);  // right after the 1-byte output
  ASSERT_EQ(L().Write(EMBER_RPC_SPACE_POOL, next, 0, Bytes(300, kCanary)), 0);
  EXPECT_EQ(CallConv(Concat({I8(in), I8(out)})), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(CallConv(Concat({I8(in), I8(out)}), 2, EMBER_RPC_OP_TIME), kEmberErrorRpcArgMismatch);
  EXPECT_TRUE(Intact(next, 300));
  EXPECT_EQ(g_conv_calls, 0);
}

TEST_F(RpcCallChecks, OutputTooSmallAtTheEndOfThePoolIsRefused) {
  const uint32_t in = L().Alloc(kConvIn, 1);
  L().Alloc(kPoolBytes - kConvIn - 1, 1);
  const uint32_t last = L().Alloc(1, 1);
  ASSERT_EQ(last, kPoolBytes - 1);  // the pool's last byte
  EXPECT_EQ(CallConv(Concat({I8(in), I8(last)})), kEmberErrorRpcArgMismatch);
  EXPECT_TRUE(PastPoolIntact());
  EXPECT_EQ(g_conv_calls, 0);
}

TEST_F(RpcCallChecks, InputTooSmallIsRefused) {
  const uint32_t in = L().Alloc(kConvIn - 1, 16), out = L().Alloc(kConvOut, 16);
  EXPECT_EQ(CallConv(Concat({I8(in), I8(out)})), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(g_conv_calls, 0);
}

TEST_F(RpcCallChecks, WrongArgumentCountIsRefused) {
  const uint32_t in = L().Alloc(kConvIn, 16), out = L().Alloc(kConvOut, 16), next = L().Alloc(64, 16);
  ASSERT_EQ(L().Write(EMBER_RPC_SPACE_POOL, next, 0, Bytes(64, kCanary)), 0);
  EXPECT_EQ(CallConv(I8(in), 1), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(CallConv(Concat({I8(in), I8(out), I8(next)}), 3), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(CallConv({}, 0), kEmberErrorRpcArgMismatch);
  EXPECT_TRUE(Intact(next, 64));
  EXPECT_EQ(g_conv_calls, 0);
}

TEST_F(RpcCallChecks, WrongDtypeIsRefused) {
  const uint32_t in = L().Alloc(kConvIn, 16), out = L().Alloc(kConvOut, 16);
  EXPECT_EQ(CallConv(Concat({Out{}.Arg(in, EMBER_DTYPE_UINT, 8).b, I8(out)})), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(CallConv(Concat({I8(in), Out{}.Arg(out, EMBER_DTYPE_FLOAT, 32).b})), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(CallConv(Concat({I8(in), Out{}.Arg(out, EMBER_DTYPE_INT, 16).b})), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(CallConv(Concat({I8(in), Out{}.Arg(out, EMBER_DTYPE_INT, 8, 4).b})), kEmberErrorRpcArgMismatch);
  EXPECT_EQ(g_conv_calls, 0);
}

TEST_F(RpcCallChecks, ExactAndLargerBuffersAreCalled) {
  uint32_t in = L().Alloc(kConvIn, 16), out = L().Alloc(kConvOut, 16);
  EXPECT_EQ(CallConv(Concat({I8(in), I8(out)})), 0);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, out, kConvOut - 1, 1).body.b, Bytes{static_cast<uint8_t>(kConvOut - 1)});
  // A storage shared with a larger tensor: the bytes past the tensor stay.
  in = L().Alloc(kConvIn + 8, 16);
  out = L().Alloc(kConvOut + 8, 16);
  ASSERT_EQ(L().Write(EMBER_RPC_SPACE_POOL, out, 0, Bytes(kConvOut + 8, kCanary)), 0);
  EXPECT_EQ(CallConv(Concat({I8(in), I8(out)}), 2, EMBER_RPC_OP_TIME), 0);
  EXPECT_EQ(L().Read(EMBER_RPC_SPACE_POOL, out, kConvOut, 8).body.b, Bytes(8, kCanary));
  EXPECT_EQ(g_conv_calls, 2);
  EXPECT_TRUE(PastPoolIntact());
}

TEST_F(RpcCallChecks, MisalignedElementsAreRefused) {
  // The pool starts at an odd address: align 1 gives one.
  const uint32_t in = L().Alloc(4, 1), odd = L().Alloc(16, 1), aligned = L().Alloc(16, 4);
  const Bytes u8 = Out{}.Arg(in, EMBER_DTYPE_UINT, 8).b;
  ASSERT_NE(reinterpret_cast<uintptr_t>(L().Pool() + odd) % 4, 0u);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_CALL, Out{}.Str("widen").U8(2).Raw(u8).Arg(odd, EMBER_DTYPE_INT, 32).b).status,
            kEmberErrorRpcArgMismatch);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_CALL, Out{}.Str("widen").U8(2).Raw(u8).Arg(aligned, EMBER_DTYPE_INT, 32).b).status,
            0);
}

TEST_F(RpcCallChecks, AnOperatorWithoutArgumentTableIsNotCalled) {
  const uint32_t in = L().Alloc(kConvIn, 16), out = L().Alloc(kConvOut, 16);
  EXPECT_EQ(L().Call(EMBER_RPC_OP_CALL, Out{}.Str("no_table").U8(2).Raw(I8(in)).Raw(I8(out)).b).status,
            kEmberErrorRpcUnsupported);
  EXPECT_EQ(g_conv_calls, 0);
  EXPECT_STREQ(ember_error_name(kEmberErrorRpcArgMismatch), "kEmberErrorRpcArgMismatch");
}

// The fake conv's table is what the C codegen emits for a real conv2d.
TEST(RpcCallChecksModel, FakeConvHasTheGeneratedArgTable) {
  auto g = frontend::tflite::ImportTflite(test::TinyConvModel(), "tiny.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  codegen::c::AotOptions o;
  o.graph_executor = true;
  auto m = codegen::c::GenerateAot(*g, o);
  ASSERT_TRUE(m.ok()) << m.diag().ToString();
  std::string c;
  for (const auto& [name, text] : m->sources) c += text;
  // The first operator is the conv: its table, then its entry.
  const size_t table = c.find("static const struct ember_operator_arg ");
  ASSERT_NE(table, std::string::npos);
  const std::string fn = c.substr(table + 39, c.find("_args[", table) - table - 39);
  EXPECT_NE(fn.find("conv"), std::string::npos) << fn;
  const auto row = [](const ember_operator_arg& a, const char* role) {
    return "  {" + std::to_string(a.nbytes) + "u, EMBER_DTYPE_INT, " + std::to_string(a.bits) + "u, " +
           std::to_string(a.lanes) + "u}, /* " + role + " i8 */\n";
  };
  EXPECT_EQ(c.substr(table, c.find("};", table) + 3 - table),
            "static const struct ember_operator_arg " + fn + "_args[2] = {\n" + row(kConvArgs[0], "input") +
                row(kConvArgs[1], "output") + "};\n");
  EXPECT_NE(c.find("{\"" + fn + "\", " + fn + "_op, 1, 1, " + fn + "_args},"), std::string::npos);
}

}  // namespace
}  // namespace ember::testing
