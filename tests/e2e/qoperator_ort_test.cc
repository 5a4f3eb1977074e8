// QOperator-form ONNX models (tests/util/qoperator_models.h: QLinearConv per
// tensor / per channel / depthwise, QLinearMatMul per tensor / per column,
// com.microsoft QLinearAdd, QLinearMul, QLinearGlobalAveragePool,
// QLinearAveragePool, QLinearWhere, a MaxPool on the quantized tensor, and QLinearMul,
// QLinearAdd, QLinearAveragePool each alone; uint8 and int8
// activations) against ONNX Runtime (onnxruntime-node through
// tests/e2e/data/ort_run.js, found through EMBER_ORT_NODE_DIR or
// ../ort/node_modules/onnxruntime-node; skipped when absent): ember's int8
// graph (import + pass pipeline) equals ONNX Runtime on every int8 output
// element (ember follows ONNX Runtime's float requantization for ONNX
// models, docs/numerics.md), and `ember compile` takes the model.
//
// The uint8 models have 7-bit weights (|w| <= 63), as ONNX Runtime's
// quantizer writes them with reduce_range=True: its uint8 x int8 kernels on
// x86 without VNNI add pairs of products in saturating int16 (vpmaddubsw),
// so with full 8-bit weights its own results leave ONNX's definition (by up
// to 57 steps on such a machine, none with VNNI; ember follows the
// definition, onnx_qoperator_test.cc).
// The full-range uint8 models are run too and their distance reported.
// The linear Resizes of quantized tensors (float32 interpolation of the
// integers, ResizeModel) and QLinearWhere (WhereModel: requantization
// tables and an int8 select) also run as the host build of the generated C,
// equal to `ember eval` byte for byte (no ONNX Runtime needed).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "passes/pipeline.h"
#include "util/qoperator_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

std::vector<float> Input(const QopModel& m, int seed) {
  size_t n = 1;
  for (int64_t d : m.input_shape) n *= static_cast<size_t>(d);
  std::vector<float> x(n);
  uint32_t s = 977u * static_cast<uint32_t>(seed) + 1u;
  for (float& v : x) {
    s = s * 1664525u + 1013904223u;
    v = -2.5f + 5.0f * static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
  return x;
}

TEST(QOperatorOrt, Int8GraphWithinOneStepOfOnnxRuntime) {
  if (const std::string why = OrtMissing(); !why.empty()) GTEST_SKIP() << why;
  const std::string tmp = TempDir();
  std::vector<QopModel> models = AllQopModels(/*u8_reduce_range=*/true);
  for (QopModel& m : AllQopModels()) {
    const bool weights = m.name.rfind("qlinearmul_", 0) != 0 && m.name.rfind("qlinearadd_", 0) != 0 &&
                         m.name.rfind("qlinearaveragepool_", 0) != 0;
    if (m.name.find("_u8") == std::string::npos || !weights) continue;
    m.name += "_8bit_weights";  // reported, not checked
    models.push_back(std::move(m));
  }
  for (const QopModel& m : models) {
    const bool checked = m.name.find("_8bit_weights") == std::string::npos;
    SCOPED_TRACE(m.name);
    const std::string path = tmp + "/" + m.name + ".onnx";
    WriteFile(path, m.bytes);
    auto g = frontend::onnx::ImportOnnxFile(path);
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    ASSERT_TRUE(passes::RunPipeline(*g).ok());
    int float_ops = 0;  // arithmetic left in float by fold-qdq
    for (const auto& n : g->nodes) {
      float_ops += g->tensor(n.outputs[0]).dtype == ir::DType::kFloat32 && n.op != ir::OpKind::kDequantize &&
                   n.op != ir::OpKind::kTranspose && n.op != ir::OpKind::kReshape;
    }
    const std::string dims = DimsText(m.input_shape);
    size_t within = 0, exact = 0, total = 0;
    double worst = 0.0;
    for (int seed = 0; seed < 4; ++seed) {
      const auto x = Input(m, seed);
      const auto want = RunOrt(path, FloatBytes(x), dims, tmp);
      ASSERT_FALSE(want.empty());
      std::string error;
      const auto got = RunNchw(*g, x, m.input_shape, m.output_shape, &error);
      ASSERT_TRUE(error.empty()) << error;
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::fabs(static_cast<double>(got[i]) - want[i]) / m.output_scale;
        within += d <= 1.0 + 1e-3;
        exact += d <= 1e-3;
        worst = std::max(worst, d);
        ++total;
      }
    }
    std::printf("%s: ember (%d float operators) vs ONNX Runtime %s: %zu of %zu output elements equal, %zu of %zu within 1 "
                "step, worst %.2f steps\n",
                m.name.c_str(), float_ops, dims.c_str(), exact, total, within, total, worst);
    if (checked) {
      EXPECT_EQ(within, total);
      // ONNX Runtime's arithmetic, reproduced: every int8 output equals its
      // own. A float output (QGemm's) differs by float rounding only.
      if (m.name.find("_float_out") == std::string::npos) {
        EXPECT_EQ(exact, total);
      }
    }
    // The compiler takes it too.
    const CliResult c = RunCli({"compile", path, "--target", "host", "-o", tmp + "/" + m.name + "_mlf"});
    EXPECT_EQ(c.exit_code, 0) << c.err;
  }
}

// QLinearAveragePool with channels_last=1 (an NHWC input, as ONNX Runtime's
// own NHWC rewrite writes it), uint8 and int8, padded and not: `ember eval`
// equals ONNX Runtime on every element, and the host build equals eval.
TEST(QOperatorOrt, QLinearAveragePoolChannelsLastEqualsOnnxRuntime) {
  const std::string dir = TempDir();
  std::vector<float> x(90);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 2.5f * std::sin(0.61f * static_cast<float>(i) + 0.3f);
  WriteFloatNpy(dir + "/x.npy", {1, 5, 6, 3}, x);
  for (const bool u8 : {true, false}) {
    for (const bool padded : {false, true}) {
      const std::string tag = std::string("pool_nhwc_") + (u8 ? "u8" : "i8") + (padded ? "_padded" : "");
      SCOPED_TRACE(tag);
      const int32_t t = u8 ? ::onnx::TensorProto::UINT8 : ::onnx::TensorProto::INT8;
      const int32_t k = u8 ? 0 : -128;
      OnnxBuilder b;
      b.Domain("com.microsoft", 1);
      b.Input("x", {1, 5, 6, 3});
      b.Init("xs", {}, {0.07f});
      b.InitInt("xz", t, {}, {131 + k});
      b.Init("ys", {}, {0.045f});
      b.InitInt("yz", t, {}, {133 + k});
      b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
      OnnxNode pool = b.Node("QLinearAveragePool", {"xq", "xs", "xz", "ys", "yz"}, {"pq"}, "pool")
                          .Ints("kernel_shape", {3, 2})
                          .Ints("strides", {2, 2})
                          .Int("channels_last", 1);
      if (padded) pool.Ints("pads", {1, 0, 1, 1}).Int("count_include_pad", 0);
      pool.proto()->set_domain("com.microsoft");
      b.Node("DequantizeLinear", {"pq", "ys", "yz"}, {"y"});
      const int64_t oh = padded ? 3 : 2;
      b.OutputWithShape("y", {1, oh, 3, 3});
      const std::string model = dir + "/" + tag + ".onnx";
      WriteFile(model, b.Bytes());
      ExpectEvalEqualsHostAndOnnxRuntime(model, dir, tag, FloatBytes(x), "1x5x6x3", static_cast<size_t>(oh * 9));
    }
  }
}

TEST(QOperatorOrt, LinearResizeAndWhereRunOnTheHostLikeEval) {
  const std::string dir = TempDir();
  for (const bool u8 : {true, false}) {
    for (const QopModel& m : {ResizeModel(u8), WhereModel(u8)}) {
      SCOPED_TRACE(m.name);
      const std::string model = dir + "/" + m.name + ".onnx";
      WriteFile(model, m.bytes);
      WriteFloatNpy(dir + "/x.npy", m.input_shape, Input(m, 3));
      EvalAndRunOnHost(model, dir, m.name);
      const std::vector<uint8_t> eval = ReadNpy(dir + "/" + m.name + ".npy").data;
      size_t outputs = 4;
      for (const int64_t d : m.output_shape) outputs *= static_cast<size_t>(d);
      EXPECT_EQ(eval.size(), outputs);
      EXPECT_EQ(ReadNpy(dir + "/" + m.name + "_run.npy").data, eval) << "the host build differs from ember eval";
    }
  }
}

}  // namespace
}  // namespace ember::test
