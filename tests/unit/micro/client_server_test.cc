// Our client against our server, in-process over pipes (microTVM's
// ClientServerFixture tests): each method's parameters reach the handler and
// each error class round-trips.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "micro/project_api/client.h"
#include "micro/project_api/server.h"
#include "test_handler.h"

namespace ember::micro {
namespace {

using Fail = testing::TestHandler::Fail;

class ClientServerTest : public ::testing::Test {
 protected:
  ClientServerTest()
      : server_(handler_, link_.server_read(), link_.server_write()),
        client_(link_.MakeClient(ClientTimeouts{2.0, 2.0})),
        thread_([this] { server_.Serve(); }) {}
  ~ClientServerTest() override {
    client_->Shutdown();  // the server sees EOF and its loop ends
    thread_.join();
  }

  testing::TestHandler handler_;
  testing::Link link_;
  ProjectApiServer server_;
  std::unique_ptr<ProjectApiClient> client_;
  std::thread thread_;
};

TEST_F(ClientServerTest, ServerInfoQuery) {
  const ServerInfo info = client_->ServerInfoQuery("0.15.0");
  EXPECT_EQ(info.platform_name, "platform_name");
  EXPECT_TRUE(info.is_template);
  EXPECT_EQ(info.model_library_format_path, "./model-library-format-path.sh");
  ASSERT_EQ(info.project_options.size(), 2u);
  EXPECT_EQ(info.project_options[1].name, "bar");
  EXPECT_EQ(info.project_options[1].choices, std::vector<Json>{"qux"});
  EXPECT_EQ(info.project_options[1].required, std::vector<std::string>{"generate_project"});
  EXPECT_FALSE(info.project_options[1].optional.has_value());
  EXPECT_EQ(info.protocol_version, 1);
}

TEST_F(ClientServerTest, WrongTvmVersionSurfacesAsItsClass) {
  handler_.fail = Fail::kTvmVersion;
  try {
    client_->ServerInfoQuery("0.0.0");
    FAIL() << "no error";
  } catch (const UnsupportedTvmVersionError& e) {
    EXPECT_NE(std::string(e.what()).find("UnsupportedTVMVersionError"), std::string::npos) << e.what();
  }
}

TEST_F(ClientServerTest, WrongProtocolVersionIsRejected) {
  handler_.protocol_version = 0;
  try {
    client_->ServerInfoQuery("0.15.0");
    FAIL() << "no error";
  } catch (const UnsupportedProtocolVersionError& e) {
    EXPECT_STREQ(e.what(), "microTVM API Server supports protocol version 0; want 1");
  }
}

TEST_F(ClientServerTest, GenerateBuildFlashPassTheirParams) {
  client_->GenerateProject("/m.tar", "/crt", "/proj", Json{{"bar", "qux"}});
  EXPECT_EQ(handler_.last_paths, (std::vector<std::string>{"/m.tar", "/crt", "/proj"}));
  EXPECT_EQ(handler_.last_options, (Json{{"bar", "qux"}}));
  client_->Build(Json{{"bar", "baz"}});
  EXPECT_EQ(handler_.last_options, (Json{{"bar", "baz"}}));
  client_->Flash();
  EXPECT_EQ(handler_.last_options, Json::object());
  EXPECT_EQ(handler_.calls, (std::vector<std::string>{"generate_project", "build", "flash"}));
}

TEST_F(ClientServerTest, OpenAndCloseTransport) {
  const TransportTimeouts t = client_->OpenTransport(Json{{"bar", "baz"}});
  EXPECT_EQ(t.session_start_retry_timeout_sec, 1.0);
  EXPECT_EQ(t.session_start_timeout_sec, 2.0);
  EXPECT_EQ(t.session_established_timeout_sec, 3.5);
  client_->CloseTransport();
  EXPECT_EQ(handler_.calls, (std::vector<std::string>{"open_transport", "close_transport"}));
}

TEST_F(ClientServerTest, ReadTransportRoundTripsBytesAndErrors) {
  EXPECT_EQ(client_->ReadTransport(128, 5.0), "foo\x1b");
  EXPECT_EQ(handler_.last_n, 128);
  EXPECT_EQ(handler_.last_timeout, 5.0);
  EXPECT_EQ(client_->ReadTransport(1, std::nullopt), "foo\x1b");
  EXPECT_FALSE(handler_.last_timeout.has_value());
  handler_.fail = Fail::kIoTimeout;
  EXPECT_THROW(client_->ReadTransport(1, 0.0), IoTimeoutError);
  handler_.fail = Fail::kTransportClosed;
  EXPECT_THROW(client_->ReadTransport(1, 0.0), TransportClosedError);
}

TEST_F(ClientServerTest, WriteTransportRoundTripsBytesAndErrors) {
  const std::string bytes("\x00\xff\n{\"", 5);
  client_->WriteTransport(bytes, 1.5);
  EXPECT_EQ(handler_.last_data, bytes);
  EXPECT_EQ(handler_.last_timeout, 1.5);
  handler_.fail = Fail::kIoTimeout;
  EXPECT_THROW(client_->WriteTransport("x", 0.0), IoTimeoutError);
  handler_.fail = Fail::kTransportClosed;
  EXPECT_THROW(client_->WriteTransport("x", 0.0), TransportClosedError);
}

TEST_F(ClientServerTest, HandlerExceptionBecomesServerErrorNamingIt) {
  handler_.fail = Fail::kRuntime;
  try {
    client_->Build();
    FAIL() << "no error";
  } catch (const ServerError& e) {
    EXPECT_EQ(e.code(), -32000);
    EXPECT_EQ(e.message(), "calling method build");
    EXPECT_NE(std::string(e.what()).find("std::out_of_range"), std::string::npos) << e.what();
  }
}

TEST_F(ClientServerTest, UnknownMethodAndBadParamsCarryTheirCodes) {
  try {
    client_->Call("foo", Json::object(), 1.0);
    FAIL() << "no error";
  } catch (const JsonRpcError& e) {
    EXPECT_EQ(e.code(), -32601);
  }
  try {
    client_->Call("build", Json{{"options", nullptr}}, 1.0);
    FAIL() << "no error";
  } catch (const JsonRpcError& e) {
    EXPECT_EQ(e.code(), -32602);
    EXPECT_STREQ(e.what(),
                 "calling method build: JSON-RPC error # -32602: method build: parameter options: want "
                 "<class 'dict'>, got <class 'NoneType'>");
  }
  // The server keeps serving after both.
  EXPECT_EQ(client_->ServerInfoQuery("x").platform_name, "platform_name");
}

TEST(ServerMain, ParsesFdArgumentsAndServesUntilEof) {
  testing::TestHandler handler;
  testing::Link link;
  std::string rd = std::to_string(link.server_read()), wr = std::to_string(link.server_write());
  std::string prog = "server", a1 = "--read-fd", a3 = "--write-fd", dbg = "--debug";
  char* argv[] = {prog.data(), a1.data(), rd.data(), a3.data(), wr.data(), dbg.data()};
  int rc = -1;
  std::unique_ptr<ProjectApiClient> client(link.MakeClient(ClientTimeouts{2.0, 2.0}));
  std::thread t([&] { rc = ServerMain(handler, 6, argv); });
  EXPECT_EQ(client->ServerInfoQuery("1.0").platform_name, "platform_name");
  client->Shutdown();
  t.join();
  EXPECT_EQ(rc, 0);
}

TEST(ServerMain, RejectsBadArguments) {
  testing::TestHandler handler;
  std::string prog = "server", a1 = "--read-fd", bad = "x3", a3 = "--write-fd", four = "4", extra = "--bogus";
  char* argv1[] = {prog.data(), a1.data(), bad.data(), a3.data(), four.data()};
  EXPECT_EQ(ServerMain(handler, 5, argv1), 2);
  char* argv2[] = {prog.data(), a3.data(), four.data()};  // --read-fd missing
  EXPECT_EQ(ServerMain(handler, 3, argv2), 2);
  char* argv3[] = {prog.data(), extra.data()};
  EXPECT_EQ(ServerMain(handler, 2, argv3), 2);
  EXPECT_TRUE(handler.calls.empty());
}

}  // namespace
}  // namespace ember::micro
