// TFLite import of the data-movement operators SLICE, EXPAND_DIMS, PADV2,
// SPLIT, SPLIT_V, PACK, UNPACK, GATHER, MIRROR_PAD, DEPTH_TO_SPACE,
// SPACE_TO_DEPTH, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, SHAPE, ZEROS_LIKE,
// FILL, ADD_N, REVERSE_V2, EMBEDDING_LOOKUP, BROADCAST_ARGS and GATHER_ND: one small model per operator, the imported IR checked
// (docs/frontend-tflite.md fixes the mapping) and the reference evaluator run
// on the imported graph; parameters that are not constants are refused
// (E0117) naming the operator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/tflite/import.h"
#include "ir/printer.h"
#include "ops/evaluate.h"
#include "ops/quant_math.h"
#include "unit/frontend/tflite_test_util.h"

namespace ember::frontend::tflite {
namespace {

namespace tfl = ::tflite;
using namespace test_util;  // NOLINT(google-build-using-namespace)

TEST(TfliteImportShapeOps, SliceBecomesStridedSlice) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {2, 3}, Quant(0.5f, 1));
  const int begin = b.AddInt32Tensor("begin", {2}, {1, 1});
  const int size = b.AddInt32Tensor("size", {2}, {1, -1});
  const int y = b.AddTensor("y", TensorType::INT8, {1, 2}, Quant(0.5f, 1));
  b.AddOperator(BuiltinOperator::SLICE, {x, begin, size}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : i8[2,3] quant(0.5, 1)\n"
            "  %y = strided_slice(%x) {begin=[1,1], end=[2,3], strides=[1,1]} : i8[1,2] quant(0.5, 1) loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  EXPECT_EQ(EvalAll<int8_t>(g, {Bytes(std::vector<int8_t>{1, 2, 3, 4, 5, 6})})[0], (std::vector<int8_t>{5, 6}));
}

TEST(TfliteImportShapeOps, SliceRefusesABoxOutsideTheInput) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {4});
  const int begin = b.AddInt32Tensor("begin", {1}, {2});
  const int size = b.AddInt32Tensor("size", {1}, {3});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {3});
  b.AddOperator(BuiltinOperator::SLICE, {x, begin, size}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0118");
  EXPECT_NE(g.diag().message.find("SLICE"), std::string::npos) << g.diag().message;
}

TEST(TfliteImportShapeOps, ExpandDimsBecomesReshape) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT16, {3}, Quant(0.001f, 0));
  const int axis = b.AddInt32Tensor("axis", {}, {-1});
  const int y = b.AddTensor("y", TensorType::INT16, {3, 1}, Quant(0.001f, 0));
  b.AddOperator(BuiltinOperator::EXPAND_DIMS, {x, axis}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kReshape);
  EXPECT_EQ(g.nodes[0].GetInts("shape"), (std::vector<int64_t>{3, 1}));
}

TEST(TfliteImportShapeOps, PadV2FillsWithItsConstant) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {2}, Quant(0.5f, 3));
  const int pads = b.AddInt32Tensor("pads", {1, 2}, {1, 2});
  const int value = b.AddConstTensor("value", TensorType::INT8, {}, {static_cast<uint8_t>(-7)}, Quant(0.5f, 3));
  const int y = b.AddTensor("y", TensorType::INT8, {5}, Quant(0.5f, 3));
  b.AddOperator(BuiltinOperator::PADV2, {x, pads, value}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kPad);
  EXPECT_EQ(g.nodes[0].GetReal("value"), -7.0);
  EXPECT_EQ(EvalAll<int8_t>(g, {Bytes(std::vector<int8_t>{10, 20})})[0], (std::vector<int8_t>{-7, 10, 20, -7, -7}));
}

TEST(TfliteImportShapeOps, PadV2RefusesComputedPaddings) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {2});
  const int pads = b.AddTensor("pads", TensorType::INT32, {1, 2});
  const int value = b.AddFloatTensor("value", {}, {1.0f});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {5});
  b.AddOperator(BuiltinOperator::PADV2, {x, pads, value}, {y});
  b.SetInputs({x, pads});
  b.SetOutputs({y});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0117");
  EXPECT_NE(g.diag().message.find("operator 0 (PADV2, output 'y')"), std::string::npos) << g.diag().message;
}

TEST(TfliteImportShapeOps, SplitAndSplitV) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT16, {2, 4}, Quant(0.001f, 0));
  const int axis = b.AddInt32Tensor("axis", {}, {1});
  const int y0 = b.AddTensor("y0", TensorType::INT16, {2, 2}, Quant(0.001f, 0));
  const int y1 = b.AddTensor("y1", TensorType::INT16, {2, 2}, Quant(0.001f, 0));
  b.AddOperator(BuiltinOperator::SPLIT, {axis, x}, {y0, y1}, BuiltinOptions::SplitOptions,
                tfl::CreateSplitOptions(b.builder(), 2).Union());
  const int sizes = b.AddInt32Tensor("sizes", {2}, {-1, 1});
  const int axis0 = b.AddInt32Tensor("axis0", {}, {0});
  const int z0 = b.AddTensor("z0", TensorType::INT16, {1, 2}, Quant(0.001f, 0));
  const int z1 = b.AddTensor("z1", TensorType::INT16, {1, 2}, Quant(0.001f, 0));
  b.AddOperator(BuiltinOperator::SPLIT_V, {y1, sizes, axis0}, {z0, z1}, BuiltinOptions::SplitVOptions,
                tfl::CreateSplitVOptions(b.builder(), 2).Union());
  b.SetInputs({x});
  b.SetOutputs({y0, z0, z1});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kSplit);
  EXPECT_EQ(g.nodes[1].GetInts("sizes"), (std::vector<int64_t>{1, 1}));
  const auto out = EvalAll<int16_t>(g, {Bytes(std::vector<int16_t>{1, 2, 3, 4, -5, -6, -7, -8})});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (std::vector<int16_t>{1, 2, -5, -6}));
  EXPECT_EQ(out[1], (std::vector<int16_t>{3, 4}));
  EXPECT_EQ(out[2], (std::vector<int16_t>{-7, -8}));
}

TEST(TfliteImportShapeOps, SplitRefusesAComputedAxis) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {4});
  const int axis = b.AddTensor("axis", TensorType::INT32, {});
  const int y0 = b.AddTensor("y0", TensorType::FLOAT32, {2});
  const int y1 = b.AddTensor("y1", TensorType::FLOAT32, {2});
  b.AddOperator(BuiltinOperator::SPLIT, {axis, x}, {y0, y1}, BuiltinOptions::SplitOptions,
                tfl::CreateSplitOptions(b.builder(), 2).Union());
  b.SetInputs({x, axis});
  b.SetOutputs({y0, y1});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0117");
  EXPECT_NE(g.diag().message.find("operator 0 (SPLIT, output 'y0'): the axis tensor 'axis' is not a constant"),
            std::string::npos)
      << g.diag().message;
}

TEST(TfliteImportShapeOps, PackAndUnpackLowerToConcatenationAndSplit) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::FLOAT32, {2, 3});
  const int u0 = b.AddTensor("u0", TensorType::FLOAT32, {2});
  const int u1 = b.AddTensor("u1", TensorType::FLOAT32, {2});
  const int u2 = b.AddTensor("u2", TensorType::FLOAT32, {2});
  b.AddOperator(BuiltinOperator::UNPACK, {a}, {u0, u1, u2}, BuiltinOptions::UnpackOptions,
                tfl::CreateUnpackOptions(b.builder(), 3, -1).Union());
  const int p = b.AddTensor("p", TensorType::FLOAT32, {2, 2});
  b.AddOperator(BuiltinOperator::PACK, {u2, u0}, {p}, BuiltinOptions::PackOptions,
                tfl::CreatePackOptions(b.builder(), 2, 0).Union());
  b.SetInputs({a});
  b.SetOutputs({p, u1});
  const ir::Graph g = MustImport(b.Finish());
  std::vector<ir::OpKind> kinds;
  for (const ir::Node& n : g.nodes) kinds.push_back(n.op);
  using K = ir::OpKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::kSplit, K::kReshape, K::kReshape, K::kReshape, K::kReshape, K::kReshape,
                                   K::kConcatenation}));
  EXPECT_EQ(g.nodes[0].GetInt("axis"), 1);
  EXPECT_EQ(g.nodes[6].GetInt("axis"), 0);
  const auto out = EvalAll<float>(g, {Bytes(std::vector<float>{1, 2, 3, 4, 5, 6})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (std::vector<float>{3, 6, 1, 4}));
  EXPECT_EQ(out[1], (std::vector<float>{2, 5}));
}

TEST(TfliteImportShapeOps, GatherWithRunTimeAndConstantIndices) {
  ModelBuilder b;
  const int params = b.AddTensor("params", TensorType::INT8, {3, 2}, Quant(0.1f, 0));
  const int idx = b.AddTensor("idx", TensorType::INT32, {2});
  const int y = b.AddTensor("y", TensorType::INT8, {2, 2}, Quant(0.1f, 0));
  b.AddOperator(BuiltinOperator::GATHER, {params, idx}, {y}, BuiltinOptions::GatherOptions,
                tfl::CreateGatherOptions(b.builder(), 0, 0).Union());
  const int cidx = b.AddInt32Tensor("cidx", {1}, {1});
  const int z = b.AddTensor("z", TensorType::INT8, {2, 1}, Quant(0.1f, 0));
  b.AddOperator(BuiltinOperator::GATHER, {y, cidx}, {z}, BuiltinOptions::GatherOptions,
                tfl::CreateGatherOptions(b.builder(), -1, 0).Union());
  b.SetInputs({params, idx});
  b.SetOutputs({z});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[1].GetInt("axis"), 1);
  EXPECT_TRUE(g.tensor(g.nodes[1].inputs[1]).is_const());
  EXPECT_EQ(EvalAll<int8_t>(g, {Bytes(std::vector<int8_t>{1, 2, 3, 4, 5, 6}), Bytes(std::vector<int32_t>{2, 0})})[0],
            (std::vector<int8_t>{6, 2}));
}

TEST(TfliteImportShapeOps, MirrorPadSymmetric) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {3});
  const int pads = b.AddInt32Tensor("pads", {1, 2}, {2, 1});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {6});
  b.AddOperator(BuiltinOperator::MIRROR_PAD, {x, pads}, {y}, BuiltinOptions::MirrorPadOptions,
                tfl::CreateMirrorPadOptions(b.builder(), tfl::MirrorPadMode::SYMMETRIC).Union());
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetString("mode"), "symmetric");
  EXPECT_EQ(EvalAll<float>(g, {Bytes(std::vector<float>{1, 2, 3})})[0], (std::vector<float>{2, 1, 1, 2, 3, 3}));
}

TEST(TfliteImportShapeOps, DepthToSpaceAndBack) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {1, 1, 2, 4}, Quant(1.f, 0));
  const int y = b.AddTensor("y", TensorType::INT8, {1, 2, 4, 1}, Quant(1.f, 0));
  b.AddOperator(BuiltinOperator::DEPTH_TO_SPACE, {x}, {y}, BuiltinOptions::DepthToSpaceOptions,
                tfl::CreateDepthToSpaceOptions(b.builder(), 2).Union());
  const int z = b.AddTensor("z", TensorType::INT8, {1, 1, 2, 4}, Quant(1.f, 0));
  b.AddOperator(BuiltinOperator::SPACE_TO_DEPTH, {y}, {z}, BuiltinOptions::SpaceToDepthOptions,
                tfl::CreateSpaceToDepthOptions(b.builder(), 2).Union());
  b.SetInputs({x});
  b.SetOutputs({y, z});
  const ir::Graph g = MustImport(b.Finish());
  const auto out = EvalAll<int8_t>(g, {Bytes(std::vector<int8_t>{1, 2, 3, 4, 5, 6, 7, 8})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (std::vector<int8_t>{1, 2, 5, 6, 3, 4, 7, 8}));
  EXPECT_EQ(out[1], (std::vector<int8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

// TFLite's SPACE_TO_BATCH_ND written out for a [N, H, W, C] input, by its
// index formula: output batch b reads input batch b % N at block offset
// (b / N / bw, b / N % bw); padding reads `pad`.
template <typename T>
std::vector<T> SpaceToBatch(const std::vector<T>& in, int n, int h, int w, int c, int bh, int bw, int top, int left,
                            int oh, int ow, T pad) {
  std::vector<T> out;
  for (int b = 0; b < n * bh * bw; ++b)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int k = 0; k < c; ++k) {
          const int src_b = b % n, sh = b / n / bw, sw = b / n % bw;
          const int iy = y * bh + sh - top, ix = x * bw + sw - left;
          const bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
          out.push_back(inside ? in[static_cast<size_t>(((src_b * h + iy) * w + ix) * c + k)] : pad);
        }
  return out;
}

TEST(TfliteImportShapeOps, SpaceToBatchNdPadsWithTheZeroPointAndBatchToSpaceNdUndoesIt) {
  // [2, 3, 4, 2] int8, block [2, 2], paddings top 1 and right 2: padded
  // [2, 4, 6, 2], output [8, 2, 3, 2]; BATCH_TO_SPACE_ND with crops equal to
  // the paddings gives the input back.
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {2, 3, 4, 2}, Quant(0.5f, -3));
  const int block = b.AddInt32Tensor("block", {2}, {2, 2});
  const int pads = b.AddInt32Tensor("pads", {2, 2}, {1, 0, 0, 2});
  const int y = b.AddTensor("y", TensorType::INT8, {8, 2, 3, 2}, Quant(0.5f, -3));
  b.AddOperator(BuiltinOperator::SPACE_TO_BATCH_ND, {x, block, pads}, {y});
  const int z = b.AddTensor("z", TensorType::INT8, {2, 3, 4, 2}, Quant(0.5f, -3));
  b.AddOperator(BuiltinOperator::BATCH_TO_SPACE_ND, {y, block, pads}, {z});
  b.SetInputs({x});
  b.SetOutputs({y, z});
  const ir::Graph g = MustImport(b.Finish());
  std::vector<ir::OpKind> kinds;
  for (const ir::Node& n : g.nodes) kinds.push_back(n.op);
  using K = ir::OpKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::kPad, K::kReshape, K::kTranspose, K::kReshape, K::kReshape, K::kTranspose,
                                   K::kReshape, K::kStridedSlice}));
  std::vector<int8_t> in(48);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int8_t>(i * 5 - 100);
  const auto out = EvalAll<int8_t>(g, {Bytes(in)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], SpaceToBatch<int8_t>(in, 2, 3, 4, 2, 2, 2, 1, 0, 2, 3, -3));
  EXPECT_EQ(out[1], in);
}

TEST(TfliteImportShapeOps, SpaceToBatchNdOnARank3InputWithoutPadding) {
  // [1, 4, 3] float, one spatial axis, block [2]: [2, 2, 3], no pad node.
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4, 3});
  const int block = b.AddInt32Tensor("block", {1}, {2});
  const int pads = b.AddInt32Tensor("pads", {1, 2}, {0, 0});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {2, 2, 3});
  b.AddOperator(BuiltinOperator::SPACE_TO_BATCH_ND, {x, block, pads}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kReshape);
  std::vector<float> in(12);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i);
  // Rows 0 and 2 go to batch 0, rows 1 and 3 to batch 1.
  EXPECT_EQ(EvalAll<float>(g, {Bytes(in)})[0], (std::vector<float>{0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11}));
}

TEST(TfliteImportShapeOps, SpaceToBatchNdRefusesPaddingsThatMissTheBlock) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 3, 4, 1});
  const int block = b.AddInt32Tensor("block", {2}, {2, 2});
  const int pads = b.AddInt32Tensor("pads", {2, 2}, {0, 0, 0, 0});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {4, 2, 2, 1});
  b.AddOperator(BuiltinOperator::SPACE_TO_BATCH_ND, {x, block, pads}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0118");
  EXPECT_NE(g.diag().message.find("operator 0 (SPACE_TO_BATCH_ND, output 'y'): padded spatial axis 1 of size 3 is "
                                  "not a multiple of its block size 2"),
            std::string::npos)
      << g.diag().message;
}

TEST(TfliteImportShapeOps, SpaceToBatchNdRefusesBlockSizesWhoseProductOverflows) {
  // Three blocks of 2^31 - 1 on a rank-4 input: refused before multiplying on.
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 2, 2, 2});
  const int block = b.AddInt32Tensor("block", {3}, {2147483647, 2147483647, 2147483647});
  const int pads = b.AddInt32Tensor("pads", {3, 2}, {0, 0, 0, 0, 0, 0});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 2, 2, 2});
  b.AddOperator(BuiltinOperator::SPACE_TO_BATCH_ND, {x, block, pads}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0118");
  EXPECT_NE(g.diag().message.find("makes more than 2^31 blocks"), std::string::npos) << g.diag().message;
}

TEST(TfliteImportShapeOps, ShapeOfAKerasFlattenIsAConstant) {
  // What Keras writes for Flatten with an unknown batch: SHAPE, take the
  // batch, PACK it with -1, RESHAPE by the result.
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 2, 3, 4});
  const int shape = b.AddTensor("shape", TensorType::INT32, {4});
  b.AddOperator(BuiltinOperator::SHAPE, {x}, {shape}, BuiltinOptions::ShapeOptions,
                tfl::CreateShapeOptions(b.builder()).Union());
  const int begin = b.AddInt32Tensor("begin", {1}, {0});
  const int end = b.AddInt32Tensor("end", {1}, {1});
  const int stride = b.AddInt32Tensor("stride", {1}, {1});
  const int batch = b.AddTensor("batch", TensorType::INT32, {});
  b.AddOperator(BuiltinOperator::STRIDED_SLICE, {shape, begin, end, stride}, {batch},
                BuiltinOptions::StridedSliceOptions,
                tfl::CreateStridedSliceOptions(b.builder(), 0, 0, 0, 0, 1).Union());
  const int minus1 = b.AddInt32Tensor("minus1", {}, {-1});
  const int packed = b.AddTensor("packed", TensorType::INT32, {2});
  b.AddOperator(BuiltinOperator::PACK, {batch, minus1}, {packed}, BuiltinOptions::PackOptions,
                tfl::CreatePackOptions(b.builder(), 2, 0).Union());
  const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 24});
  b.AddOperator(BuiltinOperator::RESHAPE, {x, packed}, {y});
  b.SetInputs({x});
  b.SetOutputs({y, shape});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_FALSE(g.nodes.empty());
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kReshape);
  EXPECT_TRUE(g.tensor(g.nodes[0].inputs[0]).is_const());
  std::vector<float> in(24);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i) - 3.5f;
  auto r = ops::EvaluateGraph(g, {Bytes(in)});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->outputs.size(), 2u);
  EXPECT_EQ(Values<float>(r->outputs[0]), in);
  EXPECT_EQ(Values<int32_t>(r->outputs[1]), (std::vector<int32_t>{1, 2, 3, 4}));
}

TEST(TfliteImportShapeOps, ZerosLikeAndFillStoreRawValues) {
  // ZEROS_LIKE of an int32 tensor; int8 FILL copies the value's stored bits,
  // here from a run-time scalar and from a constant one.
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT32, {2, 3});
  const int z = b.AddTensor("z", TensorType::INT32, {2, 3});
  b.AddOperator(BuiltinOperator::ZEROS_LIKE, {x}, {z});
  const int dims = b.AddInt32Tensor("dims", {2}, {3, 2});
  const int v = b.AddTensor("v", TensorType::INT8, {}, Quant(0.25f, 0));
  const int f = b.AddTensor("f", TensorType::INT8, {3, 2}, Quant(0.25f, 0));
  b.AddOperator(BuiltinOperator::FILL, {dims, v}, {f});
  const int cv = b.AddConstTensor("cv", TensorType::INT8, {}, {static_cast<uint8_t>(-7)}, Quant(1.0f, 0));
  const int cf = b.AddTensor("cf", TensorType::INT8, {2, 2}, Quant(0.125f, 3));
  const int cdims = b.AddInt32Tensor("cdims", {2}, {2, 2});
  b.AddOperator(BuiltinOperator::FILL, {cdims, cv}, {cf});
  b.SetInputs({x, v});
  b.SetOutputs({z, f, cf});
  const ir::Graph g = MustImport(b.Finish());
  auto r = ops::EvaluateGraph(g, {Bytes(std::vector<int32_t>{1, 2, 3, 4, 5, 6}), Bytes(std::vector<int8_t>{-9})});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->outputs.size(), 3u);
  EXPECT_EQ(Values<int32_t>(r->outputs[0]), std::vector<int32_t>(6, 0));
  EXPECT_EQ(Values<int8_t>(r->outputs[1]), std::vector<int8_t>(6, -9));
  EXPECT_EQ(Values<int8_t>(r->outputs[2]), std::vector<int8_t>(4, -7));

  ModelBuilder q;  // TFLite's ZEROS_LIKE has no int8 kernel
  const int qx = q.AddTensor("qx", TensorType::INT8, {2}, Quant(0.5f, 4));
  const int qz = q.AddTensor("qz", TensorType::INT8, {2}, Quant(0.5f, 4));
  q.AddOperator(BuiltinOperator::ZEROS_LIKE, {qx}, {qz});
  q.SetInputs({qx});
  q.SetOutputs({qz});
  auto e = ImportTflite(q.Finish(), "m.tflite");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.diag().id, "E0109");
  EXPECT_NE(e.diag().message.find("(ZEROS_LIKE, output 'qz'): the output is i8"), std::string::npos)
      << e.diag().message;
}

TEST(TfliteImportShapeOps, AddNSumsInOperandOrder) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::FLOAT32, {3});
  const int c = b.AddTensor("c", TensorType::FLOAT32, {3});
  const int d = b.AddTensor("d", TensorType::FLOAT32, {3});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {3});
  b.AddOperator(BuiltinOperator::ADD_N, {a, c, d}, {y});
  b.SetInputs({a, c, d});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].inputs, (std::vector<ir::TensorId>{g.inputs[0], g.inputs[1]}));
  // (1e8 + 1) - 1e8 is 0 in float32, 1e8 + (1 - 1e8) is not: the order shows.
  const auto out = Eval<float>(g, {Bytes(std::vector<float>{1e8f, 1.f, 2.f}), Bytes(std::vector<float>{1.f, 2.f, 3.f}),
                                   Bytes(std::vector<float>{-1e8f, 3.f, 4.f})});
  EXPECT_EQ(out, (std::vector<float>{(1e8f + 1.f) + -1e8f, 6.f, 9.f}));
  EXPECT_EQ(out[0], 0.f);

}

TEST(TfliteImportShapeOps, AddNInt8AsTfliteMicro) {
  const float s_in = 0.1f, s_out = 0.25f;
  const int64_t z_in = -3, z_out = 5;
  ModelBuilder q;
  const int qa = q.AddTensor("qa", TensorType::INT8, {4}, Quant(s_in, z_in));
  const int qb = q.AddTensor("qb", TensorType::INT8, {4}, Quant(s_in, z_in));
  const int qc = q.AddTensor("qc", TensorType::INT8, {4}, Quant(s_in, z_in));
  const int qy = q.AddTensor("qy", TensorType::INT8, {4}, Quant(s_out, z_out));
  q.AddOperator(BuiltinOperator::ADD_N, {qa, qb, qc}, {qy});
  q.SetInputs({qa, qb, qc});
  q.SetOutputs({qy});
  const ir::Graph g = MustImport(q.Finish());
  const std::vector<int8_t> a = {127, -128, 0, 40}, b = {127, -128, -3, -77}, c = {127, 1, 9, 13};
  // TFLite Micro's AddN: sum of (x - z_in) * 2^19 from a start of -z_in * 2^19,
  // then Mbqm by 2 s_in / (2^20 s_out), plus z_out, clamped.
  const ops::QuantizedMultiplier m =
      ops::QuantizeMultiplier(2 * static_cast<double>(s_in) / ((1 << 20) * static_cast<double>(s_out)));
  std::vector<int8_t> want;
  for (size_t i = 0; i < 4; ++i) {
    int32_t acc = static_cast<int32_t>(-z_in) * (1 << 19);
    for (int8_t v : {a[i], b[i], c[i]}) acc += (v - static_cast<int32_t>(z_in)) * (1 << 19);
    const int32_t o = ops::Mbqm(acc, m) + static_cast<int32_t>(z_out);
    want.push_back(static_cast<int8_t>(std::min(127, std::max(-128, o))));
  }
  EXPECT_EQ(EvalAll<int8_t>(g, {Bytes(a), Bytes(b), Bytes(c)})[0], want);

  ModelBuilder d;  // the inputs must share one quantization
  const int da = d.AddTensor("da", TensorType::INT8, {3}, Quant(0.5f, 0));
  const int db = d.AddTensor("db", TensorType::INT8, {3}, Quant(0.25f, 0));
  const int dy = d.AddTensor("dy", TensorType::INT8, {3}, Quant(0.5f, 0));
  d.AddOperator(BuiltinOperator::ADD_N, {da, db}, {dy});
  d.SetInputs({da, db});
  d.SetOutputs({dy});
  auto r = ImportTflite(d.Finish(), "m.tflite");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0116");
  EXPECT_NE(r.diag().message.find("operator 0 (ADD_N, output 'dy'): input 1 is quantized otherwise than input 0"),
            std::string::npos)
      << r.diag().message;
}

TEST(TfliteImportShapeOps, ReverseV2ReversesTheNamedAxes) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {2, 3, 2}, Quant(0.5f, 3));
  const int axis = b.AddInt32Tensor("axis", {2}, {-1, 1});
  const int y = b.AddTensor("y", TensorType::INT8, {2, 3, 2}, Quant(0.5f, 3));
  b.AddOperator(BuiltinOperator::REVERSE_V2, {x, axis}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kStridedSlice);
  std::vector<int8_t> in(12), want(12);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int8_t>(i * 7 - 40);
  for (size_t a = 0; a < 2; ++a)
    for (size_t c = 0; c < 3; ++c)
      for (size_t d = 0; d < 2; ++d) want[(a * 3 + c) * 2 + d] = in[(a * 3 + (2 - c)) * 2 + (1 - d)];
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(in)}), want);

  ModelBuilder twice;
  const int tx = twice.AddTensor("x", TensorType::FLOAT32, {2, 3});
  const int taxis = twice.AddInt32Tensor("axis", {2}, {1, -1});
  const int ty = twice.AddTensor("y", TensorType::FLOAT32, {2, 3});
  twice.AddOperator(BuiltinOperator::REVERSE_V2, {tx, taxis}, {ty});
  twice.SetInputs({tx});
  twice.SetOutputs({ty});
  auto e = ImportTflite(twice.Finish(), "m.tflite");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.diag().id, "E0112");
  EXPECT_NE(e.diag().message.find("(REVERSE_V2, output 'y'): axis [1,-1] names an axis twice"), std::string::npos)
      << e.diag().message;
}

TEST(TfliteImportShapeOps, EmbeddingLookupCopiesRowsAndDequantizesAHybridTable) {
  const std::vector<uint8_t> table = {1, 2, 3, static_cast<uint8_t>(-4), 5, static_cast<uint8_t>(-6)};
  ModelBuilder b;
  const int ids = b.AddTensor("ids", TensorType::INT32, {4});
  const int value = b.AddConstTensor("table", TensorType::INT8, {3, 2}, table, Quant(0.25f, 0));
  const int rows = b.AddTensor("rows", TensorType::INT8, {4, 2}, Quant(0.25f, 0));
  b.AddOperator(BuiltinOperator::EMBEDDING_LOOKUP, {ids, value}, {rows});
  const int f = b.AddTensor("f", TensorType::FLOAT32, {4, 2});
  b.AddOperator(BuiltinOperator::EMBEDDING_LOOKUP, {ids, value}, {f});
  b.SetInputs({ids});
  b.SetOutputs({rows, f});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kGather);
  EXPECT_EQ(g.nodes[1].op, ir::OpKind::kGather);
  EXPECT_EQ(g.nodes[2].op, ir::OpKind::kDequantize);
  auto r = ops::EvaluateGraph(g, {Bytes(std::vector<int32_t>{2, 0, 0, 1})});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->outputs.size(), 2u);
  EXPECT_EQ(Values<int8_t>(r->outputs[0]), (std::vector<int8_t>{5, -6, 1, 2, 1, 2, 3, -4}));
  // TFLite Micro's hybrid lookup: value * scale.
  EXPECT_EQ(Values<float>(r->outputs[1]), (std::vector<float>{1.25f, -1.5f, 0.25f, 0.5f, 0.25f, 0.5f, 0.75f, -1.f}));

  ModelBuilder z;  // TFLite Micro would ignore the zero point: refused
  const int zids = z.AddTensor("ids", TensorType::INT32, {1});
  const int zvalue = z.AddConstTensor("table", TensorType::INT8, {3, 2}, table, Quant(0.25f, 1));
  const int zf = z.AddTensor("f", TensorType::FLOAT32, {1, 2});
  z.AddOperator(BuiltinOperator::EMBEDDING_LOOKUP, {zids, zvalue}, {zf});
  z.SetInputs({zids});
  z.SetOutputs({zf});
  auto e = ImportTflite(z.Finish(), "m.tflite");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.diag().id, "E0116");
  EXPECT_NE(e.diag().message.find("(EMBEDDING_LOOKUP, output 'f'): the int8 value's quantization"), std::string::npos)
      << e.diag().message;
}

TEST(TfliteImportShapeOps, BroadcastArgsIsAConstant) {
  ModelBuilder b;
  const int s0 = b.AddInt32Tensor("s0", {3}, {4, 1, 3});
  const int s1 = b.AddInt32Tensor("s1", {2}, {5, 1});
  const int y = b.AddTensor("y", TensorType::INT32, {3});
  b.AddOperator(BuiltinOperator::BROADCAST_ARGS, {s0, s1}, {y});
  b.SetInputs({});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  EXPECT_EQ(EvalAll<int32_t>(g, {})[0], (std::vector<int32_t>{4, 5, 3}));

  ModelBuilder bad;
  const int b0 = bad.AddInt32Tensor("s0", {2}, {2, 3});
  const int b1 = bad.AddInt32Tensor("s1", {1}, {4});
  const int by = bad.AddTensor("y", TensorType::INT32, {2});
  bad.AddOperator(BuiltinOperator::BROADCAST_ARGS, {b0, b1}, {by});
  bad.SetInputs({});
  bad.SetOutputs({by});
  auto e = ImportTflite(bad.Finish(), "m.tflite");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.diag().id, "E0118");
  EXPECT_NE(e.diag().message.find("shapes [2,3] and [4] (output i32) do not broadcast"), std::string::npos)
      << e.diag().message;
}

TEST(TfliteImportShapeOps, GatherNdPicksRowsByRunTimeIndices) {
  ModelBuilder b;
  const int params = b.AddTensor("params", TensorType::INT8, {3, 2, 2}, Quant(0.1f, 0));
  const int idx = b.AddTensor("idx", TensorType::INT32, {2, 2});
  const int y = b.AddTensor("y", TensorType::INT8, {2, 2}, Quant(0.1f, 0));
  b.AddOperator(BuiltinOperator::GATHER_ND, {params, idx}, {y});
  b.SetInputs({params, idx});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kGatherNd);
  EXPECT_EQ(EvalAll<int8_t>(g, {Bytes(std::vector<int8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}),
                                Bytes(std::vector<int32_t>{2, 1, 0, 0})})[0],
            (std::vector<int8_t>{11, 12, 1, 2}));
}

}  // namespace
}  // namespace ember::frontend::tflite
