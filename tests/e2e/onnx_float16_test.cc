// A small CNN stored with float16 weights and float32 input and output, as
// float16 converters write models (a Cast to float16 after the input, one
// back before the output): ember computes its float16 values in float32
// (W1001).
//   - `ember compile` says so (W1001 names the casts) and goes on;
//   - `ember quantize` reads it as float32 (W1001) from float16 calibration
//     samples: its int8 model computes as the one quantized from the
//     float32 model with the same weight values, byte for byte, and ONNX
//     Runtime runs it;
//   - `ember eval` equals the float32 model whose weights are the same
//     float16 values, byte for byte, on the input rounded to float16 (the
//     model's Cast to float16 rounds it);
//   - against ONNX Runtime when node and onnxruntime-node are present
//     (skipped with a message otherwise): within 1e-2 relative, float16's
//     precision (measured: 2.7e-5; its CPU provider has no float16 Conv,
//     computes it in float32 and drops the Cast to float16 and back that
//     it puts around it, so its input is not rounded: it equals the float32
//     model on the unrounded input);
//   - the C that `ember compile --target host` generates, run by `ember run`,
//     and the model on the emulated Cortex-M4, against `ember eval`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "support/float16.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

// `v` rounded to float16, as the float16 initializer or as float32 values.
std::vector<float> Rounded(const std::vector<float>& v) {
  std::vector<float> r;
  for (float x : v) r.push_back(static_cast<float>(RoundToFloat16(x)));
  return r;
}

void AddInit(OnnxBuilder& b, const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v,
             bool half) {
  if (!half) {
    b.Init(name, dims, Rounded(v));
    return;
  }
  pb::TensorProto* t = b.InitProto();
  t->set_name(name);
  t->set_data_type(pb::TensorProto::FLOAT16);
  for (int64_t d : dims) t->add_dims(d);
  std::string raw;
  for (float x : v) {
    const uint16_t h = Float16Bits(x);
    raw += {static_cast<char>(h & 0xFF), static_cast<char>(h >> 8)};
  }
  t->set_raw_data(raw);
}

// x [1,2,6,6] -> Conv 3x3 (4 channels) -> Relu -> GlobalAveragePool ->
// Flatten -> Gemm (3 classes): in float16 between two casts (`half`), or
// in float32 with the same (float16) weight values.
std::vector<uint8_t> Model(bool half) {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 6, 6});
  AddInit(b, "w", {4, 2, 3, 3}, Seeded(72, 11, 0.6f), half);
  AddInit(b, "b", {4}, {0.1f, -0.05f, 0.2f, 0.0f}, half);
  AddInit(b, "wg", {3, 4}, Seeded(12, 12, 0.8f), half);
  AddInit(b, "bg", {3}, {0.3f, -0.1f, 0.05f}, half);
  std::string in = "x";
  if (half) {
    b.Node("Cast", {"x"}, {"x16"}, "to_float16").Int("to", pb::TensorProto::FLOAT16);
    in = "x16";
  }
  b.Node("Conv", {in, "w", "b"}, {"c"}).Ints("pads", {1, 1, 1, 1});
  b.Node("Relu", {"c"}, {"r"});
  b.Node("GlobalAveragePool", {"r"}, {"g"});
  b.Node("Flatten", {"g"}, {"f"});
  b.Node("Gemm", {"f", "wg", "bg"}, {half ? "logits16" : "logits"}).Int("transB", 1);
  if (half) b.Node("Cast", {"logits16"}, {"logits"}, "to_float32").Int("to", pb::TensorProto::FLOAT);
  b.OutputWithShape("logits", {1, 3});
  return b.Bytes();
}

TEST(OnnxFloat16, WeightsInFloat16RunInFloat32OnTheHostAndTheCortexM4) {
  const std::string dir = TempDir();
  const std::string model = dir + "/cnn16.onnx", model32 = dir + "/cnn32.onnx";
  WriteFile(model, Model(true));
  WriteFile(model32, Model(false));
  const std::vector<float> x = Seeded(72, 5, 1.0f);
  WriteFloatNpy(dir + "/x.npy", {1, 2, 6, 6}, x);

  const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/warned.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.err.find("warning[W1001]"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("Cast node 'to_float16' is FLOAT16; ember computes it in float32"), std::string::npos) << c.err;

  // ember quantize reads it as float32, from float16 calibration samples
  // (the float32 twin from the same values as float32).
  std::filesystem::create_directories(dir + "/calib16");
  std::filesystem::create_directories(dir + "/calib32");
  const std::vector<float> calib = Rounded(Seeded(72 * 4, 6, 1.0f));
  std::vector<uint8_t> calib16;
  for (float v : calib) {
    const uint16_t h = Float16Bits(v);
    calib16.push_back(static_cast<uint8_t>(h & 0xFF));
    calib16.push_back(static_cast<uint8_t>(h >> 8));
  }
  WriteFile(dir + "/calib16/x.npy", SerializeNpy(NpyArray{"<f2", {4, 1, 2, 6, 6}, calib16}));
  WriteFloatNpy(dir + "/calib32/x.npy", {4, 1, 2, 6, 6}, calib);
  const CliResult q = RunCli({"quantize", model, "--calibration", dir + "/calib16", "-o", dir + "/q16.onnx"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.err.find("warning[W1001]"), std::string::npos) << q.err;
  EXPECT_NE(q.err.find("initializer 'w' (FLOAT16) and 4 more double, float16 or bfloat16 values are read as float32"),
            std::string::npos)
      << q.err;
  const CliResult q32 = RunCli({"quantize", model32, "--calibration", dir + "/calib32", "-o", dir + "/q32.onnx"});
  ASSERT_EQ(q32.exit_code, 0) << q32.err;
  EXPECT_EQ(q32.err.find("W1001"), std::string::npos) << q32.err;
  for (const char* m : {"q16", "q32"}) {
    const CliResult e = RunCli({"eval", dir + "/" + m + ".onnx", "--input", dir + "/x.npy", "--output",
                                dir + "/" + m + ".npy"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }
  EXPECT_EQ(ReadNpy(dir + "/q16.npy").data, ReadNpy(dir + "/q32.npy").data)
      << "the quantized float16 model must compute as the one quantized from the float32 model";
  if (const std::string why = OrtMissing(); why.empty()) {
    const std::vector<float> ort = RunOrt(dir + "/q16.onnx", FloatBytes(x), "1x2x6x6", dir);
    ASSERT_EQ(ort.size(), 3u);
  }

  EvalAndRunOnHost(model, dir, "cnn16");
  const std::vector<float> y = ReadFloatNpy(dir + "/cnn16.npy");
  ASSERT_EQ(y.size(), 3u);
  EXPECT_LE(RelError(ReadFloatNpy(dir + "/cnn16_run.npy"), y), 1e-6);
  // Its Cast to float16 rounds the input: the float32 model computes the
  // same from the rounded input.
  WriteFloatNpy(dir + "/xr.npy", {1, 2, 6, 6}, Rounded(x));
  ASSERT_NE(Rounded(x), x);
  const CliResult e32 = RunCli({"eval", model32, "--input", dir + "/xr.npy", "--output", dir + "/cnn32.npy"});
  ASSERT_EQ(e32.exit_code, 0) << e32.err;
  EXPECT_EQ(ReadNpy(dir + "/cnn32.npy").data, ReadNpy(dir + "/cnn16.npy").data)
      << "the float16 model must compute as the float32 model with the same weight values from the rounded input";

  if (const std::string why = OrtMissing(); why.empty()) {
    const std::vector<float> ort = RunOrt(model, FloatBytes(x), "1x2x6x6", dir);
    const double rel = RelError(y, ort);
    // float16's relative precision is 2^-11; a few roundings of sums, were
    // they computed in float16.
    EXPECT_LE(rel, 1e-2);
    std::printf("float16 CNN, ember eval (float32) vs ONNX Runtime: max relative error %.3g\n", rel);
  } else {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
  }

  if (const std::string why = qemu::MissingTools(); why.empty()) {
    qemu::HarnessResult h;
    const std::string err = CompileAndEmulateOnCortexM4(model, "cnn16", FloatBytes(ChannelsLast(x, 2)), dir, &h);
    ASSERT_EQ(err, "");
    ExpectHarnessOutputEqualsEval(h, dir + "/cnn16.npy", false, "float16 CNN");
  } else {
    std::printf("Cortex-M4 check skipped: %s\n", why.c_str());
  }
}

}  // namespace
}  // namespace ember::test
