// TFLite import of SUB, DIV, LEAKY_RELU, PRELU, RESIZE_NEAREST_NEIGHBOR,
// REDUCE_MAX, TRANSPOSE_CONV, MAXIMUM, MINIMUM, CAST, ABS, NEG, SQRT, RSQRT,
// EXP, LOG, SQUARED_DIFFERENCE: one small model per operator, the imported IR
// compared with its expected text (docs/frontend-tflite.md fixes the mapping)
// and the reference evaluator run on the imported graph.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <optional>
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
using ActT = ActivationFunctionType;

TEST(TfliteImportArithOps, SubInt8WithRelu) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::INT8, {2, 3}, Quant(0.5f, 0));
  const int c = b.AddTensor("b", TensorType::INT8, {3}, Quant(0.5f, 0));
  const int y = b.AddTensor("y", TensorType::INT8, {2, 3}, Quant(0.5f, -4));
  b.AddOperator(BuiltinOperator::SUB, {a, c}, {y}, BuiltinOptions::SubOptions,
                tfl::CreateSubOptions(b.builder(), ActT::RELU).Union());
  b.SetInputs({a, c});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %a : i8[2,3] quant(0.5, 0)\n"
            "  input %b : i8[3] quant(0.5, 0)\n"
            "  %y = sub(%a, %b) {act=\"relu\"} : i8[2,3] quant(0.5, -4) loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{10, 20, 30, 40, 50, 60}),
                             Bytes(std::vector<int8_t>{15, 20, 25})}),
            (std::vector<int8_t>{-4, -4, 1, 21, 26, 31}));
}

TEST(TfliteImportArithOps, DivFloatWithoutOptions) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::FLOAT32, {4});
  const int c = b.AddFloatTensor("c", {1}, {4.0f});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {4});
  b.AddOperator(BuiltinOperator::DIV, {a, c}, {y});
  b.SetInputs({a});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kDiv);
  EXPECT_EQ(g.nodes[0].GetString("act"), "none");
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{1.0f, -2.0f, 8.0f, 0.0f})}),
            (std::vector<float>{0.25f, -0.5f, 2.0f, 0.0f}));
}

TEST(TfliteImportArithOps, LeakyReluInt8) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {8}, Quant(0.5f, 0));
  const int y = b.AddTensor("y", TensorType::INT8, {8}, Quant(0.5f, 0));
  b.AddOperator(BuiltinOperator::LEAKY_RELU, {x}, {y}, BuiltinOptions::LeakyReluOptions,
                tfl::CreateLeakyReluOptions(b.builder(), 0.25f).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : i8[8] quant(0.5, 0)\n"
            "  %y = leaky_relu(%x) {alpha=0.25} : i8[8] quant(0.5, 0) loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{-128, -10, -3, -2, -1, 0, 1, 127})}),
            (std::vector<int8_t>{-32, -3, -1, -1, 0, 0, 1, 127}));
}

TEST(TfliteImportArithOps, PreluFloat) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 2, 2});
  const int a = b.AddFloatTensor("alpha", {2}, {0.5f, -1.0f});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 2, 2});
  b.AddOperator(BuiltinOperator::PRELU, {x, a}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kPrelu);
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{-2.0f, -2.0f, 3.0f, 4.0f})}),
            (std::vector<float>{-1.0f, 2.0f, 3.0f, 4.0f}));
}

TEST(TfliteImportArithOps, ReduceMaxNegativeAxisKeepDims) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {1, 2, 2, 2}, Quant(0.5f, 1));
  const int axis = b.AddInt32Tensor("axis", {2}, {2, -3});
  const int y = b.AddTensor("y", TensorType::INT8, {1, 1, 1, 2}, Quant(0.5f, 1));
  b.AddOperator(BuiltinOperator::REDUCE_MAX, {x, axis}, {y}, BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), true).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : i8[1,2,2,2] quant(0.5, 1)\n"
            "  %y = reduce_max(%x) {axes=[1,2], keep_dims=1} : i8[1,1,1,2] quant(0.5, 1) loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{1, -8, 3, -2, -5, -1, 2, -7})}),
            (std::vector<int8_t>{3, -1}));
}

TEST(TfliteImportArithOps, ReduceMinAndReduceProd) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {2, 3}, Quant(0.5f, 1));
  const int axis = b.AddInt32Tensor("axis", {1}, {-1});
  const int y = b.AddTensor("y", TensorType::INT8, {2, 1}, Quant(0.5f, 1));
  b.AddOperator(BuiltinOperator::REDUCE_MIN, {x, axis}, {y}, BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), true).Union());
  const int f = b.AddTensor("f", TensorType::FLOAT32, {2, 3});
  const int axis0 = b.AddInt32Tensor("axis0", {1}, {0});
  const int p = b.AddTensor("p", TensorType::FLOAT32, {3});
  b.AddOperator(BuiltinOperator::REDUCE_PROD, {f, axis0}, {p}, BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), false).Union());
  b.SetInputs({x, f});
  b.SetOutputs({y, p});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : i8[2,3] quant(0.5, 1)\n"
            "  input %f : f32[2,3]\n"
            "  %y = reduce_min(%x) {axes=[1], keep_dims=1} : i8[2,1] quant(0.5, 1) loc(\"y\")\n"
            "  %p = reduce_prod(%f) {axes=[0], keep_dims=0} : f32[3] loc(\"p\")\n"
            "  output %y, %p\n"
            "}\n");
  auto r = ops::EvaluateGraph(g, {Bytes(std::vector<int8_t>{1, -8, 3, -2, 5, 127}),
                                  Bytes(std::vector<float>{1.5f, -2, 4, 2, 0.25f, -1})});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->outputs[0], Bytes(std::vector<int8_t>{-8, -2}));
  EXPECT_EQ(r->outputs[1], Bytes(std::vector<float>{3, -0.5f, -4}));
}

TEST(TfliteImportArithOps, ResizeNearestNeighborHalfPixel) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 3, 3, 1});
  const int size = b.AddInt32Tensor("size", {2}, {2, 2});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 2, 2, 1});
  b.AddOperator(BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, {x, size}, {y},
                BuiltinOptions::ResizeNearestNeighborOptions,
                tfl::CreateResizeNearestNeighborOptions(b.builder(), false, true).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : f32[1,3,3,1]\n"
            "  %y = resize_nearest_neighbor(%x) {align_corners=0, half_pixel_centers=1, size=[2,2]} : "
            "f32[1,2,2,1] loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9})}),
            (std::vector<float>{1, 3, 7, 9}));
}

TEST(TfliteImportArithOps, TransposeConvSamePadding) {
  // O = 4, I = 2, K = 3, S = 2, SAME: before = max(0, (2 - 1)*2 + 3 - 4) / 2 = 0,
  // the trailing pad 1 makes the output 4.
  ModelBuilder b;
  const int shape = b.AddInt32Tensor("shape", {4}, {1, 4, 4, 1});
  const int w = b.AddFloatTensor("w", {1, 3, 3, 1}, std::vector<float>(9, 1.0f));
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 2, 2, 1});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4, 4, 1});
  b.AddOperator(BuiltinOperator::TRANSPOSE_CONV, {shape, w, x}, {y},
                BuiltinOptions::TransposeConvOptions,
                tfl::CreateTransposeConvOptions(b.builder(), Padding::SAME, 2, 2).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  const ir::Node& n = g.nodes[0];
  EXPECT_EQ(n.op, ir::OpKind::kTransposeConv);
  ASSERT_EQ(n.inputs.size(), 3u);  // input, filter, absent bias
  EXPECT_EQ(g.tensor(n.inputs[0]).name, "x");
  EXPECT_EQ(n.inputs[2], ir::kNoTensor);
  EXPECT_EQ(n.GetInts("pad"), (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(n.GetInts("stride"), (std::vector<int64_t>{2, 2}));
  EXPECT_FALSE(n.HasAttr("output_padding"));
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{1, 2, 3, 4})}),
            (std::vector<float>{1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4}));
}

TEST(TfliteImportArithOps, TransposeConvValidLargerOutputUsesOutputPadding) {
  // 1x1 filter, stride 2, VALID, O = 4 from I = 2: (2 - 1)*2 + 1 = 3 rows
  // reached, one more row of bias only.
  ModelBuilder b;
  const int shape = b.AddInt32Tensor("shape", {4}, {1, 4, 1, 1});
  const int w = b.AddFloatTensor("w", {1, 1, 1, 1}, {2.0f});
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 2, 1, 1});
  const int bias = b.AddFloatTensor("bias", {1}, {0.5f});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4, 1, 1});
  b.AddOperator(BuiltinOperator::TRANSPOSE_CONV, {shape, w, x, bias}, {y},
                BuiltinOptions::TransposeConvOptions,
                tfl::CreateTransposeConvOptions(b.builder(), Padding::VALID, 1, 2).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetInts("output_padding"), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{1, 3})}),
            (std::vector<float>{2.5f, 0.5f, 6.5f, 0.5f}));
}

TEST(TfliteImportArithOps, MaximumMinimumInt8AndFloat) {
  for (const auto op : {BuiltinOperator::MAXIMUM, BuiltinOperator::MINIMUM}) {
    const bool is_max = op == BuiltinOperator::MAXIMUM;
    ModelBuilder b;
    const int a = b.AddTensor("a", TensorType::INT8, {2, 3}, Quant(0.5f, -1));
    const int c = b.AddTensor("b", TensorType::INT8, {3}, Quant(0.5f, -1));
    const int y = b.AddTensor("y", TensorType::INT8, {2, 3}, Quant(0.5f, -1));
    b.AddOperator(op, {a, c}, {y});
    b.SetInputs({a, c});
    b.SetOutputs({y});
    const ir::Graph g = MustImport(b.Finish());
    EXPECT_EQ(ir::Print(g), std::string("graph \"main\" {\n"
                                        "  input %a : i8[2,3] quant(0.5, -1)\n"
                                        "  input %b : i8[3] quant(0.5, -1)\n"
                                        "  %y = ") +
                                (is_max ? "maximum" : "minimum") +
                                "(%a, %b) : i8[2,3] quant(0.5, -1) loc(\"y\")\n"
                                "  output %y\n"
                                "}\n");
    EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{-128, 20, 30, 40, -50, 127}),
                               Bytes(std::vector<int8_t>{15, 20, -25})}),
              is_max ? (std::vector<int8_t>{15, 20, 30, 40, 20, 127})
                     : (std::vector<int8_t>{-128, 20, -25, 15, -50, -25}));
  }
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::FLOAT32, {4});
  const int c = b.AddFloatTensor("c", {1}, {0.5f});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {4});
  b.AddOperator(BuiltinOperator::MAXIMUM, {a, c}, {y});
  b.SetInputs({a});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(Eval<float>(g, {Bytes(std::vector<float>{1.0f, -2.0f, 0.25f, 0.75f})}),
            (std::vector<float>{1.0f, 0.5f, 0.5f, 0.75f}));
}

// CAST: the output tensor's type is the target; CastOptions are not needed.
TEST(TfliteImportArithOps, CastFloatToInt32AndInt8ToFloat) {
  {
    ModelBuilder b;
    const int a = b.AddTensor("a", TensorType::FLOAT32, {3});
    const int y = b.AddTensor("y", TensorType::INT32, {3});
    b.AddOperator(BuiltinOperator::CAST, {a}, {y});
    b.SetInputs({a});
    b.SetOutputs({y});
    const ir::Graph g = MustImport(b.Finish());
    EXPECT_EQ(ir::Print(g),
              "graph \"main\" {\n  input %a : f32[3]\n  %y = cast(%a) : i32[3] loc(\"y\")\n  output %y\n}\n");
    EXPECT_EQ(Eval<int32_t>(g, {Bytes(std::vector<float>{2.7f, -2.7f, 1e10f})}),
              (std::vector<int32_t>{2, -2, 2147483647}));
  }
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::INT8, {2}, Quant(0.5f, 1));
  const int y = b.AddTensor("y", TensorType::FLOAT32, {2});
  b.AddOperator(BuiltinOperator::CAST, {a}, {y});
  b.SetInputs({a});
  b.SetOutputs({y});
  EXPECT_EQ(Eval<float>(MustImport(b.Finish()), {Bytes(std::vector<int8_t>{-7, 100})}),
            (std::vector<float>{-7.0f, 100.0f}));
}

TEST(TfliteImportArithOps, UnaryFloatOperators) {
  struct Case {
    BuiltinOperator op;
    const char* ir;
    std::vector<float> in, out;
  };
  const Case cases[] = {
      {BuiltinOperator::ABS, "abs", {-2.0f, 3.0f}, {2.0f, 3.0f}},
      {BuiltinOperator::NEG, "neg", {-2.0f, 3.0f}, {2.0f, -3.0f}},
      {BuiltinOperator::SQRT, "sqrt", {4.0f, 9.0f}, {2.0f, 3.0f}},
      {BuiltinOperator::RSQRT, "rsqrt", {4.0f, 0.25f}, {0.5f, 2.0f}},
      {BuiltinOperator::EXP, "exp", {0.0f, 1.0f}, {1.0f, std::exp(1.0f)}},
      {BuiltinOperator::LOG, "log", {1.0f, 4.0f}, {0.0f, std::log(4.0f)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.ir);
    ModelBuilder b;
    const int a = b.AddTensor("a", TensorType::FLOAT32, {2});
    const int y = b.AddTensor("y", TensorType::FLOAT32, {2});
    b.AddOperator(c.op, {a}, {y});
    b.SetInputs({a});
    b.SetOutputs({y});
    const ir::Graph g = MustImport(b.Finish());
    EXPECT_EQ(ir::Print(g), std::string("graph \"main\" {\n  input %a : f32[2]\n  %y = ") + c.ir +
                                "(%a) : f32[2] loc(\"y\")\n  output %y\n}\n");
    EXPECT_EQ(Eval<float>(g, {Bytes(c.in)}), c.out);
  }
}

TEST(TfliteImportArithOps, AbsInt8) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::INT8, {3}, Quant(0.5f, 2));
  const int y = b.AddTensor("y", TensorType::INT8, {3}, Quant(0.5f, -128));
  b.AddOperator(BuiltinOperator::ABS, {a}, {y});
  b.SetInputs({a});
  b.SetOutputs({y});
  EXPECT_EQ(Eval<int8_t>(MustImport(b.Finish()), {Bytes(std::vector<int8_t>{2, -10, 12})}),
            (std::vector<int8_t>{-128, -116, -118}));
}

TEST(TfliteImportArithOps, SquaredDifferenceInt8) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::INT8, {2, 2}, Quant(0.5f, 0));
  const int c = b.AddTensor("b", TensorType::INT8, {2}, Quant(0.5f, 0));
  const int y = b.AddTensor("y", TensorType::INT8, {2, 2}, Quant(1.0f, -128));
  b.AddOperator(BuiltinOperator::SQUARED_DIFFERENCE, {a, c}, {y});
  b.SetInputs({a, c});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kSquaredDifference);
  // (3 - 1)^2 = 4, (1 - 1)^2 = 0, (1 - 1)^2 = 0, (-1 - 1)^2 = 4.
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{6, 2, 2, -2}), Bytes(std::vector<int8_t>{2, 2})}),
            (std::vector<int8_t>{-124, -128, -128, -124}));
}

}  // namespace
}  // namespace ember::frontend::tflite
