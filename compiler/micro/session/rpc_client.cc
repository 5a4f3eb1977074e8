#include "micro/session/rpc_client.h"

#include <algorithm>
#include <cstdio>

#include "ember/error_codes.h"

namespace ember::micro {
namespace {

constexpr size_t kRequestHeader = 4;  // op, reserved, seq
constexpr size_t kReplyHeader = 8;    // op | 0x80, reserved, seq, status
constexpr size_t kAddressBytes = 9;   // space, id, offset of WRITE/READ

// Little-endian request encoding.
class Encoder {
 public:
  Encoder& U8(uint8_t v) {
    out_ += static_cast<char>(v);
    return *this;
  }
  Encoder& U16(uint16_t v) { return U8(static_cast<uint8_t>(v)).U8(static_cast<uint8_t>(v >> 8)); }
  Encoder& U32(uint32_t v) { return U16(static_cast<uint16_t>(v)).U16(static_cast<uint16_t>(v >> 16)); }
  Encoder& Str(std::string_view s) {
    if (s.size() > 0xFFFF) throw RpcProtocolError("a string of " + std::to_string(s.size()) + " bytes does not fit the RPC's u16 length");
    U16(static_cast<uint16_t>(s.size()));
    out_.append(s);
    return *this;
  }
  Encoder& Bytes(std::span<const uint8_t> b) {
    out_.append(reinterpret_cast<const char*>(b.data()), b.size());
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

// Little-endian reply decoding; every overrun is an RpcProtocolError naming
// the op.
class Decoder {
 public:
  Decoder(std::string_view data, RpcOp op) : data_(data), op_(op) {}
  uint8_t U8() { return static_cast<uint8_t>(Take(1)[0]); }
  uint16_t U16() {
    const auto b = Take(2);
    return static_cast<uint16_t>(static_cast<uint8_t>(b[0]) | (static_cast<uint8_t>(b[1]) << 8));
  }
  uint32_t U32() {
    const uint32_t lo = U16();
    return lo | (static_cast<uint32_t>(U16()) << 16);
  }
  std::string Str() { return std::string(Take(U16())); }
  std::string_view Rest() { return Take(data_.size() - pos_); }
  size_t left() const { return data_.size() - pos_; }
  void End() const {
    if (pos_ != data_.size()) {
      Fail(std::to_string(data_.size() - pos_) + " unexpected trailing bytes");
    }
  }
  [[noreturn]] void Fail(const std::string& why) const {
    throw RpcProtocolError(std::string("malformed ") + RpcOpName(op_) + " reply from the device (" +
                           std::to_string(data_.size()) + " bytes of body): " + why +
                           "; the firmware does not follow docs/rpc.md (RPC messages)");
  }

 private:
  std::string_view Take(size_t n) {
    if (n > data_.size() - pos_) {
      Fail("needs " + std::to_string(n) + " more bytes at offset " + std::to_string(pos_) + ", has " +
           std::to_string(data_.size() - pos_));
    }
    const std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  std::string_view data_;
  RpcOp op_;
  size_t pos_ = 0;
};

std::string StatusText(int32_t status) {
  char num[32];
  if (status < 0) {
    std::snprintf(num, sizeof num, "%d", status);
  } else {
    std::snprintf(num, sizeof num, "0x%04x", static_cast<unsigned>(status));
  }
  const char* name = ember_error_name(status);
  return (name != nullptr && *name != '\0') ? std::string(name) + " (" + num + ")" : std::string(num);
}

std::string AddressPrefix(MemorySpace space, uint32_t id, uint32_t offset) {
  Encoder e;
  e.U8(static_cast<uint8_t>(space)).U32(id).U32(offset);
  return e.str();
}

}  // namespace

std::optional<DataType> ParseDataType(std::string_view dltype) {
  struct Named {
    std::string_view name;
    DataType type;
  };
  static constexpr Named kTypes[] = {{"int8", {0, 8, 1}},   {"uint8", {1, 8, 1}},    {"int16", {0, 16, 1}},
                                     {"int32", {0, 32, 1}}, {"int64", {0, 64, 1}},   {"float32", {2, 32, 1}},
                                     {"bool", {6, 8, 1}}};
  for (const Named& t : kTypes)
    if (t.name == dltype) return t.type;
  return std::nullopt;
}

const char* RpcOpName(RpcOp op) {
  static const char* const kNames[] = {"PING",  "INFO", "IO_INFO",  "ALLOC",   "FREE",      "WRITE", "READ",
                                       "CALL",  "TIME", "RUN",      "TIME_RUN", "PROFILE", "OPERATORS", "RESET"};
  const auto i = static_cast<size_t>(op);
  return (i >= 1 && i <= std::size(kNames)) ? kNames[i - 1] : "UNKNOWN";
}

RpcError::RpcError(RpcOp op, int32_t status, std::string device_message)
    : std::runtime_error(std::string("the device failed ") + RpcOpName(op) + " with " + StatusText(status) +
                         (device_message.empty() ? "" : ": " + device_message)),
      op_(op),
      status_(status),
      device_message_(std::move(device_message)) {}

std::string RpcClient::Transact(RpcOp op, std::string_view body) {
  const uint16_t seq = next_seq_++;
  Encoder e;
  e.U8(static_cast<uint8_t>(op)).U8(0).U16(seq);
  std::string request = e.str();
  request.append(body);
  if (request.size() > max_request_) {
    throw RpcProtocolError(std::string(RpcOpName(op)) + " request of " + std::to_string(request.size()) +
                           " bytes exceeds the device's max_request of " + std::to_string(max_request_) + " bytes");
  }
  session_.Send(request);
  for (;;) {
    const std::string reply = session_.Receive();
    const bool ours = reply.size() >= kRequestHeader && static_cast<uint8_t>(reply[0]) == (static_cast<uint8_t>(op) | 0x80) &&
                      static_cast<uint8_t>(reply[2]) == (seq & 0xFF) && static_cast<uint8_t>(reply[3]) == (seq >> 8);
    if (!ours) {
      ++stale_replies_;
      continue;
    }
    Decoder d(std::string_view(reply).substr(kRequestHeader), op);
    const auto status = static_cast<int32_t>(d.U32());
    if (status != 0) {
      // The message is best effort: a garbled one must not hide the status.
      std::string message;
      if (d.left() >= 2) {
        Decoder m(d.Rest(), op);
        const uint16_t n = m.U16();
        message = std::string(m.Rest().substr(0, n));
      }
      throw RpcError(op, status, std::move(message));
    }
    return std::string(d.Rest());
  }
}

void RpcClient::EnsureLimits() {
  if (!have_limits_) Info();
}

DeviceInfo RpcClient::Info() {
  const std::string body = Transact(RpcOp::kInfo, {});
  Decoder d(body, RpcOp::kInfo);
  DeviceInfo info;
  info.abi_version = d.U32();
  info.max_request = d.U32();
  info.max_reply = d.U32();
  info.pool_bytes = d.U32();
  info.ticks_per_second = d.U32();
  info.num_inputs = d.U32();
  info.num_outputs = d.U32();
  info.num_operators = d.U32();
  info.num_profile = d.U32();
  info.ember_version = d.Str();
  info.model_name = d.Str();
  info.model_hash = d.Str();
  info.platform = d.Str();
  d.End();
  // The smallest useful request is a WRITE of one byte, the smallest reply
  // a READ of one byte or a TIME of one measurement.
  if (info.max_request < kRequestHeader + kAddressBytes + 1 || info.max_reply < kReplyHeader + 4) {
    d.Fail("max_request " + std::to_string(info.max_request) + " / max_reply " + std::to_string(info.max_reply) +
           " leave no room for data");
  }
  max_request_ = info.max_request;
  max_reply_ = info.max_reply;
  have_limits_ = true;
  return info;
}

IoInfo RpcClient::GetIoInfo(IoKind kind, uint32_t index) {
  Encoder e;
  e.U8(static_cast<uint8_t>(kind)).U32(index);
  const std::string body = Transact(RpcOp::kIoInfo, e.str());
  Decoder d(body, RpcOp::kIoInfo);
  IoInfo info;
  info.size = d.U32();
  info.name = d.Str();
  d.End();
  return info;
}

uint32_t RpcClient::Alloc(uint32_t nbytes, uint32_t align) {
  Encoder e;
  e.U32(nbytes).U32(align);
  const std::string body = Transact(RpcOp::kAlloc, e.str());
  Decoder d(body, RpcOp::kAlloc);
  const uint32_t handle = d.U32();
  d.End();
  return handle;
}

void RpcClient::Free(uint32_t handle) {
  Encoder e;
  e.U32(handle);
  Decoder(Transact(RpcOp::kFree, e.str()), RpcOp::kFree).End();
}

void RpcClient::Write(MemorySpace space, uint32_t id, uint32_t offset, std::span<const uint8_t> bytes) {
  EnsureLimits();
  const size_t chunk = max_request_ - kRequestHeader - kAddressBytes;
  size_t done = 0;
  do {
    const size_t n = std::min(chunk, bytes.size() - done);
    std::string request = AddressPrefix(space, id, offset + static_cast<uint32_t>(done));
    request += Encoder().Bytes(bytes.subspan(done, n)).str();
    Decoder(Transact(RpcOp::kWrite, request), RpcOp::kWrite).End();
    done += n;
  } while (done < bytes.size());
}

std::vector<uint8_t> RpcClient::Read(MemorySpace space, uint32_t id, uint32_t offset, uint32_t nbytes) {
  EnsureLimits();
  const uint32_t chunk = max_reply_ - static_cast<uint32_t>(kReplyHeader);
  std::vector<uint8_t> out;
  out.reserve(nbytes);
  uint32_t done = 0;
  do {
    const uint32_t n = std::min(chunk, nbytes - done);
    const std::string request = AddressPrefix(space, id, offset + done) + Encoder().U32(n).str();
    const std::string body = Transact(RpcOp::kRead, request);
    if (body.size() != n) {
      Decoder(body, RpcOp::kRead).Fail("asked for " + std::to_string(n) + " bytes, got " + std::to_string(body.size()));
    }
    out.insert(out.end(), body.begin(), body.end());
    done += n;
  } while (done < nbytes);
  return out;
}

namespace {

std::string CallBody(std::string_view name, std::span<const CallArg> args) {
  if (args.size() > 255) {
    throw RpcProtocolError("CALL of '" + std::string(name) + "' with " + std::to_string(args.size()) +
                           " arguments: the RPC carries at most 255");
  }
  Encoder e;
  e.Str(name).U8(static_cast<uint8_t>(args.size()));
  for (const CallArg& a : args) e.U32(a.handle).U8(a.dtype.code).U8(a.dtype.bits).U16(a.dtype.lanes);
  return e.str();
}

// `count` u32 tick values and nothing else.
std::vector<uint32_t> DecodeTicks(const std::string& body, RpcOp op, uint32_t count) {
  Decoder d(body, op);
  std::vector<uint32_t> ticks;
  for (uint32_t i = 0; i < count; ++i) ticks.push_back(d.U32());
  d.End();
  return ticks;
}

}  // namespace

void RpcClient::Call(std::string_view name, std::span<const CallArg> args) {
  Decoder(Transact(RpcOp::kCall, CallBody(name, args)), RpcOp::kCall).End();
}

// `repeat` measurements of `number` runs, in as many requests of `op` as
// max_reply needs; `suffix` follows number and repeat in each request.
std::vector<uint32_t> RpcClient::TimeRepeated(RpcOp op, const std::string& suffix, uint32_t number, uint32_t repeat) {
  EnsureLimits();
  const uint32_t per_reply = (max_reply_ - static_cast<uint32_t>(kReplyHeader)) / 4;
  std::vector<uint32_t> out;
  while (out.size() < repeat) {
    const uint32_t n = std::min<uint32_t>(per_reply, repeat - static_cast<uint32_t>(out.size()));
    const auto ticks = DecodeTicks(Transact(op, Encoder().U32(number).U32(n).str() + suffix), op, n);
    out.insert(out.end(), ticks.begin(), ticks.end());
  }
  return out;
}

std::vector<uint32_t> RpcClient::Time(std::string_view name, std::span<const CallArg> args, uint32_t number,
                                      uint32_t repeat) {
  return TimeRepeated(RpcOp::kTime, CallBody(name, args), number, repeat);
}

uint32_t RpcClient::Run() { return DecodeTicks(Transact(RpcOp::kRun, {}), RpcOp::kRun, 1)[0]; }

std::vector<uint32_t> RpcClient::TimeRun(uint32_t number, uint32_t repeat) {
  return TimeRepeated(RpcOp::kTimeRun, "", number, repeat);
}

namespace {

// Pages through a table (PROFILE, OPERATORS): asks from `start` until
// `total` entries came; `entry` decodes one.
template <typename T, typename DecodeEntry>
std::vector<T> FetchPaged(RpcClient& client, RpcOp op, DecodeEntry entry) {
  std::vector<T> out;
  for (;;) {
    const std::string body = client.Transact(op, Encoder().U32(static_cast<uint32_t>(out.size())).str());
    Decoder d(body, op);
    const uint32_t total = d.U32();
    const uint32_t count = d.U32();
    if (count > total - std::min<uint32_t>(total, static_cast<uint32_t>(out.size()))) {
      d.Fail(std::to_string(count) + " entries from index " + std::to_string(out.size()) + " of " +
             std::to_string(total));
    }
    for (uint32_t i = 0; i < count; ++i) out.push_back(entry(d));
    d.End();
    if (out.size() >= total) return out;
    if (count == 0) d.Fail("no entries although " + std::to_string(total - out.size()) + " are left");
  }
}

}  // namespace

std::vector<ProfileEntry> RpcClient::Profile() {
  return FetchPaged<ProfileEntry>(*this, RpcOp::kProfile, [](Decoder& d) {
    ProfileEntry e;
    e.ticks = d.U32();
    e.name = d.Str();
    return e;
  });
}

std::vector<OperatorInfo> RpcClient::Operators() {
  return FetchPaged<OperatorInfo>(*this, RpcOp::kOperators, [](Decoder& d) {
    OperatorInfo e;
    e.name = d.Str();
    e.num_inputs = d.U8();
    e.num_outputs = d.U8();
    return e;
  });
}

void RpcClient::Reset() {
  try {
    Decoder(Transact(RpcOp::kReset, {}), RpcOp::kReset).End();
  } catch (const SessionTerminatedError&) {
    // A port may reset at once, before any reply: the new boot's
    // TerminateSession is then the answer. The session stays terminated.
  }
}

std::vector<uint8_t> RpcClient::Ping(std::span<const uint8_t> bytes) {
  const std::string body = Transact(RpcOp::kPing, Encoder().Bytes(bytes).str());
  return std::vector<uint8_t>(body.begin(), body.end());
}

void CheckDeviceIdentity(const DeviceInfo& info, std::string_view expected_model_name,
                         std::string_view expected_hash) {
  if (info.abi_version != kRpcAbiVersion) {
    throw DeviceMismatchError("the device speaks RPC ABI version " + std::to_string(info.abi_version) +
                              " (ember " + info.ember_version + ") but this host speaks version " +
                              std::to_string(kRpcAbiVersion) +
                              "; regenerate and flash the project again with this ember");
  }
  if (info.model_name == expected_model_name && info.model_hash == expected_hash) return;
  // A device whose max_reply is too small for INFO cuts its strings.
  const std::string cut = info.model_hash.size() < expected_hash.size()
                              ? " (its INFO reply may have been cut to max_reply = " +
                                    std::to_string(info.max_reply) + " bytes)"
                              : "";
  throw DeviceMismatchError("the device runs model '" + info.model_name + "' (hash " + info.model_hash + ")" + cut +
                            " but the artifact has model '" + std::string(expected_model_name) + "' (hash " +
                            std::string(expected_hash) +
                            "); build and flash the project again (ember micro build PROJECT_DIR, then ember micro flash "
                            "PROJECT_DIR) so that the device runs this artifact's model");
}

}  // namespace ember::micro
