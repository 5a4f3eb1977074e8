// ONNX import diagnostics: malformed bytes, checker refusal, unsupported
// operator and attribute, opset, dynamic dimensions and --input-shape,
// external data outside the model's folder.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "frontend/onnx/import.h"
#include "ir/printer.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;
namespace pb = ::onnx;

// ---- diagnostics ----

TEST(OnnxImportErrors, MalformedBytesAreNotAModel) {
  const Diagnostic d = MustFail({0xff, 0xff, 0xff, 0x01, 0x02});
  EXPECT_EQ(d.id, "E1001");
  EXPECT_EQ(MustFail({}).id, "E1001");
}

TEST(OnnxImportErrors, TruncatedModelIsRefused) {
  OnnxBuilder b;
  b.Input("x", {1, 4});
  b.Init("w", {4, 4}, Ramp(16));
  b.Node("MatMul", {"x", "w"}, {"y"});
  b.Output("y");
  std::vector<uint8_t> bytes = b.Bytes();
  bytes.resize(bytes.size() - 7);
  EXPECT_FALSE(ImportOnnx(bytes, "model.onnx").ok());
}

TEST(OnnxImportErrors, CheckerRefusalIsReported) {
  OnnxBuilder b;
  b.Input("x", {1, 4});
  b.Node("Relu", {"x", "x"}, {"y"});  // Relu takes one input
  b.Output("y");
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_EQ(d.id, "E1003");
  EXPECT_NE(d.message.find("checker"), std::string::npos) << d.message;
}

TEST(OnnxImportErrors, UnsupportedOpNamesOpNodeAndOpset) {
  OnnxBuilder b;
  b.Input("x", {1, 4});
  b.Node("LpNormalization", {"x"}, {"y"}, "my_norm");
  b.Output("y");
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_EQ(d.id, "E1006");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
  EXPECT_NE(d.message.find("LpNormalization"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("my_norm"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("opset 13"), std::string::npos) << d.message;
  EXPECT_FALSE(d.hint.empty());
}

TEST(OnnxImportErrors, UnsupportedAttributeIsReported) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 4, 4});
  b.Init("m", {}, {0.0f});
  b.InitInt64("pads", {8}, {0, 0, -1, 1, 0, 0, 1, 1});
  b.Node("Pad", {"x", "pads", "m"}, {"y"}, "cropping_pad");
  b.Output("y");
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_EQ(d.id, "E1007");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
  EXPECT_NE(d.message.find("negative pads"), std::string::npos) << d.message;
}

// ONNX forms whose semantics the IR's operators do not have: each names the
// node, the operator, the opset and the form, with a hint.
TEST(OnnxImportErrors, FormsTheIrOperatorsDoNotComputeAreRefused) {
  struct Case {
    const char* what;
    std::vector<uint8_t> model;
    const char* message;
    const char* hint;
  };
  std::vector<Case> cases;
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4});
    b.Init("roi", {0}, {});
    b.Init("scales", {0}, {});
    b.InitInt64("sizes", {4}, {1, 2, 8, 8});
    b.Node("Resize", {"x", "roi", "scales", "sizes"}, {"y"}, "crop")
        .Str("mode", "linear")
        .Str("coordinate_transformation_mode", "tf_crop_and_resize");
    b.Output("y");
    cases.push_back({"linear tf_crop_and_resize with an empty roi", b.Bytes(),
                     "'crop' (Resize, opset 13): a roi that is not given for all four axes", "8 constant values"});
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4});
    b.InitInt64("sizes", {4}, {1, 2, 3, 3});
    b.Node("Resize", {"x", "", "", "sizes"}, {"y"}, "crop").Str("coordinate_transformation_mode", "tf_crop_and_resize");
    b.Output("y");
    cases.push_back({"nearest tf_crop_and_resize without a roi", b.Bytes(),
                     "'crop' (Resize, opset 13): tf_crop_and_resize without a roi input", "8 constant values"});
  }
  // LSTM: x [3 steps, 1, 2], hidden 2.
  auto lstm = [](const std::string& what) {
    OnnxBuilder b;
    b.Input("x", {3, 1, 2});
    b.Init("w", {1, 8, 2}, std::vector<float>(16, 0.1f));
    b.Init("r", {1, 8, 2}, std::vector<float>(16, -0.1f));
    std::vector<std::string> in = {"x", "w", "r"};
    if (what == "lens") {
      b.InitInt("lens", pb::TensorProto::INT32, {1}, {2});
      in.insert(in.end(), {"", "lens"});
    }
    auto n = b.Node("LSTM", in, {"Y", "Y_h", "Y_c"}, "rnn");
    n.Int("hidden_size", 2);
    if (what == "forget") n.Float("clip", 3.0f).Int("input_forget", 1);
    if (what == "act") n.Strs("activations", {"Sigmoid", "Gelu", "Tanh"});
    b.Output(what == "y_c" ? "Y_c" : "Y");
    return b.Bytes();
  };
  // Clip, other activations, peepholes, run-time initial states and a read
  // Y_c unroll the equations (import_rnn_unrolled.cc); these they refuse too.
  cases.push_back({"LSTM input_forget", lstm("forget"), "'rnn' (LSTM, opset 13): input_forget=1", ""});
  cases.push_back({"LSTM activation", lstm("act"), "'rnn' (LSTM, opset 13): activation 'gelu'", "Softplus"});
  cases.push_back({"LSTM short sequence", lstm("lens"), "'rnn' (LSTM, opset 13): sequence_lens 2 for a sequence of 3 steps",
                   "full length"});
  {
    OnnxBuilder b;
    b.Input("x", {1, 1, 1, 1, 2, 4});
    b.Input("w", {4, 3});
    b.Node("MatMul", {"x", "w"}, {"y"}, "deep");
    b.Output("y");
    cases.push_back({"6-D MatMul", b.Bytes(),
                     "'deep' (MatMul, opset 13): MatMul of operands of shapes [1,1,1,1,2,4] and [4,3]", "rank 1 to 5"});
  }
  {
    OnnxBuilder b;
    b.Input("x", {2, 3});
    b.Node("Cast", {"x"}, {"y"}, "to_bool").Int("to", pb::TensorProto::BOOL);
    b.Output("y", pb::TensorProto::BOOL);
    cases.push_back({"Cast to bool", b.Bytes(), "'to_bool' (Cast, opset 13): a cast to BOOL computed at run time",
                     "float32, int32"});
  }
  for (const Case& c : cases) {
    const Diagnostic d = MustFail(c.model);
    EXPECT_EQ(d.id, "E1007") << c.what << ": " << d.ToString();
    EXPECT_EQ(d.exit, ExitCode::kUnsupported) << c.what;
    EXPECT_NE(d.message.find(c.message), std::string::npos) << c.what << ": " << d.message;
    EXPECT_NE(d.hint.find(c.hint), std::string::npos) << c.what << ": " << d.hint;
  }
}

// Opsets above 22 are refused; opsets 1 to 10 go through ONNX's version
// converter to opset 13: an opset-9 Upsample becomes a Resize (nearest, an
// integer scale: resize_nearest_neighbor) and an opset-7 BatchNormalization
// after a Conv computes as the definition.
TEST(OnnxImportErrors, OpsetOutOfRange) {
  {
    OnnxBuilder b(23);
    b.Input("x", {1, 4});
    b.Node("Relu", {"x"}, {"y"});
    b.OutputWithShape("y", {1, 4});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1005") << d.ToString();
    EXPECT_NE(d.message.find("opsets 1 to 22"), std::string::npos) << d.ToString();
  }
  {
    OnnxBuilder b(9);
    b.Input("x", {1, 2, 3, 3});
    b.Init("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
    b.Node("Upsample", {"x", "scales"}, {"y"}).Str("mode", "nearest");
    b.OutputWithShape("y", {1, 2, 6, 6});
    const ir::Graph g = MustImport(b.Bytes());
    int resizes = 0;
    for (const ir::Node& n : g.nodes) resizes += n.op == ir::OpKind::kResizeNearestNeighbor;
    EXPECT_EQ(resizes, 1) << ir::Print(g);
    const std::vector<float> x = Ramp(18);
    const std::vector<float> y = Eval(g, x);
    ASSERT_EQ(y.size(), 72u);
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j) EXPECT_EQ(y[static_cast<size_t>((c * 6 + i) * 6 + j)], x[static_cast<size_t>((c * 3 + i / 2) * 3 + j / 2)]);
  }
  {
    OnnxBuilder b(7);
    b.Input("x", {1, 2, 4, 4});
    b.Init("w", {2, 2, 1, 1}, {1.0f, 0.5f, -1.0f, 2.0f});
    b.Init("gamma", {2}, {2.0f, 0.5f});
    b.Init("beta", {2}, {0.1f, -0.2f});
    b.Init("mean", {2}, {0.3f, -0.4f});
    b.Init("var", {2}, {1.5f, 0.25f});
    b.Node("Conv", {"x", "w"}, {"c"});
    b.Node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"});
    b.OutputWithShape("y", {1, 2, 4, 4});
    const ir::Graph g = MustImport(b.Bytes());
    const std::vector<float> x = Ramp(32);
    const std::vector<float> y = Eval(g, x);
    ASSERT_EQ(y.size(), 32u);
    const float w[2][2] = {{1.0f, 0.5f}, {-1.0f, 2.0f}}, gamma[2] = {2.0f, 0.5f}, beta[2] = {0.1f, -0.2f},
                mean[2] = {0.3f, -0.4f}, var[2] = {1.5f, 0.25f};
    for (int c = 0; c < 2; ++c)
      for (int p = 0; p < 16; ++p) {
        const float conv = w[c][0] * x[static_cast<size_t>(p)] + w[c][1] * x[static_cast<size_t>(16 + p)];
        const float want = gamma[c] * (conv - mean[c]) / std::sqrt(var[c] + 1e-5f) + beta[c];
        EXPECT_NEAR(y[static_cast<size_t>(c * 16 + p)], want, 1e-5f) << c << " " << p;
      }
  }
}

// IR versions above 11 are refused by name; the forms opsets 19 to 21 added
// with other than their default values are refused as unsupported.
TEST(OnnxImportErrors, NewerIrVersionsAndForms) {
  {
    OnnxBuilder b(21);
    b.model().set_ir_version(12);
    b.Input("x", {1, 4});
    b.Node("Relu", {"x"}, {"y"});
    b.OutputWithShape("y", {1, 4});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1005") << d.ToString();
    EXPECT_NE(d.message.find("IR version 12"), std::string::npos) << d.ToString();
  }
  {
    OnnxBuilder b(21);
    b.Input("x", {1, 4});
    b.Init("s", {}, {0.5f});
    b.Node("QuantizeLinear", {"x", "s"}, {"y"}, "blocked").Int("block_size", 2);
    b.OutputWithShape("y", {1, 4}, ::onnx::TensorProto::UINT8);
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find("'blocked' (QuantizeLinear, opset 21): blocked quantization (block_size 2)"),
              std::string::npos) << d.ToString();
  }
  {
    OnnxBuilder b(19);
    b.Input("x", {1, 1, 5, 5});
    b.Node("AveragePool", {"x"}, {"y"}, "dilated").Ints("kernel_shape", {2, 2}).Ints("dilations", {2, 2});
    b.OutputWithShape("y", {1, 1, 3, 3});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find("'dilated' (AveragePool, opset 19): dilations != 1"), std::string::npos) << d.ToString();
  }
}

TEST(OnnxImportErrors, DynamicDimSuggestsInputShapeWhichFixesIt) {
  OnnxBuilder b;
  b.Input("x", {-1, 3});
  b.Node("Relu", {"x"}, {"y"});
  b.Output("y");
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_EQ(d.id, "E1008") << d.ToString();
  EXPECT_NE(d.hint.find("--input-shape"), std::string::npos) << d.hint;
  ImportOptions o;
  ASSERT_TRUE(ParseInputShapeFlag("x=2x3", &o.input_shapes).ok());
  const ir::Graph g = MustImport(b.Bytes(), o);
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{2, 3}));
  ImportOptions wrong;
  ASSERT_TRUE(ParseInputShapeFlag("x=2x4", &wrong.input_shapes).ok());
  EXPECT_EQ(MustFail(b.Bytes(), wrong).id, "E1009");
  ImportOptions unknown;
  ASSERT_TRUE(ParseInputShapeFlag("nope=2x3", &unknown.input_shapes).ok());
  EXPECT_EQ(MustFail(b.Bytes(), unknown).id, "E1009");
}

TEST(OnnxImportErrors, InputShapeFlagSyntax) {
  std::map<std::string, ir::Shape> m;
  EXPECT_TRUE(ParseInputShapeFlag("input=1x3x96x96", &m).ok());
  EXPECT_EQ(m["input"], (ir::Shape{1, 3, 96, 96}));
  for (const char* bad : {"input", "=1x2", "x=", "x=1xx2", "x=0x3", "x=-1", "x=1x99999999999"}) {
    std::map<std::string, ir::Shape> n;
    EXPECT_FALSE(ParseInputShapeFlag(bad, &n).ok()) << bad;
  }
}

class OnnxExternalData : public testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("ember_onnx_ext_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "model");
    std::vector<float> w = Ramp(16);
    std::ofstream(root_ / "model" / "w.bin", std::ios::binary).write(reinterpret_cast<const char*>(w.data()), 64);
    std::ofstream(root_ / "secret.bin", std::ios::binary).write(reinterpret_cast<const char*>(w.data()), 64);
    std::filesystem::create_symlink(root_ / "secret.bin", root_ / "model" / "link.bin");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::vector<uint8_t> Model(const std::string& location, int64_t length = 64) {
    OnnxBuilder b;
    b.Input("x", {1, 4});
    b.InitExternal("w", {4, 4}, location, length);
    b.Node("MatMul", {"x", "w"}, {"y"});
    b.Output("y");
    return b.Bytes();
  }
  ImportOptions Opts() const { ImportOptions o; o.model_dir = (root_ / "model").string(); return o; }

  std::filesystem::path root_;
};

TEST_F(OnnxExternalData, InsideTheFolderIsRead) {
  const ir::Graph g = MustImport(Model("w.bin"), Opts());
  EXPECT_EQ(g.nodes.size(), 1u);
}

TEST_F(OnnxExternalData, EscapesAreRefused) {
  for (const std::string& loc : std::vector<std::string>{"../secret.bin", "sub/../../secret.bin", "/etc/passwd",
                                (root_ / "secret.bin").string(), "link.bin", "missing.bin"}) {
    const Diagnostic d = MustFail(Model(loc), Opts());
    EXPECT_EQ(d.id, "E1010") << loc << ": " << d.ToString();
  }
}

TEST_F(OnnxExternalData, LengthBeyondTheFileIsRefused) {
  EXPECT_EQ(MustFail(Model("w.bin", 128), Opts()).id, "E1010");
  // Without a model folder (bytes from memory) external data is refused.
  EXPECT_EQ(MustFail(Model("w.bin")).id, "E1010");
}

}  // namespace
}  // namespace ember::frontend::onnx
