#include "micro/project_api/server.h"

#include <cxxabi.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <typeinfo>
#include <utility>
#include <vector>

#include "micro/project_api/base85.h"
#include "support/json_text.h"

namespace ember::micro {
namespace {

// The handler interface's parameters, in declaration order, with the
// Python type microTVM's handler declares for each. Every parameter is
// type-checked before the handler runs (microTVM checks only build, flash
// and close_transport, and lets the others fail inside the call with
// -32000): a wrong type is always -32602 with microTVM's message.
enum class ParamType { kStr, kDict, kInt, kTimeout, kBase85 };

struct MethodSpec {
  const char* name;
  std::vector<std::pair<const char*, ParamType>> params;
};

const std::vector<MethodSpec>& Methods() {
  static const std::vector<MethodSpec> kMethods = {
      {"server_info_query", {{"tvm_version", ParamType::kStr}}},
      {"generate_project",
       {{"model_library_format_path", ParamType::kStr},
        {"standalone_crt_dir", ParamType::kStr},
        {"project_dir", ParamType::kStr},
        {"options", ParamType::kDict}}},
      {"build", {{"options", ParamType::kDict}}},
      {"flash", {{"options", ParamType::kDict}}},
      {"open_transport", {{"options", ParamType::kDict}}},
      {"close_transport", {}},
      {"read_transport", {{"n", ParamType::kInt}, {"timeout_sec", ParamType::kTimeout}}},
      {"write_transport", {{"data", ParamType::kBase85}, {"timeout_sec", ParamType::kTimeout}}},
  };
  return kMethods;
}

[[noreturn]] void InvalidParams(const std::string& message) {
  throw JsonRpcError(static_cast<int>(ErrorCode::kInvalidParams), message);
}

// "want <class 'dict'>" and the like: Python's name of what `type` accepts.
const char* Want(ParamType type) {
  switch (type) {
    case ParamType::kStr: return "<class 'str'>";
    case ParamType::kDict: return "<class 'dict'>";
    case ParamType::kInt: return "<class 'int'>";
    case ParamType::kTimeout: return "<class 'float'> or None";
    case ParamType::kBase85: return "<class 'str'> (base85)";
  }
  return "";
}

bool HasType(const Json& v, ParamType type) {
  switch (type) {
    case ParamType::kStr:
    case ParamType::kBase85: return v.is_string();
    case ParamType::kDict: return v.is_object();
    case ParamType::kInt: return v.is_number_integer();
    case ParamType::kTimeout: return v.is_null() || v.is_number();
  }
  return false;
}

// Checks presence and type of every parameter, then rejects extras, with
// microTVM's messages.
void CheckParams(const MethodSpec& spec, const Json& params) {
  for (const auto& [name, type] : spec.params) {
    if (!params.contains(name)) {
      InvalidParams(std::string("method ") + spec.name + ": parameter " + name + " not given");
    }
    if (!HasType(params[name], type)) {
      InvalidParams(std::string("method ") + spec.name + ": parameter " + name + ": want " + Want(type) + ", got " +
                    PyTypeName(params[name]));
    }
  }
  std::string extras;
  for (const auto& [key, value] : params.items()) {
    bool known = false;
    for (const auto& p : spec.params) known = known || key == p.first;
    if (!known) extras += (extras.empty() ? "" : ", ") + key;
  }
  if (!extras.empty()) InvalidParams(std::string(spec.name) + ": extra parameters: " + extras);
}

// read_transport's n (an integer, by CheckParams): at least 1; a larger n
// than kMaxTransportChunkBytes asks for that many (a read returns 1..n).
int64_t ReadSizeParam(const Json& params) {
  const Json& n = params["n"];
  // JSON numbers >= 0 parse as unsigned, negative ones as signed.
  if (n.is_number_unsigned() && n.get<uint64_t>() >= 1) {
    return static_cast<int64_t>(std::min<uint64_t>(n.get<uint64_t>(), kMaxTransportChunkBytes));
  }
  if (n.is_number_unsigned() || n.get<int64_t>() < 1) {
    InvalidParams("method read_transport: parameter n: want at least 1 byte, got " + n.dump());
  }
  return std::min(n.get<int64_t>(), kMaxTransportChunkBytes);
}

// timeout_sec (null or a number, by CheckParams): null blocks; negative is
// refused; a value beyond kMaxTimeoutSec (or inf) waits kMaxTimeoutSec.
std::optional<double> TimeoutParam(const std::string& method, const Json& params) {
  const Json& t = params["timeout_sec"];
  if (t.is_null()) return std::nullopt;
  const double v = t.get<double>();
  if (std::isnan(v) || v < 0) {
    InvalidParams("method " + method + ": parameter timeout_sec: want a number >= 0 or None, got " + t.dump());
  }
  return std::min(v, kMaxTimeoutSec);
}

std::string Demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && d ? std::string(d.get()) : std::string(name);
}

}  // namespace

Json ProjectApiServer::Dispatch(const std::string& method, const Json& params) {
  const MethodSpec* spec = nullptr;
  for (const MethodSpec& m : Methods()) spec = method == m.name ? &m : spec;
  if (!spec) throw JsonRpcError(static_cast<int>(ErrorCode::kMethodNotFound), method + ": no such method");
  CheckParams(*spec, params);
  if (method == "server_info_query") return handler_.ServerInfoQuery(params["tvm_version"].get<std::string>()).ToJson();
  if (method == "generate_project") {
    handler_.GenerateProject(params["model_library_format_path"].get<std::string>(),
                             params["standalone_crt_dir"].get<std::string>(), params["project_dir"].get<std::string>(),
                             params["options"]);
    return nullptr;
  }
  if (method == "build") return handler_.Build(params["options"]), nullptr;
  if (method == "flash") return handler_.Flash(params["options"]), nullptr;
  if (method == "open_transport") {
    Json result = Json::object();
    result["timeouts"] = handler_.OpenTransport(params["options"]).ToJson();
    return result;
  }
  if (method == "close_transport") return handler_.CloseTransport(), nullptr;
  if (method == "read_transport") {
    const int64_t n = ReadSizeParam(params);
    const std::string bytes = handler_.ReadTransport(n, TimeoutParam(method, params));
    Json result = Json::object();
    result["data"] = B85Encode(bytes);
    return result;
  }
  // write_transport
  std::string error;
  const std::optional<std::string> bytes = B85Decode(params["data"].get<std::string>(), &error);
  if (!bytes) InvalidParams("method write_transport: parameter data: " + error);
  handler_.WriteTransport(*bytes, TimeoutParam(method, params));
  return nullptr;
}

bool ProjectApiServer::WriteReply(const Json& reply) {
  const std::string text = DumpJson(reply);
  if (debug_) std::cerr << "project api server: reply " << text << "\n";
  if (WriteAll(write_fd_, text + "\n")) return true;
  std::cerr << "project api server: could not write the reply: " << std::strerror(errno) << "\n";
  return false;
}

bool ProjectApiServer::ServeOneRequest() {
  std::string line;
  const LineReader::Result r = reader_.ReadLine(&line, std::nullopt);
  if (r == LineReader::Result::kTooLong) {
    // Dropped as it came (never held whole); the next line is a new request.
    std::cerr << "project api server: dropped a request line longer than " << LineReader::kMaxLineBytes << " bytes\n";
    Json reply = Json::object();
    reply["jsonrpc"] = "2.0";
    reply["id"] = nullptr;
    reply["error"] = JsonRpcError(static_cast<int>(ErrorCode::kInvalidRequest),
                                  "request: a line longer than " + std::to_string(LineReader::kMaxLineBytes) +
                                      " bytes; it was discarded (send transport data in smaller writes)")
                         .ToJson();
    return WriteReply(reply);
  }
  if (r != LineReader::Result::kLine) {
    if (r == LineReader::Result::kError) std::cerr << "project api server: could not read a request\n";
    return false;
  }
  if (debug_) std::cerr << "project api server: request " << line << "\n";
  const Json request = ParseJsonText<Json>(line);
  if (request.is_discarded()) {
    std::cerr << "project api server: request is not JSON; stopping: " << line.substr(0, 200) << "\n";
    return false;
  }
  Json reply = Json::object();
  reply["jsonrpc"] = "2.0";
  try {
    ValidateRequestEnvelope(request);
  } catch (const JsonRpcError& e) {
    reply["id"] = nullptr;
    reply["error"] = e.ToJson();
    WriteReply(reply);
    return false;
  }
  reply["id"] = request.contains("id") ? request["id"] : Json(nullptr);
  const std::string method = request["method"].get<std::string>();
  try {
    reply["result"] = Dispatch(method, request["params"]);
  } catch (const ServerError& e) {
    Json err = e.ToJson();
    if (err["data"].is_null()) err["data"] = Json{{"traceback", Demangle(typeid(e).name()) + ": " + e.message()}};
    reply["error"] = err;
  } catch (const JsonRpcError& e) {
    reply["error"] = e.ToJson();
  } catch (const std::exception& e) {
    reply["error"] = ServerError("calling method " + method,
                                 Json{{"traceback", Demangle(typeid(e).name()) + ": " + e.what()}})
                         .ToJson();
  }
  return WriteReply(reply);
}

void ProjectApiServer::Serve() {
  while (ServeOneRequest()) {
  }
}

int ServerMain(ProjectApiHandler& handler, int argc, char** argv) {
  int read_fd = -1, write_fd = -1;
  bool debug = false, bad = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--debug") {
      debug = true;
    } else if ((a == "--read-fd" || a == "--write-fd") && i + 1 < argc) {
      char* end = nullptr;
      const long v = std::strtol(argv[++i], &end, 10);
      bad = bad || *end != '\0' || v < 0 || v > (1 << 20);
      (a == "--read-fd" ? read_fd : write_fd) = static_cast<int>(v);
    } else {
      bad = true;
    }
  }
  if (bad || read_fd < 0 || write_fd < 0) {
    std::cerr << "usage: " << (argc > 0 ? argv[0] : "server") << " --read-fd N --write-fd M [--debug]\n";
    return 2;
  }
  ProjectApiServer(handler, read_fd, write_fd, debug).Serve();
  return 0;
}

}  // namespace ember::micro
