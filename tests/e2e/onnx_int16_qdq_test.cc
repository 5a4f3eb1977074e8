// QDQ models with 16-bit activations and 8-bit weights (A16W8, what ONNX
// Runtime's quantizer writes with QInt16 activations): its com.microsoft
// QuantizeLinear / DequantizeLinear below opset 21, the standard operators
// with int16 zero points from opset 21 (which libonnx 1.12's schemas
// refuse). A convolution between int16 quantize / dequantize (zero point
// -7), per channel int8 weights, and an Add of its dequantized result and
// the input's, quantized to int16 again, in both forms:
//   - `ember eval` against ONNX Runtime when node and onnxruntime-node are
//     present (skipped with a message otherwise), with and without its graph
//     optimizations: equal on every element (the int16 values stay
//     quantize / dequantize around float operators in ember);
//   - the host build (`ember compile --target host`, `ember run`) equals
//     `ember eval` byte for byte;
// The same with uint16 activations (zero point 30000; held as int16 with the
// zero point shifted by 32768). Arithmetic on uint16 values and blocked
// quantization are refused by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

// x -> Q16 -> DQ -> Conv(DQ(int8 w, per channel), 2 channels) -> Q16 -> DQ
// -> Add with x's DQ -> Q16 -> DQ. `contrib`: the com.microsoft operators
// at opset 13; else opset 21's.
std::vector<uint8_t> A16W8(bool contrib, int32_t act_type = pb::TensorProto::INT16, int64_t block_size = 0) {
  OnnxBuilder b(contrib ? 13 : 21);
  if (contrib) b.Domain("com.microsoft", 1);
  b.Input("x", {1, 2, 6, 6});
  const auto q = [&](const std::string& in, const std::string& s, const std::string& out) {
    auto n = b.Node("QuantizeLinear", {in, s, "z16"}, {out});
    if (contrib) n.proto()->set_domain("com.microsoft");
    if (block_size) n.Int("block_size", block_size);
  };
  const auto dq = [&](const std::string& in, const std::string& s, const std::string& z, const std::string& out) {
    auto n = b.Node("DequantizeLinear", {in, s, z}, {out});
    if (contrib) n.proto()->set_domain("com.microsoft");
  };
  b.InitInt("z16", act_type, {}, {act_type == pb::TensorProto::INT16 ? -7 : 30000});
  b.Init("xs", {}, {0.00005f});
  b.Init("cs", {}, {0.0002f});
  b.Init("ys", {}, {0.0003f});
  std::vector<int32_t> w;
  for (float v : Seeded(2 * 2 * 9, 31, 127.0f)) w.push_back(static_cast<int32_t>(v));
  b.InitInt("w", pb::TensorProto::INT8, {2, 2, 3, 3}, w);
  b.Init("ws", {2}, {0.004f, 0.006f});
  b.InitInt("wz", pb::TensorProto::INT8, {2}, {0, 0});
  q("x", "xs", "xq");
  dq("xq", "xs", "z16", "xd");
  b.Node("DequantizeLinear", {"w", "ws", "wz"}, {"wd"}).Int("axis", 0);
  b.Node("Conv", {"xd", "wd"}, {"c"}).Ints("pads", {1, 1, 1, 1});
  q("c", "cs", "cq");
  dq("cq", "cs", "z16", "cd");
  b.Node("Add", {"cd", "xd"}, {"a"});
  q("a", "ys", "aq");
  dq("aq", "ys", "z16", "y");
  b.OutputWithShape("y", {1, 2, 6, 6});
  return b.Bytes();
}

TEST(OnnxInt16Qdq, A16W8MatchesOnnxRuntimeAndTheHost) {
  const std::string dir = TempDir();
  const std::vector<float> x = Seeded(72, 4, 1.4f);
  WriteFloatNpy(dir + "/x.npy", {1, 2, 6, 6}, x);
  for (const int32_t type : {pb::TensorProto::INT16, pb::TensorProto::UINT16})
  for (const bool contrib : {true, false}) {
    const std::string tag = std::string(contrib ? "contrib" : "opset21") +
                            (type == pb::TensorProto::UINT16 ? "_uint16" : "_int16");
    SCOPED_TRACE(tag);
    const std::string model = dir + "/" + tag + ".onnx";
    WriteFile(model, A16W8(contrib, type));
    const CliResult ins = RunCli({"inspect", model});
    ASSERT_EQ(ins.exit_code, 0) << ins.err;
    EXPECT_NE(ins.out.find("= quantize(%c"), std::string::npos) << ins.out;
    EXPECT_NE(ins.out.find(": i16["), std::string::npos) << ins.out;
    EvalAndRunOnHost(model, dir, tag);
    const std::vector<uint8_t> eval = ReadNpy(dir + "/" + tag + ".npy").data;
    EXPECT_EQ(ReadNpy(dir + "/" + tag + "_run.npy").data, eval) << "the host build differs from ember eval";
    const std::vector<float> y = BytesToFloats(eval);
    ASSERT_EQ(y.size(), 72u);
    if (const std::string why = OrtMissing(); why.empty()) {
      for (const char* opt : {"disabled", ""}) {
        const std::vector<float> ort = RunOrt(model, FloatBytes(x), "1x2x6x6", dir, opt);
        ASSERT_EQ(ort.size(), y.size());
        size_t equal = 0;
        for (size_t i = 0; i < y.size(); ++i) equal += ort[i] == y[i];
        std::printf("A16W8 (%s): ember eval equals ONNX Runtime (%s) on %zu of %zu elements\n", tag.c_str(),
                    *opt ? opt : "default options", equal, y.size());
        EXPECT_EQ(equal, y.size());
      }
    } else {
      std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
    }
  }
}

// A model that computes on the uint16 values themselves (an Add of a
// QuantizeLinear's uint16 output and a constant; ember has no uint16
// arithmetic), and blocked quantization, are refused by name.
TEST(OnnxInt16Qdq, Uint16ArithmeticAndBlockedQuantizationAreRefused) {
  const std::string dir = TempDir();
  OnnxBuilder b(21);
  b.Input("x", {1, 4});
  b.Init("s", {}, {0.001f});
  b.InitInt("z", pb::TensorProto::UINT16, {}, {1000});
  b.InitInt("one", pb::TensorProto::UINT16, {}, {1});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
  b.Node("Add", {"q", "one"}, {"q1"});
  b.Node("DequantizeLinear", {"q1", "s", "z"}, {"y"});
  b.OutputWithShape("y", {1, 4});
  WriteFile(dir + "/u16_add.onnx", b.Bytes());
  CliResult r = RunCli({"inspect", dir + "/u16_add.onnx"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("E1007"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("computing on the uint16 values of 'q'"), std::string::npos) << r.err;
  WriteFile(dir + "/blocked.onnx", A16W8(false, pb::TensorProto::INT16, 2));
  r = RunCli({"inspect", dir + "/blocked.onnx"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("blocked quantization (block_size 2)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ember::test
