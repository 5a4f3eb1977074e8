// A 4-bit CNN in the QCDQ form that quantization-aware training tools
// (Brevitas) export: QuantizeLinear -> Clip -> DequantizeLinear narrows
// activations to 4 bits (signed input, unsigned after the ReLU-like clip),
// and Clip -> DequantizeLinear narrows int8 weights (per channel):
//   - after the pipeline both convolutions are int8, with the Clips after
//     them as their fused clamps, and nothing is float between the input's
//     quantize and the output's dequantize;
//   - `ember eval` against ONNX Runtime when node and onnxruntime-node are
//     present (skipped with a message otherwise), with its graph
//     optimizations off (the QDQ graph run literally, the convolutions in
//     float) and on: within one output step on every element (measured with
//     1.31.1: 47 of 48 equal, both ways; ember's int8 convolution sums
//     exactly where the float one rounds each partial sum);
//   - the C that `ember compile --target host` generates, run by
//     `ember run`, and the model on the emulated Cortex-M4, equal
//     `ember eval` byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
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

// Q(scale, zero, type) -> Clip(lo, hi) -> DQ of `in` into `out`.
void Qcdq(OnnxBuilder& b, const std::string& in, const std::string& out, float scale, int32_t type, int32_t lo,
          int32_t hi) {
  b.Init(out + "_s", {}, {scale});
  b.InitInt(out + "_z", type, {}, {0});
  b.InitInt(out + "_lo", type, {}, {lo});
  b.InitInt(out + "_hi", type, {}, {hi});
  b.Node("QuantizeLinear", {in, out + "_s", out + "_z"}, {out + "_q"});
  b.Node("Clip", {out + "_q", out + "_lo", out + "_hi"}, {out + "_c"});
  b.Node("DequantizeLinear", {out + "_c", out + "_s", out + "_z"}, {out});
}

// 4-bit weights [co, ci, 3, 3] (int8 in [-20, 20], clipped to [-8, 7]),
// per output channel scales.
void Weights(OnnxBuilder& b, const std::string& name, int64_t co, int64_t ci, uint32_t seed) {
  std::vector<int32_t> w;
  for (float v : Seeded(static_cast<size_t>(co * ci * 9), seed, 20.0f)) w.push_back(static_cast<int32_t>(v));
  b.InitInt(name + "_int", pb::TensorProto::INT8, {co, ci, 3, 3}, w);
  std::vector<float> scales;
  std::vector<int32_t> zeros;
  for (int64_t c = 0; c < co; ++c) {
    scales.push_back(0.02f + 0.005f * static_cast<float>(c));
    zeros.push_back(0);
  }
  b.Init(name + "_s", {co}, scales);
  b.InitInt(name + "_z", pb::TensorProto::INT8, {co}, zeros);
  b.InitInt(name + "_lo", pb::TensorProto::INT8, {}, {-8});
  b.InitInt(name + "_hi", pb::TensorProto::INT8, {}, {7});
  b.Node("Clip", {name + "_int", name + "_lo", name + "_hi"}, {name + "_c"});
  b.Node("DequantizeLinear", {name + "_c", name + "_s", name + "_z"}, {name}).Int("axis", 0);
}

std::vector<uint8_t> FourBitCnn() {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 8, 8});
  Qcdq(b, "x", "xd", 0.125f, pb::TensorProto::INT8, -8, 7);
  Weights(b, "w1", 4, 2, 21);
  b.Node("Conv", {"xd", "w1"}, {"c1"}).Ints("pads", {1, 1, 1, 1});
  Qcdq(b, "c1", "a1", 0.0625f, pb::TensorProto::UINT8, 0, 15);  // an unsigned 4-bit ReLU
  Weights(b, "w2", 3, 4, 22);
  b.Node("Conv", {"a1", "w2"}, {"c2"}).Ints("pads", {1, 1, 1, 1}).Ints("strides", {2, 2});
  Qcdq(b, "c2", "y", 0.03125f, pb::TensorProto::INT8, -8, 7);
  b.OutputWithShape("y", {1, 3, 4, 4});
  return b.Bytes();
}

TEST(OnnxQcdq, FourBitCnnIsInt8AndMatchesOnnxRuntimeTheHostAndTheCortexM4) {
  const std::string dir = TempDir();
  const std::string model = dir + "/qcdq.onnx";
  WriteFile(model, FourBitCnn());
  const std::vector<float> x = Seeded(128, 9, 1.2f);
  WriteFloatNpy(dir + "/x.npy", {1, 2, 8, 8}, x);

  const CliResult ins = RunCli({"inspect", model});
  ASSERT_EQ(ins.exit_code, 0) << ins.err;
  size_t int8_convs = 0, clamping_convs = 0, float_ops = 0;
  std::istringstream lines(ins.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("= conv2d(") != std::string::npos && line.find(": i8[") != std::string::npos) ++int8_convs;
    if (line.find("= conv2d(") != std::string::npos && line.find("act=\"clip\"") != std::string::npos) ++clamping_convs;
    if (line.find(": f32[") != std::string::npos && line.find("= quantize(") == std::string::npos &&
        line.find("= dequantize(") == std::string::npos && line.find("input ") == std::string::npos)
      ++float_ops;
  }
  EXPECT_EQ(int8_convs, 2u) << ins.out;
  // The Clips after the convolutions are their fused clamps (fuse-clamp);
  // only the input's, after its quantize, is an operator.
  EXPECT_EQ(clamping_convs, 2u) << ins.out;
  EXPECT_EQ(LinesWith(ins.out, "clip").size(), 1u) << ins.out;
  EXPECT_EQ(float_ops, 0u) << ins.out;

  EvalAndRunOnHost(model, dir, "qcdq");
  const std::vector<uint8_t> eval = ReadNpy(dir + "/qcdq.npy").data;
  EXPECT_EQ(ReadNpy(dir + "/qcdq_run.npy").data, eval) << "the host build differs from ember eval";
  const std::vector<float> y = BytesToFloats(eval);
  ASSERT_EQ(y.size(), 48u);
  // The output's 4 bits: 16 values at most, within [-8, 7] steps.
  for (float v : y) {
    EXPECT_GE(v, -8 * 0.03125f);
    EXPECT_LE(v, 7 * 0.03125f);
  }

  if (const std::string why = OrtMissing(); why.empty()) {
    for (const char* opt : {"disabled", ""}) {
      const std::vector<float> ort = RunOrt(model, FloatBytes(x), "1x2x8x8", dir, opt);
      ASSERT_EQ(ort.size(), y.size());
      size_t equal = 0;
      double worst = 0.0;
      for (size_t i = 0; i < y.size(); ++i) {
        equal += ort[i] == y[i];
        worst = std::max(worst, std::fabs(static_cast<double>(ort[i]) - y[i]) / 0.03125);
      }
      std::printf("4-bit QCDQ CNN: ember eval equals ONNX Runtime (%s) on %zu of %zu elements, worst %.0f steps\n",
                  *opt ? opt : "default options", equal, y.size(), worst);
      EXPECT_LE(worst, 1.0);
    }
  } else {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
  }

  if (const std::string why = qemu::MissingTools(); why.empty()) {
    qemu::HarnessResult h;
    const std::string err = CompileAndEmulateOnCortexM4(model, "qcdq", FloatBytes(ChannelsLast(x, 2)), dir, &h);
    ASSERT_EQ(err, "");
    ASSERT_EQ(h.outputs.size(), 1u);
    EXPECT_EQ(ChannelsFirst(BytesToFloats(h.outputs[0]), 3), y) << "the model on cortex-m4 differs from ember eval";
    std::printf("4-bit QCDQ CNN on cortex-m4 (mps2-an386): %llu instructions\n",
                static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]));
  } else {
    std::printf("Cortex-M4 check skipped: %s\n", why.c_str());
  }
}

}  // namespace
}  // namespace ember::test
