// Fuzz target: the Project API request handler (compiler/micro/project_api/
// server.cc): request lines through ProjectApiServer::ServeOneRequest from a
// pipe, as a template server reads them, with a handler that does nothing.
//
// Checks, besides ASan/UBSan and uncaught exceptions: the server stops at
// the end of the input, answers at most one reply per request line, and
// every reply is one line of JSON-RPC 2.0 with an id and exactly one of
// "result" and "error".
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>

#include "micro/project_api/server.h"

#include "fuzz_util.h"

namespace {

using ember::fuzz::Fail;

using ember::micro::Json;

class NullHandler : public ember::micro::ProjectApiHandler {
 public:
  ember::micro::ServerInfo ServerInfoQuery(const std::string& tvm_version) override {
    if (tvm_version == "0.0.0") throw ember::micro::UnsupportedTvmVersionError("too old");
    ember::micro::ServerInfo info;
    info.platform_name = "fuzz";
    return info;
  }
  void GenerateProject(const std::filesystem::path&, const std::filesystem::path&, const std::filesystem::path&,
                       const Json&) override {}
  void Build(const Json& options) override {
    if (options.contains("fail")) throw std::runtime_error("build failed");
  }
  void Flash(const Json&) override {}
  ember::micro::TransportTimeouts OpenTransport(const Json&) override { return {1.0, 2.0, 3.5}; }
  void CloseTransport() override {}
  std::string ReadTransport(int64_t n, std::optional<double> timeout_sec) override {
    if (timeout_sec && *timeout_sec == 0) throw ember::micro::IoTimeoutError();
    return std::string(static_cast<size_t>(std::clamp<int64_t>(n, 1, 16)), '\xff');
  }
  void WriteTransport(std::string_view data, std::optional<double>) override {
    if (data.empty()) throw ember::micro::TransportClosedError();
  }
};

int g_replies = -1;  // a file for the replies, made once

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char name[] = "/tmp/ember-project-api-fuzz-XXXXXX";
  g_replies = mkstemp(name);
  if (g_replies < 0) Fail("mkstemp failed");
  unlink(name);
  std::cerr.rdbuf(nullptr);  // the server's notes on bad requests
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The whole input waits in the pipe (at most its 64 KiB capacity).
  size = std::min<size_t>(size, 65536);
  int in[2];
  if (pipe(in) != 0) Fail("pipe failed");
  if (size > 0 && write(in[1], data, size) != static_cast<ssize_t>(size)) Fail("pipe write failed");
  close(in[1]);
  if (ftruncate(g_replies, 0) != 0 || lseek(g_replies, 0, SEEK_SET) != 0) Fail("cannot reset the reply file");

  const size_t lines = static_cast<size_t>(std::count(data, data + size, '\n'));
  NullHandler handler;
  ember::micro::ProjectApiServer server(handler, in[0], g_replies);
  size_t served = 0;
  while (server.ServeOneRequest()) {
    if (++served > lines) Fail("served more requests than there are lines");
  }
  close(in[0]);

  const off_t n = lseek(g_replies, 0, SEEK_END);
  std::string replies(static_cast<size_t>(n), '\0');
  if (n > 0 && pread(g_replies, replies.data(), replies.size(), 0) != n) Fail("cannot read the replies");
  size_t count = 0;
  for (size_t start = 0; start < replies.size();) {
    const size_t end = replies.find('\n', start);
    if (end == std::string::npos) Fail("a reply does not end with a newline");
    const Json reply = Json::parse(replies.substr(start, end - start), nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) Fail("a reply is not a JSON object");
    if (reply.value("jsonrpc", "") != "2.0" || !reply.contains("id")) Fail("a reply lacks jsonrpc 2.0 or id");
    if (reply.contains("result") == reply.contains("error")) Fail("a reply needs exactly one of result and error");
    ++count;
    start = end + 1;
  }
  if (count > lines) Fail("more replies than request lines");
  return 0;
}
