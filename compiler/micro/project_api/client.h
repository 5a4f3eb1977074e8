// ProjectApiClient: microTVM's ProjectAPIClient in C++. Sends one request at a
// time over a pair of descriptors and waits for the reply with a deadline
// (poll(2)), so a server that hangs produces IoTimeoutError and one that dies
// produces ConnectionShutdownError — never a hang.
//
// Errors (all exceptions, declared in protocol.h):
//   ServerError (+ IoTimeoutError, TransportClosedError,
//     UnsupportedTvmVersionError)     the server's handler failed
//   JsonRpcError (code())              the server rejected the request
//   IoTimeoutError                     also: no reply within the deadline
//   ConnectionShutdownError            the server closed the pipe / died
//   MalformedReplyError, MismatchedIdError
//   UnsupportedProtocolVersionError    server_info_query saw a version != 1
// After a timeout, EOF or malformed reply the client shuts itself down (the
// request/reply stream can no longer be trusted); later calls throw
// ConnectionShutdownError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "micro/project_api/fd_io.h"
#include "micro/project_api/protocol.h"

namespace ember::micro {

struct ClientTimeouts {
  // Deadline for a reply to server_info_query, open/close_transport, and for
  // read/write_transport on top of their own timeout_sec.
  double reply_sec = 60;
  // Deadline for generate_project, build and flash (firmware builds are slow).
  double long_call_sec = 3600;
};

class ProjectApiClient {
 public:
  // Takes ownership of both descriptors (closed by Shutdown or destruction).
  ProjectApiClient(int read_fd, int write_fd, ClientTimeouts timeouts = {});
  ~ProjectApiClient();
  ProjectApiClient(const ProjectApiClient&) = delete;
  ProjectApiClient& operator=(const ProjectApiClient&) = delete;

  // Throws UnsupportedProtocolVersionError unless the server speaks version 1.
  ServerInfo ServerInfoQuery(const std::string& tvm_version);
  void GenerateProject(const std::string& model_library_format_path, const std::string& standalone_crt_dir,
                       const std::string& project_dir, const Json& options = Json::object());
  void Build(const Json& options = Json::object());
  void Flash(const Json& options = Json::object());
  TransportTimeouts OpenTransport(const Json& options = Json::object());
  void CloseTransport();
  // Returns the decoded bytes (1..n of them).
  std::string ReadTransport(int64_t n, std::optional<double> timeout_sec);
  void WriteTransport(std::string_view data, std::optional<double> timeout_sec);

  // Sends {"jsonrpc","method","params","id"} and returns the reply's result,
  // or throws its error. `deadline_sec` bounds the wait for the reply.
  Json Call(const std::string& method, const Json& params, double deadline_sec);

  bool is_shutdown() const { return read_fd_ < 0; }
  // Closes both descriptors; the server sees EOF and exits.
  void Shutdown();

 private:
  int read_fd_;
  int write_fd_;
  ClientTimeouts timeouts_;
  LineReader reader_;
  int64_t next_id_ = 1;
};

}  // namespace ember::micro
