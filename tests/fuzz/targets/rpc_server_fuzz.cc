// Fuzz target: the device RPC server (runtime/src/rpc_server.c, rpc_pool.c)
// behind its session, with a small fake model and operator table like the
// one of tests/unit/runtime/rpc_server_test.cc, driven by a host end made of
// the same C session code.
//
// Input: byte 0 picks how the device's input is cut into feed calls (1..16
// bytes, or whole); the rest is a list of records [tag][len (1 byte, or 2
// little-endian when tag & 4)][len bytes]:
//   tag & 3 == 0  raw bytes on the link (noise, broken frames)
//   tag & 3 == 1  one RPC request, sent by the host in its session
//   tag & 3 == 2  one packet framed with a valid CRC (any session header)
//   tag & 3 == 3  control: tag & 8 restarts the host's session, else
//                 set_max_reply(len); its bytes are ignored
// The host first opens a session (the handshake of rpc_server_test.cc).
//
// Checks, besides ASan/UBSan (the pool is its own heap block): feed never
// fails to write; every reply is at least its 8-byte header, carries the
// reply flag and a zero reserved byte, fits max_reply, and an error reply's
// body is exactly one str; an operator is only ever called with the
// argument count it declares and with live ALLOC buffers (as the host saw
// them allocated) of at least the bytes it touches.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "ember/rpc_server.h"

#include "fuzz_util.h"

namespace {

using ember::fuzz::AppendBytes;
using ember::fuzz::Fail;

using Bytes = std::vector<uint8_t>;

constexpr size_t kPoolBytes = 4096;
constexpr uint32_t kTensorBytes = 4;   // every fake operator argument
constexpr int kCallBudget = 100000;    // operator or model calls per input

// What the host saw of the device's pool: handle -> bytes.
std::map<uint32_t, uint32_t> g_allocs;
uint8_t* g_pool = nullptr;
int g_calls = 0;

// The fake operators touch kTensorBytes of every argument: check that the
// server gave them that much.
void CheckArgs(void* const* args, uint32_t n, uint32_t want) {
  if (n != want) Fail("operator called with the wrong argument count");
  for (uint32_t i = 0; i < n; ++i) {
    const auto* p = static_cast<const uint8_t*>(args[i]);
    if (p < g_pool || p >= g_pool + kPoolBytes) Fail("operator argument outside the pool");
    const auto it = g_allocs.find(static_cast<uint32_t>(p - g_pool));
    if (it != g_allocs.end() && it->second < kTensorBytes) {
      Fail("CALL passed a buffer smaller than the operator touches");
    }
  }
}

bool OverBudget() { return ++g_calls > kCallBudget; }

uint8_t g_in0[kTensorBytes], g_in1[kTensorBytes], g_out[kTensorBytes];
ember_io_tensor g_inputs[2] = {{"a", nullptr, kTensorBytes}, {"b", nullptr, kTensorBytes}};
ember_io_tensor g_outputs[1] = {{"out", nullptr, kTensorBytes}};

void Prepare() {
  g_inputs[0].data = g_in0;
  g_inputs[1].data = g_in1;
  g_outputs[0].data = g_out;
}
int32_t Run() {
  if (OverBudget()) return kEmberErrorFunctionCallInvalidArg;
  for (uint32_t i = 0; i < kTensorBytes; ++i) g_out[i] = static_cast<uint8_t>(g_in0[i] + g_in1[i]);
  return 0;
}
int32_t AddBytes(void* const* args, uint32_t n) {
  CheckArgs(args, n, 3);
  if (OverBudget()) return kEmberErrorFunctionCallInvalidArg;
  const auto* a = static_cast<const uint8_t*>(args[0]);
  const auto* b = static_cast<const uint8_t*>(args[1]);
  auto* c = static_cast<uint8_t*>(args[2]);
  for (uint32_t i = 0; i < kTensorBytes; ++i) c[i] = static_cast<uint8_t>(a[i] + b[i]);
  return 0;
}
int32_t Copy(void* const* args, uint32_t n) {
  CheckArgs(args, n, 2);
  if (OverBudget()) return kEmberErrorFunctionCallInvalidArg;
  std::memmove(args[1], args[0], kTensorBytes);
  return 0;
}
int32_t FailOp(void* const* args, uint32_t n) {
  CheckArgs(args, n, 1);
  return kEmberErrorFunctionCallInvalidArg;
}

// Every argument: kTensorBytes of uint8, as the operators touch them.
const ember_operator_arg kU8x4[3] = {{kTensorBytes, EMBER_DTYPE_UINT, 8, 1},
                                     {kTensorBytes, EMBER_DTYPE_UINT, 8, 1},
                                     {kTensorBytes, EMBER_DTYPE_UINT, 8, 1}};
const ember_operator kOperators[] = {{"tvmgen_default_fused_add_bytes", AddBytes, 2, 1, kU8x4},
                                     {"tvmgen_default_fused_copy", Copy, 1, 1, kU8x4},
                                     {"tvmgen_default_fused_fail", FailOp, 0, 1, kU8x4}};
const uint32_t kProfileTicks[] = {11, 22, 33};
const char* const kProfileNames[] = {"node_0_add", "node_1_copy", "node_2_a_long_name_of_a_node_with_many_letters"};
const ember_model_io kModel = {"fake",  "0123456789abcdef", g_inputs,      2,      g_outputs, 1,
                               Prepare, Run,                kProfileTicks, kProfileNames, 3,  kOperators, 3};

struct Host {
  ember_session_t session;
  uint8_t rx[EMBER_RPC_MAX_PACKET];
  Bytes out;                  // what the host sends
  std::vector<Bytes> replies;  // RPC messages received

  static void OnMessage(void* ctx, uint8_t type, const uint8_t* body, size_t n) {
    auto* h = static_cast<Host*>(ctx);
    if (type == EMBER_SESSION_START_REPLY) g_allocs.clear();  // the device emptied its pool
    if (type != EMBER_SESSION_NORMAL) return;
    h->replies.emplace_back(body, body + n);
    ember_session_clear_receive_buffer(&h->session);
  }
};

uint32_t Le(const Bytes& b, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(b[at + i]) << (8 * i);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = data[0] % 17;
  g_allocs.clear();
  g_calls = 0;
  std::unique_ptr<uint8_t[]> pool(new uint8_t[kPoolBytes]());
  g_pool = pool.get();
  Bytes device_out;
  auto server = std::make_unique<ember_rpc_server>();
  ember_rpc_server_init(server.get(), &kModel, "fuzz", g_pool, kPoolBytes, AppendBytes, &device_out, 0xAB);
  auto host = std::make_unique<Host>();
  ember_session_init(&host->session, host->rx, sizeof host->rx, AppendBytes, &host->out, Host::OnMessage, host.get());
  uint32_t max_reply = EMBER_RPC_MAX_MESSAGE;

  // Moves what the host queued to the device and the device's answer back,
  // then checks the replies.
  auto exchange = [&](const Bytes& to_device, const Bytes* request) {
    for (size_t at = 0; at < to_device.size();) {
      const size_t n = step == 0 ? to_device.size() - at : std::min(step, to_device.size() - at);
      const int32_t err = ember_rpc_server_feed(server.get(), to_device.data() + at, n);
      if (err == kEmberErrorWriteStreamShortWrite || err == kEmberErrorWriteStreamLongWrite) Fail("reply not sent");
      at += n;
    }
    for (size_t at = 0; at < device_out.size();) {
      size_t used = 0;
      ember_session_receive(&host->session, device_out.data() + at, device_out.size() - at, &used);
      if (used == 0) Fail("host session made no progress");
      at += used;
    }
    device_out.clear();
    for (const Bytes& r : host->replies) {
      if (r.size() < 8) Fail("reply shorter than its header");
      if ((r[0] & EMBER_RPC_REPLY_FLAG) == 0 || r[1] != 0) Fail("reply without the reply flag or reserved 0");
      if (r.size() > max_reply) Fail("reply longer than max_reply");
      const uint32_t status = Le(r, 4, 4);
      if (status != 0 && (r.size() < 10 || Le(r, 8, 2) != r.size() - 10)) Fail("error reply body is not one str");
      // Follow the pool as the host sees it, for the operators' checks.
      if (request != nullptr && request->size() >= 4 && r[0] == ((*request)[0] | EMBER_RPC_REPLY_FLAG) &&
          Le(r, 2, 2) == Le(*request, 2, 2) && status == 0) {
        if (r[0] == (EMBER_RPC_OP_ALLOC | EMBER_RPC_REPLY_FLAG) && r.size() == 12 && request->size() == 12) {
          g_allocs[Le(r, 8, 4)] = std::max<uint32_t>(Le(*request, 4, 4), 1);
        } else if (r[0] == (EMBER_RPC_OP_FREE | EMBER_RPC_REPLY_FLAG) && request->size() == 8) {
          g_allocs.erase(Le(*request, 4, 4));
        }
      }
    }
    host->replies.clear();
  };

  device_out.clear();  // the device's boot TerminateSession
  if (ember_session_initialize(&host->session, 0x3C) != kEmberErrorNoError) Fail("host initialize");
  if (ember_session_start_session(&host->session) != kEmberErrorNoError) Fail("host start");
  exchange(host->out, nullptr);
  host->out.clear();
  if (!ember_session_is_established(&host->session)) Fail("no session after the handshake");

  ember_framer_t raw_framer;
  Bytes raw;
  ember_framer_init(&raw_framer, AppendBytes, &raw);
  for (size_t i = 1; i < size;) {
    const ember::fuzz::Record r = ember::fuzz::NextRecord(data, size, &i, /*wide_flag=*/4);
    const Bytes body(r.bytes, r.bytes + r.n);
    switch (r.tag & 3) {
      case 0:
        exchange(body, nullptr);
        break;
      case 1:
        if (ember_session_send_message(&host->session, EMBER_SESSION_NORMAL, body.data(), body.size()) ==
            kEmberErrorNoError) {
          exchange(host->out, &body);
        }
        host->out.clear();
        break;
      case 2:
        raw.clear();
        if (ember_framer_write_packet(&raw_framer, body.data(), body.size()) != kEmberErrorNoError) Fail("framer");
        exchange(raw, nullptr);
        break;
      default:
        if (r.tag & 8) {
          if (ember_session_start_session(&host->session) == kEmberErrorNoError) exchange(host->out, nullptr);
          host->out.clear();
        } else {
          ember_rpc_server_set_max_reply(server.get(), static_cast<uint32_t>(r.len));
          max_reply = std::clamp<uint32_t>(static_cast<uint32_t>(r.len), EMBER_RPC_MIN_REPLY, EMBER_RPC_MAX_MESSAGE);
        }
    }
  }
  return 0;
}
