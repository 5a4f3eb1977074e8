// `ember compile` + `ember run` on ONNX models of the math and logic
// operators the ONNX frontend maps onto the IR (import_math.cc): ReduceSum
// and the Reduce functions built on it, ReduceMin, ReduceProd, ArgMax (int64 index, cast
// to int32 and to float), the comparisons, Where, Not/And/Or, Max/Min/Sum/
// Mean, Abs/Neg/Sqrt/Exp/Log/Reciprocal, Elu (alpha 1: elu; alpha 2: composed), Pow,
// LogSoftmax, Selu, Celu, ThresholdedRelu, Softplus, Softsign, Floor, Ceil, Round,
// InstanceNormalization, Expand, Tile, Hardmax, Shrink, Trilu, CumSum, Mod,
// GatherElements, GatherND, ScatterND, OneHot, Range,
// a run-time Cast, MatMul of 3-D operands (batch_matmul), linear Resize
// (resize_bilinear), nearest and cubic Resize as gathers: the host build of the generated float C equals
// `ember eval` byte for byte. The same models and a small CNN of them
// (onnx_op_models.h) compiled for cortex-m4 and run on the emulated
// Cortex-M4 (QEMU mps2-an386) are within 1e-4 of `ember eval` relative to the
// largest output magnitude (skipped without QEMU or arm-none-eabi-gcc).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/npy_util.h"  // Seeded
#include "e2e/onnx_op_models.h"
#include "e2e/ort_util.h"
#include "e2e/qemu_util.h"
#include "e2e/run_eval_util.h"
#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "passes/pipeline.h"
#include "util/onnx_builder.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

std::vector<uint8_t> MathModel() {
  OnnxBuilder b(13);
  b.Input("x", {2, 3, 4});
  b.InitInt64("ax1", {1}, {1});
  b.Init("one", {}, {1.0f});
  b.Init("k", {4}, {0.5f, -0.25f, 1.0f, 0.0f});
  b.Init("w", {2, 4, 5}, OnnxRamp(40, 0.125f, -0.75f));
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
  b.Node("ReduceProd", {"x"}, {"rp"}).Ints("axes", {2}).Int("keepdims", 1);
  b.Node("MatMul", {"x", "w"}, {"bm"});  // [2,3,5]: batch_matmul
  b.Node("Elu", {"x"}, {"el"});
  b.Node("Elu", {"x"}, {"el2"}).Float("alpha", 2.0f);
  b.Node("Concat", {"f1", "wh", "amf", "mx", "mn", "su", "me", "ex", "sq", "rc", "lg", "l2", "l1", "ss", "lse", "ls",
                    "rmin", "rp", "bm", "el", "el2"},
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

// Nearest Resize with mappings TFLite's operator does not have (gathers of
// rows and columns): a downscale by 0.6 (half_pixel), an upscale to 7x5
// (align_corners + floor), and one of the columns only (asymmetric +
// round_prefer_ceil).
std::vector<uint8_t> NearestResizeModel() {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 5, 6});
  b.Init("scales", {4}, {1.0f, 1.0f, 0.6f, 0.6f});
  b.InitInt64("up", {4}, {1, 2, 7, 5});
  b.InitInt64("wide", {4}, {1, 2, 7, 8});
  b.Node("Resize", {"x", "", "scales"}, {"d"});  // [1,2,3,3]
  b.Node("Resize", {"d", "", "", "up"}, {"u"})
      .Str("coordinate_transformation_mode", "align_corners")
      .Str("nearest_mode", "floor");
  b.Node("Resize", {"u", "", "", "wide"}, {"y"})
      .Str("coordinate_transformation_mode", "asymmetric")
      .Str("nearest_mode", "round_prefer_ceil");
  b.Output("y");
  return b.Bytes();
}

TEST(OnnxMathOps, NearestResizeAsGathersRunsLikeTheReference) {
  ExpectRunEqualsEval(NearestResizeModel(), true, 3, ".onnx");
}

// The same in a QDQ model: the gathers move int8 values (fold-qdq), and the
// compiled int8 C equals `ember eval`.
TEST(OnnxMathOps, QdqNearestResizeAsGathersIsInt8) {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 5, 6});
  b.Init("s", {}, {0.05f});
  auto* zp = b.InitProto();
  zp->set_name("z");
  zp->set_data_type(pb::TensorProto::INT8);
  zp->add_int32_data(3);
  b.Init("scales", {4}, {1.0f, 1.0f, 0.6f, 0.6f});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "s", "z"}, {"xd"});
  b.Node("Resize", {"xd", "", "scales"}, {"r"});
  b.Node("QuantizeLinear", {"r", "s", "z"}, {"rq"});
  b.Node("DequantizeLinear", {"rq", "s", "z"}, {"y"});
  b.Output("y");
  const std::string dir = TempDir();
  WriteFile(dir + "/m.onnx", b.Bytes());
  const CliResult ir = RunCli({"inspect", dir + "/m.onnx"});
  ASSERT_EQ(ir.exit_code, 0) << ir.err;
  size_t gathers = 0;
  for (size_t at = ir.out.find("gather("); at != std::string::npos; at = ir.out.find("gather(", at + 1)) {
    ++gathers;
    const size_t eol = ir.out.find('\n', at);
    EXPECT_NE(ir.out.substr(at, eol - at).find(": i8"), std::string::npos) << ir.out;
  }
  EXPECT_EQ(gathers, 2u) << ir.out;
  ExpectRunEqualsEval(b.Bytes(), true, 3, ".onnx");
}

// Linear Resize with scales that are not the size ratio and with
// pytorch_half_pixel to size 1 (gathers and weights).
TEST(OnnxMathOps, LinearResizeAsGathersRunsLikeTheReference) {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 5, 6});
  b.Init("scales", {4}, {1.0f, 1.0f, 0.7f, 1.3f});
  b.InitInt64("one", {4}, {1, 2, 1, 4});
  b.Node("Resize", {"x", "", "scales"}, {"r"}).Str("mode", "linear");  // [1,2,3,7]
  b.Node("Resize", {"r", "", "", "one"}, {"y"})
      .Str("mode", "linear")
      .Str("coordinate_transformation_mode", "pytorch_half_pixel");
  b.Output("y");
  ExpectRunEqualsEval(b.Bytes(), true, 3, ".onnx");
}

// Cubic Resize (four weighted gathers per axis, exclude_outside) and a
// tf_crop_and_resize whose region reaches outside (extrapolation value).
TEST(OnnxMathOps, CubicAndCropResizeRunLikeTheReference) {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 5, 6});
  b.InitInt64("up", {4}, {1, 2, 7, 9});
  b.Init("roi", {8}, {0.0f, 0.0f, -0.2f, 0.1f, 1.0f, 1.0f, 0.9f, 1.3f});
  b.InitInt64("crop", {4}, {1, 2, 4, 5});
  b.Node("Resize", {"x", "", "", "up"}, {"c"}).Str("mode", "cubic").Int("exclude_outside", 1);
  b.Node("Resize", {"c", "roi", "", "crop"}, {"y"})
      .Str("mode", "linear")
      .Str("coordinate_transformation_mode", "tf_crop_and_resize")
      .Float("extrapolation_value", -1.5f);
  b.Output("y");
  ExpectRunEqualsEval(b.Bytes(), true, 3, ".onnx");
}

// Erf and Gelu (opset 20, both approximations; expanded into div, erf,
// tanh, mul, add): the generated C (erff, tanhf) equals the reference.
std::vector<uint8_t> GeluModel() {
  OnnxBuilder b(20);
  b.model().set_ir_version(9);
  b.Input("x", {1, 40});
  b.Node("Gelu", {"x"}, {"g"});
  b.Node("Gelu", {"g"}, {"t"}).Str("approximate", "tanh");
  b.Node("Erf", {"t"}, {"y"});
  b.OutputWithShape("y", {1, 40});
  return b.Bytes();
}

TEST(OnnxMathOps, ErfAndGeluRunLikeTheReference) { ExpectRunEqualsEval(GeluModel(), true, 3, ".onnx"); }

// LogSoftmax over the last axis and over axis 1, the activations ONNX
// defines by formulas (Selu, Celu, ThresholdedRelu, Softplus, Softsign),
// each composed of IR operators, Floor, Ceil, Round of 2.5 x, and Expand of
// a row maximum [2, 3, 1] to [2, 3, 5] (broadcast_to).
std::vector<uint8_t> ActivationsModel() {
  OnnxBuilder b(13);
  b.Input("x", {2, 3, 5});
  b.Node("LogSoftmax", {"x"}, {"ls"});
  b.Node("LogSoftmax", {"x"}, {"ls1"}).Int("axis", 1);
  b.Node("Selu", {"x"}, {"se"});
  b.Node("Celu", {"x"}, {"ce"}).Float("alpha", 0.5f);
  b.Node("ThresholdedRelu", {"x"}, {"tr"}).Float("alpha", 0.3f);
  b.Node("Softplus", {"x"}, {"sp"});
  b.Node("Softsign", {"x"}, {"ss"});
  b.Init("k", {}, {2.5f});
  b.Node("Mul", {"x", "k"}, {"xk"});
  b.Node("Floor", {"xk"}, {"fl"});
  b.Node("Ceil", {"xk"}, {"cl"});
  b.Node("Round", {"xk"}, {"rd"});
  b.InitInt64("ax2", {1}, {2});
  b.InitInt64("shape", {3}, {2, 3, 5});
  b.Node("ReduceMax", {"x"}, {"rm"}).Ints("axes", {2}).Int("keepdims", 1);
  b.Node("Expand", {"rm", "shape"}, {"ex"});
  b.Node("Concat", {"ls", "ls1", "se", "ce", "tr", "sp", "ss", "fl", "cl", "rd", "ex"}, {"y"}).Int("axis", 2);
  b.OutputWithShape("y", {2, 3, 55});
  return b.Bytes();
}

TEST(OnnxMathOps, LogSoftmaxAndFormulaActivationsRunLikeTheReference) {
  ExpectRunEqualsEval(ActivationsModel(), true, 3, ".onnx");
}

// Tile (repeats [1,1,2]), Hardmax over axis 1, Shrink, Trilu (upper, k 1),
// CumSum (axis 2, exclusive, reverse), Mod (fmod 1) by 0.7, GatherElements
// on axis 2, GatherND with batch_dims 2, OneHot of an ArgMax (depth 4) and
// x plus a constant Range, and ScatterND of the Shrink rows into x,
// concatenated.
std::vector<uint8_t> SelectionModel() {
  OnnxBuilder b(14);
  b.Input("x", {2, 3, 5});
  b.InitInt64("reps", {3}, {1, 1, 2});
  b.Node("Tile", {"x", "reps"}, {"ti"});
  b.Node("Hardmax", {"x"}, {"hm"}).Int("axis", 1);
  b.Node("Shrink", {"x"}, {"sh"}).Float("lambd", 0.3f).Float("bias", 0.1f);
  b.InitInt64("k", {}, {1});
  b.Node("Trilu", {"x", "k"}, {"tu"});
  b.InitInt64("ax", {}, {2});
  b.Node("CumSum", {"x", "ax"}, {"cs"}).Int("exclusive", 1).Int("reverse", 1);
  b.Init("d", {}, {0.7f});
  b.Node("Mod", {"x", "d"}, {"md"}).Int("fmod", 1);
  b.InitInt64("gi", {2, 3, 4}, {0, 4, -1, 2, 1, 1, 3, 0, 2, 2, 2, 2, 4, 3, 2, 1, 0, -5, 1, 1, 3, 3, 0, 4});
  b.Node("GatherElements", {"x", "gi"}, {"ge"}).Int("axis", 2);
  b.InitInt64("ni", {2, 3, 2, 1}, {0, 4, 1, 3, 2, 2, 4, 0, 3, 1, 2, 0});
  b.Node("GatherND", {"x", "ni"}, {"gn"}).Int("batch_dims", 2);
  b.Node("ArgMax", {"x"}, {"am"}).Int("axis", 2).Int("keepdims", 0);
  b.Init("depth", {}, {4.0f});
  b.Init("values", {2}, {0.5f, 2.0f});
  b.Node("OneHot", {"am", "depth", "values"}, {"oh"});
  b.Init("r0", {}, {0.0f});
  b.Init("r1", {}, {5.0f});
  b.Init("r2", {}, {1.0f});
  b.Node("Range", {"r0", "r1", "r2"}, {"rg"});
  b.Node("Add", {"x", "rg"}, {"xr"});
  b.InitInt64("si", {2, 1}, {1, 0});
  b.Node("ScatterND", {"x", "si", "sh"}, {"sc"});
  b.Node("Concat", {"ti", "hm", "sh", "tu", "cs", "md", "ge", "gn", "oh", "xr", "sc"}, {"y"}).Int("axis", 2);
  b.OutputWithShape("y", {2, 3, 55});
  return b.Bytes();
}

TEST(OnnxMathOps, SelectionOperatorsRunLikeTheReference) { ExpectRunEqualsEval(SelectionModel(), true, 3, ".onnx"); }

// TopK along the last axis (k 3) and, smallest first, along axis 1 (between
// transposes; int64 indices cast to float), LRN (4-D, as ONNX Runtime
// takes it), ScatterElements (add) of
// the top values, Compress on axis 2, ReverseSequence, IsNaN of a Log, Xor
// of two comparisons, x times an EyeLike, MeanVarianceNormalization and
// CastLike (function bodies), and two Einsums (x·xᵀ per batch; x times a
// matrix with an ellipsis and an implicit output), concatenated.
std::vector<uint8_t> IndexingModel() {
  OnnxBuilder b(16);
  b.Input("x", {2, 3, 5});
  b.InitInt64("k3", {1}, {3});
  b.Node("TopK", {"x", "k3"}, {"tv", "ti"});
  b.Node("Cast", {"ti"}, {"tif"}).Int("to", ::onnx::TensorProto::FLOAT);
  b.Node("TopK", {"x", "k3"}, {"sv", "si"}).Int("axis", 1).Int("largest", 0);
  b.Node("Cast", {"si"}, {"si32"}).Int("to", ::onnx::TensorProto::INT32);
  b.Node("Cast", {"si32"}, {"sif"}).Int("to", ::onnx::TensorProto::FLOAT);
  b.InitInt64("s4", {4}, {2, 3, 5, 1});
  b.InitInt64("s3", {3}, {2, 3, 5});
  b.Node("Reshape", {"x", "s4"}, {"x4"});
  b.Node("LRN", {"x4"}, {"lr4"}).Int("size", 3).Float("alpha", 0.5f).Float("beta", 0.6f).Float("bias", 1.5f);
  b.Node("Reshape", {"lr4", "s3"}, {"lr"});
  b.InitInt64("ei", {2, 3, 3}, {0, 4, -1, 2, 2, 3, 1, 0, 0, 4, 3, 2, -5, 1, 1, 3, 0, 4});
  b.Node("ScatterElements", {"x", "ei", "tv"}, {"se"}).Int("axis", 2).Str("reduction", "add");
  b.InitInt("cond", ::onnx::TensorProto::BOOL, {5}, {1, 0, 1, 1, 0});
  b.Node("Compress", {"x", "cond"}, {"cp"}).Int("axis", 2);
  b.InitInt64("lens", {3}, {2, 1, 2});
  b.Node("ReverseSequence", {"x", "lens"}, {"rs"}).Int("time_axis", 0).Int("batch_axis", 1);
  b.Node("Log", {"x"}, {"lg"});
  b.Node("IsNaN", {"lg"}, {"nan"});
  b.Node("Cast", {"nan"}, {"nf"}).Int("to", ::onnx::TensorProto::FLOAT);
  b.Init("zero", {}, {0.0f});
  b.Init("half", {}, {0.5f});
  b.Node("Greater", {"x", "zero"}, {"gt"});
  b.Node("Less", {"x", "half"}, {"lt"});
  b.Node("Xor", {"gt", "lt"}, {"xo"});
  b.Node("Cast", {"xo"}, {"xf"}).Int("to", ::onnx::TensorProto::FLOAT);
  b.Init("e35", {3, 5}, std::vector<float>(15, 0.0f));
  b.Node("EyeLike", {"e35"}, {"eye"}).Int("k", 1);
  b.Node("Mul", {"x", "eye"}, {"ey"});
  b.Node("MeanVarianceNormalization", {"x"}, {"mv"}).Ints("axes", {0, 2});
  b.InitInt("like", ::onnx::TensorProto::INT32, {1}, {0});
  b.Init("scale", {}, {3.0f});
  b.Node("Mul", {"x", "scale"}, {"x3"});
  b.Node("CastLike", {"x3", "like"}, {"ci"});
  b.Node("CastLike", {"ci", "x"}, {"cl"});
  b.Node("Einsum", {"x", "x"}, {"gram"}).Str("equation", "bij,bkj->bik");
  b.Init("wk", {5, 4}, OnnxRamp(20, 0.1f, -0.9f));
  b.Node("Einsum", {"x", "wk"}, {"proj"}).Str("equation", "...j,jk");
  b.Node("Concat", {"tv", "tif", "sv", "sif", "lr", "se", "cp", "rs", "nf", "xf", "ey", "mv", "cl", "gram", "proj"},
         {"y"})
      .Int("axis", 2);
  b.OutputWithShape("y", {2, 3, 66});
  return b.Bytes();
}

TEST(OnnxMathOps, IndexingOperatorsRunLikeTheReference) { ExpectRunEqualsEval(IndexingModel(), true, 3, ".onnx"); }

// The trigonometric and hyperbolic functions (Atan, and the compositions of
// Tan, Sinh, Cosh, Asinh, Acosh, Atanh, Asin, Acos), each on inputs inside
// its domain: x (|x| < 2), 0.7·x, 0.9·tanh(x) in (−1, 1) and |x| + 1 ≥ 1.
std::vector<uint8_t> TrigModel() {
  OnnxBuilder b(13);
  b.Input("x", {2, 6});
  b.Init("k07", {}, {0.7f});
  b.Init("k09", {}, {0.9f});
  b.Init("one", {}, {1.0f});
  b.Node("Mul", {"x", "k07"}, {"x07"});
  b.Node("Tanh", {"x"}, {"th"});
  b.Node("Mul", {"th", "k09"}, {"u"});
  b.Node("Abs", {"x"}, {"ax"});
  b.Node("Add", {"ax", "one"}, {"ge1"});
  b.Node("Atan", {"x"}, {"atan"});
  b.Node("Tan", {"x07"}, {"tan"});
  b.Node("Sinh", {"x"}, {"sinh"});
  b.Node("Cosh", {"x"}, {"cosh"});
  b.Node("Asinh", {"x"}, {"asinh"});
  b.Node("Acosh", {"ge1"}, {"acosh"});
  b.Node("Atanh", {"u"}, {"atanh"});
  b.Node("Asin", {"u"}, {"asin"});
  b.Node("Acos", {"u"}, {"acos"});
  b.Node("Concat", {"atan", "tan", "sinh", "cosh", "asinh", "acosh", "atanh", "asin", "acos"}, {"y"}).Int("axis", 1);
  b.Output("y");
  return b.Bytes();
}

TEST(OnnxMathOps, TrigonometricFunctionsRunLikeTheReference) { ExpectRunEqualsEval(TrigModel(), true, 3, ".onnx"); }

// InstanceNormalization of a 4-D image batch between two convolutions (the
// layout pass takes the NCHW mean over H and W and the per-channel scale and
// bias to NHWC), and of a 3-D [N, C, L] signal.
std::vector<uint8_t> InstanceNormModel() {
  OnnxBuilder b(13);
  b.Input("x", {1, 2, 30});  // 3-D in and out, so that ONNX Runtime takes the same input layout
  b.InitInt64("shape4", {4}, {1, 2, 5, 6});
  b.Init("w1", {4, 2, 3, 3}, OnnxRamp(72, 0.05f, -1.7f));
  b.Init("w2", {3, 4, 1, 1}, OnnxRamp(12, 0.2f, -1.1f));
  b.Init("s", {4}, {1.0f, 0.5f, -0.75f, 2.0f});
  b.Init("bias", {4}, {0.0f, 0.25f, -0.5f, 1.0f});
  b.Init("s3", {3}, {0.9f, 1.1f, -1.0f});
  b.Init("b3", {3}, {0.1f, 0.0f, -0.2f});
  b.InitInt64("shape3", {3}, {1, 3, 30});
  b.Node("Reshape", {"x", "shape4"}, {"x4"});
  b.Node("Conv", {"x4", "w1"}, {"c1"}).Ints("pads", {1, 1, 1, 1});
  b.Node("InstanceNormalization", {"c1", "s", "bias"}, {"n1"}).Float("epsilon", 1e-3f);
  b.Node("Relu", {"n1"}, {"r1"});
  b.Node("Conv", {"r1", "w2"}, {"c2"});
  b.Node("Reshape", {"c2", "shape3"}, {"c3"});
  b.Node("InstanceNormalization", {"c3", "s3", "b3"}, {"y"});
  b.OutputWithShape("y", {1, 3, 30});
  return b.Bytes();
}

TEST(OnnxMathOps, InstanceNormRunsLikeTheReference) { ExpectRunEqualsEval(InstanceNormModel(), true, 3, ".onnx"); }

// Pow in the forms exporters write: a float exponent of 2 and an int64
// exponent of 3 (x·x and (x·x)·x), an RMS norm (Pow 2, ReduceMean, Add,
// Sqrt, Div), a constant 0.5 and a broadcast vector exponent (powf), and an
// exponent computed at run time as int32 (cast to float).
std::vector<uint8_t> PowModel() {
  OnnxBuilder b(13);
  b.Input("x", {2, 3, 5});
  b.Init("two", {}, {2.0f});
  b.InitInt64("three", {1}, {3});
  b.Init("half", {}, {0.5f});
  b.Init("eps", {}, {1e-6f});
  b.Init("tenth", {}, {0.1f});
  b.Init("e", {5}, {-1.5f, 0.25f, 1.0f, 2.5f, -2.0f});
  b.InitInt64("ax", {1}, {2});
  b.Node("Pow", {"x", "two"}, {"sq"});
  b.Node("Pow", {"x", "three"}, {"cube"});
  b.Node("ReduceMean", {"sq"}, {"ms"}).Ints("axes", {2}).Int("keepdims", 1);
  b.Node("Add", {"ms", "eps"}, {"mse"});
  b.Node("Sqrt", {"mse"}, {"rms"});
  b.Node("Div", {"x", "rms"}, {"rn"});
  b.Node("Abs", {"x"}, {"ab"});
  b.Node("Add", {"ab", "tenth"}, {"pos"});
  b.Node("Pow", {"pos", "half"}, {"root"});
  b.Node("Pow", {"pos", "e"}, {"vec"});
  b.Node("Cast", {"x"}, {"xi"}).Int("to", ::onnx::TensorProto::INT32);
  b.Node("Pow", {"x", "xi"}, {"run"});
  b.Node("Concat", {"sq", "cube", "rn", "root", "vec", "run"}, {"y"}).Int("axis", 2);
  b.OutputWithShape("y", {2, 3, 30});
  return b.Bytes();
}

TEST(OnnxMathOps, PowRunsLikeTheReference) {
  auto g = frontend::onnx::ImportOnnx(PowModel(), "pow.onnx");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  int pows = 0, muls = 0, casts = 0;
  for (const ir::Node& n : g->nodes) {
    pows += n.op == ir::OpKind::kPow, muls += n.op == ir::OpKind::kMul, casts += n.op == ir::OpKind::kCast;
  }
  EXPECT_EQ(pows, 3);  // 0.5, the vector, the run-time exponent
  EXPECT_EQ(muls, 3);  // the square, the cube's two products
  EXPECT_EQ(casts, 2);  // Cast to int32, the exponent back to float
  ExpectRunEqualsEval(PowModel(), true, 3, ".onnx");
}

// Pow against ONNX Runtime, 4 inputs spread over [-3, 3): the square, the
// cube, 0.5, the vector exponent and the run-time exponent equal it bit for
// bit (glibc's powf(x, 3) differs from (x·x)·x on 25 of these 120 values, so
// the cube's equality shows ONNX Runtime's products); the RMS norm, whose
// mean ONNX Runtime sums in another order, within 2e-7 relative.
TEST(OnnxMathOps, PowAgreesWithOnnxRuntime) {
  if (const std::string why = OrtMissing(); !why.empty()) GTEST_SKIP() << why;
  const std::string tmp = TempDir();
  const std::string path = tmp + "/pow.onnx";
  WriteFile(path, PowModel());
  auto g = frontend::onnx::ImportOnnx(PowModel(), path);
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  ASSERT_TRUE(passes::RunPipeline(*g).ok());
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    std::vector<float> x(30);
    uint32_t r = seed;
    for (float& v : x) {
      r = r * 1664525u + 1013904223u;
      v = (static_cast<float>(r >> 8) / static_cast<float>(1u << 24) - 0.5f) * 6.0f;
    }
    const std::vector<float> want = RunOrt(path, FloatBytes(x), "2x3x5", tmp);
    ASSERT_EQ(want.size(), 180u);
    auto got = ops::EvaluateGraph(*g, {FloatBytes(x)});
    ASSERT_TRUE(got.ok()) << got.diag().ToString();
    const std::vector<float> y = BytesToFloats(got->outputs.at(0));
    int equal[6] = {0, 0, 0, 0, 0, 0};
    float worst[6] = {0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < y.size(); ++i) {
      const size_t part = (i % 30) / 5;
      equal[part] += std::memcmp(&y[i], &want[i], 4) == 0;
      worst[part] = std::max(worst[part], std::fabs(y[i] - want[i]) / std::max(std::fabs(want[i]), 1e-30f));
    }
    for (int p = 0; p < 6; ++p) {
      std::printf("seed %u, part %d: %d of 30 equal to ONNX Runtime, worst relative error %.3g\n", seed, p, equal[p],
                  worst[p]);
      if (p == 2) {
        EXPECT_LE(worst[p], 2e-7f) << "seed " << seed;
      } else {
        EXPECT_EQ(equal[p], 30) << "seed " << seed << ", part " << p;
      }
    }
  }
}

// Einsum of three operands (a bilinear form per batch row, x W zᵀ with a
// constant z) and of four (a chain of matrix products): `ember eval`
// against ONNX Runtime, then the host build against `ember eval`.
TEST(OnnxMathOps, EinsumOfSeveralOperandsAgreesWithOnnxRuntime) {
  OnnxBuilder b(12);
  b.Input("x", {4, 3});
  b.Init("w", {3, 5}, Seeded(15, 21, 1.0f));
  b.Init("z", {4, 5}, Seeded(20, 22, 1.0f));
  b.Init("p", {5, 2}, Seeded(10, 23, 1.0f));
  b.Init("q", {2, 3}, Seeded(6, 24, 1.0f));
  b.Node("Einsum", {"x", "w", "z"}, {"bilinear"}).Str("equation", "ni,ij,nj->n");
  b.Node("Einsum", {"x", "w", "p", "q"}, {"chain"}).Str("equation", "ij,jk,kl,lm->im");
  b.InitInt64("flat", {1}, {-1});
  b.Node("Reshape", {"chain", "flat"}, {"chain_flat"});
  b.Node("Concat", {"bilinear", "chain_flat"}, {"y"}).Int("axis", 0);
  b.OutputWithShape("y", {16});
  const std::vector<uint8_t> model = b.Bytes();
  ExpectRunEqualsEval(model, true, 3, ".onnx");
  if (const std::string why = OrtMissing(); !why.empty()) GTEST_SKIP() << why;
  const std::string tmp = TempDir();
  WriteFile(tmp + "/einsum.onnx", model);
  auto g = frontend::onnx::ImportOnnx(model, tmp + "/einsum.onnx");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  const std::vector<float> x = Seeded(12, 25, 2.0f);
  auto got = ops::EvaluateGraph(*g, {FloatBytes(x)});
  ASSERT_TRUE(got.ok()) << got.diag().ToString();
  const std::vector<float> want = RunOrt(tmp + "/einsum.onnx", FloatBytes(x), "4x3", tmp);
  const double rel = RelError(BytesToFloats(got->outputs.at(0)), want);
  EXPECT_LE(rel, 1e-5);
  std::printf("Einsum of three and four operands, ember eval vs ONNX Runtime: max relative error %.3g\n", rel);
}

// A transformer block as PyTorch exports it at opset 17: LayerNormalization,
// self-attention (three projections, Q·Kᵀ / √d, Softmax, ·V), a residual
// Add, LayerNormalization, an MLP with GELU in its Erf form, a residual Add.
std::vector<uint8_t> TransformerBlockModel() {
  const int64_t T = 6, D = 8, H = 16;
  OnnxBuilder b(17);
  b.Input("x", {1, T, D});
  auto weights = [&](const std::string& name, int64_t rows, int64_t cols, uint32_t seed) {
    std::vector<float> w(static_cast<size_t>(rows * cols));
    for (float& v : w) {
      seed = seed * 1664525u + 1013904223u;
      v = (static_cast<float>(seed >> 8) / static_cast<float>(1u << 24) - 0.5f) * 0.6f;
    }
    b.Init(name, {rows, cols}, w);
  };
  std::vector<float> gamma(static_cast<size_t>(D)), beta(static_cast<size_t>(D));
  for (int64_t i = 0; i < D; ++i) gamma[static_cast<size_t>(i)] = 0.8f + 0.05f * static_cast<float>(i), beta[static_cast<size_t>(i)] = 0.1f * static_cast<float>(i % 3) - 0.1f;
  b.Init("gamma", {D}, gamma);
  b.Init("beta", {D}, beta);
  weights("wq", D, D, 1), weights("wk", D, D, 2), weights("wv", D, D, 3), weights("wo", D, D, 4);
  weights("w1", D, H, 5), weights("w2", H, D, 6);
  b.Init("inv_sqrt_d", {}, {1.0f / std::sqrt(static_cast<float>(D))});
  b.Init("sqrt2", {}, {1.41421354f});
  b.Init("one", {}, {1.0f});
  b.Init("half", {}, {0.5f});
  b.Node("LayerNormalization", {"x", "gamma", "beta"}, {"n1"}).Int("axis", -1).Float("epsilon", 1e-5f);
  b.Node("MatMul", {"n1", "wq"}, {"q"});
  b.Node("MatMul", {"n1", "wk"}, {"k"});
  b.Node("MatMul", {"n1", "wv"}, {"v"});
  b.Node("Transpose", {"k"}, {"kt"}).Ints("perm", {0, 2, 1});
  b.Node("MatMul", {"q", "kt"}, {"s"});
  b.Node("Mul", {"s", "inv_sqrt_d"}, {"ss"});
  b.Node("Softmax", {"ss"}, {"p"}).Int("axis", -1);
  b.Node("MatMul", {"p", "v"}, {"att"});
  b.Node("MatMul", {"att", "wo"}, {"o"});
  b.Node("Add", {"x", "o"}, {"r1"});
  b.Node("LayerNormalization", {"r1", "gamma"}, {"n2"});
  b.Node("MatMul", {"n2", "w1"}, {"h"});
  b.Node("Div", {"h", "sqrt2"}, {"hd"});
  b.Node("Erf", {"hd"}, {"he"});
  b.Node("Add", {"he", "one"}, {"ha"});
  b.Node("Mul", {"h", "ha"}, {"hm"});
  b.Node("Mul", {"hm", "half"}, {"g"});
  b.Node("MatMul", {"g", "w2"}, {"m"});
  b.Node("Add", {"r1", "m"}, {"y"});
  b.OutputWithShape("y", {1, T, D});
  return b.Bytes();
}

TEST(OnnxMathOps, TransformerBlockRunsLikeTheReference) {
  ExpectRunEqualsEval(TransformerBlockModel(), true, 3, ".onnx");
}

// The transformer block, the Gelu model, the LogSoftmax / activations model
// and the InstanceNormalization model against ONNX Runtime (float): within
// 1e-5 of the largest output.
TEST(OnnxMathOps, FloatCompositionsAgreeWithOnnxRuntime) {
  if (const std::string why = OrtMissing(); !why.empty()) GTEST_SKIP() << why;
  const std::string tmp = TempDir();
  for (const auto& [name, model] : {std::pair<const char*, std::vector<uint8_t>>{"transformer_block", TransformerBlockModel()},
                                    {"gelu", GeluModel()}, {"activations", ActivationsModel()},
                                    {"instance_norm", InstanceNormModel()}, {"selection", SelectionModel()},
                                    {"indexing", IndexingModel()}, {"math", MathModel()},
                                    {"trig", TrigModel()}}) {
    SCOPED_TRACE(name);
    const std::string path = tmp + "/" + name + ".onnx";
    WriteFile(path, model);
    auto g = frontend::onnx::ImportOnnx(model, path);
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    ASSERT_TRUE(passes::RunPipeline(*g).ok());
    const ir::Tensor& in = g->tensor(g->inputs[0]);
    std::vector<float> x(static_cast<size_t>(in.num_elements()));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 19) * 0.3f - 2.7f;
    const std::vector<float> want = RunOrt(path, FloatBytes(x), DimsText(in.shape), tmp);
    ASSERT_FALSE(want.empty());
    auto got = ops::EvaluateGraph(*g, {FloatBytes(x)});
    ASSERT_TRUE(got.ok()) << got.diag().ToString();
    const std::vector<float> y = BytesToFloats(got->outputs.at(0));
    ASSERT_EQ(y.size(), want.size());
    const auto [err, mag] = MaxDistance(y, want);
    std::printf("%s: ember vs ONNX Runtime, max error %.3g of max |y| %.3g\n", name, err, mag);
    EXPECT_LE(err, 1e-5 * mag);
  }
}

// MaxPool with dilations (pad, strided slices, maximum), ceil_mode.
TEST(OnnxMathOps, DilatedMaxPoolRunsLikeTheReference) {
  OnnxBuilder b(13);
  b.Input("x", {1, 3, 9, 8});
  b.Node("MaxPool", {"x"}, {"y"})
      .Ints("kernel_shape", {3, 2})
      .Ints("dilations", {2, 3})
      .Ints("strides", {2, 1})
      .Ints("pads", {1, 1, 1, 0})
      .Int("ceil_mode", 1);
  b.Output("y");
  ExpectRunEqualsEval(b.Bytes(), true, 3, ".onnx");
}

TEST(OnnxMathOps, FloatMathAndLogicRunLikeTheReference) { ExpectRunEqualsEval(MathModel(), true, 3, ".onnx"); }

TEST(OnnxMathOps, LinearResizeRunsLikeTheReference) { ExpectRunEqualsEval(ResizeModel(), true, 3, ".onnx"); }

// The compiled float C on the emulated Cortex-M4 against `ember eval` on the
// host, same input bytes (the compiled model's layout). Not bit-exact in
// general: the device's libm (newlib's expf, logf, expm1f) is not glibc's,
// which the evaluator calls, and may differ in the last bit. Measured: 6 of
// the math model's 360 elements differ by one ulp, all of them Exp and Log
// results; everything else, the linear Resize model and the CNN are bit for
// bit equal (build.sh compiles with -std=c99, which keeps GCC from fusing
// a * b + c into vfma).
void ExpectCortexM4WithinToleranceOfEval(const std::vector<uint8_t>& model, const std::string& name) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir();
  const std::string file = dir + "/" + name + ".onnx";
  WriteFile(file, model);
  const CliResult c = RunCli({"compile", file, "--target", "cortex-m4", "--module-name", name, "-o", dir + "/mlf"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const CliResult a = RunCli({"analyze", file, "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::vector<uint8_t> in = Pattern(nlohmann::json::parse(a.out)["inputs"][0]["bytes"].get<size_t>(), 7);
  for (size_t i = 0; i + 3 < in.size(); i += 4) in[i + 3] = (in[i + 3] & 0x80) | 0x3f;  // |v| < 2
  WriteFile(dir + "/in.bin", in);
  const CliResult e = RunCli({"eval", file, "--input", dir + "/in.bin", "--output", dir + "/ref.bin"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const std::vector<uint8_t> ref_bytes = ReadFile(dir + "/ref.bin");
  qemu::HarnessResult h;
  const std::string err =
      qemu::BuildAndEmulate(dir + "/mlf", dir + "/in.bin", dir + "/" + name + ".elf", "mps2-an386", 300, &h);
  ASSERT_EQ(err, "");
  ASSERT_EQ(h.outputs.size(), 1u);
  ASSERT_EQ(h.outputs[0].size(), ref_bytes.size());
  std::vector<float> y(ref_bytes.size() / 4), ref(ref_bytes.size() / 4);
  std::memcpy(y.data(), h.outputs[0].data(), y.size() * 4);
  std::memcpy(ref.data(), ref_bytes.data(), ref.size() * 4);
  double err_max = 0.0, mag = 0.0;
  size_t equal = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_FALSE(std::isnan(ref[i])) << "element " << i;
    err_max = std::max(err_max, std::fabs(static_cast<double>(y[i]) - ref[i]));
    mag = std::max(mag, std::fabs(static_cast<double>(ref[i])));
    equal += std::memcmp(&y[i], &ref[i], 4) == 0;
  }
  ASSERT_GT(mag, 0.0);
  std::printf("%s on cortex-m4 (mps2-an386): max error %.3g relative to max |y| %.4g, %zu of %zu elements "
              "bit-equal to ember eval, %llu instructions\n",
              name.c_str(), err_max / mag, mag, equal, y.size(),
              static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]));
  EXPECT_LE(err_max / mag, 1e-4);
}

TEST(OnnxMathOps, FloatMathAndLogicOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(MathModel(), "math_ops");
}

TEST(OnnxMathOps, LinearResizeOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(ResizeModel(), "linear_resize");
}

// ONNX LSTMs, GRUs and RNNs (unidirectional_sequence_lstm / gru / rnn per
// direction): bidirectional time major, and reverse batch major.
TEST(OnnxMathOps, RecurrentOnCortexM4WithinToleranceOfEval) {
  for (const std::string op : {"LSTM", "GRU", "RNN"}) {
    ExpectCortexM4WithinToleranceOfEval(OnnxRecurrentModel(op, 0), op + "_bidirectional");
    ExpectCortexM4WithinToleranceOfEval(OnnxRecurrentModel(op, 3), op + "_reverse_batch_major");
  }
}

TEST(OnnxMathOps, TransformerBlockOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(TransformerBlockModel(), "transformer_block");
}

TEST(OnnxMathOps, LogSoftmaxAndFormulaActivationsOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(ActivationsModel(), "activations");
}

TEST(OnnxMathOps, InstanceNormOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(InstanceNormModel(), "instance_norm");
}

TEST(OnnxMathOps, SelectionOperatorsOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(SelectionModel(), "selection");
}

TEST(OnnxMathOps, IndexingOperatorsOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(IndexingModel(), "indexing");
}

TEST(OnnxMathOps, TrigonometricFunctionsOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(TrigModel(), "trig");
}

TEST(OnnxMathOps, PowOnCortexM4WithinToleranceOfEval) { ExpectCortexM4WithinToleranceOfEval(PowModel(), "pow"); }

TEST(OnnxMathOps, ErfAndGeluOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(GeluModel(), "gelu");
}

TEST(OnnxMathOps, NewOpsCnnOnCortexM4WithinToleranceOfEval) {
  ExpectCortexM4WithinToleranceOfEval(NewOpsCnnModel(), "new_ops_cnn");
}

}  // namespace
}  // namespace ember::test
