// TFLite import of 16x8 models (int16 activations, int8 weights, int64 or
// int32 bias; TRANSPOSE_CONV with int64 or int16 bias; BATCH_MATMUL): the importer keeps the int16 and int64 tensors with their
// quantization, and the reference evaluator runs the imported graph with
// TFLite Micro's int16 arithmetic (hand-computed numbers).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/tflite/import.h"
#include "ir/printer.h"
#include "ops/evaluate.h"
#include "ops/op_test_util.h"

namespace ember::frontend::tflite {
namespace {

using test::FromBytes;
using test::ToBytes;
namespace tfl = ::tflite;

// x (i16, s 0.25) -> CONV_2D 1x1 (filter 1, s_w 1; bias i64 or i32) -> t (i16, s 1)
// t + u (i16, s 1) -> ADD -> y (i16, s 2).
std::vector<uint8_t> ConvAddModel(TensorType bias_type) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT16, {1, 1, 3, 1}, Quant(0.25f, 0));
  const int w = b.AddConstTensor("w", TensorType::INT8, {1, 1, 1, 1}, {1}, QuantSpec{{1.0f}, {0}, 0});
  const QuantSpec bias_q{{0.25f}, {0}, 0};
  const int bias = bias_type == TensorType::INT64
                       ? b.AddConstTensor("bias", TensorType::INT64, {1}, ToBytes<int64_t>({0}), bias_q)
                       : b.AddInt32Tensor("bias", {1}, {0}, bias_q);
  const int t = b.AddTensor("t", TensorType::INT16, {1, 1, 3, 1}, Quant(1.0f, 0));
  const int u = b.AddTensor("u", TensorType::INT16, {1, 1, 3, 1}, Quant(1.0f, 0));
  const int y = b.AddTensor("y", TensorType::INT16, {1, 1, 3, 1}, Quant(2.0f, 0));
  b.AddConv2D(x, w, bias, t, Padding::VALID, 1, 1);
  b.AddAdd(t, u, y);
  b.SetInputs({x, u});
  b.SetOutputs({y});
  return b.Finish();
}

std::vector<int16_t> EvalXU(const ir::Graph& g, const std::vector<int16_t>& x, const std::vector<int16_t>& u) {
  auto r = ops::EvaluateGraph(g, {ToBytes(x), ToBytes(u)});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.diag().ToString());
  if (!r.ok() || r->outputs.size() != 1) return {};
  return FromBytes<int16_t>(r->outputs[0]);
}

TEST(TfliteImportInt16, ConvWithInt64BiasAndAdd) {
  auto g = ImportTflite(ConvAddModel(TensorType::INT64), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  const std::string text = ir::Print(*g);
  EXPECT_NE(text.find("input %x : i16[1,1,3,1] quant(0.25, 0)"), std::string::npos) << text;
  EXPECT_NE(text.find(": i64[1]"), std::string::npos) << text;
  EXPECT_NE(text.find("= add(%t, %u)"), std::string::npos) << text;
  // conv: {-2, 2, 6} * 0.25 through Mbqm64 (ties upward) = {0, 1, 2};
  // add: (t + u) / 2 with the 15-bit pre-shift, ties away from zero.
  EXPECT_EQ(EvalXU(*g, {-2, 2, 6}, {1001, -1001, 0}), (std::vector<int16_t>{501, -500, 1}));
}

TEST(TfliteImportInt16, ConvWithInt32BiasTakesTheInt32Path) {
  auto g = ImportTflite(ConvAddModel(TensorType::INT32), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  // conv: -0.5 rounds to -1 with Mbqm; then (-1 + 1001) / 2 = 500.
  EXPECT_EQ(EvalXU(*g, {-2, 2, 6}, {1001, -1001, 0}), (std::vector<int16_t>{500, -500, 1}));
}

TEST(TfliteImportInt16, FullyConnectedAndPoolsImport) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT16, {1, 2, 2, 1}, Quant(1.0f, 0));
  const int p = b.AddTensor("p", TensorType::INT16, {1, 1, 1, 1}, Quant(1.0f, 0));
  const int w = b.AddConstTensor("w", TensorType::INT8, {2, 1}, ToBytes<int8_t>({3, -2}), Quant(1.0f, 0));
  const int bias =
      b.AddConstTensor("bias", TensorType::INT64, {2}, ToBytes<int64_t>({10, -10}), Quant(1.0f, 0));
  const int y = b.AddTensor("y", TensorType::INT16, {1, 2}, Quant(1.0f, 0));
  b.AddPool2D(BuiltinOperator::MAX_POOL_2D, x, p, Padding::VALID, 2, 2, 1, 1);
  b.AddFullyConnected(p, w, bias, y);
  b.SetInputs({x});
  b.SetOutputs({y});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  auto r = ops::EvaluateGraph(*g, {ToBytes<int16_t>({7, -3, 100, 2})});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(FromBytes<int16_t>(r->outputs[0]), (std::vector<int16_t>{310, -210}));  // 3 * 100 + 10, -2 * 100 - 10
}

// TRANSPOSE_CONV 16x8: x (i16, s 1) -> 2x2 filter, stride 2, VALID, bias
// i64 or i16 (widened to int64, as TFLite Micro does) -> y (i16, s 2).
TEST(TfliteImportInt16, TransposeConvWithInt64OrInt16Bias) {
  for (TensorType bias_type : {TensorType::INT64, TensorType::INT16}) {
    ModelBuilder b;
    const int shape = b.AddInt32Tensor("shape", {4}, {1, 4, 4, 1});
    const int w = b.AddConstTensor("w", TensorType::INT8, {1, 2, 2, 1}, ToBytes<int8_t>({1, 2, 3, 4}),
                                   QuantSpec{{1.0f}, {0}, 0});
    const int x = b.AddTensor("x", TensorType::INT16, {1, 2, 2, 1}, Quant(1.0f, 0));
    const QuantSpec bias_q{{1.0f}, {0}, 0};
    const int bias = bias_type == TensorType::INT64
                         ? b.AddConstTensor("bias", TensorType::INT64, {1}, ToBytes<int64_t>({3}), bias_q)
                         : b.AddConstTensor("bias", TensorType::INT16, {1}, ToBytes<int16_t>({3}), bias_q);
    const int y = b.AddTensor("y", TensorType::INT16, {1, 4, 4, 1}, Quant(2.0f, 0));
    b.AddOperator(BuiltinOperator::TRANSPOSE_CONV, {shape, w, x, bias}, {y}, BuiltinOptions::TransposeConvOptions,
                  tfl::CreateTransposeConvOptions(b.builder(), Padding::VALID, 2, 2).Union());
    b.SetInputs({x});
    b.SetOutputs({y});
    auto g = ImportTflite(b.Finish(), "m.tflite");
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    const std::string text = ir::Print(*g);
    EXPECT_NE(text.find("= transpose_conv(%x"), std::string::npos) << text;
    EXPECT_NE(text.find(bias_type == TensorType::INT64 ? ": i64[1]" : ": i16[1]"), std::string::npos) << text;
    auto r = ops::EvaluateGraph(*g, {ToBytes<int16_t>({100, -200, 300, 400})});
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    // (w * x + 3) / 2 rounded half up (TFLite's int64 MultiplyByQuantizedMultiplier).
    EXPECT_EQ(FromBytes<int16_t>(r->outputs[0]),
              (std::vector<int16_t>{52, 102, -98, -198, 152, 202, -298, -398, 152, 302, 202, 402, 452, 602, 602, 802}));
  }
}

// BATCH_MATMUL 16x8 (no options: no adjoints): int64 sums, MBQM64 by
// 0.5 * 0.25 / 1 = 2^-3, ties up.
TEST(TfliteImportInt16, BatchMatmul) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT16, {1, 2, 3}, Quant(0.5f, 0));
  const int w = b.AddConstTensor("w", TensorType::INT16, {3, 2}, ToBytes<int16_t>({7, 8, 9, 10, 11, 12}),
                                 Quant(0.25f, 0));
  const int y = b.AddTensor("y", TensorType::INT16, {1, 2, 2}, Quant(1.0f, 0));
  b.AddOperator(BuiltinOperator::BATCH_MATMUL, {x, w}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  auto r = ops::EvaluateGraph(*g, {ToBytes<int16_t>({1000, -2000, 3, 4, 5, 6})});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(FromBytes<int16_t>(r->outputs[0]), (std::vector<int16_t>{-1371, -1495, 17, 19}));
}

}  // namespace
}  // namespace ember::frontend::tflite
