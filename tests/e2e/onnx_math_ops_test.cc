// `ember compile` + `ember run` on ONNX models of the math and logic
// operators the ONNX frontend maps onto the IR (import_math.cc): ReduceSum
// and the Reduce functions built on it, ReduceMin, ArgMax (int64 index, cast
// to int32 and to float), the comparisons, Where, Not/And/Or, Max/Min/Sum/
// Mean, Abs/Neg/Sqrt/Exp/Log/Reciprocal, a run-time Cast, MatMul of 3-D
// operands (batch_matmul) and linear Resize (resize_bilinear): the host build
// of the generated float C equals `ember eval` byte for byte.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "e2e/run_eval_util.h"
#include "util/onnx_builder.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

std::vector<float> Ramp(size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = offset + scale * static_cast<float>((i * 7) % 13);
  return v;
}

std::vector<uint8_t> MathModel() {
  OnnxBuilder b(13);
  b.Input("x", {2, 3, 4});
  b.InitInt64("ax1", {1}, {1});
  b.Init("one", {}, {1.0f});
  b.Init("k", {4}, {0.5f, -0.25f, 1.0f, 0.0f});
  b.Init("w", {2, 4, 5}, Ramp(40, 0.125f, -0.75f));
  b.Node("ReduceSum", {"x", "ax1"}, {"s"}).Int("keepdims", 1);  // [2,1,4]
  b.Node("Less", {"x", "s"}, {"lt"});
  b.Node("GreaterOrEqual", {"x", "k"}, {"ge"});
  b.Node("Greater", {"x", "s"}, {"gt"});
  b.Node("LessOrEqual", {"x", "k"}, {"le"});
  b.Node("Equal", {"gt", "le"}, {"eq"});
  b.Node("Not", {"lt"}, {"nlt"});
  b.Node("And", {"nlt", "ge"}, {"an"});
  b.Node("Or", {"an", "eq"}, {"orr"});
  b.Node("Cast", {"orr"}, {"f1"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Where", {"lt", "x", "s"}, {"wh"});
  b.Node("ArgMax", {"wh"}, {"am"}).Int("axis", 2).Int("keepdims", 1);  // int64 [2,3,1]
  b.Node("Cast", {"am"}, {"am32"}).Int("to", pb::TensorProto::INT32);
  b.Node("Cast", {"am32"}, {"amf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Max", {"x", "s", "k"}, {"mx"});
  b.Node("Min", {"x", "s"}, {"mn"});
  b.Node("Sum", {"x", "s", "k"}, {"su"});
  b.Node("Mean", {"x", "s"}, {"me"});
  b.Node("Abs", {"x"}, {"ab"});
  b.Node("Neg", {"ab"}, {"ng"});
  b.Node("Exp", {"ng"}, {"ex"});
  b.Node("Sqrt", {"ab"}, {"sq"});
  b.Node("Add", {"ab", "one"}, {"ab1"});
  b.Node("Reciprocal", {"ab1"}, {"rc"});
  b.Node("Log", {"ab1"}, {"lg"});
  b.Node("ReduceL2", {"x"}, {"l2"}).Ints("axes", {2}).Int("keepdims", 1);  // [2,3,1]
  b.Node("ReduceL1", {"x"}, {"l1"}).Ints("axes", {2}).Int("keepdims", 1);
  b.Node("ReduceSumSquare", {"x"}, {"ss"}).Ints("axes", {2}).Int("keepdims", 1);
  b.Node("ReduceLogSumExp", {"x"}, {"lse"}).Ints("axes", {2}).Int("keepdims", 1);
  b.Node("ReduceLogSum", {"ab1"}, {"ls"}).Ints("axes", {2}).Int("keepdims", 1);
  b.Node("ReduceMin", {"x"}, {"rmin"}).Ints("axes", {2}).Int("keepdims", 1);
  b.Node("MatMul", {"x", "w"}, {"bm"});  // [2,3,5]: batch_matmul
  b.Node("Concat", {"f1", "wh", "amf", "mx", "mn", "su", "me", "ex", "sq", "rc", "lg", "l2", "l1", "ss", "lse", "ls",
                    "rmin", "bm"},
         {"y"})
      .Int("axis", 2);
  b.Output("y");
  return b.Bytes();
}

std::vector<uint8_t> ResizeModel() {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 3, 4});
  b.InitInt64("up", {4}, {1, 2, 6, 9});
  b.InitInt64("down", {4}, {1, 2, 4, 3});
  b.Node("Resize", {"x", "", "", "up"}, {"u"}).Str("mode", "linear");  // half_pixel
  b.Node("Resize", {"u", "", "", "down"}, {"d"})
      .Str("mode", "linear")
      .Str("coordinate_transformation_mode", "align_corners");
  b.Node("Resize", {"d", "", "", "up"}, {"y"})
      .Str("mode", "linear")
      .Str("coordinate_transformation_mode", "asymmetric");
  b.Output("y");
  return b.Bytes();
}

TEST(OnnxMathOps, FloatMathAndLogicRunLikeTheReference) { ExpectRunEqualsEval(MathModel(), true, 3, ".onnx"); }

TEST(OnnxMathOps, LinearResizeRunsLikeTheReference) { ExpectRunEqualsEval(ResizeModel(), true, 3, ".onnx"); }

}  // namespace
}  // namespace ember::test
