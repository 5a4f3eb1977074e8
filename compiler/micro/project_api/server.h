// The server SDK: implement ProjectApiHandler for a template, then serve it
// over the two pipes the client passes (--read-fd/--write-fd), exactly as
// microTVM's server.py does:
//
//   int main(int argc, char** argv) {
//     MyHandler handler;
//     return ember::micro::ServerMain(handler, argc, argv);
//   }
//
// Errors: a handler reports failure by throwing. ServerError and its
// subclasses (IoTimeoutError, TransportClosedError, UnsupportedTvmVersionError)
// reach the client as that class; any other std::exception becomes a
// ServerError "calling method <m>" whose traceback names the exception type
// and its what().
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "micro/project_api/fd_io.h"
#include "micro/project_api/protocol.h"

namespace ember::micro {

// One method per Project API call (protocol name in the comment). `options`
// is the JSON object the client sent (name → value; tvmc sends strings).
class ProjectApiHandler {
 public:
  virtual ~ProjectApiHandler() = default;

  // server_info_query(tvm_version). protocol_version is filled in by the SDK
  // unless the handler changes it.
  virtual ServerInfo ServerInfoQuery(const std::string& tvm_version) = 0;
  // generate_project: creates project_dir (which must not exist) from the MLF.
  virtual void GenerateProject(const std::filesystem::path& model_library_format_path,
                               const std::filesystem::path& standalone_crt_dir,
                               const std::filesystem::path& project_dir, const Json& options) = 0;
  virtual void Build(const Json& options) = 0;  // build(options)
  virtual void Flash(const Json& options) = 0;  // flash(options)
  virtual TransportTimeouts OpenTransport(const Json& options) = 0;  // open_transport(options)
  virtual void CloseTransport() = 0;  // close_transport(); a no-op when not open
  // read_transport(n, timeout_sec): returns 1..n bytes. No timeout = block;
  // 0 = one non-blocking attempt. Throws IoTimeoutError when nothing arrived
  // in time, TransportClosedError on EOF or I/O failure.
  virtual std::string ReadTransport(int64_t n, std::optional<double> timeout_sec) = 0;
  // write_transport(data, timeout_sec): writes all bytes or throws
  // (IoTimeoutError, TransportClosedError).
  virtual void WriteTransport(std::string_view data, std::optional<double> timeout_sec) = 0;
};

class ProjectApiServer {
 public:
  // The server neither owns nor closes the descriptors.
  ProjectApiServer(ProjectApiHandler& handler, int read_fd, int write_fd, bool debug = false)
      : handler_(handler), reader_(read_fd), write_fd_(write_fd), debug_(debug) {}

  // Serves one request. False means stop: EOF, an unparseable line (no reply
  // is sent), an invalid request envelope (replied with id null), or a reply
  // that could not be written. Errors of a valid request are replied with
  // its id and serving continues.
  bool ServeOneRequest();

  // Serves until ServeOneRequest returns false.
  void Serve();

 private:
  Json Dispatch(const std::string& method, const Json& params);
  bool WriteReply(const Json& reply);

  ProjectApiHandler& handler_;
  LineReader reader_;
  int write_fd_;
  bool debug_;
};

// Entry point for a server executable: parses --read-fd N --write-fd M
// [--debug] (microTVM's server.main), serves, returns the process exit code
// (2 on a usage error).
int ServerMain(ProjectApiHandler& handler, int argc, char** argv);

}  // namespace ember::micro
