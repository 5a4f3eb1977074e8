// Import of the small test models: operator kinds, attributes, quantization,
// shapes and names. Expected values come from the model definitions in
// tests/util/test_models.h and the padding rule of the semantics doc §3.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/tflite/import.h"
#include "util/test_models.h"

namespace ember::frontend::tflite {
namespace {

using ir::OpKind;

ir::Graph MustImport(const std::vector<uint8_t>& bytes) {
  auto g = ImportTflite(bytes, "test.tflite");
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.diag().ToString());
  return g.ok() ? std::move(g).value() : ir::Graph{};
}

const ir::Tensor& In(const ir::Graph& g, const ir::Node& n, size_t i) {
  return g.tensor(n.inputs.at(i));
}

TEST(TfliteImport, TinyConvModelStructure) {
  const ir::Graph g = MustImport(test::TinyConvModel());
  ASSERT_EQ(g.nodes.size(), 6u);
  const std::vector<OpKind> kinds = {OpKind::kConv2D,    OpKind::kDepthwiseConv2D,
                                     OpKind::kAveragePool2D, OpKind::kReshape,
                                     OpKind::kFullyConnected, OpKind::kSoftmax};
  const std::vector<std::string> names = {"conv", "dw", "pool", "flat", "logits", "probs"};
  for (size_t i = 0; i < kinds.size(); ++i) {
    EXPECT_EQ(g.nodes[i].op, kinds[i]) << i;
    EXPECT_EQ(g.nodes[i].name, names[i]) << i;
    ASSERT_EQ(g.nodes[i].outputs.size(), 1u);
    EXPECT_EQ(g.tensor(g.nodes[i].outputs[0]).name, names[i]);
  }
  ASSERT_EQ(g.inputs.size(), 1u);
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.tensor(g.inputs[0]).name, "input");
  EXPECT_EQ(g.tensor(g.inputs[0]).shape, (ir::Shape{1, 8, 8, 1}));
  EXPECT_EQ(g.tensor(g.outputs[0]).name, "probs");
  // The reshape's shape tensor became an attribute, not a tensor of the graph.
  EXPECT_EQ(g.FindTensor("flat/shape"), ir::kNoTensor);
  EXPECT_EQ(g.tensors.size(), 13u);
}

TEST(TfliteImport, TinyConvModelAttributes) {
  const ir::Graph g = MustImport(test::TinyConvModel());
  ASSERT_EQ(g.nodes.size(), 6u);
  const ir::Node& conv = g.nodes[0];
  EXPECT_EQ(conv.GetInts("stride"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(conv.GetInts("dilation"), (std::vector<int64_t>{1, 1}));
  // SAME, 8 -> 8 with 3x3 stride 1: total padding 2 -> 1 before, 1 after.
  EXPECT_EQ(conv.GetInts("pad"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(conv.GetString("act"), "relu");
  ASSERT_EQ(conv.inputs.size(), 3u);

  const ir::Node& dw = g.nodes[1];
  // SAME, 8 -> 4 with 3x3 stride 2: total = 3*2 + 3 - 8 = 1 -> [0, 1] per axis.
  EXPECT_EQ(dw.GetInts("pad"), (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(dw.GetInts("stride"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(dw.GetInt("depth_multiplier", -1), 1);
  EXPECT_EQ(dw.GetString("act"), "none");

  const ir::Node& pool = g.nodes[2];
  EXPECT_EQ(pool.GetInts("filter"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(pool.GetInts("stride"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(pool.GetInts("pad"), (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_FALSE(pool.HasAttr("dilation"));

  const ir::Node& reshape = g.nodes[3];
  EXPECT_EQ(reshape.inputs.size(), 1u);
  EXPECT_EQ(reshape.GetInts("shape"), (std::vector<int64_t>{1, 16}));  // [1,-1] resolved

  const ir::Node& fc = g.nodes[4];
  EXPECT_EQ(fc.inputs.size(), 3u);
  EXPECT_EQ(fc.GetInt("keep_num_dims", -1), 0);
  EXPECT_EQ(fc.GetString("act"), "none");
  EXPECT_DOUBLE_EQ(g.nodes[5].GetReal("beta"), 1.0);
}

TEST(TfliteImport, TinyConvModelQuantization) {
  const ir::Graph g = MustImport(test::TinyConvModel());
  ASSERT_EQ(g.nodes.size(), 6u);
  const ir::Tensor& input = g.tensor(g.inputs[0]);
  ASSERT_TRUE(input.quant.has_value());
  EXPECT_EQ(input.quant->scale, (std::vector<float>{0.05f}));
  EXPECT_EQ(input.quant->zero_point, (std::vector<int64_t>{-3}));

  const ir::Tensor& w = In(g, g.nodes[0], 1);
  EXPECT_EQ(w.dtype, ir::DType::kInt8);
  EXPECT_EQ(w.shape, (ir::Shape{4, 3, 3, 1}));
  ASSERT_TRUE(w.is_const());
  EXPECT_EQ(w.data->size(), 36u);
  ASSERT_TRUE(w.quant.has_value());
  EXPECT_TRUE(w.quant->per_axis());
  EXPECT_EQ(w.quant->axis, 0);
  EXPECT_EQ(w.quant->scale, (std::vector<float>{0.01f, 0.02f, 0.015f, 0.025f}));

  const ir::Tensor& bias = In(g, g.nodes[0], 2);
  EXPECT_EQ(bias.dtype, ir::DType::kInt32);
  EXPECT_EQ(bias.data->size(), 16u);
  ASSERT_TRUE(bias.quant.has_value());
  EXPECT_FLOAT_EQ(bias.quant->scale[1], 0.05f * 0.02f);

  const ir::Tensor& dw_w = In(g, g.nodes[1], 1);
  ASSERT_TRUE(dw_w.quant.has_value());
  EXPECT_EQ(dw_w.quant->axis, 3);
  EXPECT_EQ(dw_w.quant->scale.size(), 4u);

  const ir::Tensor& fc_w = In(g, g.nodes[4], 1);
  ASSERT_TRUE(fc_w.quant.has_value());
  EXPECT_FALSE(fc_w.quant->per_axis());

  const ir::Tensor& out = g.tensor(g.outputs[0]);
  ASSERT_TRUE(out.quant.has_value());
  EXPECT_EQ(out.quant->scale, (std::vector<float>{1.0f / 256.0f}));
  EXPECT_EQ(out.quant->zero_point, (std::vector<int64_t>{-128}));
}

TEST(TfliteImport, DeprecatedOperatorCodesGiveTheSameGraph) {
  const std::vector<uint8_t> modern = test::TinyConvModel(false);
  const std::vector<uint8_t> old = test::TinyConvModel(true);
  ASSERT_NE(modern, old);  // the files differ in the operator-code table
  EXPECT_EQ(MustImport(modern), MustImport(old));
}

TEST(TfliteImport, TinyAddModel) {
  const ir::Graph g = MustImport(test::TinyAddModel());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::kAdd);
  EXPECT_EQ(g.nodes[0].GetString("act"), "none");
  ASSERT_EQ(g.inputs.size(), 2u);
  EXPECT_EQ(g.tensor(g.inputs[1]).name, "b");
  EXPECT_EQ(g.tensor(g.inputs[1]).quant->zero_point, (std::vector<int64_t>{-2}));
}

TEST(TfliteImport, TinyFloatModel) {
  const ir::Graph g = MustImport(test::TinyFloatModel());
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].GetInts("pad"), (std::vector<int64_t>{0, 0, 0, 0}));  // VALID
  EXPECT_EQ(g.nodes[1].GetInts("shape"), (std::vector<int64_t>{1, 12}));    // new_shape option
  EXPECT_EQ(g.nodes[2].GetString("act"), "relu");
  EXPECT_FALSE(g.tensor(g.inputs[0]).quant.has_value());
  EXPECT_EQ(In(g, g.nodes[0], 1).dtype, ir::DType::kFloat32);
}

TEST(TfliteImport, ModelWithoutFileIdentifierIsAccepted) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  b.AddOperator(BuiltinOperator::RELU, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish(/*with_identifier=*/false));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::kRelu);
}

TEST(TfliteImport, DuplicateAndEmptyNamesAreMadeUnique) {
  ModelBuilder b;
  const int x = b.AddTensor("t", TensorType::FLOAT32, {1, 4});
  const int y = b.AddTensor("t", TensorType::FLOAT32, {1, 4});
  const int z = b.AddTensor("", TensorType::FLOAT32, {1, 4});
  b.AddOperator(BuiltinOperator::RELU, {x}, {y});
  b.AddOperator(BuiltinOperator::RELU6, {y}, {z});
  b.SetInputs({x});
  b.SetOutputs({z});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.tensor(g.inputs[0]).name, "t");
  EXPECT_EQ(g.nodes[0].name, "t_1");
  EXPECT_EQ(g.nodes[1].name, "tensor_2");
}

}  // namespace
}  // namespace ember::frontend::tflite
