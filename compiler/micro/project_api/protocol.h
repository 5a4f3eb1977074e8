// The Project API wire protocol, version 1 (microTVM's, reproduced exactly):
// newline-delimited JSON-RPC 2.0 over two pipes, one request outstanding at a
// time. This header holds the message data structures, the error classes both
// sides share, and the server-side request validation. docs/project-api.md
// describes the protocol; the fact sheet it follows is microTVM's server.py.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ember::micro {

// Keys keep insertion order on output, as Python's json.dumps does.
using Json = nlohmann::ordered_json;

inline constexpr int kProtocolVersion = 1;

// The most bytes one read_transport returns: a larger n is served as this
// (a read returns 1..n bytes), so a request never makes a server allocate
// more. ember's client also writes at most this much per write_transport.
// Either in base85 fits LineReader::kMaxLineBytes with room to spare.
inline constexpr int64_t kMaxTransportChunkBytes = int64_t{1} << 20;

// JSON-RPC error codes. Only these six may appear on the wire (microTVM's
// client asserts on any other code).
enum class ErrorCode : int {
  kServerError = -32000,
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
};

// --- Errors carried on the wire -------------------------------------------

// A JSON-RPC error object {"code", "message", "data"}. what() is microTVM's
// str(err): "<context>: JSON-RPC error # <code>: <message>" followed by
// "\n<traceback>" when data carries one.
class JsonRpcError : public std::runtime_error {
 public:
  JsonRpcError(int code, std::string message, Json data = nullptr, std::string client_context = "");
  int code() const { return code_; }
  const std::string& message() const { return message_; }
  const Json& data() const { return data_; }
  const std::string& client_context() const { return client_context_; }
  Json ToJson() const;  // {"code", "message", "data"}

 private:
  int code_;
  std::string message_;
  Json data_;
  std::string client_context_;
};

// What the server said, without the client's prefix: "calling method M:
// JSON-RPC error # C: TEXT" (a message or traceback) → TEXT. For reports to
// the user (the CLI's and the Python package's).
std::string ServerErrorText(const JsonRpcError& e);

// Code -32000. A handler throws ServerError (or a subclass) to report failure;
// for a subclass the message is the class name, which is how the client
// recreates the same class.
class ServerError : public JsonRpcError {
 public:
  ServerError(std::string message, Json data = nullptr, std::string client_context = "")
      : JsonRpcError(static_cast<int>(ErrorCode::kServerError), std::move(message), std::move(data),
                     std::move(client_context)) {}
};

// Nothing (read) or not everything (write) could be transferred in time.
class IoTimeoutError : public ServerError {
 public:
  explicit IoTimeoutError(Json data = nullptr, std::string client_context = "")
      : ServerError("IoTimeoutError", std::move(data), std::move(client_context)) {}
};

// The device side of the transport closed (EOF or I/O failure).
class TransportClosedError : public ServerError {
 public:
  explicit TransportClosedError(Json data = nullptr, std::string client_context = "")
      : ServerError("TransportClosedError", std::move(data), std::move(client_context)) {}
};

// The server does not support the client's (TVM) version string.
class UnsupportedTvmVersionError : public ServerError {
 public:
  explicit UnsupportedTvmVersionError(Json data = nullptr, std::string client_context = "")
      : ServerError("UnsupportedTVMVersionError", std::move(data), std::move(client_context)) {}
};

// Rebuilds the error class from a reply's error object: code -32000 with a
// message naming a ServerError subclass gives that subclass; other -32000 give
// ServerError; any other code gives JsonRpcError. Throws it.
[[noreturn]] void ThrowFromJson(const Json& error, const std::string& client_context);

// --- Client-side errors (never on the wire) --------------------------------

class ProjectApiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The server closed its end (it exited or crashed); the client is shut down.
class ConnectionShutdownError : public ProjectApiError {
  using ProjectApiError::ProjectApiError;
};
class MalformedReplyError : public ProjectApiError {
  using ProjectApiError::ProjectApiError;
};
class MismatchedIdError : public ProjectApiError {
  using ProjectApiError::ProjectApiError;
};
class ProjectApiServerNotFoundError : public ProjectApiError {
  using ProjectApiError::ProjectApiError;
};
class UnsupportedProtocolVersionError : public ProjectApiError {
  using ProjectApiError::ProjectApiError;
};

// --- Data structures --------------------------------------------------------

// One option a template accepts. Serialized with all seven keys in this order
// (absent values as null), which clients such as tvmc rely on.
struct ProjectOption {
  std::string name;
  std::optional<std::vector<Json>> choices;
  Json default_value = nullptr;                     // key "default"
  std::string type;                                 // "bool", "str" or "int"
  std::optional<std::vector<std::string>> required;  // method names needing it
  std::optional<std::vector<std::string>> optional;  // method names accepting it
  std::string help;

  Json ToJson() const;
  static ProjectOption FromJson(const Json& j);  // throws MalformedReplyError
};

struct ServerInfo {
  std::string platform_name;
  bool is_template = false;
  std::optional<std::string> model_library_format_path;
  std::vector<ProjectOption> project_options;
  int protocol_version = kProtocolVersion;

  Json ToJson() const;
  static ServerInfo FromJson(const Json& j);  // throws MalformedReplyError
};

// Reply of open_transport (seconds; 0 means "never"/"forever", see the docs).
struct TransportTimeouts {
  double session_start_retry_timeout_sec = 0;
  double session_start_timeout_sec = 0;
  double session_established_timeout_sec = 0;

  Json ToJson() const;
  static TransportTimeouts FromJson(const Json& j);  // throws MalformedReplyError
};

// --- Server-side validation --------------------------------------------------

// Checks the request envelope in microTVM's order (dict, jsonrpc, method type,
// method name regex, params, id) and throws a kInvalidRequest JsonRpcError with
// microTVM's message on the first violation.
void ValidateRequestEnvelope(const Json& request);

// Python repr() of a JSON value (1, 1.0, 'str', None, True, {'a': 1}, [1]) and
// its Python type as "<class 'int'>"; the validation messages quote them.
std::string PyRepr(const Json& v);
std::string PyTypeName(const Json& v);

}  // namespace ember::micro
