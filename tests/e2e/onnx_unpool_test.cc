// MaxPool's Indices output and MaxUnpool, as a SegNet-style decoder uses
// them: the encoder's pooling positions restore the decoder's resolution.
//   - MaxPool's indices (padding, ceil_mode, dilations, both storage
//     orders, on an input with many equal values, so ties decide) through
//     `ember eval` against ONNX Runtime, exactly;
//   - a Conv, MaxPool (indices), Conv, MaxUnpool (output_shape 9x9, the
//     pooled input's odd size), Conv model against ONNX Runtime;
//   - the C that `ember compile --target host` generates, run by `ember
//     run`, against `ember eval`.
// The ONNX Runtime checks skip with a message without node and
// onnxruntime-node.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

constexpr int64_t kC = 2, kH = 9, kW = 9;

// Values on a grid of 0.25 in [-1, 1]: many windows hold their largest value twice.
std::vector<float> Image() {
  std::vector<float> v;
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t i = 0; i < kH; ++i)
      for (int64_t j = 0; j < kW; ++j)
        v.push_back(static_cast<float>(
            std::round(4.0 * std::sin(0.9 * static_cast<double>(i) + 1.3 * static_cast<double>(c)) *
                       std::cos(0.6 * static_cast<double>(j))) / 4.0));
  return v;
}

struct PoolCase {
  const char* name;
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t ceil_mode, storage_order;
};

// MaxPool whose graph output is its Indices as float32 (exact below 2^24).
std::vector<uint8_t> IndicesModel(const PoolCase& p) {
  OnnxBuilder b(13);
  b.Input("x", {1, kC, kH, kW});
  b.Node("MaxPool", {"x"}, {"pooled", "where"}, "pool")
      .Ints("kernel_shape", p.kernel)
      .Ints("strides", p.strides)
      .Ints("pads", p.pads)
      .Ints("dilations", p.dilations)
      .Int("ceil_mode", p.ceil_mode)
      .Int("storage_order", p.storage_order);
  b.Node("Cast", {"where"}, {"y"}, "as_float").Int("to", ::onnx::TensorProto::FLOAT);
  b.Output("y");
  return b.Bytes();
}

std::vector<uint8_t> DecoderModel() {
  OnnxBuilder b(13);
  b.Input("x", {1, kC, kH, kW});
  b.Init("w_in", {kC, kC, 1, 1}, {1.0f, 0.5f, -0.25f, 1.0f});
  b.Init("w_mid", {kC, kC, 1, 1}, {0.75f, -0.5f, 0.25f, 1.25f});
  b.Init("w_out", {1, kC, 1, 1}, {1.0f, -0.75f});
  b.InitInt64("full", {4}, {1, kC, kH, kW});
  b.Node("Conv", {"x", "w_in"}, {"features"}, "encode");
  b.Node("MaxPool", {"features"}, {"pooled", "where"}, "pool").Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2});
  b.Node("Conv", {"pooled", "w_mid"}, {"mixed"}, "mix");
  b.Node("MaxUnpool", {"mixed", "where", "full"}, {"unpooled"}, "unpool")
      .Ints("kernel_shape", {2, 2})
      .Ints("strides", {2, 2});
  b.Node("Conv", {"unpooled", "w_out"}, {"y"}, "decode");
  b.OutputWithShape("y", {1, 1, kH, kW});
  return b.Bytes();
}

// `ember eval` of `model` on the image, checked against the host build; its output.
std::vector<float> EvalAndRun(const std::string& dir, const std::string& model) {
  const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/y.npy"});
  EXPECT_EQ(e.exit_code, 0) << e.err;
  const std::vector<float> y = ReadFloatNpy(dir + "/y.npy");
  const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/m.tar"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  const CliResult r = RunCli({"run", dir + "/m.tar", "--input", dir + "/x.npy", "--output", dir + "/run.npy"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFloatNpy(dir + "/run.npy"), y);
  return y;
}

TEST(OnnxUnpoolModel, MaxPoolIndicesEqualOnnxRuntime) {
  const std::string dir = TempDir();
  WriteFloatNpy(dir + "/x.npy", {1, kC, kH, kW}, Image());
  const PoolCase cases[] = {
      {"3x3 stride 2 padded", {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 0, 0},
      {"2x2 ceil_mode column-major", {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1, 1},
      {"2x3 dilated, uneven padding", {2, 3}, {1, 2}, {0, 1, 1, 0}, {2, 2}, 0, 0},
  };
  for (const PoolCase& p : cases) {
    SCOPED_TRACE(p.name);
    const std::string model = dir + "/indices.onnx";
    WriteFile(model, IndicesModel(p));
    const std::vector<float> y = EvalAndRun(dir, model);
    ASSERT_FALSE(y.empty());
    for (float v : y) ASSERT_TRUE(v >= 0 && v < kC * kH * kW && v == std::floor(v)) << v;
    if (const std::string why = OrtMissing(); why.empty()) {
      EXPECT_EQ(y, RunOrt(model, FloatBytes(Image()), "1x2x9x9", dir));
    } else {
      std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
    }
  }
}

TEST(OnnxUnpoolModel, DecoderAgreesWithOnnxRuntime) {
  const std::string dir = TempDir();
  WriteFloatNpy(dir + "/x.npy", {1, kC, kH, kW}, Image());
  const std::string model = dir + "/decoder.onnx";
  WriteFile(model, DecoderModel());
  const std::vector<float> y = EvalAndRun(dir, model);
  ASSERT_EQ(y.size(), static_cast<size_t>(kH * kW));
  // The last row and column are beyond every 2x2 window: zeros.
  for (int64_t k = 0; k < kW; ++k) EXPECT_EQ(y[static_cast<size_t>((kH - 1) * kW + k)], 0.0f);
  if (const std::string why = OrtMissing(); why.empty()) {
    const std::vector<float> want = RunOrt(model, FloatBytes(Image()), "1x2x9x9", dir);
    EXPECT_LE(RelError(y, want), 1e-6);
    std::printf("SegNet-style decoder, ember eval vs ONNX Runtime: max relative error %.3g\n", RelError(y, want));
  } else {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
  }
}

}  // namespace
}  // namespace ember::test
