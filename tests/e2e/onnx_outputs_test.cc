// Graph outputs that no operator of ember's computes: a constant (the Shape
// of a static input, folded at import), the value of another output passed
// on by an Identity, and a graph input passed on. The C that `ember compile
// --target host` generates writes each of them (the importer and the
// materialize-outputs pass give each a copy), under the ONNX output's name:
// `ember run` equals `ember eval` and the definition.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

TEST(OnnxOutputs, ConstantRepeatedAndInputOutputsAreWritten) {
  OnnxBuilder b(13);
  b.Input("x", {1, 4});
  b.Node("Relu", {"x"}, {"y"});
  b.Node("Shape", {"x"}, {"s"});
  b.Node("Identity", {"y"}, {"y_again"});
  b.Node("Identity", {"x"}, {"x_again"});
  b.Output("y");
  b.Output("s", pb::TensorProto::INT64);
  b.Output("y_again");
  b.Output("x_again");
  const std::string dir = TempDir();
  const std::string model = dir + "/outputs.onnx";
  WriteFile(model, b.Bytes());
  const std::vector<float> x = {-1.5f, 2.0f, 0.25f, -0.5f};
  WriteFloatNpy(dir + "/x.npy", {1, 4}, x);

  const std::vector<std::string> names = {"y", "s", "y_again", "x_again"};
  std::vector<std::string> eval = {"eval", model, "--input", dir + "/x.npy"};
  std::vector<std::string> run = {"run", dir + "/m.tar", "--input", dir + "/x.npy"};
  for (const std::string& n : names) {
    eval.insert(eval.end(), {"--output", dir + "/eval_" + n + ".npy"});
    run.insert(run.end(), {"--output", dir + "/run_" + n + ".npy"});
  }
  const CliResult e = RunCli(eval);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/m.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const CliResult r = RunCli(run);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& n : names) {
    EXPECT_EQ(ReadNpy(dir + "/run_" + n + ".npy").data, ReadNpy(dir + "/eval_" + n + ".npy").data) << n;
  }
  const std::vector<float> relu = {0.0f, 2.0f, 0.25f, 0.0f};
  EXPECT_EQ(ReadFloatNpy(dir + "/run_y.npy"), relu);
  EXPECT_EQ(ReadFloatNpy(dir + "/run_y_again.npy"), relu);
  EXPECT_EQ(ReadFloatNpy(dir + "/run_x_again.npy"), x);
  const NpyArray s = ReadNpy(dir + "/run_s.npy");
  ASSERT_EQ(s.descr, "<i8");
  ASSERT_EQ(s.data.size(), 16u);
  int64_t dims[2];
  std::memcpy(dims, s.data.data(), 16);
  EXPECT_EQ(dims[0], 1);
  EXPECT_EQ(dims[1], 4);

  // The outputs keep the ONNX names (the model's metadata lists them).
  const CliResult i = RunCli({"inspect", model});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_NE(i.out.find("output %y, %s, %y_again, %x_again"), std::string::npos) << i.out;
}

}  // namespace
}  // namespace ember::test
