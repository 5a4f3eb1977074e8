// RpcClient end to end against the device's RPC server (runtime/src/
// rpc_server.c) in this process: host Session + RpcClient, an in-memory
// transport, the server with a small fake model table (out = in ^ 0xa5).
// The server's max_reply is lowered to 128 so that READ, TIME and PROFILE
// all need several requests (INFO still fits whole).
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "ember/rpc_server.h"
#include "micro/session/rpc_client.h"
#include "micro/transport/test_transports.h"

namespace ember::micro {
namespace {

constexpr size_t kIoBytes = 300;
uint8_t g_in[kIoBytes], g_out[kIoBytes];
ember_io_tensor g_inputs[1] = {{"in", nullptr, kIoBytes}};
ember_io_tensor g_outputs[1] = {{"out", nullptr, kIoBytes}};

void Prepare() {
  g_inputs[0].data = g_in;
  g_outputs[0].data = g_out;
}
int32_t Run() {
  for (size_t i = 0; i < kIoBytes; ++i) g_out[i] = static_cast<uint8_t>(g_in[i] ^ 0xa5);
  return 0;
}
// xor16(a, out): out = a ^ 0xa5 over 16 bytes.
int32_t Xor16(void* const* args, uint32_t n) {
  if (n != 2) return kEmberErrorFunctionCallNumArguments;
  for (int i = 0; i < 16; ++i) static_cast<uint8_t*>(args[1])[i] = static_cast<const uint8_t*>(args[0])[i] ^ 0xa5;
  return 0;
}
const ember_operator_arg kXor16Args[2] = {{16, EMBER_DTYPE_UINT, 8, 1}, {16, EMBER_DTYPE_UINT, 8, 1}};
const ember_operator kOperators[] = {{"tvmgen_default_fused_xor16", Xor16, 1, 1, kXor16Args}};
const uint32_t kProfileTicks[] = {5, 6, 7};
const char* const kProfileNames[] = {"node_0_first_operator_of_the_model", "node_1_second_operator_of_the_model",
                                     "node_2_third"};
const ember_model_io kModel = {"xormodel", "fedcba9876543210", g_inputs,      1,  g_outputs, 1,
                               Prepare,    Run,                kProfileTicks, kProfileNames, 3, kOperators, 1};

// The device: the RPC server fed by an InProcessTransport.
struct Device {
  InProcessTransport link{nullptr, TransportTimeouts{0, 1, 0.2}};
  ember_rpc_server server{};
  uint8_t pool[1024] = {};
  Device() {
    ember_rpc_server_init(&server, &kModel, "test-host", pool, sizeof pool, Out, this, 0x5A);
    ember_rpc_server_set_max_reply(&server, 128);
    link.set_device([this](std::string_view b) {
      ember_rpc_server_feed(&server, reinterpret_cast<const uint8_t*>(b.data()), b.size());
    });
  }
  static size_t Out(void* ctx, const uint8_t* data, size_t n) {
    static_cast<Device*>(ctx)->link.Deliver(std::string_view(reinterpret_cast<const char*>(data), n));
    return n;
  }
};

struct Connected {
  std::unique_ptr<Device> device = std::make_unique<Device>();
  Session session{device->link, [] {
                    SessionOptions o;
                    o.device_log = nullptr;
                    return o;
                  }()};
  RpcClient client{session};
  Connected() { session.Open(); }
};

TEST(RpcClientServerTest, InfoAndIdentity) {
  Connected c;
  const DeviceInfo info = c.client.Info();
  EXPECT_EQ(info.abi_version, 2u);
  EXPECT_EQ(info.max_request, 2045u);
  EXPECT_EQ(info.max_reply, 128u);
  EXPECT_EQ(info.pool_bytes, 1024u);
  EXPECT_EQ(info.num_inputs, 1u);
  EXPECT_EQ(info.num_outputs, 1u);
  EXPECT_EQ(info.num_operators, 1u);
  EXPECT_EQ(info.num_profile, 3u);
  EXPECT_FALSE(info.ember_version.empty());
  EXPECT_EQ(info.model_name, "xormodel");
  EXPECT_EQ(info.model_hash, "fedcba9876543210");
  EXPECT_EQ(info.platform, "test-host");
  EXPECT_NO_THROW(CheckDeviceIdentity(info, "xormodel", "fedcba9876543210"));
  try {
    CheckDeviceIdentity(info, "xormodel", "1111111111111111");
    FAIL();
  } catch (const DeviceMismatchError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("the device runs model 'xormodel' (hash fedcba9876543210)"), std::string::npos) << what;
    EXPECT_NE(what.find("artifact has model 'xormodel' (hash 1111111111111111)"), std::string::npos) << what;
    EXPECT_NE(what.find("flash the project again"), std::string::npos) << what;
  }
  const IoInfo in = c.client.GetIoInfo(IoKind::kInput, 0);
  EXPECT_EQ(in.size, kIoBytes);
  EXPECT_EQ(in.name, "in");
  EXPECT_EQ(c.client.GetIoInfo(IoKind::kOutput, 0).name, "out");
}

TEST(RpcClientServerTest, RunTheModelWithChunkedInputsAndOutputs) {
  Connected c;
  std::vector<uint8_t> input(kIoBytes), expected(kIoBytes);
  for (size_t i = 0; i < kIoBytes; ++i) {
    input[i] = static_cast<uint8_t>(i * 13 + 0xff);
    expected[i] = static_cast<uint8_t>(input[i] ^ 0xa5);
  }
  c.client.Write(MemorySpace::kInput, 0, 0, input);
  c.client.Run();
  EXPECT_EQ(c.client.Read(MemorySpace::kOutput, 0, 0, kIoBytes), expected);  // 3 READs of <= 120 bytes
  EXPECT_EQ(c.client.Read(MemorySpace::kOutput, 0, 290, 10),
            std::vector<uint8_t>(expected.begin() + 290, expected.end()));
  try {
    c.client.Read(MemorySpace::kOutput, 0, 295, 10);
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.status(), 0x0A02);  // kEmberErrorRpcOutOfBounds
    EXPECT_EQ(e.op(), RpcOp::kRead);
  }
  EXPECT_EQ(c.client.TimeRun(1, 40).size(), 40u);  // 30 + 10 measurements
}

TEST(RpcClientServerTest, CallAnOperatorOnPoolMemory) {
  Connected c;
  const uint32_t a = c.client.Alloc(16, 16);
  const uint32_t out = c.client.Alloc(16);
  EXPECT_NE(a, out);
  std::vector<uint8_t> data(16);
  std::iota(data.begin(), data.end(), 0);
  c.client.Write(MemorySpace::kPool, a, 0, data);
  const CallArg args[] = {{a, *ParseDataType("uint8")}, {out, *ParseDataType("uint8")}};
  c.client.Call("tvmgen_default_fused_xor16", args);
  const std::vector<uint8_t> got = c.client.Read(MemorySpace::kPool, out, 0, 16);
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(got[i], static_cast<uint8_t>(i ^ 0xa5));
  EXPECT_EQ(c.client.Time("tvmgen_default_fused_xor16", args, 2, 31).size(), 31u);
  try {
    c.client.Call("no_such_operator", args);
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.status(), 0x100);  // kEmberErrorFunctionNameNotFound
  }
  c.client.Free(out);
  try {
    c.client.Free(out);
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.status(), 0x0A04);  // kEmberErrorRpcBadHandle
  }
}

// A call the operator's argument table does not allow fails on the device,
// naming the new error, and writes nothing.
TEST(RpcClientServerTest, CallWithTooSmallOrMistypedArgumentsIsRefused) {
  Connected c;
  const uint32_t a = c.client.Alloc(16, 16), small = c.client.Alloc(1, 16), next = c.client.Alloc(16, 1);
  c.client.Write(MemorySpace::kPool, next, 0, std::vector<uint8_t>(16, 0x5c));
  const DataType u8 = *ParseDataType("uint8");
  for (const std::vector<CallArg>& args : {std::vector<CallArg>{{a, u8}, {small, u8}},
                                          std::vector<CallArg>{{a, u8}, {next, *ParseDataType("int8")}},
                                          std::vector<CallArg>{{a, u8}}}) {
    try {
      c.client.Call("tvmgen_default_fused_xor16", args);
      FAIL();
    } catch (const RpcError& e) {
      EXPECT_EQ(e.status(), 0x0A06);  // kEmberErrorRpcArgMismatch
      EXPECT_NE(std::string(e.what()).find("kEmberErrorRpcArgMismatch"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(c.client.Read(MemorySpace::kPool, next, 0, 16), std::vector<uint8_t>(16, 0x5c));
}

TEST(RpcClientServerTest, ProfileOperatorsPingAndReset) {
  Connected c;
  const auto profile = c.client.Profile();
  ASSERT_EQ(profile.size(), 3u);
  EXPECT_EQ(profile[1].name, "node_1_second_operator_of_the_model");
  EXPECT_EQ(profile[2].ticks, 7u);
  const auto ops = c.client.Operators();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].name, "tvmgen_default_fused_xor16");
  EXPECT_EQ(ops[0].num_inputs, 1);
  EXPECT_EQ(ops[0].num_outputs, 1);
  const std::vector<uint8_t> ping = {0xff, 0xfd, 0x00, 0xfe};
  EXPECT_EQ(c.client.Ping(ping), ping);
  try {
    c.client.Reset();  // the default platform hook cannot reset
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.status(), 0x0A05);  // kEmberErrorRpcUnsupported
  }
  EXPECT_EQ(c.client.stale_replies(), 0u);
}

}  // namespace
}  // namespace ember::micro
