// TFLite import: parameter operators (constant inputs that become attributes),
// diagnostics for unsupported and malformed models, and the MLPerf Tiny
// reference models (facts from ../shared/models/README.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/tflite/import.h"
#include "util/test_models.h"

namespace ember::frontend::tflite {
namespace {

using ir::OpKind;
namespace tfl = ::tflite;

Diagnostic MustFail(const std::vector<uint8_t>& bytes) {
  auto g = ImportTflite(bytes, "model.tflite");
  EXPECT_FALSE(g.ok());
  return g.ok() ? Diagnostic{} : g.diag();
}

// x f32[1,2,3,4] -> op(x, const int32 param) -> y
std::vector<uint8_t> ParamModel(BuiltinOperator op, const std::vector<int32_t>& param_shape,
                                const std::vector<int32_t>& param,
                                const std::vector<int32_t>& out_shape,
                                BuiltinOptions opt_type = BuiltinOptions::NONE, bool keep = false) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 2, 3, 4});
  const int p = b.AddInt32Tensor("param", param_shape, param);
  const int y = b.AddTensor("y", TensorType::FLOAT32, out_shape);
  flatbuffers::Offset<void> o = 0;
  if (opt_type == BuiltinOptions::ReducerOptions) {
    o = tfl::CreateReducerOptions(b.builder(), keep).Union();
  }
  b.AddOperator(op, {x, p}, {y}, opt_type, o);
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

ir::Graph MustImport(const std::vector<uint8_t>& bytes) {
  auto g = ImportTflite(bytes, "model.tflite");
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.diag().ToString());
  return g.ok() ? std::move(g).value() : ir::Graph{};
}

TEST(TfliteImportParams, MeanAxesAreNormalized) {
  const ir::Graph g = MustImport(ParamModel(BuiltinOperator::MEAN, {3}, {-1, 1, 1}, {1, 1, 3, 1},
                                            BuiltinOptions::ReducerOptions, true));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::kMean);
  EXPECT_EQ(g.nodes[0].inputs.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetInts("axes"), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(g.nodes[0].GetInt("keep_dims", -1), 1);
}

TEST(TfliteImportParams, PadPadsAreRowMajor) {
  const ir::Graph g = MustImport(
      ParamModel(BuiltinOperator::PAD, {4, 2}, {0, 0, 1, 2, 3, 0, 0, 1}, {1, 5, 6, 5}));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetInts("pads"), (std::vector<int64_t>{0, 0, 1, 2, 3, 0, 0, 1}));
}

TEST(TfliteImportParams, TransposePerm) {
  const ir::Graph g =
      MustImport(ParamModel(BuiltinOperator::TRANSPOSE, {4}, {0, 3, 1, 2}, {1, 4, 2, 3}));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetInts("perm"), (std::vector<int64_t>{0, 3, 1, 2}));
}

TEST(TfliteImportParams, ReshapeRejectsTwoUnknownDims) {
  const Diagnostic d = MustFail(ParamModel(BuiltinOperator::RESHAPE, {2}, {-1, -1}, {4, 6}));
  EXPECT_EQ(d.id, "E0118");
  EXPECT_NE(d.message.find("operator 0 (RESHAPE, output 'y')"), std::string::npos) << d.message;
}

TEST(TfliteImportParams, NonConstantParameterIsReported) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  const int axis = b.AddTensor("axis", TensorType::INT32, {1});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1});
  b.AddOperator(BuiltinOperator::MEAN, {x, axis}, {y});
  b.SetInputs({x, axis});
  b.SetOutputs({y});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.id, "E0117");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
}

TEST(TfliteImportErrors, UnsupportedOperatorNamesIndexOpAndOutput) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  const int r = b.AddTensor("r", TensorType::FLOAT32, {1, 4});
  const int axis = b.AddInt32Tensor("axis", {}, {1});
  const int y0 = b.AddTensor("foo/bar", TensorType::FLOAT32, {1, 2});
  const int y1 = b.AddTensor("foo/baz", TensorType::FLOAT32, {1, 2});
  b.AddOperator(BuiltinOperator::RELU, {x}, {r});
  b.AddOperator(BuiltinOperator::LSH_PROJECTION, {axis, r}, {y0, y1});
  b.SetInputs({x});
  b.SetOutputs({y0, y1});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.id, "E0110");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
  EXPECT_EQ(d.message, "model.tflite: operator 1 (LSH_PROJECTION, output 'foo/bar') is not supported by ember");
  EXPECT_NE(d.hint.find("ember ops"), std::string::npos);
}

TEST(TfliteImportErrors, CustomOperatorIsUnsupported) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  b.AddCustom("MyOp", {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
  EXPECT_EQ(d.id, "E0110");
  EXPECT_EQ(d.message, "model.tflite: operator 0 (CUSTOM 'MyOp', output 'y') is a custom operator, which ember does not run");
  EXPECT_NE(d.hint.find("builtin operators only"), std::string::npos) << d.hint;
}

TEST(TfliteImportErrors, LargeOperatorCodeUsesBuiltinCode) {
  // GELU (150) does not fit the deprecated byte field, which then holds 127.
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  b.AddOperator(BuiltinOperator::GELU, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.id, "E0110");
  EXPECT_NE(d.message.find("(GELU, output 'y')"), std::string::npos) << d.message;
}

TEST(TfliteImportErrors, UnsupportedTensorType) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT16, {1, 4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  b.AddOperator(BuiltinOperator::DEQUANTIZE, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.id, "E0109");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
  // float16 constants are read (tflite_float16_test.cc), float16 activations not.
  EXPECT_NE(d.message.find("is a FLOAT16 tensor without data"), std::string::npos) << d.message;
}

TEST(TfliteImportErrors, UnsupportedFusedActivation) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  b.AddAdd(x, x, y, ActivationFunctionType::TANH);
  b.SetInputs({x});
  b.SetOutputs({y});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.id, "E0111");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
}

TEST(TfliteImportErrors, PerChannelScaleCountMustMatchAxis) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {1, 4},
                            QuantSpec{{0.1f, 0.2f, 0.3f}, {0, 0, 0}, 1});
  const int y = b.AddTensor("y", TensorType::INT8, {1, 4}, Quant(0.1f, 0));
  b.AddOperator(BuiltinOperator::RELU, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.id, "E0116");
  EXPECT_NE(d.message.find("'x'"), std::string::npos);
}

// The TFLite converter copies the depthwise filter's quantized_dimension (3)
// onto the 1-D per-channel bias (TFLM's person_detect.tflite): a warning, and
// the bias is read per axis 0. A 1-D tensor whose size is not the scale count
// stays an error.
TEST(TfliteImportErrors, OneDimensionalBiasWithFilterAxisIsAWarning) {
  const auto model = [](int32_t bias_size) {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::INT8, {1, 3, 3, 2}, Quant(0.5f, 0));
    const std::vector<float> fs{0.25f, 0.125f};
    const int w = b.AddConstTensor("w", TensorType::INT8, {1, 1, 1, 2}, std::vector<uint8_t>{1, 2},
                                   QuantSpec{fs, {0, 0}, 3});
    std::vector<uint8_t> bias_bytes(static_cast<size_t>(bias_size) * 4, 0);
    bias_bytes[0] = 5;
    const int bias = b.AddConstTensor("bias", TensorType::INT32, {bias_size}, bias_bytes,
                                      QuantSpec{{0.125f, 0.0625f}, {0, 0}, 3});
    const int y = b.AddTensor("y", TensorType::INT8, {1, 3, 3, 2}, Quant(1.0f, 0));
    b.AddDepthwiseConv2D(x, w, bias, y, Padding::SAME, 1, 1, 1);
    b.SetInputs({x});
    b.SetOutputs({y});
    return b.Finish();
  };
  std::vector<Diagnostic> warnings;
  auto g = ImportTflite(model(2), "pd.tflite", &warnings);
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].id, "W0101");
  EXPECT_EQ(warnings[0].ToString().rfind("warning[W0101]: pd.tflite: tensor 'bias' of shape [2]", 0), 0u)
      << warnings[0].ToString();
  EXPECT_EQ(warnings[0].hint.find("damaged"), std::string::npos);
  bool found = false;
  for (const ir::Tensor& t : g->tensors) {
    if (t.name != "bias") continue;
    found = true;
    ASSERT_TRUE(t.quant.has_value());
    EXPECT_EQ(t.quant->axis, 0);
    EXPECT_EQ(t.quant->scale.size(), 2u);
  }
  EXPECT_TRUE(found);
  // Without a warnings list the import succeeds too.
  EXPECT_TRUE(ImportTflite(model(2), "pd.tflite").ok());
  // Three elements for two scales: damaged.
  const Diagnostic d = MustFail(model(3));
  EXPECT_EQ(d.id, "E0116");
  EXPECT_NE(d.hint.find("damaged"), std::string::npos);
}

TEST(TfliteImportErrors, ConstantBufferSizeMustMatchShape) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  const int c = b.AddConstTensor("c", TensorType::FLOAT32, {1, 4}, std::vector<uint8_t>(12, 0));
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  b.AddAdd(x, c, y);
  b.SetInputs({x});
  b.SetOutputs({y});
  EXPECT_EQ(MustFail(b.Finish()).id, "E0115");
}

TEST(TfliteImportErrors, OperatorReadingItsOwnOutput) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  b.AddAdd(x, y, y);
  b.SetInputs({x});
  b.SetOutputs({y});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.id, "E0119");
  EXPECT_NE(d.message.find("operator 0 (ADD, output 'y')"), std::string::npos) << d.message;
}

TEST(TfliteImportErrors, NotAFlatbuffer) {
  const std::string text = "this is a text file, not a model\n";
  const Diagnostic d = MustFail(std::vector<uint8_t>(text.begin(), text.end()));
  EXPECT_TRUE(d.id == "E0101" || d.id == "E0102") << d.id;
  EXPECT_EQ(MustFail({}).id, "E0101");
  EXPECT_EQ(d.message.rfind("model.tflite: ", 0), 0u);
}

// --- MLPerf Tiny reference models -----------------------------------------

struct MlperfCase {
  const char* file;
  size_t num_ops;
  std::vector<std::pair<OpKind, size_t>> counts;
  ir::Shape in_shape, out_shape;
  float in_scale, out_scale;
  int64_t in_zp, out_zp;
};

size_t Count(const ir::Graph& g, OpKind k) {
  size_t n = 0;
  for (const auto& node : g.nodes) n += node.op == k;
  return n;
}

TEST(TfliteImportMlperf, ReferenceModels) {
  const std::string dir = std::string(EMBER_SHARED_DIR) + "/models";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "../shared is absent; skipped";
  const std::vector<MlperfCase> cases = {
      {"kws.tflite", 13,
       {{OpKind::kConv2D, 5}, {OpKind::kDepthwiseConv2D, 4}, {OpKind::kAveragePool2D, 1},
        {OpKind::kReshape, 1}, {OpKind::kFullyConnected, 1}, {OpKind::kSoftmax, 1}},
       {1, 49, 10, 1}, {1, 12}, 0.584702909f, 0.00390625f, 83, -128},
      {"vww.tflite", 31,
       {{OpKind::kConv2D, 14}, {OpKind::kDepthwiseConv2D, 13}, {OpKind::kAveragePool2D, 1},
        {OpKind::kReshape, 1}, {OpKind::kFullyConnected, 1}, {OpKind::kSoftmax, 1}},
       {1, 96, 96, 3}, {1, 2}, 0.00392156886f, 0.00390625f, -128, -128},
      {"ic.tflite", 16,
       {{OpKind::kConv2D, 9}, {OpKind::kAdd, 3}, {OpKind::kAveragePool2D, 1},
        {OpKind::kReshape, 1}, {OpKind::kFullyConnected, 1}, {OpKind::kSoftmax, 1}},
       {1, 32, 32, 3}, {1, 10}, 1.0f, 0.00390625f, -128, -128},
      {"ad.tflite", 10, {{OpKind::kFullyConnected, 10}},
       {1, 640}, {1, 640}, 0.391015232f, 0.364498466f, 89, 96},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    auto g = ImportTfliteFile(dir + "/" + c.file);
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    EXPECT_EQ(g->nodes.size(), c.num_ops);
    for (const auto& [kind, n] : c.counts) EXPECT_EQ(Count(*g, kind), n) << ir::OpIrName(kind);
    ASSERT_EQ(g->inputs.size(), 1u);
    ASSERT_EQ(g->outputs.size(), 1u);
    const ir::Tensor& in = g->tensor(g->inputs[0]);
    const ir::Tensor& out = g->tensor(g->outputs[0]);
    EXPECT_EQ(in.dtype, ir::DType::kInt8);
    EXPECT_EQ(in.shape, c.in_shape);
    EXPECT_EQ(out.shape, c.out_shape);
    ASSERT_TRUE(in.quant && out.quant);
    EXPECT_FLOAT_EQ(in.quant->scale[0], c.in_scale);
    EXPECT_EQ(in.quant->zero_point[0], c.in_zp);
    EXPECT_FLOAT_EQ(out.quant->scale[0], c.out_scale);
    EXPECT_EQ(out.quant->zero_point[0], c.out_zp);
  }
}

TEST(TfliteImportMlperf, WeightsArePerChannelForConvAndPerTensorForFc) {
  const std::string path = std::string(EMBER_SHARED_DIR) + "/models/kws.tflite";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "../shared is absent; skipped";
  auto g = ImportTfliteFile(path);
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  size_t relu = 0;
  for (const auto& n : g->nodes) {
    const ir::Tensor& w = n.inputs.size() > 1 ? g->tensor(n.inputs[1]) : g->tensor(n.inputs[0]);
    if (n.op == OpKind::kConv2D) {
      EXPECT_EQ(w.quant->axis, 0);
      EXPECT_EQ(static_cast<int64_t>(w.quant->scale.size()), w.shape[0]);
    } else if (n.op == OpKind::kDepthwiseConv2D) {
      EXPECT_EQ(w.quant->axis, 3);
      EXPECT_EQ(static_cast<int64_t>(w.quant->scale.size()), w.shape[3]);
    } else if (n.op == OpKind::kFullyConnected) {
      EXPECT_FALSE(w.quant->per_axis());
    }
    relu += n.GetString("act") == "relu";
  }
  EXPECT_EQ(relu, 9u);  // every conv and depthwise conv of DS-CNN has a fused ReLU
  // First conv: 10x4 stride 2 SAME on 49x10 -> 25x5: totals 9 and 2.
  EXPECT_EQ(g->nodes[0].GetInts("pad"), (std::vector<int64_t>{4, 1, 5, 1}));
}

}  // namespace
}  // namespace ember::frontend::tflite
