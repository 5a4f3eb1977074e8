// TFLite import of SUM, ARG_MAX, ARG_MIN, the comparisons, SELECT_V2, the
// logical operators, L2_NORMALIZATION, RESIZE_BILINEAR, BATCH_MATMUL, RSQRT
// (int8), POW (float32, int32), FLOOR, CEIL, ROUND, BROADCAST_TO, L2_POOL_2D,
// LOG_SOFTMAX, FLOOR_DIV, FLOOR_MOD, CUMSUM, SQUARE, SIN, COS, SIGN, TOPK_V2, and TRANSPOSE_CONV whose output_shape is computed
// at run time: one
// small model per operator, the imported IR checked and the reference
// evaluator run on the imported graph.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/tflite/import.h"
#include "ir/printer.h"
#include "ops/evaluate.h"
#include "unit/frontend/tflite_test_util.h"

namespace ember::frontend::tflite {
namespace {

namespace tfl = ::tflite;
using namespace test_util;  // NOLINT(google-build-using-namespace)

TEST(TfliteImportMathOps, SumInt8) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {2, 3}, Quant(0.5f, 1));
  const int axis = b.AddInt32Tensor("axis", {1}, {-1});
  const int y = b.AddTensor("y", TensorType::INT8, {2, 1}, Quant(1.0f, -2));
  b.AddOperator(BuiltinOperator::SUM, {x, axis}, {y}, BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), true).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : i8[2,3] quant(0.5, 1)\n"
            "  %y = reduce_sum(%x) {axes=[1], keep_dims=1} : i8[2,1] quant(1.0, -2) loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  // (3 + 5 + 7 - 3) * 0.5 - 2 = 4; (-1 + -1 + -1 - 3) * 0.5 - 2 = -5.
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{3, 5, 7, -1, -1, -1})}), (std::vector<int8_t>{4, -5}));
}

TEST(TfliteImportMathOps, PowFloat32AndInt32) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {2, 2});
  const int e = b.AddTensor("e", TensorType::FLOAT32, {2});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {2, 2});
  b.AddOperator(BuiltinOperator::POW, {x, e}, {y});
  b.SetInputs({x, e});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : f32[2,2]\n"
            "  input %e : f32[2]\n"
            "  %y = pow(%x, %e) : f32[2,2] loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{2, 9, -3, 0.25f}), Bytes(std::vector<float>{3, 0.5f})}),
            (std::vector<float>{8, 3, -27, 0.5f}));
  ModelBuilder c;
  const int xi = c.AddTensor("x", TensorType::INT32, {3});
  const int ei = c.AddInt32Tensor("e", {}, {5});
  const int yi = c.AddTensor("y", TensorType::INT32, {3});
  c.AddOperator(BuiltinOperator::POW, {xi, ei}, {yi});
  c.SetInputs({xi});
  c.SetOutputs({yi});
  const ir::Graph gi = MustImport(c.Finish());
  EXPECT_EQ(Eval<int32_t>(gi, {Bytes(std::vector<int32_t>{2, -3, 100})}), (std::vector<int32_t>{32, -243, 1410065408}));
}

TEST(TfliteImportMathOps, FloorCeilRound) {
  for (const auto op : {BuiltinOperator::FLOOR, BuiltinOperator::CEIL, BuiltinOperator::ROUND}) {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {5});
    const int y = b.AddTensor("y", TensorType::FLOAT32, {5});
    b.AddOperator(op, {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    const ir::Graph g = MustImport(b.Finish());
    ASSERT_EQ(g.nodes.size(), 1u);
    const std::vector<float> y_of = Eval<float>(g, {Bytes(std::vector<float>{1.5f, -1.5f, 2.5f, -0.25f, 3.0f})});
    const std::vector<float> want = op == BuiltinOperator::FLOOR  ? std::vector<float>{1, -2, 2, -1, 3}
                                    : op == BuiltinOperator::CEIL ? std::vector<float>{2, -1, 3, -0.0f, 3}
                                                                  : std::vector<float>{2, -2, 2, 0, 3};
    EXPECT_EQ(y_of, want) << static_cast<int>(op);
  }
}

TEST(TfliteImportMathOps, BroadcastToTakesTheShapeOperand) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {3, 1}, Quant(0.5f, 1));
  const int shape = b.AddInt32Tensor("shape", {3}, {2, 3, 2});
  const int y = b.AddTensor("y", TensorType::INT8, {2, 3, 2}, Quant(0.5f, 1));
  b.AddOperator(BuiltinOperator::BROADCAST_TO, {x, shape}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : i8[3,1] quant(0.5, 1)\n"
            "  %y = broadcast_to(%x) {shape=[2,3,2]} : i8[2,3,2] quant(0.5, 1) loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{1, -2, 3})}), (std::vector<int8_t>{1, 1, -2, -2, 3, 3, 1, 1, -2, -2, 3, 3}));
}

TEST(TfliteImportMathOps, ArgMaxInt64AndArgMin) {
  for (const auto op : {BuiltinOperator::ARG_MAX, BuiltinOperator::ARG_MIN}) {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {2, 3});
    const int axis = b.AddInt32Tensor("axis", {}, {-1});
    const int y = b.AddTensor("y", op == BuiltinOperator::ARG_MAX ? TensorType::INT64 : TensorType::INT32, {2});
    b.AddOperator(op, {x, axis}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    const ir::Graph g = MustImport(b.Finish());
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0].GetInt("axis", -1), 1);
    const auto in = Bytes(std::vector<float>{1, 7, 3, 9, -2, 9});
    if (op == BuiltinOperator::ARG_MAX) EXPECT_EQ(Eval<int64_t>(g, {in}), (std::vector<int64_t>{1, 0}));
    else EXPECT_EQ(Eval<int32_t>(g, {in}), (std::vector<int32_t>{0, 1}));
  }
}

TEST(TfliteImportMathOps, TopkV2ReadsK) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {2, 4}, Quant(0.5f, 1));
  const int k = b.AddInt32Tensor("k", {}, {2});
  const int v = b.AddTensor("values", TensorType::INT8, {2, 2}, Quant(0.5f, 1));
  const int i = b.AddTensor("indices", TensorType::INT32, {2, 2});
  b.AddOperator(BuiltinOperator::TOPK_V2, {x, k}, {v, i});
  b.SetInputs({x});
  b.SetOutputs({v, i});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetInt("k"), 2);
  const auto in = Bytes(std::vector<int8_t>{3, -7, 9, 3, 0, 0, -1, 5});
  auto r = ops::EvaluateGraph(g, {in});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  std::vector<int8_t> values(4);
  std::vector<int32_t> indices(4);
  std::memcpy(values.data(), r->outputs[0].data(), 4);
  std::memcpy(indices.data(), r->outputs[1].data(), 16);
  EXPECT_EQ(values, (std::vector<int8_t>{9, 3, 5, 0}));
  EXPECT_EQ(indices, (std::vector<int32_t>{2, 0, 3, 0}));  // equal values: the lower index first
  ModelBuilder bad;  // k of two values
  const int bx = bad.AddTensor("x", TensorType::FLOAT32, {4});
  const int bk = bad.AddInt32Tensor("k", {2}, {1, 2});
  const int bv = bad.AddTensor("values", TensorType::FLOAT32, {1});
  const int bi = bad.AddTensor("indices", TensorType::INT32, {1});
  bad.AddOperator(BuiltinOperator::TOPK_V2, {bx, bk}, {bv, bi});
  bad.SetInputs({bx});
  bad.SetOutputs({bv, bi});
  auto f = ImportTflite(bad.Finish(), "bad.tflite");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.diag().message.find("must hold exactly one value"), std::string::npos) << f.diag().ToString();
}

TEST(TfliteImportMathOps, ComparisonsAndLogical) {
  // LESS on int8 inputs of different scales, NOT of it, AND with EQUAL.
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::INT8, {3}, Quant(0.5f, 0));
  const int c = b.AddTensor("c", TensorType::INT8, {3}, Quant(0.25f, 0));
  const int lt = b.AddTensor("lt", TensorType::BOOL, {3});
  const int ge = b.AddTensor("ge", TensorType::BOOL, {3});
  const int eq = b.AddTensor("eq", TensorType::BOOL, {3});
  const int y = b.AddTensor("y", TensorType::BOOL, {3});
  b.AddOperator(BuiltinOperator::LESS, {a, c}, {lt});
  b.AddOperator(BuiltinOperator::LOGICAL_NOT, {lt}, {ge});
  b.AddOperator(BuiltinOperator::EQUAL, {a, c}, {eq});
  b.AddOperator(BuiltinOperator::LOGICAL_AND, {ge, eq}, {y});
  b.SetInputs({a, c});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 4u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kLess);
  EXPECT_EQ(g.nodes[3].op, ir::OpKind::kLogicalAnd);
  // a = 1.0, 1.5, 0.5; c = 1.0, 1.0, 1.0.
  EXPECT_EQ(Eval<uint8_t>(g, {Bytes(std::vector<int8_t>{2, 3, 1}), Bytes(std::vector<int8_t>{4, 4, 4})}),
            (std::vector<uint8_t>{1, 0, 0}));
}

TEST(TfliteImportMathOps, SelectV2Broadcasts) {
  ModelBuilder b;
  const int cond = b.AddTensor("cond", TensorType::BOOL, {2, 1});
  const int x = b.AddTensor("x", TensorType::FLOAT32, {2, 2});
  const int z = b.AddFloatTensor("z", {}, {0.5f});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {2, 2});
  b.AddOperator(BuiltinOperator::SELECT_V2, {cond, x, z}, {y});
  b.SetInputs({cond, x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(Eval<float>(g, {std::vector<uint8_t>{0, 1}, Bytes(std::vector<float>{1, 2, 3, 4})}),
            (std::vector<float>{0.5f, 0.5f, 3, 4}));
}

TEST(TfliteImportMathOps, L2NormalizationInt8) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {1, 6}, Quant(4.0f / 255.0f, -1));
  const int y = b.AddTensor("y", TensorType::INT8, {1, 6}, Quant(1.0f / 128, 0));
  b.AddOperator(BuiltinOperator::L2_NORMALIZATION, {x}, {y}, BuiltinOptions::L2NormOptions,
                tfl::CreateL2NormOptions(b.builder()).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{-71, 37, 44, 76, -46, 5})}),
            (std::vector<int8_t>{-70, 38, 45, 77, -45, 6}));
  ModelBuilder r;  // a fused activation is refused
  const int rx = r.AddTensor("x", TensorType::FLOAT32, {1, 2});
  const int ry = r.AddTensor("y", TensorType::FLOAT32, {1, 2});
  r.AddOperator(BuiltinOperator::L2_NORMALIZATION, {rx}, {ry}, BuiltinOptions::L2NormOptions,
                tfl::CreateL2NormOptions(r.builder(), ActivationFunctionType::RELU).Union());
  r.SetInputs({rx});
  r.SetOutputs({ry});
  auto bad = ImportTflite(r.Finish(), "m.tflite");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.diag().id, "E0111");
}

TEST(TfliteImportMathOps, ResizeBilinearOptions) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 1, 2, 1});
  const int size = b.AddInt32Tensor("size", {2}, {1, 4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 1, 4, 1});
  b.AddOperator(BuiltinOperator::RESIZE_BILINEAR, {x, size}, {y}, BuiltinOptions::ResizeBilinearOptions,
                tfl::CreateResizeBilinearOptions(b.builder(), false, true).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetInt("half_pixel_centers"), 1);
  EXPECT_EQ(g.nodes[0].GetInt("align_corners"), 0);
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{0, 100})}), (std::vector<float>{0, 25, 75, 100}));
}

// BatchMatMulOptions (union member 101) built by hand: adj_x, adj_y.
flatbuffers::Offset<void> BatchMatMulOptions(flatbuffers::FlatBufferBuilder& fbb, bool adj_x, bool adj_y) {
  const auto start = fbb.StartTable();
  fbb.AddElement<uint8_t>(4, adj_x ? 1 : 0, 0);
  fbb.AddElement<uint8_t>(6, adj_y ? 1 : 0, 0);
  return flatbuffers::Offset<void>(fbb.EndTable(start));
}

TEST(TfliteImportMathOps, BatchMatmulAdjointsAndConstantRhs) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 3, 2});  // adj_x: [2, 3] transposed
  const int w = b.AddFloatTensor("w", {2, 3}, {7, 9, 11, 8, 10, 12});  // adj_y: [3, 2] transposed
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 2, 2});
  b.AddOperator(BuiltinOperator::BATCH_MATMUL, {x, w}, {y}, static_cast<BuiltinOptions>(101),
                BatchMatMulOptions(b.builder(), true, true));
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetInt("adj_x"), 1);
  EXPECT_EQ(g.nodes[0].GetInt("adj_y"), 1);
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{1, 4, 2, 5, 3, 6})}), (std::vector<float>{58, 64, 139, 154}));
  ModelBuilder n;  // without options: no adjoints
  const int nx = n.AddTensor("x", TensorType::FLOAT32, {1, 2});
  const int nw = n.AddFloatTensor("w", {2, 1}, {3, 4});
  const int ny = n.AddTensor("y", TensorType::FLOAT32, {1, 1});
  n.AddOperator(BuiltinOperator::BATCH_MATMUL, {nx, nw}, {ny});
  n.SetInputs({nx});
  n.SetOutputs({ny});
  const ir::Graph gn = MustImport(n.Finish());
  EXPECT_EQ(Eval<float>(gn, {Bytes(std::vector<float>{1, 2})}), (std::vector<float>{11}));
}

TEST(TfliteImportMathOps, RsqrtInt8) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {3}, Quant(0.25f, 0));
  const int y = b.AddTensor("y", TensorType::INT8, {3}, Quant(1.0f / 64, 0));
  b.AddOperator(BuiltinOperator::RSQRT, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  // 1, 4, 0.25 -> 1, 0.5, 2 (64, 32, 128 -> 127).
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{4, 16, 1})}), (std::vector<int8_t>{64, 32, 127}));
}

TEST(TfliteImportMathOps, EluInt8) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {3}, Quant(1.0f / 16, 0));
  const int y = b.AddTensor("y", TensorType::INT8, {3}, Quant(1.0f / 16, 0));
  b.AddOperator(BuiltinOperator::ELU, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : i8[3] quant(0.0625, 0)\n"
            "  %y = elu(%x) : i8[3] quant(0.0625, 0) loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  // -1.0, 2.0, -8.0 -> -0.632, 2.0, -0.99966.
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{-16, 32, -128})}), (std::vector<int8_t>{-10, 32, -16}));
}

TEST(TfliteImportMathOps, TransposeConvWithComputedOutputShape) {
  // As TFLite Micro's seanet transpose_conv models: output_shape is a graph
  // input; the output tensor's own shape [1, 4, 4, 1] sizes the result.
  ModelBuilder b;
  const int shape = b.AddTensor("shape", TensorType::INT32, {4});
  const int w = b.AddFloatTensor("w", {1, 3, 3, 1}, std::vector<float>(9, 1.0f));
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 2, 2, 1});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4, 4, 1});
  b.AddOperator(BuiltinOperator::TRANSPOSE_CONV, {shape, w, x}, {y}, BuiltinOptions::TransposeConvOptions,
                tfl::CreateTransposeConvOptions(b.builder(), Padding::SAME, 2, 2).Union());
  b.SetInputs({shape, x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.inputs.size(), 2u);  // the shape input stays a graph input, unread
  EXPECT_EQ(g.nodes[0].GetInts("pad"), (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<int32_t>{0, 0, 0, 0}), Bytes(std::vector<float>{1, 2, 3, 4})}),
            (std::vector<float>{1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4}));
}

TEST(TfliteImportMathOps, L2Pool2DIsTheRootOfTheMeanSquareOfInImageTaps) {
  // x[1,3,3,1], 2x2 window, stride 2, SAME: windows of 4, 2, 2 and 1 taps.
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 3, 3, 1});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 2, 2, 1});
  b.AddPool2D(BuiltinOperator::L2_POOL_2D, x, y, Padding::SAME, 2, 2, 2, 2, ActivationFunctionType::RELU);
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  std::vector<ir::OpKind> kinds;
  for (const ir::Node& n : g.nodes) kinds.push_back(n.op);
  EXPECT_EQ(kinds, (std::vector<ir::OpKind>{ir::OpKind::kMul, ir::OpKind::kAveragePool2D, ir::OpKind::kSqrt}));
  const std::vector<float> in = {1, -2, 3, 0.5f, 4, -1, 2, 0.25f, -3};
  // TFLite's kernel: sum the squares in window order, divide by the count, sqrt.
  auto l2 = [&](std::initializer_list<int> taps) {
    float sum = 0.f;
    for (int t : taps) sum += in[static_cast<size_t>(t)] * in[static_cast<size_t>(t)];
    return std::sqrt(sum / static_cast<float>(taps.size()));
  };
  EXPECT_EQ(Eval<float>(g, {Bytes(in)}), (std::vector<float>{l2({0, 1, 3, 4}), l2({2, 5}), l2({6, 7}), l2({8})}));

  ModelBuilder r6;
  const int x6 = r6.AddTensor("x", TensorType::FLOAT32, {1, 2, 2, 1});
  const int y6 = r6.AddTensor("y", TensorType::FLOAT32, {1, 1, 1, 1});
  r6.AddPool2D(BuiltinOperator::L2_POOL_2D, x6, y6, Padding::VALID, 2, 2, 2, 2, ActivationFunctionType::RELU6);
  r6.SetInputs({x6});
  r6.SetOutputs({y6});
  auto e = ImportTflite(r6.Finish(), "m.tflite");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.diag().id, "E0111");
  EXPECT_NE(e.diag().message.find("(L2_POOL_2D, output 'y'): fused activation relu6 is not supported"),
            std::string::npos)
      << e.diag().message;
}

TEST(TfliteImportMathOps, LogSoftmaxFollowsTflitesFormula) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {2, 3});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {2, 3});
  b.AddOperator(BuiltinOperator::LOG_SOFTMAX, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kLogSoftmax);
  const std::vector<float> in = {1.5f, -2.f, 0.25f, 30.f, 31.f, 29.5f};
  std::vector<float> want;
  for (size_t row = 0; row < 2; ++row) {
    const float* v = in.data() + 3 * row;
    const float max = std::max(std::max(v[0], v[1]), v[2]);
    float sum = 0.f;
    for (int c = 0; c < 3; ++c) sum += std::exp(v[c] - max);
    const float log_sum = std::log(sum);
    for (int c = 0; c < 3; ++c) want.push_back(v[c] - max - log_sum);
  }
  EXPECT_EQ(Eval<float>(g, {Bytes(in)}), want);
}

// TFLite Micro's int8 LOG_SOFTMAX test vectors (log_softmax_test.cc): the
// logits {0, -6, 2, 4, 3, -2, 10, 1} quantized for [-10, 10] (scale 20/255,
// round half away from zero, as its test helper;
// zero point -1), two rows of 4; and a row of one element, which is 0 (127).
TEST(TfliteImportMathOps, LogSoftmaxInt8MatchesTfliteMicrosVectors) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {2, 4}, Quant(20.0f / 255.0f, -1));
  const int y = b.AddTensor("y", TensorType::INT8, {2, 4}, Quant(16.0f / 256.0f, 127));
  b.AddOperator(BuiltinOperator::LOG_SOFTMAX, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{-1, -78, 25, 50, 37, -27, 126, 12})}),
            (std::vector<int8_t>{61, -36, 93, 125, 15, -65, 127, -16}));

  ModelBuilder one;
  const int x1 = one.AddTensor("x", TensorType::INT8, {3, 1}, Quant(2.0f / 255.0f, -1));
  const int y1 = one.AddTensor("y", TensorType::INT8, {3, 1}, Quant(16.0f / 256.0f, 127));
  one.AddOperator(BuiltinOperator::LOG_SOFTMAX, {x1}, {y1});
  one.SetInputs({x1});
  one.SetOutputs({y1});
  const ir::Graph g1 = MustImport(one.Finish());
  EXPECT_EQ(Eval<int8_t>(g1, {Bytes(std::vector<int8_t>{-1, -128, 126})}), (std::vector<int8_t>{127, 127, 127}));

  ModelBuilder q;  // another output quantization: TFLite Micro refuses it
  const int qx = q.AddTensor("qx", TensorType::INT8, {4}, Quant(0.1f, 0));
  const int qy = q.AddTensor("qy", TensorType::INT8, {4}, Quant(0.1f, 127));
  q.AddOperator(BuiltinOperator::LOG_SOFTMAX, {qx}, {qy});
  q.SetInputs({qx});
  q.SetOutputs({qy});
  auto e = ImportTflite(q.Finish(), "m.tflite");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.diag().id, "E0301");
  EXPECT_NE(e.diag().message.find("requires 16/256 and 127"), std::string::npos) << e.diag().message;
}

TEST(TfliteImportMathOps, FloorDivRoundsTowardMinusInfinity) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::FLOAT32, {4});
  const int d = b.AddFloatTensor("d", {}, {2.f});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {4});
  b.AddOperator(BuiltinOperator::FLOOR_DIV, {a, d}, {y});
  b.SetInputs({a});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{7.f, -7.f, 0.5f, -0.5f})}), (std::vector<float>{3, -4, 0, -1}));
}

TEST(TfliteImportMathOps, SquareOverflowsToInfinityAndRefusesInt8) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {3});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {3});
  b.AddOperator(BuiltinOperator::SQUARE, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : f32[3]\n"
            "  %y = square(%x) : f32[3] loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{-3.f, 0.5f, 1e20f})}),
            (std::vector<float>{9.f, 0.25f, std::numeric_limits<float>::infinity()}));

  ModelBuilder q;
  const int qx = q.AddTensor("qx", TensorType::INT8, {3}, Quant(0.5f, 0));
  const int qy = q.AddTensor("qy", TensorType::INT8, {3}, Quant(0.5f, 0));
  q.AddOperator(BuiltinOperator::SQUARE, {qx}, {qy});
  q.SetInputs({qx});
  q.SetOutputs({qy});
  auto e = ImportTflite(q.Finish(), "m.tflite");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.diag().id, "E0301");  // as NEG, SQRT, ...: float32 only
}

TEST(TfliteImportMathOps, FloorModTakesTheDivisorsSign) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::FLOAT32, {2, 2});
  const int d = b.AddFloatTensor("d", {2}, {2.f, -2.f});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {2, 2});
  const int ai = b.AddTensor("ai", TensorType::INT32, {4});
  const int di = b.AddInt32Tensor("di", {}, {-3});
  const int yi = b.AddTensor("yi", TensorType::INT32, {4});
  b.AddOperator(BuiltinOperator::FLOOR_MOD, {a, d}, {y});
  b.AddOperator(BuiltinOperator::FLOOR_MOD, {ai, di}, {yi});
  b.SetInputs({a, ai});
  b.SetOutputs({y, yi});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kMod);
  EXPECT_EQ(g.nodes[0].GetInt("fmod"), 0);
  auto r = ops::EvaluateGraph(g, {Bytes(std::vector<float>{7.5f, 7.5f, -7.5f, -7.5f}),
                                  Bytes(std::vector<int32_t>{7, -7, 6, -1})});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->outputs.size(), 2u);
  // TFLite's FloorMod: fmod, then the divisor's sign.
  EXPECT_EQ(Values<float>(r->outputs[0]), (std::vector<float>{1.5f, -0.5f, 0.5f, -1.5f}));
  EXPECT_EQ(Values<int32_t>(r->outputs[1]), (std::vector<int32_t>{-2, -1, 0, -1}));
}

TEST(TfliteImportMathOps, CumsumReadsItsAxisAndOptions) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {2, 3});
  const int axis = b.AddInt32Tensor("axis", {}, {-1});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {2, 3});
  b.AddOperator(BuiltinOperator::CUMSUM, {x, axis}, {y}, BuiltinOptions::CumsumOptions,
                tfl::CreateCumsumOptions(b.builder(), true, true).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : f32[2,3]\n"
            "  %y = cumsum(%x) {axis=1, exclusive=1, reverse=1} : f32[2,3] loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{1, 2, 3, 4, 5, 6})}), (std::vector<float>{5, 3, 0, 11, 6, 0}));

  ModelBuilder c;  // no options table: inclusive, forward
  const int cx = c.AddTensor("x", TensorType::INT32, {3});
  const int caxis = c.AddInt32Tensor("axis", {}, {0});
  const int cy = c.AddTensor("y", TensorType::INT32, {3});
  c.AddOperator(BuiltinOperator::CUMSUM, {cx, caxis}, {cy});
  c.SetInputs({cx});
  c.SetOutputs({cy});
  const ir::Graph gc = MustImport(c.Finish());
  EXPECT_EQ(Eval<int32_t>(gc, {Bytes(std::vector<int32_t>{4, -1, 10})}), (std::vector<int32_t>{4, 3, 13}));
}

TEST(TfliteImportMathOps, SinCosAndSign) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {3});
  const int s = b.AddTensor("s", TensorType::FLOAT32, {3});
  const int c = b.AddTensor("c", TensorType::FLOAT32, {3});
  b.AddOperator(BuiltinOperator::SIN, {x}, {s});
  b.AddOperator(BuiltinOperator::COS, {x}, {c});
  const int g2 = b.AddTensor("g", TensorType::FLOAT32, {3});
  b.AddOperator(BuiltinOperator::SIGN, {c}, {g2});
  b.SetInputs({x});
  b.SetOutputs({s, c, g2});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kSin);
  EXPECT_EQ(g.nodes[1].op, ir::OpKind::kCos);
  EXPECT_EQ(g.nodes[2].op, ir::OpKind::kSign);
  const auto out = EvalAll<float>(g, {Bytes(std::vector<float>{0.f, 1.57079637f, 3.14159274f})});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2], (std::vector<float>{1.f, out[1][1] > 0 ? 1.f : -1.f, -1.f}));
  EXPECT_EQ(out[0][0], 0.f);
  EXPECT_EQ(out[0][1], 1.f);
  EXPECT_EQ(out[1][0], 1.f);
  EXPECT_EQ(out[1][2], -1.f);
}

}  // namespace
}  // namespace ember::frontend::tflite
