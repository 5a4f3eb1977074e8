// Launching real server processes: a standard-library Python server
// (tests/unit/micro/data/microtvm_api_server.py) through the .py path and
// through a launch script, a server that crashes mid-call, one that hangs,
// and that no process outlives its ServerProcess.
#include "micro/project_api/launch.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "util/test_util.h"

namespace ember::micro {
namespace {

namespace fs = std::filesystem;

const fs::path kDataDir = fs::path(EMBER_SOURCE_DIR) / "tests/unit/micro/data";

LaunchOptions FastOptions() {
  LaunchOptions o;
  o.timeouts = ClientTimeouts{1.5, 1.5};
  o.exit_grace_sec = 0.5;
  return o;
}

bool ProcessGone(pid_t pid) { return kill(pid, 0) == -1 && errno == ESRCH; }

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(Launch, PythonServerSpeaksTheProtocol) {
  auto server = ServerProcess::Launch(kDataDir, FastOptions());
  const pid_t pid = server->pid();
  const ServerInfo info = server->client().ServerInfoQuery("0.15.0");
  EXPECT_EQ(info.platform_name, "py-test");
  ASSERT_EQ(info.project_options.size(), 2u);
  EXPECT_EQ(info.project_options[0].name, "hang");
  EXPECT_EQ(info.project_options[0].default_value, false);
  server->client().Build();
  server->client().OpenTransport();
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  server->client().WriteTransport(all, 1.0);  // Python's b85decode reads our encoding
  std::string back;
  while (back.size() < all.size()) back += server->client().ReadTransport(100, 1.0);  // and we read its
  EXPECT_EQ(back, all);
  EXPECT_THROW(server->client().ReadTransport(1, 0.0), IoTimeoutError);  // the class round-trips
  EXPECT_THROW(server->client().Call("no_such", Json::object(), 1.0), JsonRpcError);
  const int status = server->Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;  // it exited on EOF by itself
  EXPECT_TRUE(ProcessGone(pid));
}

TEST(Launch, LaunchScriptWinsOverPython) {
  const fs::path dir = test::TempDir();
  fs::copy_file(kDataDir / "microtvm_api_server.py", dir / "microtvm_api_server.py");
  const fs::path script = dir / "launch_microtvm_api_server.sh";
  std::ofstream(script) << "#!/bin/sh\nEMBER_TEST_VIA_SCRIPT=1 exec /usr/bin/python3 \"$@\"\n";
  fs::permissions(script, fs::perms::owner_all);
  auto server = ServerProcess::Launch(dir, FastOptions());
  EXPECT_EQ(server->client().ServerInfoQuery("0.15.0").platform_name, "py-test-script");
}

TEST(Launch, MissingServerIsReported) {
  EXPECT_THROW(ServerProcess::Launch(test::TempDir(), FastOptions()), ProjectApiServerNotFoundError);
}

TEST(Launch, CrashMidCallIsAnErrorNotAHang) {
  auto server = ServerProcess::Launch(kDataDir, FastOptions());
  const pid_t pid = server->pid();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(server->client().Build(Json{{"crash", true}}), ConnectionShutdownError);
  EXPECT_LT(SecondsSince(start), 1.5);
  EXPECT_TRUE(server->client().is_shutdown());
  EXPECT_THROW(server->client().Flash(), ConnectionShutdownError);
  const int status = server->Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << status;
  EXPECT_TRUE(ProcessGone(pid));
}

TEST(Launch, HangTimesOutAndTheServerIsKilled) {
  pid_t pid = -1;
  {
    auto server = ServerProcess::Launch(kDataDir, FastOptions());
    pid = server->pid();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(server->client().Build(Json{{"hang", true}}), IoTimeoutError);
    const double waited = SecondsSince(start);
    EXPECT_GE(waited, 1.4);
    EXPECT_LT(waited, 3.0);
    EXPECT_FALSE(ProcessGone(pid));  // still sleeping in its handler
  }  // destruction kills the sleeping server
  EXPECT_TRUE(ProcessGone(pid));
}

}  // namespace
}  // namespace ember::micro
