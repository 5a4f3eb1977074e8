// End-to-end checks on the MLPerf Tiny reference models in ../shared:
// `ember analyze` figures, and `ember eval` byte for byte against the vectors
// TFLite Micro's reference kernels produced. Skipped when ../shared is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "util/test_util.h"

namespace ember::test {
namespace {

struct ModelFacts {
  const char* name;
  int64_t macs;          // of the compiled graph
  int64_t as_written;    // of the model's own layers, when they differ (else 0)
  int64_t activation_lower_bound;
  int64_t inplace_lower_bound;
};

// MACs from ../shared/models/README.md (vww's as written: 971 of its output
// channels have all-zero weights and leave the graph, docs/passes.md); naive lower bounds from the compile
// issue (largest sum of live activations, no in-place reuse); in-place lower
// bounds with the overlaps the portable kernels declare (docs/memory.md).
constexpr ModelFacts kModels[] = {
    {"kws", 2656768, 0, 16000, 8384},
    {"vww", 3742091, 7489664, 55296, 36872},
    {"ic", 12501632, 0, 49152, 33312},
    {"ad", 264192, 0, 768, 768},
};

class SharedModel : public ::testing::TestWithParam<ModelFacts> {
 protected:
  std::string ModelPath() const {
    return SharedDir() + "/models/" + GetParam().name + ".tflite";
  }
};

TEST_P(SharedModel, AnalyzeReportsMacsAndLowerBound) {
  EMBER_REQUIRE_SHARED();
  const CliResult r = RunCli({"analyze", ModelPath(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("macs").get<int64_t>(), GetParam().macs);
  if (GetParam().as_written != 0) {
    EXPECT_EQ(j.at("macs_as_written").get<int64_t>(), GetParam().as_written);
  } else {
    EXPECT_FALSE(j.contains("macs_as_written"));
  }
  EXPECT_EQ(j.at("activation_lower_bound_bytes").get<int64_t>(), GetParam().activation_lower_bound);
  EXPECT_EQ(j.at("inplace_lower_bound_bytes").get<int64_t>(), GetParam().inplace_lower_bound);
  EXPECT_EQ(j.at("inputs").size(), 1u);
  EXPECT_EQ(j.at("outputs").size(), 1u);
  EXPECT_EQ(j.at("inputs")[0].at("dtype"), "i8");
}

TEST_P(SharedModel, AnalyzeTextMentionsTotals) {
  EMBER_REQUIRE_SHARED();
  const CliResult r = RunCli({"analyze", ModelPath()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("total MACs"), std::string::npos);
  EXPECT_NE(r.out.find("activation lower bound"), std::string::npos);
  EXPECT_NE(r.out.find("in-place lower bound"), std::string::npos);
}

TEST_P(SharedModel, EvalMatchesReferenceVectorsByteForByte) {
  EMBER_REQUIRE_SHARED();
  const std::string dir = SharedDir() + "/testdata/" + GetParam().name;
  const std::string tmp = TempDir();
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("input_", 0) != 0) continue;
    const std::string suffix = file.substr(std::string("input_").size());
    const std::string expected_path = dir + "/output_" + suffix;
    ASSERT_TRUE(std::filesystem::exists(expected_path)) << expected_path;
    const std::string out = tmp + "/out_" + suffix;
    const CliResult r = RunCli({"eval", ModelPath(), "--input", entry.path().string(), "--output", out});
    ASSERT_EQ(r.exit_code, 0) << file << ": " << r.err;
    const auto got = ReadFile(out);
    const auto want = ReadFile(expected_path);
    ASSERT_EQ(got.size(), want.size()) << file;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(static_cast<int8_t>(got[i]), static_cast<int8_t>(want[i]))
          << GetParam().name << " " << file << " byte " << i;
    }
    ++checked;
  }
  EXPECT_GE(checked, 5) << "expected at least 5 vectors in " << dir;
}

INSTANTIATE_TEST_SUITE_P(MlperfTiny, SharedModel, ::testing::ValuesIn(kModels),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ember::test
