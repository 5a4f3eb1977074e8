#include "micro/project_api/protocol.h"

#include <algorithm>

#include "support/json_text.h"

namespace ember::micro {
namespace {

std::string WhatOf(int code, const std::string& message, const Json& data, const std::string& context) {
  std::string s = context.empty() ? "" : context + ": ";
  s += "JSON-RPC error # " + std::to_string(code) + ": " + message;
  if (data.is_object() && data.contains("traceback") && data["traceback"].is_string()) {
    s += "\n" + data["traceback"].get<std::string>();
  }
  return s;
}

std::string PyStr(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

Json ListOrNull(const std::optional<std::vector<std::string>>& v) {
  return v ? Json(*v) : Json(nullptr);
}

std::optional<std::vector<std::string>> StringListOrNull(const Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_array()) throw MalformedReplyError(std::string("project option: \"") + key + "\" is not a list");
  std::vector<std::string> out;
  for (const Json& e : j[key]) {
    if (!e.is_string()) throw MalformedReplyError(std::string("project option: \"") + key + "\" holds a non-string");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::string RequireString(const Json& j, const char* key, const char* what) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
    throw MalformedReplyError(std::string(what) + ": \"" + key + "\" missing or not a string");
  }
  return j[key].get<std::string>();
}

double RequireNumber(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) {
    throw MalformedReplyError(std::string("transport timeouts: \"") + key + "\" missing or not a number");
  }
  return j[key].get<double>();
}

void InvalidRequest(const std::string& message) {
  throw JsonRpcError(static_cast<int>(ErrorCode::kInvalidRequest), message);
}

}  // namespace

JsonRpcError::JsonRpcError(int code, std::string message, Json data, std::string client_context)
    : std::runtime_error(WhatOf(code, message, data, client_context)),
      code_(code),
      message_(std::move(message)),
      data_(std::move(data)),
      client_context_(std::move(client_context)) {}

std::string ServerErrorText(const JsonRpcError& e) {
  const std::string& m = e.message();
  const std::string mark = "JSON-RPC error # ";
  if (const size_t at = m.find(mark); at != std::string::npos) {
    const size_t colon = m.find(": ", at + mark.size());
    if (colon != std::string::npos) return m.substr(colon + 2);
  }
  return m;
}

Json JsonRpcError::ToJson() const {
  Json j = Json::object();
  j["code"] = code_;
  j["message"] = message_;
  j["data"] = data_;
  return j;
}

void ThrowFromJson(const Json& error, const std::string& client_context) {
  if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer() ||
      !error.contains("message") || !error["message"].is_string()) {
    throw MalformedReplyError(client_context + ": malformed error object: " + DumpJson(error));
  }
  const int code = error["code"].get<int>();
  const std::string message = error["message"].get<std::string>();
  const Json data = error.contains("data") ? error["data"] : Json(nullptr);
  if (code != static_cast<int>(ErrorCode::kServerError)) throw JsonRpcError(code, message, data, client_context);
  if (message == "IoTimeoutError") throw IoTimeoutError(data, client_context);
  if (message == "TransportClosedError") throw TransportClosedError(data, client_context);
  if (message == "UnsupportedTVMVersionError") throw UnsupportedTvmVersionError(data, client_context);
  throw ServerError(message, data, client_context);
}

Json ProjectOption::ToJson() const {
  Json j = Json::object();
  j["name"] = name;
  j["choices"] = choices ? Json(*choices) : Json(nullptr);
  j["default"] = default_value;
  j["type"] = type;
  j["required"] = ListOrNull(required);
  j["optional"] = ListOrNull(optional);
  j["help"] = help;
  return j;
}

ProjectOption ProjectOption::FromJson(const Json& j) {
  ProjectOption o;
  o.name = RequireString(j, "name", "project option");
  if (j.contains("choices") && !j["choices"].is_null()) {
    if (!j["choices"].is_array()) throw MalformedReplyError("project option " + o.name + ": \"choices\" is not a list");
    o.choices = j["choices"].get<std::vector<Json>>();
  }
  o.default_value = j.contains("default") ? j["default"] : Json(nullptr);
  o.type = RequireString(j, "type", "project option");
  o.required = StringListOrNull(j, "required");
  o.optional = StringListOrNull(j, "optional");
  o.help = j.contains("help") && j["help"].is_string() ? j["help"].get<std::string>() : "";
  return o;
}

Json ServerInfo::ToJson() const {
  Json j = Json::object();
  j["platform_name"] = platform_name;
  j["is_template"] = is_template;
  j["model_library_format_path"] = model_library_format_path ? Json(*model_library_format_path) : Json(nullptr);
  j["project_options"] = Json::array();
  for (const ProjectOption& o : project_options) j["project_options"].push_back(o.ToJson());
  j["protocol_version"] = protocol_version;
  return j;
}

ServerInfo ServerInfo::FromJson(const Json& j) {
  ServerInfo info;
  info.platform_name = RequireString(j, "platform_name", "server info");
  if (!j.contains("is_template") || !j["is_template"].is_boolean()) {
    throw MalformedReplyError("server info: \"is_template\" missing or not a bool");
  }
  info.is_template = j["is_template"].get<bool>();
  if (j.contains("model_library_format_path") && j["model_library_format_path"].is_string()) {
    info.model_library_format_path = j["model_library_format_path"].get<std::string>();
  }
  if (j.contains("project_options") && j["project_options"].is_array()) {
    for (const Json& o : j["project_options"]) info.project_options.push_back(ProjectOption::FromJson(o));
  }
  if (!j.contains("protocol_version") || !j["protocol_version"].is_number_integer()) {
    throw MalformedReplyError("server info: \"protocol_version\" missing or not an integer");
  }
  info.protocol_version = j["protocol_version"].get<int>();
  return info;
}

Json TransportTimeouts::ToJson() const {
  Json j = Json::object();
  j["session_start_retry_timeout_sec"] = session_start_retry_timeout_sec;
  j["session_start_timeout_sec"] = session_start_timeout_sec;
  j["session_established_timeout_sec"] = session_established_timeout_sec;
  return j;
}

TransportTimeouts TransportTimeouts::FromJson(const Json& j) {
  return TransportTimeouts{RequireNumber(j, "session_start_retry_timeout_sec"),
                           RequireNumber(j, "session_start_timeout_sec"),
                           RequireNumber(j, "session_established_timeout_sec")};
}

std::string PyRepr(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "None";
    case Json::value_t::boolean: return v.get<bool>() ? "True" : "False";
    case Json::value_t::string: return PyStr(v.get<std::string>());
    case Json::value_t::array: {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + PyRepr(v[i]);
      return s + "]";
    }
    case Json::value_t::object: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        s += (first ? "" : ", ") + PyStr(k) + ": " + PyRepr(e);
        first = false;
      }
      return s + "}";
    }
    default: return v.dump();  // numbers: JSON's shortest form matches repr (1, 1.0, 0.5)
  }
}

std::string PyTypeName(const Json& v) {
  const char* name = "NoneType";
  switch (v.type()) {
    case Json::value_t::boolean: name = "bool"; break;
    case Json::value_t::string: name = "str"; break;
    case Json::value_t::array: name = "list"; break;
    case Json::value_t::object: name = "dict"; break;
    case Json::value_t::number_float: name = "float"; break;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: name = "int"; break;
    default: break;
  }
  return std::string("<class '") + name + "'>";
}

void ValidateRequestEnvelope(const Json& request) {
  if (!request.is_object()) InvalidRequest("request: want dict; got " + PyRepr(request));
  const Json none = nullptr;
  auto get = [&](const char* key) -> const Json& { return request.contains(key) ? request[key] : none; };
  const Json& jsonrpc = get("jsonrpc");
  if (!(jsonrpc.is_string() && jsonrpc.get<std::string>() == "2.0")) {
    InvalidRequest("request[\"jsonrpc\"]: want \"2.0\"; got " + PyRepr(jsonrpc));
  }
  const Json& method = get("method");
  if (!method.is_string()) InvalidRequest("request[\"method\"]: want str; got " + PyRepr(method));
  const std::string& name = method.get_ref<const std::string&>();
  const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!name_ok) {  // microTVM's regex ^[a-zA-Z0-9_]+$
    InvalidRequest("request[\"method\"]: should match regex ^[a-zA-Z0-9_]+$; got " + PyRepr(method));
  }
  const Json& params = get("params");
  if (!params.is_object()) InvalidRequest("request[\"params\"]: want dict; got " + PyTypeName(params));
  const Json& id = get("id");
  // Python's isinstance(id, (str, int, NoneType)): bools are ints there, floats are not.
  if (!(id.is_string() || id.is_number_integer() || id.is_boolean() || id.is_null())) {
    InvalidRequest("request[\"id\"]: want str, number, null; got " + PyRepr(id));
  }
}

}  // namespace ember::micro
