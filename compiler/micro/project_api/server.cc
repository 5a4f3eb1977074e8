#include "micro/project_api/server.h"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <typeinfo>
#include <utility>
#include <vector>

#include "micro/project_api/base85.h"

namespace ember::micro {
namespace {

// The handler interface's parameters, in declaration order. Methods that
// microTVM pre-processes (hooked) skip the isinstance check of their params;
// the others (build, flash, close_transport) check each against `type`.
struct MethodSpec {
  const char* name;
  std::vector<std::pair<const char*, const char*>> params;  // name, Python type ("dict")
  bool hooked;
};

const std::vector<MethodSpec>& Methods() {
  static const std::vector<MethodSpec> kMethods = {
      {"server_info_query", {{"tvm_version", "str"}}, true},
      {"generate_project",
       {{"model_library_format_path", "Path"}, {"standalone_crt_dir", "Path"}, {"project_dir", "Path"},
        {"options", "dict"}},
       true},
      {"build", {{"options", "dict"}}, false},
      {"flash", {{"options", "dict"}}, false},
      {"open_transport", {{"options", "dict"}}, true},
      {"close_transport", {}, false},
      {"read_transport", {{"n", "int"}, {"timeout_sec", "float"}}, true},
      {"write_transport", {{"data", "bytes"}, {"timeout_sec", "float"}}, true},
  };
  return kMethods;
}

[[noreturn]] void InvalidParams(const std::string& message) {
  throw JsonRpcError(static_cast<int>(ErrorCode::kInvalidParams), message);
}

// Checks presence (and, for non-hooked methods, type) of every parameter,
// then rejects extras, with microTVM's messages.
void CheckParams(const MethodSpec& spec, const Json& params) {
  for (const auto& [name, type] : spec.params) {
    if (!params.contains(name)) {
      InvalidParams(std::string("method ") + spec.name + ": parameter " + name + " not given");
    }
    if (!spec.hooked && std::strcmp(type, "dict") == 0 && !params[name].is_object()) {
      InvalidParams(std::string("method ") + spec.name + ": parameter " + name + ": want <class 'dict'>, got " +
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

// Hooked parameters are converted here; a wrong type is a handler-level
// failure (as in microTVM, where the conversion raises inside the call).
std::string StringParam(const Json& params, const char* name) {
  if (!params[name].is_string()) throw std::invalid_argument(std::string("parameter ") + name + ": want str, got " + PyTypeName(params[name]));
  return params[name].get<std::string>();
}

std::optional<double> TimeoutParam(const Json& params) {
  const Json& t = params["timeout_sec"];
  if (t.is_null()) return std::nullopt;
  if (!t.is_number()) throw std::invalid_argument("parameter timeout_sec: want float or None, got " + PyTypeName(t));
  return t.get<double>();
}

const Json& OptionsParam(const Json& params) {
  if (!params["options"].is_object()) throw std::invalid_argument("parameter options: want dict, got " + PyTypeName(params["options"]));
  return params["options"];
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
  if (method == "server_info_query") return handler_.ServerInfoQuery(StringParam(params, "tvm_version")).ToJson();
  if (method == "generate_project") {
    handler_.GenerateProject(StringParam(params, "model_library_format_path"),
                             StringParam(params, "standalone_crt_dir"), StringParam(params, "project_dir"),
                             OptionsParam(params));
    return nullptr;
  }
  if (method == "build") return handler_.Build(params["options"]), nullptr;
  if (method == "flash") return handler_.Flash(params["options"]), nullptr;
  if (method == "open_transport") {
    Json result = Json::object();
    result["timeouts"] = handler_.OpenTransport(OptionsParam(params)).ToJson();
    return result;
  }
  if (method == "close_transport") return handler_.CloseTransport(), nullptr;
  if (method == "read_transport") {
    if (!params["n"].is_number_integer()) throw std::invalid_argument("parameter n: want int, got " + PyTypeName(params["n"]));
    const std::string bytes = handler_.ReadTransport(params["n"].get<int64_t>(), TimeoutParam(params));
    Json result = Json::object();
    result["data"] = B85Encode(bytes);
    return result;
  }
  // write_transport
  std::string error;
  const std::optional<std::string> bytes = B85Decode(StringParam(params, "data"), &error);
  if (!bytes) throw std::invalid_argument("parameter data: " + error);
  handler_.WriteTransport(*bytes, TimeoutParam(params));
  return nullptr;
}

bool ProjectApiServer::WriteReply(const Json& reply) {
  if (debug_) std::cerr << "project api server: reply " << reply.dump() << "\n";
  if (WriteAll(write_fd_, reply.dump() + "\n")) return true;
  std::cerr << "project api server: could not write the reply: " << std::strerror(errno) << "\n";
  return false;
}

bool ProjectApiServer::ServeOneRequest() {
  std::string line;
  const LineReader::Result r = reader_.ReadLine(&line, std::nullopt);
  if (r != LineReader::Result::kLine) {
    if (r == LineReader::Result::kError) std::cerr << "project api server: could not read a request\n";
    return false;
  }
  if (debug_) std::cerr << "project api server: request " << line << "\n";
  const Json request = Json::parse(line, nullptr, /*allow_exceptions=*/false);
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
