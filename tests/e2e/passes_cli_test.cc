// The pass pipeline in the CLI: `inspect --after`, `compile --dump-ir-after`,
// `--keep-io-layout`, and NCHW .npy files for inputs and outputs that the
// layout pass made NHWC (docs/passes.md).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "support/npy.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

// An NCHW relu between the importer's transposes: after the layout pass the
// input and output are NHWC [1,3,4,2] with source layout NCHW.
std::string WriteNchwModel() {
  const std::string text = R"(graph "nchw" {
  input %x : f32[1,2,3,4]
  %t = transpose(%x) {perm=[0,2,3,1]} : f32[1,3,4,2]
  %r = relu(%t) : f32[1,3,4,2]
  %y = transpose(%r) {perm=[0,3,1,2]} : f32[1,2,3,4]
  output %y
}
)";
  const std::string path = TempDir() + "/nchw.ir";
  WriteFile(path, std::vector<uint8_t>(text.begin(), text.end()));
  return path;
}

TEST(PassesCli, InspectAfterEachPass) {
  const std::string model = WriteNchwModel();
  const CliResult all = RunCli({"inspect", model, "--after", "all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  for (const char* pass :
       {"import", "fold-constants", "fold-space-to-batch", "layout", "fold-batchnorm", "fuse-activation", "fold-qdq",
        "fuse-clamp", "drop-constant-channels", "materialize-outputs"})
    EXPECT_NE(all.out.find(std::string("// after ") + pass + "\n"), std::string::npos) << pass;
  const CliResult imported = RunCli({"inspect", model, "--after", "import"});
  EXPECT_NE(imported.out.find("transpose("), std::string::npos) << imported.out;
  const CliResult layout = RunCli({"inspect", model, "--after", "layout"});
  EXPECT_EQ(layout.out.find("transpose("), std::string::npos) << layout.out;
  EXPECT_NE(layout.out.find("input %x : f32[1,3,4,2] layout(\"NCHW\")"), std::string::npos) << layout.out;
  const CliResult kept = RunCli({"inspect", model, "--keep-io-layout"});
  EXPECT_NE(kept.out.find("input %x : f32[1,2,3,4]\n"), std::string::npos) << kept.out;
  const CliResult bad = RunCli({"inspect", model, "--after", "no-such-pass"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("E1201"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("fold-constants, fold-space-to-batch, layout"), std::string::npos) << bad.err;
}

// Channel 1 of %a has zero weights (a constant, 1000 requantized): it leaves
// the graph unless --keep-constant-channels; the compiled outputs are equal.
TEST(PassesCli, KeepConstantChannelsKeepsTheModelsShapes) {
  const std::string text = R"(graph "dead" {
  input %x : i8[1,2,2,2] quant(0.05, 0)
  const %w1 : i8[3,1,1,2] quant(0.01, 0) = hex"010200000304"
  const %b1 : i32[3] = hex"0a000000e803000005000000"
  %a = conv2d(%x, %w1, %b1) {act="none", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : i8[1,2,2,3] quant(0.02, -1)
  const %w2 : i8[2,1,1,3] quant(0.01, 0) = hex"010203040506"
  const %b2 : i32[2] = hex"0000000000000000"
  %y = conv2d(%a, %w2, %b2) {act="none", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : i8[1,2,2,2] quant(0.05, 0)
  output %y
}
)";
  const std::string dir = TempDir();
  const std::string model = dir + "/dead.ir";
  WriteFile(model, std::vector<uint8_t>(text.begin(), text.end()));
  const CliResult dropped = RunCli({"inspect", model});
  ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
  EXPECT_NE(dropped.out.find("%a = conv2d(%x, %w1, %b1) {act=\"none\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : "
                             "i8[1,2,2,2]"),
            std::string::npos)
      << dropped.out;
  const CliResult kept = RunCli({"inspect", model, "--keep-constant-channels"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(kept.out, RunCli({"inspect", model, "--after", "import"}).out);
  std::vector<std::vector<uint8_t>> outputs;
  for (const bool keep : {false, true}) {
    std::vector<std::string> args = {"compile", model, "-o", dir + "/dead.tar"};
    if (keep) args.push_back("--keep-constant-channels");
    const CliResult c = RunCli(args);
    ASSERT_EQ(c.exit_code, 0) << c.err;
    const CliResult r = RunCli({"run", dir + "/dead.tar", "--input", "random:3", "--output", dir + "/y.bin"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    outputs.push_back(ReadFile(dir + "/y.bin"));
  }
  EXPECT_EQ(outputs[0].size(), 8u);
  EXPECT_EQ(outputs[0], outputs[1]);
}

TEST(PassesCli, CompileDumpsIrToStderr) {
  const std::string model = WriteNchwModel();
  const CliResult r = RunCli({"compile", model, "--dump-ir-after=layout", "-o", TempDir() + "/nchw_out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("// ember: IR after layout\n"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("// ember: IR after fold-constants"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("layout(\"NCHW\")"), std::string::npos) << r.err;
}

TEST(PassesCli, EvalTakesAndWritesNchwArrays) {
  const std::string model = WriteNchwModel();
  NpyArray in;
  in.descr = "<f4";
  in.shape = {1, 2, 3, 4};
  for (int i = 0; i < 24; ++i) {
    const float v = static_cast<float>(i - 12);
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    in.data.insert(in.data.end(), b, b + 4);
  }
  const std::string in_path = TempDir() + "/nchw_in.npy", out_path = TempDir() + "/nchw_out.npy";
  WriteFile(in_path, SerializeNpy(in));
  const CliResult r = RunCli({"eval", model, "--input", in_path, "--output", out_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = ParseNpy(ReadFile(out_path), out_path);
  ASSERT_TRUE(out.ok()) << out.diag().ToString();
  EXPECT_EQ(out->shape, (std::vector<int64_t>{1, 2, 3, 4}));
  ASSERT_EQ(out->data.size(), 96u);
  for (int i = 0; i < 24; ++i) {
    float v;
    std::memcpy(&v, &out->data[static_cast<size_t>(i) * 4], 4);
    EXPECT_EQ(v, i < 12 ? 0.0f : static_cast<float>(i - 12)) << i;  // relu, element order kept
  }
}

}  // namespace
}  // namespace ember::test
