// Every file of the malformed-model corpus (tests/fuzz/corpus) must give a
// diagnostic and a clean non-zero exit from the CLI: no crash, no internal
// error, no sanitizer report (the suite also runs in the ASan+UBSan build,
// where a report aborts the process and shows up as a signal here).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "util/test_util.h"

namespace ember::test {
namespace {

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  const std::filesystem::path dir = std::filesystem::path(EMBER_SOURCE_DIR) / "tests/fuzz/corpus";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(CliCorpus, EveryMalformedModelGetsADiagnostic) {
  const auto files = CorpusFiles();
  ASSERT_GE(files.size(), 20u) << "the malformed-model corpus is missing";
  for (const std::string& f : files) {
    for (const char* cmd : {"analyze", "inspect"}) {
      const CliResult r = RunCli({cmd, f});
      EXPECT_NE(r.exit_code, 0) << cmd << " " << f;
      EXPECT_LT(r.exit_code, 64) << cmd << " " << f << " crashed or hit an internal error:\n" << r.err;
      EXPECT_NE(r.err.find("error[E"), std::string::npos) << cmd << " " << f << ": " << r.err;
      EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.err;
      EXPECT_EQ(r.err.find("runtime error"), std::string::npos) << r.err;
    }
  }
}

}  // namespace
}  // namespace ember::test
