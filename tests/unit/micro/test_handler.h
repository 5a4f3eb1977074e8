// In-process Project API harness for the conformance tests: a recording
// handler modelled on microTVM's BaseTestHandler, and a pipe pair connecting a
// ProjectApiServer to a ProjectApiClient (or to raw lines).
#pragma once

#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "micro/project_api/client.h"
#include "micro/project_api/server.h"

namespace ember::micro::testing {

class TestHandler : public ProjectApiHandler {
 public:
  enum class Fail { kNone, kIoTimeout, kTransportClosed, kTvmVersion, kRuntime };
  Fail fail = Fail::kNone;
  int protocol_version = kProtocolVersion;
  std::string read_result = "foo\x1b";

  std::vector<std::string> calls;
  Json last_options;
  std::vector<std::string> last_paths;
  int64_t last_n = -1;
  std::optional<double> last_timeout;
  std::string last_data;

  ServerInfo ServerInfoQuery(const std::string& tvm_version) override {
    calls.push_back("server_info_query " + tvm_version);
    MaybeFail();
    ServerInfo info;
    info.platform_name = "platform_name";
    info.is_template = true;
    info.model_library_format_path = "./model-library-format-path.sh";
    ProjectOption foo{"foo", std::nullopt, nullptr, "bool", std::nullopt, std::vector<std::string>{"build"}, "Option foo"};
    ProjectOption bar{"bar", std::vector<Json>{"qux"}, nullptr, "str", std::vector<std::string>{"generate_project"},
                      std::nullopt, "Option bar"};
    info.project_options = {foo, bar};
    info.protocol_version = protocol_version;
    return info;
  }
  void GenerateProject(const std::filesystem::path& mlf, const std::filesystem::path& crt,
                       const std::filesystem::path& project, const Json& options) override {
    calls.push_back("generate_project");
    last_paths = {mlf.string(), crt.string(), project.string()};
    last_options = options;
    MaybeFail();
  }
  void Build(const Json& options) override { Record("build", options); }
  void Flash(const Json& options) override { Record("flash", options); }
  TransportTimeouts OpenTransport(const Json& options) override {
    Record("open_transport", options);
    return TransportTimeouts{1.0, 2.0, 3.5};
  }
  void CloseTransport() override {
    calls.push_back("close_transport");
    MaybeFail();
  }
  std::string ReadTransport(int64_t n, std::optional<double> timeout_sec) override {
    calls.push_back("read_transport");
    last_n = n;
    last_timeout = timeout_sec;
    MaybeFail();
    return read_result;
  }
  void WriteTransport(std::string_view data, std::optional<double> timeout_sec) override {
    calls.push_back("write_transport");
    last_data = std::string(data);
    last_timeout = timeout_sec;
    MaybeFail();
  }

 private:
  void Record(const char* name, const Json& options) {
    calls.push_back(name);
    last_options = options;
    MaybeFail();
  }
  void MaybeFail() {
    switch (fail) {
      case Fail::kNone: return;
      case Fail::kIoTimeout: throw IoTimeoutError();
      case Fail::kTransportClosed: throw TransportClosedError();
      case Fail::kTvmVersion: throw UnsupportedTvmVersionError();
      case Fail::kRuntime: throw std::out_of_range("handler bug");
    }
  }
};

// Two pipes: client → server (c2s) and server → client (s2c).
class Link {
 public:
  Link() {
    if (pipe(c2s_) != 0 || pipe(s2c_) != 0) throw std::runtime_error("pipe");
  }
  ~Link() {
    for (int fd : {c2s_[0], c2s_[1], s2c_[0], s2c_[1]}) {
      if (fd >= 0) close(fd);
    }
  }
  int server_read() const { return c2s_[0]; }
  int server_write() const { return s2c_[1]; }
  // The client takes ownership of its two ends.
  ProjectApiClient* MakeClient(ClientTimeouts t) {
    auto* c = new ProjectApiClient(s2c_[0], c2s_[1], t);
    s2c_[0] = c2s_[1] = -1;
    return c;
  }
  int client_read() const { return s2c_[0]; }
  int client_write() const { return c2s_[1]; }
  void CloseClientWrite() {
    close(c2s_[1]);
    c2s_[1] = -1;
  }

 private:
  int c2s_[2];
  int s2c_[2];
};

}  // namespace ember::micro::testing
