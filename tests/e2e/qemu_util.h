// Helpers of the QEMU Cortex-M tests (tests/e2e/qemu_*_test.cc): build
// firmware with runtime/platform/cortex-m/build.sh, run it with run.sh
// (which bounds every QEMU process with `timeout`), parse the harness output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace ember::test::qemu {

struct Command {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline Command Run(const std::string& cmd) {
  Command r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

inline bool HaveProgram(const std::string& p) { return Run("command -v " + p + " >/dev/null").exit_code == 0; }

// Why the emulation tests cannot run here, or "" when they can.
inline std::string MissingTools() {
  if (!HaveProgram("qemu-system-arm")) return "qemu-system-arm is absent (apt-get install qemu-system-arm)";
  if (!HaveProgram("arm-none-eabi-gcc"))
    return "arm-none-eabi-gcc is absent (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)";
  return "";
}

// Skips the current test when MissingTools() names something.
#define EMBER_REQUIRE_QEMU_TOOLS()                                               \
  do {                                                                           \
    const std::string ember_missing_tools = ::ember::test::qemu::MissingTools(); \
    if (!ember_missing_tools.empty()) GTEST_SKIP() << ember_missing_tools << "; skipped"; \
  } while (0)

inline std::string PortDir() { return std::string(EMBER_SOURCE_DIR) + "/runtime/platform/cortex-m"; }

inline std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Builds firmware: `args` are build.sh's arguments, already quoted.
inline Command Build(const std::string& args, const std::string& env = "") {
  return Run(env + " sh " + Quote(PortDir() + "/build.sh") + " " + args);
}

// Runs `elf` on `board` with a limit of `seconds` (host time).
inline Command Emulate(const std::string& elf, const std::string& board, int seconds = 60) {
  return Run("sh " + Quote(PortDir() + "/run.sh") + " " + Quote(elf) + " " + board + " " + std::to_string(seconds));
}

// What the harness (harness/main.c) printed.
struct HarnessResult {
  std::vector<uint64_t> instructions;           // per run
  std::vector<std::vector<uint8_t>> outputs;    // per output, in order
  int64_t stack = -1;                           // "stack N": bytes the first run used (-1: absent)
  bool ok = false;                              // "ember-harness: ok" seen
};

inline HarnessResult ParseHarness(const std::string& text) {
  HarnessResult h;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string word;
    ls >> word;
    if (word == "run") {
      std::string k, ticks_word, insn_word;
      uint64_t ticks = 0, insns = 0;
      if (ls >> k >> ticks_word >> ticks >> insn_word >> insns) h.instructions.push_back(insns);
    } else if (word == "stack") {
      int64_t bytes = -1;
      if (ls >> bytes) h.stack = bytes;
    } else if (word == "output") {
      std::string index, name, hex;
      size_t size = 0;
      ls >> index >> name >> size >> hex;
      std::vector<uint8_t> bytes;
      for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
      if (bytes.size() != size) bytes.clear();  // malformed: never equal to a real output
      h.outputs.push_back(bytes);
    } else if (line == "ember-harness: ok") {
      h.ok = true;
    }
  }
  return h;
}

// Builds firmware around the compiled model folder `mlf` and `input` (one
// .bin), runs it on `board` and parses the harness output into *h. Returns ""
// or what went wrong (the build's or QEMU's output).
inline std::string BuildAndEmulate(const std::string& mlf, const std::string& input, const std::string& elf,
                                   const std::string& board, int seconds, HarnessResult* h) {
  const Command b = Build(Quote(mlf) + " " + Quote(input) + " " + board + " " + Quote(elf));
  if (b.exit_code != 0) return "build.sh failed:\n" + b.output;
  const Command r = Emulate(elf, board, seconds);
  if (r.exit_code != 0) return "run.sh failed:\n" + r.output;
  *h = ParseHarness(r.output);
  if (!h->ok) return "the harness did not finish:\n" + r.output;
  return "";
}

}  // namespace ember::test::qemu
