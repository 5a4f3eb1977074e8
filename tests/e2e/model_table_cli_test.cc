// `ember micro model-table MLF -o FILE.c`: the model table (`ember_model`,
// ember/model_io.h) of a compiled model, which the CMake package's
// ember_add_model(... MODEL_TABLE) links into firmware (tests/cmake runs it).
#include <gtest/gtest.h>

#include <string>

#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

TEST(ModelTableCli, WritesTheTableOfAnMlfFolderAndArchive) {
  const std::string dir = TempDir();
  WriteFile(dir + "/tiny.tflite", TinyConvModel());
  for (const std::string& out : {dir + "/tiny_mlf", dir + "/tiny.tar"}) {
    ASSERT_EQ(RunCli({"compile", dir + "/tiny.tflite", "--module-name", "tiny", "-o", out}).exit_code, 0) << out;
    const CliResult r = RunCli({"micro", "model-table", out, "-o", dir + "/model_io.c"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::vector<uint8_t> bytes = ReadFile(dir + "/model_io.c");
    const std::string c(bytes.begin(), bytes.end());
    EXPECT_NE(c.find("const struct ember_model_io ember_model"), std::string::npos) << c;
    EXPECT_NE(c.find("tvmgen_tiny_run"), std::string::npos) << c;
  }
}

TEST(ModelTableCli, RefusesWhatIsNotAnArchive) {
  const std::string dir = TempDir();
  const CliResult r = RunCli({"micro", "model-table", dir + "/absent.tar", "-o", dir + "/model_io.c"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("E0708"), std::string::npos) << r.err;
  EXPECT_EQ(RunCli({"micro", "model-table", dir + "/absent.tar"}).exit_code, 2);  // no -o
}

}  // namespace
}  // namespace ember::test
