// The Cortex-M port on every emulated board (runtime/platform/cortex-m):
// clock calibration, the project's own small model compiled for each core
// and run under QEMU against `ember eval`, the UART, faults, exit codes and
// deterministic instruction counts. Skipped when qemu-system-arm or
// arm-none-eabi-gcc is absent.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

using qemu::Quote;

struct Board {
  const char* name;
  const char* target;            // ember compile --target
  uint64_t calibration_ticks;    // ticks for 8,000,000 instructions at the board's clock
};

// 8e6 instructions at 1 ns each = 8 ms of guest time: 25 MHz -> 200000 ticks,
// 20 MHz -> 160000, 32 MHz -> 256000.
const Board kBoards[] = {
    {"mps2-an385", "cortex-m3", 200000},  {"mps2-an386", "cortex-m4", 200000},
    {"mps2-an500", "cortex-m7", 200000},  {"mps2-an505", "cortex-m33", 160000},
    {"mps3-an547", "cortex-m55", 256000},
};

std::string BoardName(const testing::TestParamInfo<Board>& info) {
  std::string s = info.param.name;
  for (char& c : s) c = c == '-' ? '_' : c;
  return s;
}

// 64 bytes: the TinyConvModel input i8[1,8,8,1], from a fixed xorshift stream.
std::vector<uint8_t> TinyInput() {
  XorShift32 rng(0x1234567u);
  std::vector<uint8_t> in(64);
  for (auto& b : in) b = static_cast<uint8_t>(rng.Next());
  return in;
}

// Compiles TinyConvModel for `target` into dir/mlf and builds it for `board`
// with `runs` inferences per execution; returns the ELF path ("" on failure,
// with a gtest failure recorded).
std::string BuildTiny(const std::string& dir, const Board& b, int runs = 1,
                      const std::vector<std::string>& compile_flags = {}) {
  WriteFile(dir + "/tiny.tflite", TinyConvModel());
  WriteFile(dir + "/in.bin", TinyInput());
  std::vector<std::string> args = {"compile", dir + "/tiny.tflite", "--target", b.target, "--module-name", "tiny",
                                   "-o", dir + "/mlf"};
  args.insert(args.end(), compile_flags.begin(), compile_flags.end());
  const CliResult c = RunCli(args);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  if (c.exit_code != 0) return "";
  const std::string elf = dir + "/tiny-" + b.name + ".elf";
  const qemu::Command bc = qemu::Build(Quote(dir + "/mlf") + " " + Quote(dir + "/in.bin") + " " + b.name + " " + Quote(elf),
                                       "EMBER_HARNESS_RUNS=" + std::to_string(runs));
  EXPECT_EQ(bc.exit_code, 0) << bc.output;
  return bc.exit_code == 0 ? elf : "";
}

class QemuBoard : public testing::TestWithParam<Board> {};

TEST_P(QemuBoard, CalibrationMatchesStatedClock) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const Board& b = GetParam();
  const std::string elf = TempDir() + "/cal.elf";
  const qemu::Command bc = qemu::Build("--calibrate " + std::string(b.name) + " " + Quote(elf));
  ASSERT_EQ(bc.exit_code, 0) << bc.output;
  const qemu::Command r = qemu::Emulate(elf, b.name, 30);
  EXPECT_EQ(r.exit_code, 0) << r.output;  // the program checks board.h's factor itself
  EXPECT_NE(r.output.find("instructions 8000000 ticks " + std::to_string(b.calibration_ticks) + " "),
            std::string::npos)
      << r.output;
}

TEST_P(QemuBoard, TinyConvMatchesEval) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const Board& b = GetParam();
  const std::string dir = TempDir();
  const std::string elf = BuildTiny(dir, b);
  ASSERT_FALSE(elf.empty());
  const CliResult e = RunCli({"eval", dir + "/tiny.tflite", "--input", dir + "/in.bin", "--output", dir + "/ref.bin"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const qemu::Command r = qemu::Emulate(elf, b.name, 30);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const qemu::HarnessResult h = qemu::ParseHarness(r.output);
  EXPECT_TRUE(h.ok) << r.output;
  ASSERT_EQ(h.outputs.size(), 1u) << r.output;
  EXPECT_EQ(h.outputs[0], ReadFile(dir + "/ref.bin")) << r.output;
  ASSERT_EQ(h.instructions.size(), 1u) << r.output;
  EXPECT_GT(h.instructions[0], 0u);
}

// The stack the model's code used on the board (the harness paints the
// stack) never exceeds what `ember analyze --target` bounds from the code,
// and the bound is close: the deepest path is the one that runs.
TEST_P(QemuBoard, StackStaysWithinTheAnalyzedBound) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const Board& b = GetParam();
  const std::string dir = TempDir();
  const std::string elf = BuildTiny(dir, b);
  ASSERT_FALSE(elf.empty());
  const CliResult a = RunCli({"analyze", dir + "/tiny.tflite", "--format", "json", "--target", b.target});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const nlohmann::json t = nlohmann::json::parse(a.out)["targets"][0];
  ASSERT_TRUE(t["stack_bytes"].is_number()) << t.dump();
  const qemu::Command r = qemu::Emulate(elf, b.name, 30);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const qemu::HarnessResult h = qemu::ParseHarness(r.output);
  ASSERT_GT(h.stack, 0) << r.output;
  EXPECT_LE(h.stack, t["stack_bytes"].get<int64_t>()) << t["stack"].dump();
  EXPECT_GE(h.stack + 32, t["stack_bytes"].get<int64_t>()) << t["stack"].dump();
}

TEST_P(QemuBoard, UartTransmits) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const Board& b = GetParam();
  const std::string dir = TempDir();
  std::ofstream(dir + "/uart.c") << "#include \"platform.h\"\n#include \"uart_cmsdk.h\"\n"
                                    "int main(void) {\n"
                                    "  static const uint8_t msg[] = \"hello from \" EMBER_CM_BOARD_NAME \"\\n\";\n"
                                    "  ember_cm_uart_init(EMBER_CM_UART0_BASE, EMBER_CM_UART_CLOCK_HZ, 115200u);\n"
                                    "  ember_cm_uart_write(EMBER_CM_UART0_BASE, msg, sizeof(msg) - 1u);\n"
                                    "  return 0;\n}\n";
  const qemu::Command bc = qemu::Build("--app " + Quote(dir + "/uart.c") + " " + b.name + " " + Quote(dir + "/u.elf"));
  ASSERT_EQ(bc.exit_code, 0) << bc.output;
  const qemu::Command r = qemu::Run("EMBER_CM_SERIAL=file:" + dir + "/uart.txt sh " +
                                    Quote(qemu::PortDir() + "/run.sh") + " " + Quote(dir + "/u.elf") + " " + b.name + " 30");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<uint8_t> got = ReadFile(dir + "/uart.txt");
  EXPECT_EQ(std::string(got.begin(), got.end()), "hello from " + std::string(b.name) + "\n");
}

INSTANTIATE_TEST_SUITE_P(Boards, QemuBoard, testing::ValuesIn(kBoards), BoardName);

TEST(QemuPort, FaultIsReportedWithExitCode3) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  std::ofstream(dir + "/fault.c") << "#include \"platform.h\"\n"
                                     "int main(void) {\n  ember_cm_print(\"before\\n\");\n"
                                     "  __asm__ volatile(\".short 0xde00\"); /* udf #0 */\n  return 0;\n}\n";
  const qemu::Command bc = qemu::Build("--app " + Quote(dir + "/fault.c") + " mps2-an386 " + Quote(dir + "/f.elf"));
  ASSERT_EQ(bc.exit_code, 0) << bc.output;
  const qemu::Command r = qemu::Emulate(dir + "/f.elf", "mps2-an386", 30);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("before\nember: hard fault: pc=0x"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cfsr=0x00010000"), std::string::npos) << r.output;  // UNDEFINSTR
}

TEST(QemuPort, MainReturnValueIsExitStatus) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  std::ofstream(dir + "/exit.c") << "int main(void);\nint main(void) { return 7; }\n";
  const qemu::Command bc = qemu::Build("--app " + Quote(dir + "/exit.c") + " mps2-an505 " + Quote(dir + "/e.elf"));
  ASSERT_EQ(bc.exit_code, 0) << bc.output;
  EXPECT_EQ(qemu::Emulate(dir + "/e.elf", "mps2-an505", 30).exit_code, 7);
}

TEST(QemuPort, SameElfGivesSameInstructionCount) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  const std::string elf = BuildTiny(dir, kBoards[1], /*runs=*/3);
  ASSERT_FALSE(elf.empty());
  std::vector<std::vector<uint64_t>> counts;
  for (int i = 0; i < 2; ++i) {
    const qemu::Command r = qemu::Emulate(elf, "mps2-an386", 30);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const qemu::HarnessResult h = qemu::ParseHarness(r.output);
    ASSERT_EQ(h.instructions.size(), 3u) << r.output;
    counts.push_back(h.instructions);
  }
  // Two executions of one ELF: identical, run by run.
  EXPECT_EQ(counts[0], counts[1]);
  EXPECT_GT(counts[0][0], 0u);
}

// With the inputs inside the arena a run overwrites them: the harness must
// place them again before every run, so that run 2 computes what run 1 did.
TEST(QemuPort, IoInArenaRepeatedRunsMatchEval) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  const std::string elf = BuildTiny(dir, kBoards[1], /*runs=*/2, {"--io-in-arena", "--external-arena"});
  ASSERT_FALSE(elf.empty());
  const CliResult e = RunCli({"eval", dir + "/tiny.tflite", "--input", dir + "/in.bin", "--output", dir + "/ref.bin"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const qemu::Command r = qemu::Emulate(elf, "mps2-an386", 30);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const qemu::HarnessResult h = qemu::ParseHarness(r.output);
  ASSERT_EQ(h.outputs.size(), 1u) << r.output;
  EXPECT_EQ(h.outputs[0], ReadFile(dir + "/ref.bin")) << r.output;
  ASSERT_EQ(h.instructions.size(), 2u) << r.output;
  // Within one execution the runs start at different phases of the 40-instruction tick.
  EXPECT_LE(h.instructions[0] > h.instructions[1] ? h.instructions[0] - h.instructions[1]
                                                  : h.instructions[1] - h.instructions[0],
            40u);
}

}  // namespace
}  // namespace ember::test
