// Helpers for tests: running the CLI, temporary directories, ../shared lookup.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::test {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs build/bin/ember with `args` (no shell quoting issues: args are passed as-is).
CliResult RunCli(const std::vector<std::string>& args);
// The same, with `cwd` as the current folder of the command.
CliResult RunCliIn(const std::string& cwd, const std::vector<std::string>& args);

// A fresh, empty directory unique to this test; removed at process exit.
std::string TempDir();

// Absolute path of ../shared, or "" when it is absent (tests then GTEST_SKIP).
std::string SharedDir();

std::vector<uint8_t> ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes);

// max |y - ref| / max |ref|; infinity when the sizes differ or ref is empty.
double RelError(const std::vector<float>& y, const std::vector<float>& ref);

}  // namespace ember::test

// Skips the current test with a clear message when ../shared is absent.
#define EMBER_REQUIRE_SHARED()                                                    \
  do {                                                                           \
    if (::ember::test::SharedDir().empty())                                      \
      GTEST_SKIP() << "../shared is absent (reference models and vectors); skipped"; \
  } while (0)
