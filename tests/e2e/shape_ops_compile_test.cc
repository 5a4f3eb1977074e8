// `ember compile` + `ember run` on TFLite models chaining the data-movement
// operators (SPLIT with several outputs, UNPACK with an output nobody reads,
// PACK, DEPTH_TO_SPACE, SPACE_TO_DEPTH, MIRROR_PAD, SLICE, GATHER, PADV2,
// EXPAND_DIMS; SHAPE, ZEROS_LIKE, FILL, ADD_N; the compositions L2_POOL_2D,
// FLOOR_DIV; EMBEDDING_LOOKUP, SQUARE, REVERSE_V2, CUMSUM,
// FLOOR_MOD; LOG_SOFTMAX, REDUCE_MIN, REDUCE_MAX, REDUCE_PROD) in int8,
// int16 and float32,
// and the dilated convolution older
// TensorFlow converters write as SPACE_TO_BATCH_ND, CONV_2D and
// BATCH_TO_SPACE_ND: the host build of the generated C, with its memory plan,
// equals `ember eval` byte for byte.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "e2e/run_eval_util.h"
#include "frontend/tflite/builder.h"

namespace ember::test {
namespace {

namespace tfl = ::tflite;
using frontend::tflite::ModelBuilder;
using frontend::tflite::Quant;

// x[1,4,4,8] -split-> a, b [1,4,4,4]; a -depth_to_space-> [1,8,8,1]
// -space_to_depth-> [1,4,4,4] -gather(axis 3)-> a''; b -mirror_pad-> [1,6,6,4]
// -slice-> [1,4,4,4]; y = concatenation(a'', b') on the channels.
std::vector<uint8_t> IntModel(tfl::TensorType type) {
  ModelBuilder b;
  const auto q = type == tfl::TensorType::INT8 ? Quant(0.05f, -2) : Quant(0.001f, 0);
  auto t = [&](const char* name, std::vector<int32_t> shape) { return b.AddTensor(name, type, shape, q); };
  const int x = t("x", {1, 4, 4, 8});
  const int axis = b.AddInt32Tensor("axis", {}, {3});
  const int a = t("a", {1, 4, 4, 4}), c = t("b", {1, 4, 4, 4});
  b.AddOperator(tfl::BuiltinOperator::SPLIT, {axis, x}, {a, c}, tfl::BuiltinOptions::SplitOptions,
                tfl::CreateSplitOptions(b.builder(), 2).Union());
  const int d2s = t("d2s", {1, 8, 8, 1});
  b.AddOperator(tfl::BuiltinOperator::DEPTH_TO_SPACE, {a}, {d2s}, tfl::BuiltinOptions::DepthToSpaceOptions,
                tfl::CreateDepthToSpaceOptions(b.builder(), 2).Union());
  const int s2d = t("s2d", {1, 4, 4, 4});
  b.AddOperator(tfl::BuiltinOperator::SPACE_TO_DEPTH, {d2s}, {s2d}, tfl::BuiltinOptions::SpaceToDepthOptions,
                tfl::CreateSpaceToDepthOptions(b.builder(), 2).Union());
  const int idx = b.AddInt32Tensor("idx", {4}, {3, 1, 0, 2});
  const int g = t("gathered", {1, 4, 4, 4});
  b.AddOperator(tfl::BuiltinOperator::GATHER, {s2d, idx}, {g}, tfl::BuiltinOptions::GatherOptions,
                tfl::CreateGatherOptions(b.builder(), 3, 0).Union());
  const int pads = b.AddInt32Tensor("pads", {4, 2}, {0, 0, 1, 1, 1, 1, 0, 0});
  const int m = t("mirrored", {1, 6, 6, 4});
  b.AddOperator(tfl::BuiltinOperator::MIRROR_PAD, {c, pads}, {m}, tfl::BuiltinOptions::MirrorPadOptions,
                tfl::CreateMirrorPadOptions(b.builder(), tfl::MirrorPadMode::REFLECT).Union());
  const int begin = b.AddInt32Tensor("begin", {4}, {0, 2, 0, 0});
  const int size = b.AddInt32Tensor("size", {4}, {1, 4, 4, -1});
  const int s = t("sliced", {1, 4, 4, 4});
  b.AddOperator(tfl::BuiltinOperator::SLICE, {m, begin, size}, {s});
  const int y = t("y", {1, 4, 4, 8});
  b.AddOperator(tfl::BuiltinOperator::CONCATENATION, {g, s}, {y}, tfl::BuiltinOptions::ConcatenationOptions,
                tfl::CreateConcatenationOptions(b.builder(), 3).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

// x[3,5] -unpack-> u0, u1 (unread), u2 [5]; pack(u2, u0) on axis 1 -> [5,2];
// expand_dims -> [1,5,2]; padv2 (value 9.5) -> [1,6,3].
std::vector<uint8_t> FloatModel() {
  ModelBuilder b;
  const auto kF32 = tfl::TensorType::FLOAT32;
  const int x = b.AddTensor("x", kF32, {3, 5});
  const int u0 = b.AddTensor("u0", kF32, {5}), u1 = b.AddTensor("u1", kF32, {5}), u2 = b.AddTensor("u2", kF32, {5});
  b.AddOperator(tfl::BuiltinOperator::UNPACK, {x}, {u0, u1, u2}, tfl::BuiltinOptions::UnpackOptions,
                tfl::CreateUnpackOptions(b.builder(), 3, 0).Union());
  const int p = b.AddTensor("packed", kF32, {5, 2});
  b.AddOperator(tfl::BuiltinOperator::PACK, {u2, u0}, {p}, tfl::BuiltinOptions::PackOptions,
                tfl::CreatePackOptions(b.builder(), 2, 1).Union());
  const int axis = b.AddInt32Tensor("axis", {1}, {0});
  const int e = b.AddTensor("expanded", kF32, {1, 5, 2});
  b.AddOperator(tfl::BuiltinOperator::EXPAND_DIMS, {p, axis}, {e});
  const int pads = b.AddInt32Tensor("pads", {3, 2}, {0, 0, 1, 0, 0, 1});
  const int value = b.AddFloatTensor("value", {}, {9.5f});
  const int y = b.AddTensor("y", kF32, {1, 6, 3});
  b.AddOperator(tfl::BuiltinOperator::PADV2, {e, pads, value}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(ShapeOpsCompile, Int8ChainRunsLikeTheReference) { ExpectRunEqualsEval(IntModel(tfl::TensorType::INT8), false, 2); }

TEST(ShapeOpsCompile, Int16ChainRunsLikeTheReference) { ExpectRunEqualsEval(IntModel(tfl::TensorType::INT16), false, 2); }

TEST(ShapeOpsCompile, FloatChainRunsLikeTheReference) { ExpectRunEqualsEval(FloatModel(), true, 2); }

// x[1,2,3,4] -> Keras's Flatten (SHAPE, STRIDED_SLICE, PACK, RESHAPE) ->
// [1,24]; y = ADD_N(flat, ZEROS_LIKE(flat), FILL([1,24], 0.5)).
std::vector<uint8_t> ConstantMakersModel() {
  ModelBuilder b;
  const auto kF32 = tfl::TensorType::FLOAT32;
  const int x = b.AddTensor("x", kF32, {1, 2, 3, 4});
  const int shape = b.AddTensor("shape", tfl::TensorType::INT32, {4});
  b.AddOperator(tfl::BuiltinOperator::SHAPE, {x}, {shape}, tfl::BuiltinOptions::ShapeOptions,
                tfl::CreateShapeOptions(b.builder()).Union());
  const int begin = b.AddInt32Tensor("begin", {1}, {0});
  const int end = b.AddInt32Tensor("end", {1}, {1});
  const int stride = b.AddInt32Tensor("stride", {1}, {1});
  const int batch = b.AddTensor("batch", tfl::TensorType::INT32, {});
  b.AddOperator(tfl::BuiltinOperator::STRIDED_SLICE, {shape, begin, end, stride}, {batch},
                tfl::BuiltinOptions::StridedSliceOptions,
                tfl::CreateStridedSliceOptions(b.builder(), 0, 0, 0, 0, 1).Union());
  const int minus1 = b.AddInt32Tensor("minus1", {}, {-1});
  const int packed = b.AddTensor("packed", tfl::TensorType::INT32, {2});
  b.AddOperator(tfl::BuiltinOperator::PACK, {batch, minus1}, {packed}, tfl::BuiltinOptions::PackOptions,
                tfl::CreatePackOptions(b.builder(), 2, 0).Union());
  const int flat = b.AddTensor("flat", kF32, {1, 24});
  b.AddOperator(tfl::BuiltinOperator::RESHAPE, {x, packed}, {flat});
  const int zeros = b.AddTensor("zeros", kF32, {1, 24});
  b.AddOperator(tfl::BuiltinOperator::ZEROS_LIKE, {flat}, {zeros});
  const int dims = b.AddInt32Tensor("dims", {2}, {1, 24});
  const int half = b.AddFloatTensor("half", {}, {0.5f});
  const int filled = b.AddTensor("filled", kF32, {1, 24});
  b.AddOperator(tfl::BuiltinOperator::FILL, {dims, half}, {filled});
  const int y = b.AddTensor("y", kF32, {1, 24});
  b.AddOperator(tfl::BuiltinOperator::ADD_N, {flat, zeros, filled}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(ShapeOpsCompile, KerasFlattenAndConstantMakersRunLikeTheReference) {
  ExpectRunEqualsEval(ConstantMakersModel(), true, 2);
  // After fold-constants only the reshape and the two adds are left.
  const std::string dir = TempDir();
  WriteFile(dir + "/m.tflite", ConstantMakersModel());
  const CliResult ir = RunCli({"inspect", dir + "/m.tflite"});
  ASSERT_EQ(ir.exit_code, 0) << ir.err;
  for (const char* gone : {"strided_slice(", "concatenation(", "broadcast_to(", "i32["})
    EXPECT_EQ(ir.out.find(gone), std::string::npos) << gone << "\n" << ir.out;
}

// x[1,4,4,2] -L2_POOL_2D 2x2/2-> [1,2,2,2] -FLOOR_DIV 0.25-> -LOG_SOFTMAX->.
std::vector<uint8_t> ComposedFloatModel() {
  ModelBuilder b;
  const auto kF32 = tfl::TensorType::FLOAT32;
  const int x = b.AddTensor("x", kF32, {1, 4, 4, 2});
  const int pooled = b.AddTensor("pooled", kF32, {1, 2, 2, 2});
  b.AddPool2D(tfl::BuiltinOperator::L2_POOL_2D, x, pooled, tfl::Padding::VALID, 2, 2, 2, 2);
  const int quarter = b.AddFloatTensor("quarter", {}, {0.25f});
  const int steps = b.AddTensor("steps", kF32, {1, 2, 2, 2});
  b.AddOperator(tfl::BuiltinOperator::FLOOR_DIV, {pooled, quarter}, {steps});
  const int y = b.AddTensor("y", kF32, {1, 2, 2, 2});
  b.AddOperator(tfl::BuiltinOperator::LOG_SOFTMAX, {steps}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(ShapeOpsCompile, ComposedFloatOperatorsRunLikeTheReference) { ExpectRunEqualsEval(ComposedFloatModel(), true, 2); }

// x[4,3] -ARG_MAX(axis 1)-> ids[4] -EMBEDDING_LOOKUP(an int8 table [3,5],
// hybrid: float32 out)-> [4,5] -SQUARE-> -REVERSE_V2(axes 0, 1)-> y.
std::vector<uint8_t> LookupFloatModel() {
  ModelBuilder b;
  const auto kF32 = tfl::TensorType::FLOAT32;
  const int x = b.AddTensor("x", kF32, {4, 3});
  const int axis = b.AddInt32Tensor("axis", {}, {1});
  const int ids = b.AddTensor("ids", tfl::TensorType::INT32, {4});
  b.AddOperator(tfl::BuiltinOperator::ARG_MAX, {x, axis}, {ids}, tfl::BuiltinOptions::ArgMaxOptions,
                tfl::CreateArgMaxOptions(b.builder()).Union());
  std::vector<uint8_t> table(15);
  for (size_t i = 0; i < table.size(); ++i) table[i] = static_cast<uint8_t>(static_cast<int8_t>(i * 19 % 255 - 127));
  const int value = b.AddConstTensor("table", tfl::TensorType::INT8, {3, 5}, table, Quant(0.037f, 0));
  const int rows = b.AddTensor("rows", kF32, {4, 5});
  b.AddOperator(tfl::BuiltinOperator::EMBEDDING_LOOKUP, {ids, value}, {rows});
  const int sq = b.AddTensor("sq", kF32, {4, 5});
  b.AddOperator(tfl::BuiltinOperator::SQUARE, {rows}, {sq});
  const int axes = b.AddInt32Tensor("axes", {2}, {0, 1});
  const int y = b.AddTensor("y", kF32, {4, 5});
  b.AddOperator(tfl::BuiltinOperator::REVERSE_V2, {sq, axes}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(ShapeOpsCompile, LookupSquareAndReverseRunLikeTheReference) { ExpectRunEqualsEval(LookupFloatModel(), true, 3); }

// x[2,8] int8 -CUMSUM(axis 1, exclusive)-> -CUMSUM(axis 0, reverse)-> y, in
// TFLite Micro's int8 arithmetic; and the float32 x[2,8] -FLOOR_MOD 0.75->
// -CUMSUM(axis 1)-> y.
std::vector<uint8_t> CumsumModel(bool int8) {
  ModelBuilder b;
  const auto type = int8 ? tfl::TensorType::INT8 : tfl::TensorType::FLOAT32;
  auto q = [&](float s, int64_t z) { return int8 ? std::optional(Quant(s, z)) : std::nullopt; };
  const int x = b.AddTensor("x", type, {2, 8}, q(0.05f, 4));
  const int a1 = b.AddInt32Tensor("a1", {}, {1});
  const int a0 = b.AddInt32Tensor("a0", {}, {0});
  int first = x;
  if (!int8) {
    const int d = b.AddFloatTensor("d", {}, {0.75f});
    first = b.AddTensor("m", type, {2, 8});
    b.AddOperator(tfl::BuiltinOperator::FLOOR_MOD, {x, d}, {first});
  }
  const int s1 = b.AddTensor("s1", type, {2, 8}, q(0.4f, -3));
  b.AddOperator(tfl::BuiltinOperator::CUMSUM, {first, a1}, {s1}, tfl::BuiltinOptions::CumsumOptions,
                tfl::CreateCumsumOptions(b.builder(), int8, false).Union());
  const int y = b.AddTensor("y", type, {2, 8}, q(0.6f, 1));
  b.AddOperator(tfl::BuiltinOperator::CUMSUM, {s1, a0}, {y}, tfl::BuiltinOptions::CumsumOptions,
                tfl::CreateCumsumOptions(b.builder(), false, true).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

// x[2,8] int8 -ADD_N(x, x, relu(x))-> y, TFLite Micro's int8 AddN.
std::vector<uint8_t> AddNInt8Model() {
  ModelBuilder b;
  const auto kI8 = tfl::TensorType::INT8;
  const int x = b.AddTensor("x", kI8, {2, 8}, Quant(0.05f, 4));
  const int r = b.AddTensor("r", kI8, {2, 8}, Quant(0.05f, 4));
  b.AddOperator(tfl::BuiltinOperator::RELU, {x}, {r});
  const int y = b.AddTensor("y", kI8, {2, 8}, Quant(0.12f, -6));
  b.AddOperator(tfl::BuiltinOperator::ADD_N, {x, x, r}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(ShapeOpsCompile, CumsumAddNAndFloorModRunLikeTheReference) {
  ExpectRunEqualsEval(AddNInt8Model(), false, 3);
  ExpectRunEqualsEval(CumsumModel(true), false, 3);
  ExpectRunEqualsEval(CumsumModel(false), true, 3);
}

// A rate-2 SAME 3x3 convolution of x[1,6,6,2] (int8) as older converters
// write it: SPACE_TO_BATCH_ND (block 2, paddings 2) -> [4,5,5,2], CONV_2D
// VALID -> [4,3,3,3], BATCH_TO_SPACE_ND (no crops) -> [1,6,6,3]; or, with
// `direct`, the one CONV_2D with dilation 2.
std::vector<uint8_t> DilatedConvModel(bool direct) {
  ModelBuilder b;
  const auto kI8 = tfl::TensorType::INT8;
  const int x = b.AddTensor("x", kI8, {1, 6, 6, 2}, Quant(0.05f, -2));
  std::vector<uint8_t> w(3 * 3 * 3 * 2);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(static_cast<int8_t>((i * 37) % 255 - 127));
  const int wt = b.AddConstTensor("w", kI8, {3, 3, 3, 2}, w, Quant(0.02f, 0));
  const int bias = b.AddInt32Tensor("bias", {3}, {100, -250, 40}, Quant(0.001f, 0));
  const int y = b.AddTensor("y", kI8, {1, 6, 6, 3}, Quant(0.1f, 3));
  if (direct) {
    b.AddConv2D(x, wt, bias, y, tfl::Padding::SAME, 1, 1, tfl::ActivationFunctionType::NONE, 2, 2);
  } else {
    const int block = b.AddInt32Tensor("block", {2}, {2, 2});
    const int pads = b.AddInt32Tensor("pads", {2, 2}, {2, 2, 2, 2});
    const int crops = b.AddInt32Tensor("crops", {2, 2}, {0, 0, 0, 0});
    const int s2b = b.AddTensor("s2b", kI8, {4, 5, 5, 2}, Quant(0.05f, -2));
    b.AddOperator(tfl::BuiltinOperator::SPACE_TO_BATCH_ND, {x, block, pads}, {s2b});
    const int conv = b.AddTensor("conv", kI8, {4, 3, 3, 3}, Quant(0.1f, 3));
    b.AddConv2D(s2b, wt, bias, conv, tfl::Padding::VALID, 1, 1);
    b.AddOperator(tfl::BuiltinOperator::BATCH_TO_SPACE_ND, {conv, block, crops}, {y});
  }
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(ShapeOpsCompile, SpaceToBatchDilatedConvolutionRunsLikeTheReferenceAndTheDilatedConv) {
  ExpectRunEqualsEval(DilatedConvModel(false), false, 2);
  // The same arithmetic on the same taps (the padding holds the zero point,
  // which adds nothing): equal to the dilated convolution byte for byte.
  const std::string dir = TempDir();
  WriteFile(dir + "/s2b.tflite", DilatedConvModel(false));
  WriteFile(dir + "/direct.tflite", DilatedConvModel(true));
  WriteFile(dir + "/in.bin", Pattern(72, 5));
  for (const char* m : {"s2b", "direct"}) {
    const CliResult e = RunCli({"eval", dir + "/" + m + ".tflite", "--input", dir + "/in.bin", "--output",
                                dir + "/" + m + ".bin"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }
  EXPECT_EQ(ReadFile(dir + "/s2b.bin"), ReadFile(dir + "/direct.bin"));
  // The pass fold-space-to-batch leaves the one dilated convolution.
  const CliResult ir = RunCli({"inspect", dir + "/s2b.tflite"});
  ASSERT_EQ(ir.exit_code, 0) << ir.err;
  EXPECT_NE(ir.out.find("conv2d(%x, %w, %bias) {act=\"none\", dilation=[2,2], pad=[2,2,2,2], stride=[1,1]}"),
            std::string::npos)
      << ir.out;
  EXPECT_EQ(ir.out.find("transpose("), std::string::npos) << ir.out;
}

// x[3,40] int8 -LOG_SOFTMAX-> ls (16/256, 127) -REDUCE_MIN(axis 1, keep)-> y0
// [3,1]; x -REDUCE_MAX(axis 0)-> y1 [40]: TFLite Micro's int8 arithmetic.
// `outputs` picks among (ls, y0, y1) by index; all three by default.
std::vector<uint8_t> LogSoftmaxReduceInt8Model(const std::vector<size_t>& outputs = {0, 1, 2}) {
  ModelBuilder b;
  const auto kI8 = tfl::TensorType::INT8;
  const int x = b.AddTensor("x", kI8, {3, 40}, Quant(0.07f, 5));
  const int ls = b.AddTensor("ls", kI8, {3, 40}, Quant(16.0f / 256.0f, 127));
  b.AddOperator(tfl::BuiltinOperator::LOG_SOFTMAX, {x}, {ls});
  const int a1 = b.AddInt32Tensor("a1", {1}, {1});
  const int a0 = b.AddInt32Tensor("a0", {1}, {0});
  const int y0 = b.AddTensor("y0", kI8, {3, 1}, Quant(16.0f / 256.0f, 127));
  b.AddOperator(tfl::BuiltinOperator::REDUCE_MIN, {ls, a1}, {y0}, tfl::BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), true).Union());
  const int y1 = b.AddTensor("y1", kI8, {40}, Quant(0.07f, 5));
  b.AddOperator(tfl::BuiltinOperator::REDUCE_MAX, {x, a0}, {y1}, tfl::BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), false).Union());
  const int all[] = {ls, y0, y1};
  std::vector<int> picked;
  for (size_t k : outputs) picked.push_back(all[k]);
  b.SetInputs({x});
  b.SetOutputs(picked);
  return b.Finish();
}

// x[2,3,4] float32 -REDUCE_PROD(axes 1, 2)-> y0 [2] (output 0), or
// x -LOG_SOFTMAX-> y1 (output 1).
std::vector<uint8_t> ProdLogSoftmaxFloatModel(size_t output) {
  ModelBuilder b;
  const auto kF32 = tfl::TensorType::FLOAT32;
  const int x = b.AddTensor("x", kF32, {2, 3, 4});
  const int axes = b.AddInt32Tensor("axes", {2}, {1, 2});
  const int y0 = b.AddTensor("y0", kF32, {2});
  b.AddOperator(tfl::BuiltinOperator::REDUCE_PROD, {x, axes}, {y0}, tfl::BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), false).Union());
  const int y1 = b.AddTensor("y1", kF32, {2, 3, 4});
  b.AddOperator(tfl::BuiltinOperator::LOG_SOFTMAX, {x}, {y1});
  b.SetInputs({x});
  b.SetOutputs({output == 0 ? y0 : y1});
  return b.Finish();
}

TEST(ShapeOpsCompile, LogSoftmaxAndReductionsRunLikeTheReference) {
  for (size_t k = 0; k < 3; ++k) ExpectRunEqualsEval(LogSoftmaxReduceInt8Model({k}), false, 3);
  for (size_t k = 0; k < 2; ++k) ExpectRunEqualsEval(ProdLogSoftmaxFloatModel(k), true, 3);
}

// The int8 model on the emulated Cortex-M4: every output byte equals `ember
// eval` (the fixed-point log and exponential are the same integer code).
TEST(ShapeOpsCompile, Int8LogSoftmaxOnCortexM4EqualsEval) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  WriteFile(dir + "/ls.tflite", LogSoftmaxReduceInt8Model());
  const CliResult c =
      RunCli({"compile", dir + "/ls.tflite", "--target", "cortex-m4", "--module-name", "ls", "-o", dir + "/mlf"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  WriteFile(dir + "/in.bin", Pattern(120, 11));
  const CliResult e = RunCli({"eval", dir + "/ls.tflite", "--input", dir + "/in.bin", "--output", dir + "/r0.bin",
                              "--output", dir + "/r1.bin", "--output", dir + "/r2.bin"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  qemu::HarnessResult h;
  ASSERT_EQ(qemu::BuildAndEmulate(dir + "/mlf", dir + "/in.bin", dir + "/ls.elf", "mps2-an386", 300, &h), "");
  ASSERT_EQ(h.outputs.size(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(h.outputs[k], ReadFile(dir + "/r" + std::to_string(k) + ".bin")) << k;
}

}  // namespace
}  // namespace ember::test
