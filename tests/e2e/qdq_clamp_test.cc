// A QDQ CNN whose activations have their own DequantizeLinear and
// QuantizeLinear (Relu, ReLU6 as Clip(0, 6), and Clip(-1, 3), each quantized
// as its input), as exporters that quantize every operator write them, int8
// and uint8 activations. fold-qdq makes each activation a 256-entry table;
// these tables are clamps, so fuse-clamp makes them the convolutions' fused
// activations: after the passes the three int8 convolutions carry act relu,
// relu6 and clip, and no lookup_table is left. `ember eval` equals ONNX
// Runtime's default run on every element (skipped with a message without
// onnxruntime-node), and the host build and the model on the emulated
// Cortex-M4 equal `ember eval` byte for byte. A Clip after a uint8 Add becomes
// the add's act the same way.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

// `requantize`: each activation's output scale 1 % larger than its input's,
// so that its table requantizes and is no clamp (the unfused reference).
std::vector<uint8_t> QdqCnn(bool u8, bool requantize = false) {
  const int32_t t = u8 ? pb::TensorProto::UINT8 : pb::TensorProto::INT8;
  const int32_t k = u8 ? 0 : -128;
  OnnxBuilder b;
  b.Input("x", {1, 3, 6, 6});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", t, {}, {128 + k});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  b.Init("f0", {}, {0.0f});
  b.Init("f6", {}, {6.0f});
  b.Init("fm1", {}, {-1.0f});
  b.Init("f3", {}, {3.0f});
  std::string in = "xd";
  int64_t channels = 3;
  const struct {
    const char* name;
    int64_t out_channels;
    float scale;
    int32_t zero;
  } layers[] = {{"relu", 4, 0.05f, 120}, {"relu6", 4, 0.03f, 20}, {"hardtanh", 3, 0.03f, 140}};
  uint32_t seed = 31;
  for (const auto& l : layers) {
    const std::string n = l.name;
    std::vector<int32_t> w;
    for (float v : Seeded(static_cast<size_t>(l.out_channels * channels * 9), seed++, 90.0f))
      w.push_back(static_cast<int32_t>(v));
    b.InitInt(n + "_w", pb::TensorProto::INT8, {l.out_channels, channels, 3, 3}, w);
    b.Init(n + "_ws", {}, {0.004f});
    b.InitInt(n + "_wz", pb::TensorProto::INT8, {}, {0});
    b.Node("DequantizeLinear", {n + "_w", n + "_ws", n + "_wz"}, {n + "_wd"});
    b.Node("Conv", {in, n + "_wd"}, {n + "_c"}, n + "_conv").Ints("pads", {1, 1, 1, 1});
    b.Init(n + "_s", {}, {l.scale});
    b.InitInt(n + "_z", t, {}, {l.zero + k});
    b.Node("QuantizeLinear", {n + "_c", n + "_s", n + "_z"}, {n + "_cq"});
    b.Node("DequantizeLinear", {n + "_cq", n + "_s", n + "_z"}, {n + "_cd"});
    if (n == "relu") b.Node("Relu", {n + "_cd"}, {n + "_a"}, n);
    if (n == "relu6") b.Node("Clip", {n + "_cd", "f0", "f6"}, {n + "_a"}, n);
    if (n == "hardtanh") b.Node("Clip", {n + "_cd", "fm1", "f3"}, {n + "_a"}, n);
    b.Init(n + "_as", {}, {requantize ? l.scale * 1.01f : l.scale});
    b.Node("QuantizeLinear", {n + "_a", n + "_as", n + "_z"}, {n + "_aq"});
    b.Node("DequantizeLinear", {n + "_aq", n + "_as", n + "_z"}, {n + "_ad"});
    in = n + "_ad";
    channels = l.out_channels;
  }
  b.Node("Identity", {in}, {"y"});
  b.OutputWithShape("y", {1, 3, 6, 6});
  return b.Bytes();
}

TEST(QdqClamp, ActivationTablesBecomeFusedClampsEqualToOnnxRuntime) {
  const std::string dir = TempDir();
  const std::vector<float> x = Seeded(108, 5, 2.5f);
  WriteFloatNpy(dir + "/x.npy", {1, 3, 6, 6}, x);
  for (const bool u8 : {true, false}) {
    const std::string tag = u8 ? "qdq_clamp_u8" : "qdq_clamp_i8";
    SCOPED_TRACE(tag);
    const std::string model = dir + "/" + tag + ".onnx";
    WriteFile(model, QdqCnn(u8));
    const CliResult ins = RunCli({"inspect", model});
    ASSERT_EQ(ins.exit_code, 0) << ins.err;
    const std::vector<std::string> convs = LinesWith(ins.out, "conv2d");
    ASSERT_EQ(convs.size(), 3u) << ins.out;
    EXPECT_NE(convs[0].find("act=\"relu\""), std::string::npos) << convs[0];
    EXPECT_NE(convs[1].find("act=\"relu6\""), std::string::npos) << convs[1];
    EXPECT_NE(convs[2].find("act=\"clip\", act_max=3.0, act_min=-1.0"), std::string::npos) << convs[2];
    for (const std::string& c : convs) EXPECT_NE(c.find(": i8["), std::string::npos) << c;
    EXPECT_TRUE(LinesWith(ins.out, "lookup_table").empty()) << ins.out;
    ExpectEvalEqualsHostAndOnnxRuntime(model, dir, tag, FloatBytes(x), "1x3x6x6", 108);
    if (const std::string why = qemu::MissingTools(); why.empty()) {
      qemu::HarnessResult h;
      ASSERT_EQ(CompileAndEmulateOnCortexM4(model, tag, FloatBytes(ChannelsLast(x, 3)), dir, &h), "");
      ASSERT_EQ(h.outputs.size(), 1u);
      EXPECT_EQ(ChannelsFirst(BytesToFloats(h.outputs[0]), 3), ReadFloatNpy(dir + "/" + tag + ".npy"))
          << "the model on cortex-m4 differs from ember eval";
      std::printf("%s on cortex-m4 (mps2-an386): %llu instructions\n", tag.c_str(),
                  static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]));
    } else {
      std::printf("Cortex-M4 check skipped: %s\n", why.c_str());
    }
  }
}

// The same CNN with each activation requantized (1 % larger output scale):
// the tables are no clamps and stay, and the results still equal ONNX
// Runtime's. On the Cortex-M4 it runs the three tables the fused model saves.
TEST(QdqClamp, RequantizingActivationTablesStayAndEqualOnnxRuntime) {
  const std::string dir = TempDir();
  const std::vector<float> x = Seeded(108, 5, 2.5f);
  WriteFloatNpy(dir + "/x.npy", {1, 3, 6, 6}, x);
  const std::string model = dir + "/qdq_requantize.onnx";
  WriteFile(model, QdqCnn(true, true));
  const CliResult ins = RunCli({"inspect", model});
  ASSERT_EQ(ins.exit_code, 0) << ins.err;
  EXPECT_EQ(LinesWith(ins.out, "lookup_table").size(), 3u) << ins.out;
  for (const std::string& c : LinesWith(ins.out, "conv2d")) EXPECT_EQ(c.find("act="), std::string::npos) << c;
  ExpectEvalEqualsHostAndOnnxRuntime(model, dir, "qdq_requantize", FloatBytes(x), "1x3x6x6", 108);
  if (const std::string why = qemu::MissingTools(); why.empty()) {
    qemu::HarnessResult h;
    ASSERT_EQ(CompileAndEmulateOnCortexM4(model, "qdq_requantize", FloatBytes(ChannelsLast(x, 3)), dir, &h), "");
    ASSERT_EQ(h.outputs.size(), 1u);
    EXPECT_EQ(ChannelsFirst(BytesToFloats(h.outputs[0]), 3), ReadFloatNpy(dir + "/qdq_requantize.npy"));
    std::printf("qdq_requantize on cortex-m4 (mps2-an386): %llu instructions\n",
                static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]));
  } else {
    std::printf("Cortex-M4 check skipped: %s\n", why.c_str());
  }
}

// x quantized twice (uint8, two scales), the two added (ONNX Runtime's
// QLinearAdd arithmetic), then a Clip(-0.5, 1.5) quantized on its own: the
// add carries the clip as its act, and equals ONNX Runtime on every element.
TEST(QdqClamp, ClipAfterAddBecomesTheAddsAct) {
  OnnxBuilder b;
  b.Input("x", {1, 3, 4, 4});
  b.Init("s1", {}, {0.02f});
  b.Init("s2", {}, {0.015f});
  b.InitInt("z", pb::TensorProto::UINT8, {}, {128});
  b.InitInt("za", pb::TensorProto::UINT8, {}, {120});
  b.Init("lo", {}, {-0.5f});
  b.Init("hi", {}, {1.5f});
  b.Node("QuantizeLinear", {"x", "s1", "z"}, {"q1"});
  b.Node("DequantizeLinear", {"q1", "s1", "z"}, {"d1"});
  b.Node("QuantizeLinear", {"x", "s2", "z"}, {"q2"});
  b.Node("DequantizeLinear", {"q2", "s2", "z"}, {"d2"});
  b.Node("Add", {"d1", "d2"}, {"a"}, "add");
  b.Node("QuantizeLinear", {"a", "s2", "za"}, {"aq"});
  b.Node("DequantizeLinear", {"aq", "s2", "za"}, {"ad"});
  b.Node("Clip", {"ad", "lo", "hi"}, {"c"}, "clip");
  b.Node("QuantizeLinear", {"c", "s2", "za"}, {"cq"});
  b.Node("DequantizeLinear", {"cq", "s2", "za"}, {"y"});
  b.OutputWithShape("y", {1, 3, 4, 4});
  const std::string dir = TempDir();
  const std::string model = dir + "/qdq_add_clip.onnx";
  WriteFile(model, b.Bytes());
  const std::vector<float> x = Seeded(48, 3, 2.0f);
  WriteFloatNpy(dir + "/x.npy", {1, 3, 4, 4}, x);
  const CliResult ins = RunCli({"inspect", model});
  ASSERT_EQ(ins.exit_code, 0) << ins.err;
  const std::vector<std::string> adds = LinesWith(ins.out, "add");
  ASSERT_EQ(adds.size(), 1u) << ins.out;
  EXPECT_NE(adds[0].find("act=\"clip\", act_max=1.5, act_min=-0.5"), std::string::npos) << adds[0];
  EXPECT_TRUE(LinesWith(ins.out, "lookup_table").empty()) << ins.out;
  ExpectEvalEqualsHostAndOnnxRuntime(model, dir, "qdq_add_clip", FloatBytes(x), "1x3x4x4", 48);
}

}  // namespace
}  // namespace ember::test
