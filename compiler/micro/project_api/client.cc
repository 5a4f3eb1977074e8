#include "micro/project_api/client.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "micro/project_api/base85.h"
#include "support/json_text.h"

namespace ember::micro {

ProjectApiClient::ProjectApiClient(int read_fd, int write_fd, ClientTimeouts timeouts)
    : read_fd_(read_fd), write_fd_(write_fd), timeouts_(timeouts), reader_(read_fd) {}

ProjectApiClient::~ProjectApiClient() { Shutdown(); }

void ProjectApiClient::Shutdown() {
  if (read_fd_ >= 0) close(read_fd_);
  if (write_fd_ >= 0 && write_fd_ != read_fd_) close(write_fd_);
  read_fd_ = write_fd_ = -1;
}

Json ProjectApiClient::Call(const std::string& method, const Json& params, double deadline_sec) {
  const std::string context = "calling method " + method;
  if (is_shutdown()) throw ConnectionShutdownError(context + ": the connection to the server is shut down");
  const int64_t id = next_id_++;
  Json request = Json::object();
  request["jsonrpc"] = "2.0";
  request["method"] = method;
  request["params"] = params;
  request["id"] = id;
  if (!WriteAll(write_fd_, DumpJson(request) + "\n")) {
    const std::string why = std::strerror(errno);
    Shutdown();
    throw ConnectionShutdownError(context + ": could not send the request (" + why + "); the server has exited");
  }
  std::string line;
  switch (reader_.ReadLine(&line, deadline_sec)) {
    case LineReader::Result::kLine: break;
    case LineReader::Result::kTimeout:
      Shutdown();
      throw IoTimeoutError(Json{{"traceback", "no reply from the server within " + std::to_string(deadline_sec) + " s"}},
                           context);
    case LineReader::Result::kEof:
      Shutdown();
      throw ConnectionShutdownError(context + ": the server closed the connection (it exited or crashed)");
    case LineReader::Result::kError:
      Shutdown();
      throw ConnectionShutdownError(context + ": could not read the reply (" + std::strerror(errno) + ")");
    case LineReader::Result::kTooLong:
      Shutdown();
      throw MalformedReplyError(context + ": reply longer than " + std::to_string(LineReader::kMaxLineBytes) +
                                " bytes");
  }
  const Json reply = ParseJsonText<Json>(line);
  if (reply.is_discarded() || !reply.is_object()) {
    Shutdown();
    throw MalformedReplyError(context + ": reply is not a JSON object: " + line.substr(0, 200));
  }
  if (!reply.contains("jsonrpc") || reply["jsonrpc"] != "2.0") {
    Shutdown();
    throw MalformedReplyError(context + ": reply lacks \"jsonrpc\": \"2.0\": " + line.substr(0, 200));
  }
  if (!reply.contains("id") || reply["id"] != id) {
    // An invalid-request error carries id null; report it as the error it is.
    if (reply.contains("error") && reply.contains("id") && reply["id"].is_null()) ThrowFromJson(reply["error"], context);
    Shutdown();
    throw MismatchedIdError(context + ": reply id " + (reply.contains("id") ? DumpJson(reply["id"]) : "(none)") +
                            " does not match request id " + std::to_string(id));
  }
  if (reply.contains("error") && !reply["error"].is_null()) ThrowFromJson(reply["error"], context);
  if (!reply.contains("result")) throw MalformedReplyError(context + ": reply has neither \"result\" nor \"error\"");
  return reply["result"];
}

ServerInfo ProjectApiClient::ServerInfoQuery(const std::string& tvm_version) {
  const Json result = Call("server_info_query", Json{{"tvm_version", tvm_version}}, timeouts_.reply_sec);
  if (result.is_object() && result.contains("protocol_version") && result["protocol_version"] != kProtocolVersion) {
    throw UnsupportedProtocolVersionError("microTVM API Server supports protocol version " +
                                          DumpJson(result["protocol_version"]) + "; want " +
                                          std::to_string(kProtocolVersion));
  }
  return ServerInfo::FromJson(result);
}

void ProjectApiClient::GenerateProject(const std::string& model_library_format_path,
                                       const std::string& standalone_crt_dir, const std::string& project_dir,
                                       const Json& options) {
  Json params = Json::object();
  params["model_library_format_path"] = model_library_format_path;
  params["standalone_crt_dir"] = standalone_crt_dir;
  params["project_dir"] = project_dir;
  params["options"] = options;
  Call("generate_project", params, timeouts_.long_call_sec);
}

void ProjectApiClient::Build(const Json& options) { Call("build", Json{{"options", options}}, timeouts_.long_call_sec); }

void ProjectApiClient::Flash(const Json& options) { Call("flash", Json{{"options", options}}, timeouts_.long_call_sec); }

TransportTimeouts ProjectApiClient::OpenTransport(const Json& options) {
  const Json result = Call("open_transport", Json{{"options", options}}, timeouts_.reply_sec);
  if (!result.is_object() || !result.contains("timeouts")) {
    throw MalformedReplyError("calling method open_transport: result lacks \"timeouts\"");
  }
  return TransportTimeouts::FromJson(result["timeouts"]);
}

void ProjectApiClient::CloseTransport() { Call("close_transport", Json::object(), timeouts_.reply_sec); }

std::string ProjectApiClient::ReadTransport(int64_t n, std::optional<double> timeout_sec) {
  Json params = Json::object();
  params["n"] = n;
  params["timeout_sec"] = timeout_sec ? Json(*timeout_sec) : Json(nullptr);
  const Json result = Call("read_transport", params, timeouts_.reply_sec + timeout_sec.value_or(0));
  if (!result.is_object() || !result.contains("data") || !result["data"].is_string()) {
    throw MalformedReplyError("calling method read_transport: result lacks a \"data\" string");
  }
  std::string error;
  std::optional<std::string> bytes = B85Decode(result["data"].get<std::string>(), &error);
  if (!bytes) throw MalformedReplyError("calling method read_transport: " + error);
  return *bytes;
}

// In pieces of kMaxTransportChunkBytes, so that every request line stays far
// below the server's LineReader::kMaxLineBytes.
void ProjectApiClient::WriteTransport(std::string_view data, std::optional<double> timeout_sec) {
  do {
    const std::string_view piece = data.substr(0, static_cast<size_t>(kMaxTransportChunkBytes));
    data.remove_prefix(piece.size());
    Json params = Json::object();
    params["data"] = B85Encode(piece);
    params["timeout_sec"] = timeout_sec ? Json(*timeout_sec) : Json(nullptr);
    Call("write_transport", params, timeouts_.reply_sec + timeout_sec.value_or(0));
  } while (!data.empty());
}

}  // namespace ember::micro
