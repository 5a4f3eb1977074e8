// The qemu template end to end: create-project → build (arm-none-eabi-gcc)
// → flash (qemu-system-arm) → the model runs on the emulated board and
// answers over its UART, byte for byte as TFLite Micro's reference kernels
// (../shared vectors) or as `ember eval` (the project's own model). Also the
// option and core checks of generate_project, and that no QEMU or server
// process outlives a test.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "e2e/project_util.h"
#include "e2e/qemu_util.h"
#include "micro/project/project.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;
using micro::Json;

// Compiles `model` for `target` once per test binary; returns the archive.
std::string CompiledTar(const std::string& model, const std::string& target) {
  static std::map<std::string, std::string> cache;
  const std::string key = model + "|" + target;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const std::string tar = TempDir() + "/model.tar";
  const CliResult r = RunCli({"compile", model, "--target", target, "-o", tar});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return cache[key] = tar;
}

// The project's own model (tests/util/test_models.h), written once.
std::string OwnModel() {
  static const std::string path = [] {
    const std::string p = TempDir() + "/tiny.tflite";
    WriteFile(p, TinyConvModel());
    return p;
  }();
  return path;
}

// Generates, builds and flashes a project in `dir` for `board`. The server
// that flashed (and its QEMU) is gone when this returns.
void MakeProject(const std::string& tar, const std::string& dir, const std::string& board) {
  auto project = micro::GenerateProject(micro::GetTemplateProjectDir("qemu"), tar, dir, Json{{"board", board}});
  EXPECT_FALSE(project.info().is_template);
  EXPECT_EQ(project.info().platform_name, "qemu");
  project.Build();
  EXPECT_TRUE(fs::exists(dir + "/build/firmware.elf"));
  project.Flash();
}

class QemuTemplate : public ::testing::TestWithParam<const char*> {};

// Every MLPerf Tiny model on the Cortex-M4F board. vww's input (27 KB) is
// the large-input check of the UART: one byte lost or doubled shifts the
// image and changes the scores.
TEST_P(QemuTemplate, SharedModelBitExactOverUart) {
  EMBER_REQUIRE_SHARED();
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string name = GetParam();
  const std::string data = SharedDir() + "/testdata/" + name;
  const std::string dir = TempDir() + "/project";
  MakeProject(CompiledTar(SharedDir() + "/models/" + name + ".tflite", "cortex-m4"), dir, "mps2-an386");
  {
    auto transport = micro::GeneratedProject::FromDirectory(dir).OpenTransport();
    transport->Open();
    EXPECT_EQ(transport->timeouts().session_start_retry_timeout_sec, 2);
    EXPECT_EQ(transport->timeouts().session_start_timeout_sec, 10);
    EXPECT_EQ(transport->timeouts().session_established_timeout_sec, 10);
    const int vectors = name == std::string("vww") ? 1 : 2;  // vww's input takes seconds to arrive
    for (int k = 1; k <= vectors; ++k) {
      const std::string input = ReadText(data + "/input_" + std::to_string(k) + ".bin");
      const std::string want = ReadText(data + "/output_" + std::to_string(k) + ".bin");
      ASSERT_FALSE(want.empty());
      const auto start = std::chrono::steady_clock::now();
      EXPECT_EQ(RoundTrip(*transport, input, want.size(), 60), want) << name << " vector " << k;
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      RecordProperty(name + "_vector_" + std::to_string(k) + "_ms", static_cast<int>(secs * 1000));
    }
    transport->Close();
  }
  EXPECT_TRUE(WaitNoDescendants().empty()) << "a server or QEMU process outlived the test";
}

INSTANTIATE_TEST_SUITE_P(Models, QemuTemplate, testing::Values("kws", "vww", "ic", "ad"),
                         [](const auto& info) { return std::string(info.param); });

struct BoardCase {
  const char* board;
  const char* target;
  bool always;  // else only when ../shared is absent (the M4 board is covered above)
};

class QemuTemplateOwnModel : public ::testing::TestWithParam<BoardCase> {};

// The project's own model through the CLI, checked against `ember eval`
// for three inputs in one emulation.
TEST_P(QemuTemplateOwnModel, MatchesEvalThroughCli) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const BoardCase c = GetParam();
  if (!c.always && !SharedDir().empty()) GTEST_SKIP() << "covered by the ../shared models on this board";
  const std::string dir = TempDir();
  const std::string project = dir + "/p";
  const std::string tar = CompiledTar(OwnModel(), c.target);
  CliResult r = RunCli({"micro", "create-project", project, tar, "--template", "qemu", "--project-option",
                        std::string("board=") + c.board});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadText(project + "/CMakeLists.txt").find(std::string("linker/") + c.board + ".ld"),
            std::string::npos);
  r = RunCli({"micro", "build", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"micro", "flash", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("terminating on signal"), std::string::npos) << "QEMU's stop is logged:\n" << r.err;
  EXPECT_TRUE(WaitNoDescendants().empty()) << "QEMU outlived `ember micro flash`";

  XorShift32 rng(5);
  {
    auto transport = micro::GeneratedProject::FromDirectory(project).OpenTransport();
    transport->Open();
    for (int k = 0; k < 3; ++k) {
      std::vector<uint8_t> in(64);
      for (auto& b : in) b = static_cast<uint8_t>(rng.Int8());
      const std::string in_path = dir + "/in" + std::to_string(k) + ".bin";
      const std::string ref_path = dir + "/ref" + std::to_string(k) + ".bin";
      WriteFile(in_path, in);
      r = RunCli({"eval", OwnModel(), "--input", in_path, "--output", ref_path});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const std::string want = ReadText(ref_path);
      ASSERT_EQ(want.size(), 3u);
      EXPECT_EQ(RoundTrip(*transport, std::string(in.begin(), in.end()), want.size()), want) << "input " << k;
    }
    transport->Close();
  }
  EXPECT_TRUE(WaitNoDescendants().empty()) << "a server or QEMU process outlived the test";
}

INSTANTIATE_TEST_SUITE_P(Boards, QemuTemplateOwnModel,
                         testing::Values(BoardCase{"mps2-an385", "cortex-m3", true},
                                         BoardCase{"mps2-an386", "cortex-m4", false}),
                         [](const auto& info) {
                           std::string n = info.param.board;
                           for (char& ch : n) ch = ch == '-' ? '_' : ch;
                           return n;
                         });

constexpr const char* kBoardList = "mps2-an385, mps2-an386, mps2-an500, mps2-an505, mps3-an547";

TEST(QemuTemplateErrors, BoardIsRequiredAndChecked) {
  const std::string dir = TempDir();
  const std::string tar = CompiledTar(OwnModel(), "cortex-m3");
  CliResult r = RunCli({"micro", "create-project", dir + "/a", tar, "--template", "qemu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("project option 'board' is required for generate_project; choose one of: " +
                       std::string(kBoardList)),
            std::string::npos)
      << r.err;
  r = RunCli({"micro", "create-project", dir + "/b", tar, "--template", "qemu", "--project-option",
              "board=mps2-an999"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'mps2-an999'; choose one of: " + std::string(kBoardList)), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/a") || fs::exists(dir + "/b"));
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// The code for a DSP core is not the portable code: for a model with a conv
// and a fully connected layer, cortex-m4's generated C uses the SMLAD kernels
// and cortex-m3's does not, and the qemu template refuses the cortex-m4
// archive on the M3 board (it runs on the M4 board: SharedModelBitExactOverUart).
TEST(QemuTemplateErrors, DspCodeDiffersFromM3AndIsRefusedOnM3) {
  const std::string dir = TempDir();
  std::map<std::string, std::string> lib1;
  for (const char* target : {"cortex-m3", "cortex-m4"}) {
    const std::string out = dir + "/" + target;
    const CliResult c = RunCli({"compile", OwnModel(), "--target", target, "--module-name", "tiny", "-o", out});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    const std::vector<uint8_t> b = ReadFile(out + "/codegen/host/src/tiny_lib1.c");
    lib1[target] = std::string(b.begin(), b.end());
  }
  EXPECT_NE(lib1["cortex-m4"].find("ember_smlad("), std::string::npos);
  EXPECT_NE(lib1["cortex-m4"].find("DSP (SMLAD)"), std::string::npos);
  EXPECT_EQ(lib1["cortex-m3"].find("ember_smlad("), std::string::npos);
  EXPECT_NE(lib1["cortex-m3"], lib1["cortex-m4"]);
  const CliResult r = RunCli({"micro", "create-project", dir + "/p", CompiledTar(OwnModel(), "cortex-m4"),
                              "--template", "qemu", "--project-option", "board=mps2-an385"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("uses its DSP instructions"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/p"));
}

// Helium code cannot run on the M3 nor DSP code on the M3; portable code
// (host) runs on every board, Helium code on the M55 board.
TEST(QemuTemplateErrors, ModelMustFitTheBoardsCore) {
  const std::string dir = TempDir();
  const std::string m55 = CompiledTar(OwnModel(), "cortex-m55");
  CliResult r = RunCli({"micro", "create-project", dir + "/a", m55, "--template", "qemu", "--project-option",
                        "board=mps2-an385"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("compiled for cortex-m55 and uses its Helium (MVE) instructions, which board mps2-an385 "
                       "(cortex-m3) does not have; compile the model with --target cortex-m3"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("choose a board that has them: mps3-an547"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/a"));

  r = RunCli({"micro", "create-project", dir + "/b", CompiledTar(OwnModel(), "cortex-m4"), "--template", "qemu",
              "--project-option", "board=mps2-an385"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("uses its DSP instructions"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mps2-an386, mps2-an500, mps2-an505, mps3-an547"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/b"));

  for (const auto& [board, tar] : {std::pair{"mps2-an385", CompiledTar(OwnModel(), "host")},
                                   std::pair{"mps3-an547", m55}}) {
    const std::string project = dir + "/ok-" + board;
    r = RunCli({"micro", "create-project", project, tar, "--template", "qemu", "--project-option",
                std::string("board=") + board});
    EXPECT_EQ(r.exit_code, 0) << board << ": " << r.err;
    EXPECT_TRUE(fs::exists(project + "/port/linker/" + board + ".ld")) << board;
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// Flash without a build, and a QEMU that exits at once, are errors; build
// refuses a board other than the project's.
TEST(QemuTemplateErrors, FlashNeedsFirmwareAndAWorkingQemu) {
  const std::string dir = TempDir();
  const std::string project = dir + "/p";
  CliResult r = RunCli({"micro", "create-project", project, CompiledTar(OwnModel(), "cortex-m3"), "--template",
                        "qemu", "--project-option", "board=mps2-an385"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"micro", "flash", project});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("run build first"), std::string::npos) << r.err;
  r = RunCli({"micro", "build", project, "--project-option", "board=mps2-an386"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("generated for board mps2-an385"), std::string::npos) << r.err;

  // A "firmware" QEMU refuses to load.
  fs::create_directories(project + "/build");
  WriteFile(project + "/build/firmware.elf", std::vector<uint8_t>{'n', 'o', 't', ' ', 'e', 'l', 'f'});
  if (qemu::HaveProgram("qemu-system-arm")) {
    r = RunCli({"micro", "flash", project});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("exited at once"), std::string::npos) << r.err;
  }
  r = RunCli({"micro", "flash", project, "--project-option", "qemu=/nonexistent/qemu"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("'/nonexistent/qemu' is not on PATH"), std::string::npos) << r.err;
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// Firmware that logs through semihosting, sends "ok" on UART 0 and ends:
// the transport carries exactly "ok" (the log goes to the server's log),
// then reports the device gone.
TEST(QemuTemplateApi, SemihostingStaysOffTheUartAndExitClosesTheTransport) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  const std::string project = dir + "/p";
  CliResult r = RunCli({"micro", "create-project", project, CompiledTar(OwnModel(), "cortex-m3"), "--template",
                        "qemu", "--project-option", "board=mps2-an385"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string app = dir + "/app.c";
  const std::string text =
      "#include \"platform.h\"\n#include \"uart_cmsdk.h\"\n"
      "int main(void) {\n"
      "  static const uint8_t ok[2] = {'o', 'k'};\n"
      "  ember_cm_uart_init(EMBER_CM_UART0_BASE, EMBER_CM_UART_CLOCK_HZ, 115200u);\n"
      "  ember_cm_print(\"a semihosting log line\\n\");\n"
      "  ember_cm_uart_write(EMBER_CM_UART0_BASE, ok, sizeof ok);\n"
      "  ember_cm_print(\"another one\\n\");\n"
      "  return 0;\n"
      "}\n";
  WriteFile(app, std::vector<uint8_t>(text.begin(), text.end()));
  fs::create_directories(project + "/build");
  const qemu::Command built =
      qemu::Build("--app " + qemu::Quote(app) + " mps2-an385 " + qemu::Quote(project + "/build/firmware.elf"));
  ASSERT_EQ(built.exit_code, 0) << built.output;
  {
    auto transport = micro::GeneratedProject::FromDirectory(project).OpenTransport();
    transport->Open();
    std::string got;
    EXPECT_THROW(
        {
          for (int i = 0; i < 100; ++i) got += transport->Read(64, 10);
        },
        micro::TransportClosedError);
    EXPECT_EQ(got, "ok");
    transport->Close();
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// A free TCP port on the loopback interface (bound, then released).
int FreePort() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (s >= 0) close(s);
    return 0;
  }
  close(s);
  return ntohs(a.sin_port);
}

// Whether a TCP connection to 127.0.0.1:port is accepted within `seconds`.
bool Accepts(int port, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  do {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(s);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < end);
  return false;
}

bool Alive(long pid) {
  std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
  std::string p, comm, state;
  return static_cast<bool>(st >> p >> comm >> state) && state != "Z";
}

// `ember micro flash` with gdbserver_port leaves QEMU halted with its gdb
// server up after the command exits; a debugger attaches and reads the
// registers (when an ARM gdb is installed); the next flash stops it. No
// flash or stop logs QEMU's "terminating on signal".
TEST(QemuTemplateApi, GdbserverPortOutlivesFlashForADebugger) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  const std::string project = dir + "/p";
  CliResult r = RunCli({"micro", "create-project", project, CompiledTar(OwnModel(), "cortex-m3"), "--template",
                        "qemu", "--project-option", "board=mps2-an385"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"micro", "build", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int port = FreePort();
  ASSERT_GT(port, 0);
  r = RunCli({"micro", "flash", project, "--project-option", "gdbserver_port=" + std::to_string(port)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("waiting for a debugger on TCP port " + std::to_string(port)), std::string::npos) << r.err;
  const std::string pid_text = ReadText(project + "/build/qemu-gdb.pid");
  ASSERT_FALSE(pid_text.empty());
  const long pid = std::stol(pid_text);
  struct Kill {  // never leave the emulator behind, whatever fails
    long pid;
    ~Kill() { if (Alive(pid)) kill(static_cast<pid_t>(pid), SIGKILL); }
  } guard{pid};
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // longer than any server's stop
  EXPECT_TRUE(Alive(pid)) << "QEMU is gone after `ember micro flash` returned";
  EXPECT_TRUE(Accepts(port, 5)) << "nothing accepts a connection on the gdb port " << port;

  std::string gdb;
  for (const char* g : {"arm-none-eabi-gdb", "gdb-multiarch"})
    if (gdb.empty() && qemu::HaveProgram(g)) gdb = g;
  if (gdb.empty()) {
    std::printf("[ SKIPPED  ] the gdb attach step: neither arm-none-eabi-gdb nor gdb-multiarch is installed "
                "(Debian: apt-get install gdb-multiarch)\n");
  } else {
    const qemu::Command c = qemu::Run("timeout 60 " + gdb + " -nx -batch " + qemu::Quote(project + "/build/firmware.elf") +
                                      " -ex 'target remote 127.0.0.1:" + std::to_string(port) + "'" +
                                      " -ex 'info registers pc' -ex 'info registers sp' 2>&1");
    EXPECT_EQ(c.exit_code, 0) << c.output;
    EXPECT_NE(c.output.find("pc "), std::string::npos) << c.output;
    EXPECT_NE(c.output.find("sp "), std::string::npos) << c.output;
    EXPECT_NE(c.output.find("Reset_Handler"), std::string::npos) << "halted at reset:\n" << c.output;
  }

  // The next flash (without the port) stops the debugger's QEMU, quietly.
  r = RunCli({"micro", "flash", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("terminating on signal"), std::string::npos) << r.err;
  for (int i = 0; i < 100 && Alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(Alive(pid)) << "the debugger's QEMU survived the next flash";
  EXPECT_FALSE(fs::exists(project + "/build/qemu-gdb.pid"));
  EXPECT_TRUE(WaitNoDescendants().empty());
}

TEST(QemuTemplateErrors, InfoListsTheOptions) {
  CliResult r = RunCli({"micro", "info", "qemu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json info = Json::parse(r.out);
  EXPECT_EQ(info["platform_name"], "qemu");
  std::vector<std::string> names;
  for (const Json& o : info["project_options"]) {
    EXPECT_EQ(o.size(), 7u) << o.dump();
    EXPECT_FALSE(o["help"].get<std::string>().empty());
    names.push_back(o["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"board", "project_type", "verbose", "warning_as_error",
                                             "compile_definitions", "qemu", "gdbserver_port"}));
  EXPECT_EQ(info["project_options"][0]["required"], Json::array({"generate_project"}));
  EXPECT_EQ(info["project_options"][0]["choices"].size(), 5u);
  EXPECT_TRUE(WaitNoDescendants().empty());
}

}  // namespace
}  // namespace ember::test
