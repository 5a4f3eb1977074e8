// Server-side request validation, driven with raw lines (microTVM's
// test_invalid_request and friends): each expected reply is written out by
// hand from the protocol's rules.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "micro/project_api/fd_io.h"
#include "micro/project_api/server.h"
#include "test_handler.h"

namespace ember::micro {
namespace {

class RawServerTest : public ::testing::Test {
 protected:
  RawServerTest() : server_(handler_, link_.server_read(), link_.server_write()), reader_(link_.client_read()) {}

  // Sends one raw line, serves one request in this thread and returns the
  // reply ("" if none came). *served is ServeOneRequest's result.
  std::string Exchange(const std::string& line, bool* served) {
    EXPECT_TRUE(WriteAll(link_.client_write(), line + "\n"));
    *served = server_.ServeOneRequest();
    std::string reply;
    if (reader_.ReadLine(&reply, 0.05) != LineReader::Result::kLine) return "";
    return reply;
  }

  void ExpectInvalidRequest(const std::string& line, const std::string& message) {
    bool served = true;
    const std::string reply = Exchange(line, &served);
    EXPECT_FALSE(served) << line;
    Json want = Json::object();
    want["jsonrpc"] = "2.0";
    want["id"] = nullptr;
    want["error"] = Json::object();
    want["error"]["code"] = -32600;
    want["error"]["message"] = message;
    want["error"]["data"] = nullptr;
    EXPECT_EQ(reply, want.dump()) << line;
  }

  Json Call(const std::string& line) {
    bool served = false;
    const std::string reply = Exchange(line, &served);
    EXPECT_TRUE(served) << line;
    return Json::parse(reply);
  }

  testing::TestHandler handler_;
  testing::Link link_;
  ProjectApiServer server_;
  LineReader reader_;
};

TEST_F(RawServerTest, ServerInfoReplyCarriesVersionAndSevenKeyOptions) {
  const Json reply = Call(R"({"jsonrpc": "2.0", "method": "server_info_query", "params": {"tvm_version": "0.15.0"}, "id": 1})");
  const Json want = Json::parse(R"({"jsonrpc": "2.0", "id": 1, "result": {
      "platform_name": "platform_name", "is_template": true,
      "model_library_format_path": "./model-library-format-path.sh",
      "project_options": [
        {"name": "foo", "choices": null, "default": null, "type": "bool", "required": null,
         "optional": ["build"], "help": "Option foo"},
        {"name": "bar", "choices": ["qux"], "default": null, "type": "str",
         "required": ["generate_project"], "optional": null, "help": "Option bar"}],
      "protocol_version": 1}})");
  EXPECT_EQ(reply, want);
  ASSERT_EQ(handler_.calls.size(), 1u);
  EXPECT_EQ(handler_.calls[0], "server_info_query 0.15.0");
}

TEST_F(RawServerTest, InvalidEnvelopesGetExactErrorsAndStopServing) {
  ExpectInvalidRequest("1", "request: want dict; got 1");
  ExpectInvalidRequest(R"({"jsonrpc": 1.0, "method": "build", "params": {}, "id": 1})",
                       "request[\"jsonrpc\"]: want \"2.0\"; got 1.0");
  ExpectInvalidRequest(R"({"jsonrpc": "2.0", "method": 123, "params": {}, "id": 1})",
                       "request[\"method\"]: want str; got 123");
  ExpectInvalidRequest(R"({"jsonrpc": "2.0", "method": "bar!", "params": {}, "id": 1})",
                       "request[\"method\"]: should match regex ^[a-zA-Z0-9_]+$; got 'bar!'");
  ExpectInvalidRequest(R"({"jsonrpc": "2.0", "method": "build", "params": 1, "id": 1})",
                       "request[\"params\"]: want dict; got <class 'int'>");
  ExpectInvalidRequest(R"({"jsonrpc": "2.0", "method": "build", "params": {}, "id": {}})",
                       "request[\"id\"]: want str, number, null; got {}");
  ExpectInvalidRequest(R"({"method": "build", "params": {}, "id": 1})", "request[\"jsonrpc\"]: want \"2.0\"; got None");
  EXPECT_TRUE(handler_.calls.empty());
}

TEST_F(RawServerTest, GarbageLineGetsNoReplyAndStops) {
  bool served = true;
  EXPECT_EQ(Exchange("this is not json {", &served), "");
  EXPECT_FALSE(served);
}

TEST_F(RawServerTest, EofStops) {
  link_.CloseClientWrite();
  EXPECT_FALSE(server_.ServeOneRequest());
}

TEST_F(RawServerTest, UnknownMethodKeepsServing) {
  const Json reply = Call(R"({"jsonrpc": "2.0", "method": "foo", "params": {}, "id": 7})");
  EXPECT_EQ(reply["id"], 7);
  EXPECT_EQ(reply["error"]["code"], -32601);
  EXPECT_EQ(reply["error"]["message"], "foo: no such method");
  // A string id is echoed too.
  const Json reply2 = Call(R"({"jsonrpc": "2.0", "method": "flash", "params": {"options": {}}, "id": "x"})");
  EXPECT_EQ(reply2["id"], "x");
  EXPECT_TRUE(reply2["result"].is_null());
}

TEST_F(RawServerTest, ParamsAreCheckedWithMicroTvmMessages) {
  auto error_of = [&](const std::string& line) { return Call(line)["error"]; };
  Json e = error_of(R"({"jsonrpc": "2.0", "method": "build", "params": {"options": {}, "invalid_param_name": 1}, "id": 1})");
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"], "build: extra parameters: invalid_param_name");
  e = error_of(R"({"jsonrpc": "2.0", "method": "open_transport", "params": {"options": {}, "b": 1, "a": 2}, "id": 2})");
  EXPECT_EQ(e["message"], "open_transport: extra parameters: b, a");
  e = error_of(R"({"jsonrpc": "2.0", "method": "build", "params": {}, "id": 3})");
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"], "method build: parameter options not given");
  e = error_of(R"({"jsonrpc": "2.0", "method": "open_transport", "params": {}, "id": 4})");
  EXPECT_EQ(e["message"], "method open_transport: parameter options not given");
  e = error_of(R"({"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 1}, "id": 5})");
  EXPECT_EQ(e["message"], "method read_transport: parameter timeout_sec not given");
  e = error_of(R"({"jsonrpc": "2.0", "method": "build", "params": {"options": null}, "id": 6})");
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"], "method build: parameter options: want <class 'dict'>, got <class 'NoneType'>");
  e = error_of(R"({"jsonrpc": "2.0", "method": "close_transport", "params": {"x": 1}, "id": 7})");
  EXPECT_EQ(e["message"], "close_transport: extra parameters: x");
  EXPECT_TRUE(handler_.calls.empty());
}

// microTVM lets the methods it pre-processes fail inside the call (-32000 and
// a traceback); ember type-checks every parameter first: -32602, its message.
TEST_F(RawServerTest, EveryParameterIsTypeCheckedBeforeTheCall) {
  const std::pair<std::string, std::string> cases[] = {
      {R"("server_info_query", "params": {"tvm_version": 15})",
       "method server_info_query: parameter tvm_version: want <class 'str'>, got <class 'int'>"},
      {R"("generate_project", "params": {"model_library_format_path": "m", "standalone_crt_dir": "c", )"
       R"("project_dir": null, "options": {}})",
       "method generate_project: parameter project_dir: want <class 'str'>, got <class 'NoneType'>"},
      {R"("generate_project", "params": {"model_library_format_path": "m", "standalone_crt_dir": "c", )"
       R"("project_dir": "p", "options": []})",
       "method generate_project: parameter options: want <class 'dict'>, got <class 'list'>"},
      {R"("open_transport", "params": {"options": null})",
       "method open_transport: parameter options: want <class 'dict'>, got <class 'NoneType'>"},
      {R"("read_transport", "params": {"n": "4", "timeout_sec": null})",
       "method read_transport: parameter n: want <class 'int'>, got <class 'str'>"},
      {R"("read_transport", "params": {"n": 4.5, "timeout_sec": null})",
       "method read_transport: parameter n: want <class 'int'>, got <class 'float'>"},
      {R"("read_transport", "params": {"n": 4, "timeout_sec": "1"})",
       "method read_transport: parameter timeout_sec: want <class 'float'> or None, got <class 'str'>"},
      {R"("write_transport", "params": {"data": 5, "timeout_sec": null})",
       "method write_transport: parameter data: want <class 'str'> (base85), got <class 'int'>"},
  };
  int id = 1;
  for (const auto& [call, message] : cases) {
    const Json e = Call(R"({"jsonrpc": "2.0", "method": )" + call + R"(, "id": )" + std::to_string(id++) + "}")["error"];
    EXPECT_EQ(e["code"], -32602) << call;
    EXPECT_EQ(e["message"], message) << call;
    EXPECT_TRUE(e["data"].is_null()) << call;
  }
  const Json e = Call(R"({"jsonrpc": "2.0", "method": "write_transport", "params": {"data": "\"", "timeout_sec": 1}, "id": 99})")["error"];
  EXPECT_EQ(e["code"], -32602);
  EXPECT_NE(e["message"].get<std::string>().find("method write_transport: parameter data: "), std::string::npos) << e;
  EXPECT_TRUE(handler_.calls.empty());
}

TEST_F(RawServerTest, ReadTransportSizeMustBePositiveAndIsBounded) {
  for (const char* n : {"-1", "0", "-9223372036854775808"}) {
    const Json e = Call(std::string(R"({"jsonrpc": "2.0", "method": "read_transport", "params": {"n": )") + n +
                        R"(, "timeout_sec": 0}, "id": 1})")["error"];
    ASSERT_TRUE(e.is_object()) << n;
    EXPECT_EQ(e["code"], -32602) << n;
    EXPECT_EQ(e["message"], std::string("method read_transport: parameter n: want at least 1 byte, got ") + n);
  }
  EXPECT_TRUE(handler_.calls.empty());
  // A read returns 1..n bytes: a huge n asks the handler for the bound only.
  for (const char* n : {"2147483648", "18446744073709551615", "1048577"}) {
    const Json reply = Call(std::string(R"({"jsonrpc": "2.0", "method": "read_transport", "params": {"n": )") + n +
                            R"(, "timeout_sec": 0}, "id": 2})");
    ASSERT_TRUE(reply["result"].is_object()) << n << reply;
    EXPECT_EQ(reply["result"]["data"], "W^ZpB") << n;
    EXPECT_EQ(handler_.last_n, kMaxTransportChunkBytes) << n;
  }
  Call(R"({"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 1048576, "timeout_sec": 0}, "id": 3})");
  EXPECT_EQ(handler_.last_n, 1048576);
}

TEST_F(RawServerTest, TimeoutsAreValidatedAndHugeOnesClamped) {
  for (const char* t : {"-1", "-0.001", "-1e300"}) {
    const Json e = Call(std::string(R"({"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 1, "timeout_sec": )") +
                        t + R"(}, "id": 1})")["error"];
    EXPECT_EQ(e["code"], -32602) << t;
    EXPECT_NE(e["message"].get<std::string>().find("parameter timeout_sec: want a number >= 0 or None"),
              std::string::npos) << e;
  }
  EXPECT_TRUE(handler_.calls.empty());
  for (const char* t : {"1e10", "1e300"}) {
    Call(std::string(R"({"jsonrpc": "2.0", "method": "write_transport", "params": {"data": "|NQ", "timeout_sec": )") +
         t + R"(}, "id": 2})");
    EXPECT_EQ(handler_.last_timeout, kMaxTimeoutSec) << t;
  }
  Call(R"({"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 1, "timeout_sec": 2.5}, "id": 3})");
  EXPECT_EQ(handler_.last_timeout, 2.5);
}

// A request line over the bound is answered and dropped; serving goes on.
TEST_F(RawServerTest, OverlongRequestLineIsRefusedAndTheNextServed) {
  std::thread writer([&] {
    const std::string big(LineReader::kMaxLineBytes + 1, 'x');
    WriteAll(link_.client_write(), big + "\n");
    WriteAll(link_.client_write(), R"({"jsonrpc": "2.0", "method": "flash", "params": {"options": {}}, "id": 5})"
                                   "\n");
  });
  EXPECT_TRUE(server_.ServeOneRequest());
  EXPECT_TRUE(server_.ServeOneRequest());
  writer.join();
  std::string reply;
  ASSERT_EQ(reader_.ReadLine(&reply, 5.0), LineReader::Result::kLine);
  const Json e = Json::parse(reply);
  EXPECT_TRUE(e["id"].is_null());
  EXPECT_EQ(e["error"]["code"], -32600);
  EXPECT_NE(e["error"]["message"].get<std::string>().find("longer than 16777216 bytes"), std::string::npos) << e;
  ASSERT_EQ(reader_.ReadLine(&reply, 5.0), LineReader::Result::kLine);
  EXPECT_EQ(Json::parse(reply)["id"], 5);
  EXPECT_EQ(handler_.calls, std::vector<std::string>{"flash"});
}

TEST_F(RawServerTest, HandlerErrorsMapToServerErrorCode) {
  handler_.fail = testing::TestHandler::Fail::kIoTimeout;
  Json e = Call(R"({"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 4, "timeout_sec": null}, "id": 1})")["error"];
  EXPECT_EQ(e["code"], -32000);
  EXPECT_EQ(e["message"], "IoTimeoutError");
  handler_.fail = testing::TestHandler::Fail::kRuntime;
  const Json reply = Call(R"({"jsonrpc": "2.0", "method": "build", "params": {"options": {}}, "id": 2})");
  EXPECT_EQ(reply["id"], 2);
  EXPECT_EQ(reply["error"]["code"], -32000);
  EXPECT_EQ(reply["error"]["message"], "calling method build");
  EXPECT_EQ(reply["error"]["data"]["traceback"], "std::out_of_range: handler bug");
}

TEST_F(RawServerTest, TransportPayloadsAreBase85) {
  Json reply = Call(R"({"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 2, "timeout_sec": 9.5}, "id": 368})");
  EXPECT_EQ(reply["result"]["data"], "W^ZpB");  // "foo\x1b"
  EXPECT_EQ(handler_.last_n, 2);
  EXPECT_EQ(handler_.last_timeout, 9.5);
  reply = Call(R"({"jsonrpc": "2.0", "method": "write_transport", "params": {"data": "|NQ", "timeout_sec": 0}, "id": 369})");
  EXPECT_TRUE(reply["result"].is_null());
  EXPECT_EQ(handler_.last_data, "\xff\xfd");
  EXPECT_EQ(handler_.last_timeout, 0.0);
}

TEST_F(RawServerTest, OpenTransportReplyNestsTimeouts) {
  const Json reply = Call(R"({"jsonrpc": "2.0", "method": "open_transport", "params": {"options": {"bar": "baz"}}, "id": 3})");
  EXPECT_EQ(reply, Json::parse(R"({"jsonrpc": "2.0", "id": 3, "result": {"timeouts": {
      "session_start_retry_timeout_sec": 1.0, "session_start_timeout_sec": 2.0,
      "session_established_timeout_sec": 3.5}}})"));
  EXPECT_EQ(handler_.last_options, (Json{{"bar", "baz"}}));
}

}  // namespace
}  // namespace ember::micro
