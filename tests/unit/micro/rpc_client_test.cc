// RpcClient against a scripted device (a C++ function behind the device's
// own C session code): request encoding, splitting to the device's limits,
// paging, stale replies, device errors, malformed replies and the identity
// check. Expected request bytes are written out by hand from
// docs/rpc.md ("RPC messages").
#include "micro/session/rpc_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "micro/session/in_process_device.h"

namespace ember::micro {
namespace {

std::string U32(uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
}
std::string U16(uint16_t v) { return {static_cast<char>(v), static_cast<char>(v >> 8)}; }
std::string Str(const std::string& s) { return U16(static_cast<uint16_t>(s.size())) + s; }
uint32_t GetU32(std::string_view b, size_t at) {
  return static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8 | static_cast<uint8_t>(b[at + 2]) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}

// A scripted device: records requests; INFO, WRITE/READ of input 0, TIME,
// PROFILE and OPERATORS follow the spec, with limits the test chooses.
struct ScriptedDevice {
  uint32_t max_request = 2045, max_reply = 2045;
  uint32_t page = 2;  // entries per PROFILE/OPERATORS reply
  std::string memory = std::string(1000, '\0');
  std::vector<std::string> requests;
  std::function<std::optional<std::string>(std::string_view)> override_reply;

  static std::string Ok(std::string_view req, const std::string& body) {
    return std::string{static_cast<char>(req[0] | 0x80), 0, req[2], req[3]} + U32(0) + body;
  }
  std::string Info(std::string_view req, const std::string& hash = "0123456789abcdef") const {
    return Ok(req, U32(2) + U32(max_request) + U32(max_reply) + U32(4096) + U32(1000) + U32(1) + U32(1) + U32(3) +
                       U32(5) + Str("0.1.0") + Str("kws") + Str(hash) + Str("host"));
  }
  std::string Page(std::string_view req, bool profile) const {
    const uint32_t start = GetU32(req, 4), total = 5, count = std::min(page, total - start);
    std::string body = U32(total) + U32(count);
    for (uint32_t i = start; i < start + count; ++i) {
      const std::string name = "node" + std::to_string(i);
      body += profile ? U32(100 + i) + Str(name) : Str(name) + std::string{1, 2};
    }
    return Ok(req, body);
  }
  std::optional<std::string> Serve(std::string_view req) {
    requests.emplace_back(req);
    if (override_reply) {
      if (auto r = override_reply(req)) return r;
    }
    switch (static_cast<RpcOp>(req[0])) {
      case RpcOp::kInfo: return Info(req);
      case RpcOp::kWrite: memory.replace(GetU32(req, 9), req.size() - 13, req.substr(13)); return Ok(req, "");
      case RpcOp::kRead: return Ok(req, memory.substr(GetU32(req, 9), GetU32(req, 13)));
      case RpcOp::kTime: {
        std::string ticks;
        for (uint32_t i = 0; i < GetU32(req, 8); ++i) ticks += U32(7 * (i + 1));
        return Ok(req, ticks);
      }
      case RpcOp::kIoInfo: return Ok(req, U32(12) + Str("y"));
      case RpcOp::kAlloc: return Ok(req, U32(64));
      case RpcOp::kRun: return Ok(req, U32(9));
      case RpcOp::kProfile: return Page(req, true);
      case RpcOp::kOperators: return Page(req, false);
      default: return Ok(req, "");
    }
  }
};

struct Fixture {
  InProcessTransport link{nullptr, TransportTimeouts{0, 1, 0.2}};
  ScriptedDevice script;
  InProcessSessionDevice device{link, [this](std::string_view r) { return script.Serve(r); }};
  Session session{link, [] {
                    SessionOptions o;
                    o.device_log = nullptr;
                    return o;
                  }()};
  RpcClient client{session};
  Fixture() { session.Open(); }
};

TEST(RpcClientTest, InfoDecodesEveryField) {
  Fixture f;
  const DeviceInfo info = f.client.Info();
  EXPECT_EQ(f.script.requests.at(0), std::string("\x02\x00\x01\x00", 4));  // op, reserved, seq 1
  EXPECT_EQ(info.abi_version, 2u);
  EXPECT_EQ(info.pool_bytes, 4096u);
  EXPECT_EQ(info.ticks_per_second, 1000u);
  EXPECT_EQ(info.num_operators, 3u);
  EXPECT_EQ(info.num_profile, 5u);
  EXPECT_EQ(info.ember_version, "0.1.0");
  EXPECT_EQ(info.model_name, "kws");
  EXPECT_EQ(info.model_hash, "0123456789abcdef");
  EXPECT_EQ(info.platform, "host");
}

TEST(RpcClientTest, RequestsAreEncodedAsSpecified) {
  Fixture f;
  const CallArg args[] = {{16, *ParseDataType("int8")}, {0x100, *ParseDataType("float32")}};
  f.client.Call("conv", args);
  const IoInfo io = f.client.GetIoInfo(IoKind::kOutput, 2);
  EXPECT_EQ(io.size, 12u);
  EXPECT_EQ(io.name, "y");
  EXPECT_EQ(f.client.Alloc(300, 8), 64u);
  f.client.Free(64);
  EXPECT_EQ(f.client.Run(), 9u);
  ASSERT_EQ(f.script.requests.size(), 5u);
  // name, nargs, then (u32 handle, u8 code, u8 bits, u16 lanes) per argument.
  EXPECT_EQ(f.script.requests[0], std::string("\x08\x00\x01\x00\x04\x00" "conv" "\x02"
                                              "\x10\x00\x00\x00" "\x00\x08\x01\x00"
                                              "\x00\x01\x00\x00" "\x02\x20\x01\x00", 27));
  EXPECT_EQ(f.script.requests[1], std::string("\x03\x00\x02\x00\x01\x02\x00\x00\x00", 9));
  EXPECT_EQ(f.script.requests[2], std::string("\x04\x00\x03\x00\x2c\x01\x00\x00\x08\x00\x00\x00", 12));
  EXPECT_EQ(f.script.requests[3], std::string("\x05\x00\x04\x00\x40\x00\x00\x00", 8));
  EXPECT_EQ(f.script.requests[4], std::string("\x0a\x00\x05\x00", 4));
}

TEST(RpcClientTest, DataTypesAreDLPacks) {
  EXPECT_EQ(ParseDataType("int8"), (DataType{0, 8, 1}));
  EXPECT_EQ(ParseDataType("uint8"), (DataType{1, 8, 1}));
  EXPECT_EQ(ParseDataType("int32"), (DataType{0, 32, 1}));
  EXPECT_EQ(ParseDataType("float32"), (DataType{2, 32, 1}));
  EXPECT_EQ(ParseDataType("bool"), (DataType{6, 8, 1}));
  EXPECT_EQ(ParseDataType("float16"), std::nullopt);
  EXPECT_EQ(ParseDataType("int8x4"), std::nullopt);
}

TEST(RpcClientTest, WriteAndReadAreSplitToTheDeviceLimits) {
  Fixture f;
  f.script.max_request = 64;  // 64 - 4 - 9 = 51 data bytes per WRITE
  f.script.max_reply = 40;    // 40 - 8 = 32 data bytes per READ
  std::vector<uint8_t> data(200);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i ^ 0x5a);
  f.client.Write(MemorySpace::kInput, 0, 10, data);
  // INFO first (the limits), then 51 + 51 + 51 + 47 bytes at offsets 10, 61, 112, 163.
  ASSERT_EQ(f.script.requests.size(), 5u);
  const uint32_t offsets[] = {10, 61, 112, 163}, sizes[] = {51, 51, 51, 47};
  for (int i = 0; i < 4; ++i) {
    const std::string& r = f.script.requests[1 + i];
    EXPECT_LE(r.size(), 64u);
    EXPECT_EQ(r[4], 1) << "space";
    EXPECT_EQ(GetU32(r, 9), offsets[i]);
    EXPECT_EQ(r.size() - 13, sizes[i]);
  }
  EXPECT_EQ(f.client.Read(MemorySpace::kInput, 0, 10, 200), data);
  // 32 * 6 + 8: seven READs.
  EXPECT_EQ(f.script.requests.size(), 5u + 7u);
  EXPECT_EQ(GetU32(f.script.requests.back(), 13), 8u);
}

TEST(RpcClientTest, TimeIsSplitWhenOneReplyCannotHoldEveryMeasurement) {
  Fixture f;
  f.script.max_reply = 40;  // (40 - 8) / 4 = 8 measurements per reply
  const CallArg args[] = {{0, DataType{}}};
  const auto ticks = f.client.Time("op", args, 3, 20);
  ASSERT_EQ(ticks.size(), 20u);
  EXPECT_EQ(ticks[0], 7u);
  EXPECT_EQ(ticks[8], 7u);   // the second request's first
  EXPECT_EQ(ticks[19], 28u); // the third request's fourth
  ASSERT_EQ(f.script.requests.size(), 4u);  // INFO + 8 + 8 + 4
  EXPECT_EQ(GetU32(f.script.requests[1], 4), 3u);  // number
  EXPECT_EQ(GetU32(f.script.requests[3], 8), 4u);  // repeat
}

TEST(RpcClientTest, ProfileAndOperatorsArePaged) {
  Fixture f;
  const auto profile = f.client.Profile();
  ASSERT_EQ(profile.size(), 5u);
  EXPECT_EQ(profile[4].name, "node4");
  EXPECT_EQ(profile[4].ticks, 104u);
  ASSERT_EQ(f.script.requests.size(), 3u);  // from 0, 2, 4
  EXPECT_EQ(GetU32(f.script.requests[2], 4), 4u);
  const auto ops = f.client.Operators();
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_EQ(ops[1].name, "node1");
  EXPECT_EQ(ops[1].num_inputs, 1);
  EXPECT_EQ(ops[1].num_outputs, 2);
}

TEST(RpcClientTest, StaleRepliesAreDiscarded) {
  Fixture f;
  f.script.override_reply = [&](std::string_view req) -> std::optional<std::string> {
    if (req[0] != static_cast<char>(RpcOp::kPing)) return std::nullopt;
    std::string wrong_seq = ScriptedDevice::Ok(req, "old");
    wrong_seq[2] = static_cast<char>(wrong_seq[2] + 1);
    std::string wrong_op = ScriptedDevice::Ok(req, "other");
    wrong_op[0] = static_cast<char>(0x80 | 0x07);
    f.device.SendNormal(wrong_seq);
    f.device.SendNormal(wrong_op);
    f.device.SendNormal("\x81");  // shorter than an envelope
    return ScriptedDevice::Ok(req, std::string(req.substr(4)));
  };
  const std::vector<uint8_t> bytes = {1, 2, 0xff};
  EXPECT_EQ(f.client.Ping(bytes), bytes);
  EXPECT_EQ(f.client.stale_replies(), 3u);
}

TEST(RpcClientTest, DeviceStatusBecomesRpcError) {
  Fixture f;
  f.script.override_reply = [](std::string_view req) -> std::optional<std::string> {
    return std::string{static_cast<char>(req[0] | 0x80), 0, req[2], req[3]} + U32(0x0A02) + Str("past the end");
  };
  try {
    f.client.Free(5);
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.op(), RpcOp::kFree);
    EXPECT_EQ(e.status(), 0x0A02);
    EXPECT_EQ(e.device_message(), "past the end");
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("the device failed FREE with ", 0), 0u) << what;
    EXPECT_NE(what.find("0x0a02"), std::string::npos) << what;
    EXPECT_NE(what.find(": past the end"), std::string::npos) << what;
  }
}

TEST(RpcClientTest, MalformedRepliesAreProtocolErrors) {
  Fixture f;
  f.script.override_reply = [](std::string_view req) -> std::optional<std::string> {
    if (req[0] == static_cast<char>(RpcOp::kAlloc)) return ScriptedDevice::Ok(req, "\x01\x02");  // u32 cut short
    if (req[0] == static_cast<char>(RpcOp::kFree)) return ScriptedDevice::Ok(req, "x");          // trailing byte
    return std::nullopt;
  };
  EXPECT_THROW(f.client.Alloc(4), RpcProtocolError);
  try {
    f.client.Free(0);
    FAIL();
  } catch (const RpcProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("malformed FREE reply"), std::string::npos) << e.what();
  }
  const std::string long_name(3000, 'n');
  EXPECT_THROW(f.client.Call(long_name, {}), RpcProtocolError);  // larger than max_request
}

TEST(RpcClientTest, IdentityCheckSaysWhatRunsAndWhatToDo) {
  DeviceInfo info;
  info.abi_version = 2;
  info.model_name = "kws";
  info.model_hash = "00000000000000aa";
  EXPECT_NO_THROW(CheckDeviceIdentity(info, "kws", "00000000000000aa"));
  try {
    CheckDeviceIdentity(info, "vww", "00000000000000bb");
    FAIL();
  } catch (const DeviceMismatchError& e) {
    EXPECT_EQ(std::string(e.what()),
              "the device runs model 'kws' (hash 00000000000000aa) but the artifact has model 'vww' (hash "
              "00000000000000bb); build and flash the project again (ember micro build PROJECT_DIR, then ember "
              "micro flash PROJECT_DIR) so that the device runs this artifact's model");
  }
  EXPECT_THROW(CheckDeviceIdentity(info, "kws", "00000000000000ab"), DeviceMismatchError);
  info.abi_version = 1;  // a firmware whose CALL carries no dtypes
  EXPECT_THROW(CheckDeviceIdentity(info, "kws", "00000000000000aa"), DeviceMismatchError);
}

}  // namespace
}  // namespace ember::micro
