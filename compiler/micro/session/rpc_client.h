// The host end of ember's RPC (docs/rpc.md ("RPC messages")): one typed C++ method
// per operation, each a request/reply over a Session. One request is
// outstanding at a time; a reply whose op or seq does not match the request
// (a stale reply after a timeout) is discarded and the wait goes on. A
// non-zero device status becomes RpcError with the ember_error_t and the
// device's message; a malformed reply is RpcProtocolError. WRITE and READ
// are split so that every message fits the device's max_request /
// max_reply (from INFO, asked for on first need).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "micro/session/session.h"

namespace ember::micro {

enum class RpcOp : uint8_t {
  kPing = 0x01,
  kInfo = 0x02,
  kIoInfo = 0x03,
  kAlloc = 0x04,
  kFree = 0x05,
  kWrite = 0x06,
  kRead = 0x07,
  kCall = 0x08,
  kTime = 0x09,
  kRun = 0x0A,
  kTimeRun = 0x0B,
  kProfile = 0x0C,
  kOperators = 0x0D,
  kReset = 0x0E,
};
const char* RpcOpName(RpcOp op);  // "PING", "INFO", ...

enum class MemorySpace : uint8_t { kPool = 0, kInput = 1, kOutput = 2 };
enum class IoKind : uint8_t { kInput = 0, kOutput = 1 };

// The RPC ABI this client speaks (INFO's abi_version). 2: CALL and TIME
// carry each argument's dtype, checked by the device with its size.
inline constexpr uint32_t kRpcAbiVersion = 2;
// Request/reply limits assumed until INFO says otherwise (2048 - 3).
inline constexpr uint32_t kRpcDefaultMaxMessage = 2045;

// The device answered with a non-zero status.
class RpcError : public std::runtime_error {
 public:
  RpcError(RpcOp op, int32_t status, std::string device_message);
  RpcOp op() const { return op_; }
  int32_t status() const { return status_; }  // an ember_error_t
  const std::string& device_message() const { return device_message_; }

 private:
  RpcOp op_;
  int32_t status_;
  std::string device_message_;
};

// A reply that does not follow docs/rpc.md ("RPC messages") (too short, trailing
// bytes, an impossible count), or a request the host cannot send.
class RpcProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The device runs another model (or another build of it) than the artifact.
class DeviceMismatchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DeviceInfo {
  uint32_t abi_version = 0;
  uint32_t max_request = 0, max_reply = 0;
  uint32_t pool_bytes = 0;
  uint32_t ticks_per_second = 0;
  uint32_t num_inputs = 0, num_outputs = 0;
  uint32_t num_operators = 0, num_profile = 0;
  std::string ember_version, model_name, model_hash, platform;
};

// The element type of a CALL argument: DLPack's DLDataType, as
// ember/model_io.h's EMBER_DTYPE_* codes (0 int, 1 uint, 2 float, 6 bool).
struct DataType {
  uint8_t code = 0;
  uint8_t bits = 8;
  uint16_t lanes = 1;
  bool operator==(const DataType&) const = default;
};
// The DataType of a graph JSON dltype ("int8", "uint8", "int16", "int32",
// "int64", "float32", "bool"); nullopt for any other.
std::optional<DataType> ParseDataType(std::string_view dltype);

// One CALL/TIME argument: an ALLOC handle and the dtype the operator reads
// or writes there. The device refuses the call (kEmberErrorRpcArgMismatch)
// unless the dtype is the operator's and the allocation holds at least the
// operator's tensor.
struct CallArg {
  uint32_t handle = 0;
  DataType dtype;
};

struct IoInfo {
  uint32_t size = 0;
  std::string name;
};

struct ProfileEntry {
  uint32_t ticks = 0;
  std::string name;
};

struct OperatorInfo {
  std::string name;
  uint8_t num_inputs = 0, num_outputs = 0;
};

class RpcClient {
 public:
  // Talks over `session` (not owned; opened by the caller).
  explicit RpcClient(Session& session) : session_(session) {}

  DeviceInfo Info();  // also sets the limits used for splitting
  IoInfo GetIoInfo(IoKind kind, uint32_t index);
  uint32_t Alloc(uint32_t nbytes, uint32_t align = 0);
  void Free(uint32_t handle);
  // Bytes at (space, id, offset), in as many requests as the limits need.
  void Write(MemorySpace space, uint32_t id, uint32_t offset, std::span<const uint8_t> bytes);
  std::vector<uint8_t> Read(MemorySpace space, uint32_t id, uint32_t offset, uint32_t nbytes);
  // Calls the operator `name` with its arguments (inputs then outputs).
  void Call(std::string_view name, std::span<const CallArg> args);
  // `repeat` measurements of `number` calls each, in ticks; split into
  // several requests when one reply cannot hold them all.
  std::vector<uint32_t> Time(std::string_view name, std::span<const CallArg> args, uint32_t number,
                             uint32_t repeat);
  uint32_t Run();  // ticks of one ember_model.run()
  std::vector<uint32_t> TimeRun(uint32_t number, uint32_t repeat);
  std::vector<ProfileEntry> Profile();     // every entry, page by page
  std::vector<OperatorInfo> Operators();   // every entry, page by page
  // Asks the device to reset. The device replies first (or, on a port that
  // resets at once, not at all); its session then ends: SessionTerminatedError
  // on the next use, until Session::Reconnect(). RpcError when the device
  // cannot reset (kEmberErrorRpcUnsupported from the default platform hook).
  void Reset();
  std::vector<uint8_t> Ping(std::span<const uint8_t> bytes);

  // Replies discarded for a wrong op or seq (stale replies).
  uint64_t stale_replies() const { return stale_replies_; }
  uint32_t max_request() const { return max_request_; }
  uint32_t max_reply() const { return max_reply_; }

  // One raw request/reply: the reply's body after a zero status. Public for
  // tests and tools that speak ops this class does not wrap.
  std::string Transact(RpcOp op, std::string_view body);

 private:
  void EnsureLimits();
  std::vector<uint32_t> TimeRepeated(RpcOp op, const std::string& suffix, uint32_t number, uint32_t repeat);

  Session& session_;
  uint16_t next_seq_ = 1;
  bool have_limits_ = false;
  uint32_t max_request_ = kRpcDefaultMaxMessage;
  uint32_t max_reply_ = kRpcDefaultMaxMessage;
  uint64_t stale_replies_ = 0;
};

// Throws DeviceMismatchError unless the device runs `expected_model_name`
// with `expected_hash` (the artifact's ModelHash) and speaks
// kRpcAbiVersion; the message says what the device runs, what the artifact
// has, and to flash the project again.
void CheckDeviceIdentity(const DeviceInfo& info, std::string_view expected_model_name,
                         std::string_view expected_hash);

}  // namespace ember::micro
