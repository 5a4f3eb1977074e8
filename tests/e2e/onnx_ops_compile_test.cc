// `ember compile` + `ember run` on TFLite models chaining the operators added
// for ONNX graphs (TRANSPOSE_CONV, LEAKY_RELU, SUB, RESIZE_NEAREST_NEIGHBOR,
// REDUCE_MAX int8; PRELU, DIV float32): the host build of the generated C,
// with its memory plan, equals `ember eval` byte for byte.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "e2e/run_eval_util.h"
#include "frontend/tflite/builder.h"

namespace ember::test {
namespace {

namespace tfl = ::tflite;
using frontend::tflite::ModelBuilder;
using frontend::tflite::Quant;
using frontend::tflite::QuantSpec;

std::vector<uint8_t> Int8Model() {
  ModelBuilder b;
  const auto kI8 = tfl::TensorType::INT8;
  const int x = b.AddTensor("x", kI8, {1, 4, 4, 3}, Quant(0.05f, 0));
  const int shape = b.AddInt32Tensor("shape", {4}, {1, 8, 8, 4});
  const int w = b.AddConstTensor("w", kI8, {4, 3, 3, 3}, Pattern(108, 7),
                                 QuantSpec{{0.01f, 0.02f, 0.015f, 0.01f}, {0, 0, 0, 0}, 0});
  const int bias = b.AddInt32Tensor("bias", {4}, {100, -200, 0, 50});
  const int t = b.AddTensor("up", kI8, {1, 8, 8, 4}, Quant(0.1f, -5));
  b.AddOperator(tfl::BuiltinOperator::TRANSPOSE_CONV, {shape, w, x, bias}, {t},
                tfl::BuiltinOptions::TransposeConvOptions,
                tfl::CreateTransposeConvOptions(b.builder(), tfl::Padding::SAME, 2, 2).Union());
  const int l = b.AddTensor("leaky", kI8, {1, 8, 8, 4}, Quant(0.08f, -20));
  b.AddOperator(tfl::BuiltinOperator::LEAKY_RELU, {t}, {l}, tfl::BuiltinOptions::LeakyReluOptions,
                tfl::CreateLeakyReluOptions(b.builder(), 0.1f).Union());
  const int c = b.AddConstTensor("c", kI8, {4}, Pattern(4, 3), Quant(0.05f, 1));
  const int d = b.AddTensor("diff", kI8, {1, 8, 8, 4}, Quant(0.12f, 3));
  b.AddOperator(tfl::BuiltinOperator::SUB, {l, c}, {d}, tfl::BuiltinOptions::SubOptions,
                tfl::CreateSubOptions(b.builder(), tfl::ActivationFunctionType::NONE).Union());
  const int size = b.AddInt32Tensor("size", {2}, {16, 12});
  const int r = b.AddTensor("resized", kI8, {1, 16, 12, 4}, Quant(0.12f, 3));
  b.AddOperator(tfl::BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, {d, size}, {r},
                tfl::BuiltinOptions::ResizeNearestNeighborOptions,
                tfl::CreateResizeNearestNeighborOptions(b.builder(), false, true).Union());
  const int axis = b.AddInt32Tensor("axis", {1}, {2});
  const int y = b.AddTensor("y", kI8, {1, 16, 4}, Quant(0.12f, 3));
  b.AddOperator(tfl::BuiltinOperator::REDUCE_MAX, {r, axis}, {y}, tfl::BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), false).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

std::vector<uint8_t> FloatModel() {
  ModelBuilder b;
  const auto kF32 = tfl::TensorType::FLOAT32;
  const int x = b.AddTensor("x", kF32, {1, 5, 5, 6});
  const int alpha = b.AddFloatTensor("alpha", {1, 1, 6}, {0.1f, -0.5f, 0.25f, 1.5f, 0.0f, 0.3f});
  const int p = b.AddTensor("p", kF32, {1, 5, 5, 6});
  b.AddOperator(tfl::BuiltinOperator::PRELU, {x, alpha}, {p});
  const int den = b.AddFloatTensor("den", {6}, {2.0f, 3.0f, -4.0f, 0.5f, 7.0f, 1.25f});
  const int y = b.AddTensor("y", kF32, {1, 5, 5, 6});
  b.AddOperator(tfl::BuiltinOperator::DIV, {p, den}, {y}, tfl::BuiltinOptions::DivOptions,
                tfl::CreateDivOptions(b.builder(), tfl::ActivationFunctionType::RELU6).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(OnnxOpsCompile, Int8ChainRunsLikeTheReference) { ExpectRunEqualsEval(Int8Model(), false); }

TEST(OnnxOpsCompile, FloatChainRunsLikeTheReference) { ExpectRunEqualsEval(FloatModel(), true); }

}  // namespace
}  // namespace ember::test
