// TFLite import of MUL, MAX_POOL_2D, CONCATENATION, STRIDED_SLICE, SQUEEZE,
// LOGISTIC, TANH, HARD_SWISH and QUANTIZE: one small model per operator and
// option set, the imported IR compared with its expected text
// (docs/frontend-tflite.md fixes the mapping), the reference evaluator run on
// the imported graph against hand-computed numbers, and the diagnostics of
// invalid or unsupported options (id, exit code, operator index and name).
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

Diagnostic MustFail(const std::vector<uint8_t>& bytes) {
  auto g = ImportTflite(bytes, "m.tflite");
  EXPECT_FALSE(g.ok()) << ir::Print(*g);
  return g.ok() ? Diagnostic{} : g.diag();
}

// The importer's diagnostic for operator 0 of m.tflite whose first output is 'y'.
void ExpectOpError(const Diagnostic& d, const std::string& id, ExitCode exit,
                   const std::string& op, const std::string& message) {
  EXPECT_EQ(d.id, id) << d.ToString();
  EXPECT_EQ(d.exit, exit) << d.ToString();
  EXPECT_EQ(d.message, "m.tflite: operator 0 (" + op + ", output 'y'): " + message) << d.ToString();
}

// x -> op -> y with the given options (built in b.builder() by `options`).
template <typename Options>
std::vector<uint8_t> UnaryModel(BuiltinOperator op, TensorType in_type, const std::vector<int32_t>& in_shape,
                                std::optional<QuantSpec> in_q, TensorType out_type,
                                const std::vector<int32_t>& out_shape, std::optional<QuantSpec> out_q,
                                BuiltinOptions opt_type, Options options) {
  ModelBuilder b;
  const int x = b.AddTensor("x", in_type, in_shape, in_q);
  const int y = b.AddTensor("y", out_type, out_shape, out_q);
  b.AddOperator(op, {x}, {y}, opt_type, options(b.builder()));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

std::vector<uint8_t> UnaryModel(BuiltinOperator op, TensorType in_type, const std::vector<int32_t>& in_shape,
                                std::optional<QuantSpec> in_q, TensorType out_type,
                                const std::vector<int32_t>& out_shape, std::optional<QuantSpec> out_q) {
  return UnaryModel(op, in_type, in_shape, in_q, out_type, out_shape, out_q, BuiltinOptions::NONE,
                    [](flatbuffers::FlatBufferBuilder&) { return flatbuffers::Offset<void>(0); });
}

// --- MUL --------------------------------------------------------------------

std::vector<uint8_t> MulModel(ActivationFunctionType act) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::INT8, {1, 2, 2, 3}, Quant(0.5f, 1));
  const int c = b.AddTensor("b", TensorType::INT8, {3}, Quant(0.25f, -2));
  const int y = b.AddTensor("y", TensorType::INT8, {1, 2, 2, 3}, Quant(0.125f, 3));
  b.AddMul(a, c, y, act);
  b.SetInputs({a, c});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(TfliteImportOps, MulInt8BroadcastRelu6) {
  const ir::Graph g = MustImport(MulModel(ActT::RELU6));
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %a : i8[1,2,2,3] quant(0.5, 1)\n"
            "  input %b : i8[3] quant(0.25, -2)\n"
            "  %y = mul(%a, %b) {act=\"relu6\"} : i8[1,2,2,3] quant(0.125, 3) loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  // s1 * s2 / s_out = 1: y = 3 + (a - 1) * (b + 2), clamped to relu6's
  // [3, 3 + 6 / 0.125] = [3, 51].
  const std::vector<int8_t> a = {1, 2, 3, 4, 5, -6, -7, 8, 9, 0, -128, 127};
  const std::vector<int8_t> b = {-2, 5, -10};
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(a), Bytes(b)}),
            (std::vector<int8_t>{3, 10, 3, 3, 31, 51, 3, 51, 3, 3, 3, 3}));
}

TEST(TfliteImportOps, MulFloatActivations) {
  const std::vector<std::pair<ActT, std::string>> acts = {
      {ActT::NONE, "none"}, {ActT::RELU, "relu"}, {ActT::RELU_N1_TO_1, "relu_n1_to_1"}};
  for (const auto& [act, name] : acts) {
    SCOPED_TRACE(name);
    ModelBuilder b;
    const int a = b.AddTensor("a", TensorType::FLOAT32, {2, 1});
    const int c = b.AddFloatTensor("c", {1, 3}, {0.5f, -1.0f, 2.0f});
    const int y = b.AddTensor("y", TensorType::FLOAT32, {2, 3});
    b.AddMul(a, c, y, act);
    b.SetInputs({a});
    b.SetOutputs({y});
    const ir::Graph g = MustImport(b.Finish());
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0].op, ir::OpKind::kMul);
    EXPECT_EQ(g.nodes[0].GetString("act"), name);
    ASSERT_EQ(g.nodes[0].inputs.size(), 2u);
    EXPECT_TRUE(g.tensor(g.nodes[0].inputs[1]).is_const());
    const std::vector<float> got = Eval<float>(g, {Bytes(std::vector<float>{3.0f, -0.25f})});
    std::vector<float> want = {1.5f, -3.0f, 6.0f, -0.125f, 0.25f, -0.5f};
    for (float& v : want) {
      if (act == ActT::RELU) v = std::max(v, 0.0f);
      if (act == ActT::RELU_N1_TO_1) v = std::min(std::max(v, -1.0f), 1.0f);
    }
    EXPECT_EQ(got, want);
  }
}

TEST(TfliteImportOps, MulOptionErrors) {
  ExpectOpError(MustFail(MulModel(ActT::TANH)), "E0111", ExitCode::kUnsupported, "MUL",
                "fused activation TANH is not supported");
  ExpectOpError(MustFail(MulModel(ActT::SIGN_BIT)), "E0111", ExitCode::kUnsupported, "MUL",
                "fused activation SIGN_BIT is not supported");
  ExpectOpError(MustFail(MulModel(static_cast<ActT>(42))), "E0112", ExitCode::kFailure, "MUL",
                "unknown fused activation code 42");
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::FLOAT32, {4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {4});
  b.AddOperator(BuiltinOperator::MUL, {a, a, a}, {y});
  b.SetInputs({a});
  b.SetOutputs({y});
  ExpectOpError(MustFail(b.Finish()), "E0113", ExitCode::kFailure, "MUL",
                "has 3 inputs; at most 2 are expected");
}

// --- MAX_POOL_2D -----------------------------------------------------------

std::vector<uint8_t> MaxPoolModel(Padding padding, int fh, int fw, int sh, int sw, ActT act,
                                  const std::vector<int32_t>& in_shape = {1, 5, 5, 1},
                                  const std::vector<int32_t>& out_shape = {1, 3, 3, 1}) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, in_shape);
  const int y = b.AddTensor("y", TensorType::FLOAT32, out_shape);
  b.AddPool2D(BuiltinOperator::MAX_POOL_2D, x, y, padding, fh, fw, sh, sw, act);
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(TfliteImportOps, MaxPoolSameAsymmetricPaddingRelu) {
  // 3x2 window, stride 2 on 5x5, SAME: out 3x3; totals (3-1)*2+3-5 = 2 and
  // (3-1)*2+2-5 = 1 -> pad [top 1, left 0, bottom 1, right 1].
  const ir::Graph g = MustImport(MaxPoolModel(Padding::SAME, 3, 2, 2, 2, ActT::RELU));
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : f32[1,5,5,1]\n"
            "  %y = max_pool2d(%x) {act=\"relu\", filter=[3,2], pad=[1,0,1,1], stride=[2,2]} : "
            "f32[1,3,3,1] loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  // x[h][w] = 5h + w - 12; padding never wins the max; relu clamps the
  // negative windows of the top row.
  std::vector<float> x;
  for (int i = 0; i < 25; ++i) x.push_back(static_cast<float>(i - 12));
  EXPECT_EQ(Eval<float>(g, {Bytes(x)}), (std::vector<float>{0, 0, 0, 4, 6, 7, 9, 11, 12}));
}

TEST(TfliteImportOps, MaxPoolValidInt8) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {1, 3, 4, 2}, Quant(0.1f, -5));
  const int y = b.AddTensor("y", TensorType::INT8, {1, 2, 2, 2}, Quant(0.1f, -5));
  b.AddPool2D(BuiltinOperator::MAX_POOL_2D, x, y, Padding::VALID, 2, 2, 1, 2, ActT::RELU6);
  b.SetInputs({x});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  const ir::Node& n = g.nodes[0];
  EXPECT_EQ(n.op, ir::OpKind::kMaxPool2D);
  EXPECT_EQ(n.GetInts("filter"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(n.GetInts("stride"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(n.GetInts("pad"), (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(n.GetString("act"), "relu6");
  EXPECT_FALSE(n.HasAttr("dilation"));
  // Channel c of pixel (h, w) holds 10h + 2w + c - 20; relu6 clamps to
  // [-5, -5 + 6 / 0.1] = [-5, 55].
  std::vector<int8_t> in;
  for (int h = 0; h < 3; ++h)
    for (int w = 0; w < 4; ++w)
      for (int c = 0; c < 2; ++c) in.push_back(static_cast<int8_t>(10 * h + 2 * w + c - 20));
  // Window (oh, ow) covers rows oh..oh+1, columns 2ow..2ow+1: max at
  // (oh+1, 2ow+1) = 10(oh+1) + 2(2ow+1) + c - 20.
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(in)}), (std::vector<int8_t>{-5, -5, -4, -3, 2, 3, 6, 7}));
}

TEST(TfliteImportOps, MaxPoolOptionErrors) {
  const ExitCode fail = ExitCode::kFailure;
  ExpectOpError(MustFail(MaxPoolModel(Padding::SAME, 3, 2, 0, 2, ActT::NONE)), "E0112", fail,
                "MAX_POOL_2D", "stride_h is 0; it must be at least 1");
  ExpectOpError(MustFail(MaxPoolModel(Padding::SAME, 3, 2, 2, -1, ActT::NONE)), "E0112", fail,
                "MAX_POOL_2D", "stride_w is -1; it must be at least 1");
  ExpectOpError(MustFail(MaxPoolModel(Padding::SAME, 0, 2, 2, 2, ActT::NONE)), "E0112", fail,
                "MAX_POOL_2D", "filter height is 0; it must be at least 1");
  ExpectOpError(MustFail(MaxPoolModel(Padding::SAME, 3, 0, 2, 2, ActT::NONE)), "E0112", fail,
                "MAX_POOL_2D", "filter width is 0; it must be at least 1");
  ExpectOpError(MustFail(MaxPoolModel(static_cast<Padding>(7), 3, 2, 2, 2, ActT::NONE)), "E0112",
                fail, "MAX_POOL_2D", "unknown padding code 7");
  ExpectOpError(MustFail(MaxPoolModel(Padding::SAME, 3, 2, 2, 2, ActT::TANH)), "E0111",
                ExitCode::kUnsupported, "MAX_POOL_2D", "fused activation TANH is not supported");
  ExpectOpError(MustFail(MaxPoolModel(Padding::VALID, 2, 2, 1, 1, ActT::NONE, {5, 5, 1}, {4, 4, 1})),
                "E0124", fail, "MAX_POOL_2D", "input has shape [5,5,1]; a 4-D NHWC tensor is expected");
  // Options of another operator's type.
  const auto bytes = UnaryModel(BuiltinOperator::MAX_POOL_2D, TensorType::FLOAT32, {1, 4, 4, 1},
                                std::nullopt, TensorType::FLOAT32, {1, 2, 2, 1}, std::nullopt,
                                BuiltinOptions::SoftmaxOptions, [](flatbuffers::FlatBufferBuilder& f) {
                                  return tfl::CreateSoftmaxOptions(f, 1.0f).Union();
                                });
  ExpectOpError(MustFail(bytes), "E0112", fail, "MAX_POOL_2D",
                "has no Pool2DOptions (builtin options missing or of another type)");
}

// --- CONCATENATION ----------------------------------------------------------

std::vector<uint8_t> ConcatModel(int32_t axis, ActT act, TensorType type = TensorType::FLOAT32) {
  std::optional<QuantSpec> q;
  if (type == TensorType::INT8) q = Quant(0.5f, 2);
  ModelBuilder b;
  const int a = b.AddTensor("a", type, {1, 2, 3}, q);
  const int c = b.AddTensor("c", type, {1, 2, 1}, q);
  const int y = b.AddTensor("y", type, {1, 2, 4}, q);
  b.AddOperator(BuiltinOperator::CONCATENATION, {a, c}, {y}, BuiltinOptions::ConcatenationOptions,
                tfl::CreateConcatenationOptions(b.builder(), axis, act).Union());
  b.SetInputs({a, c});
  b.SetOutputs({y});
  return b.Finish();
}

TEST(TfliteImportOps, ConcatenationNegativeAxisRelu) {
  const ir::Graph g = MustImport(ConcatModel(-1, ActT::RELU));
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %a : f32[1,2,3]\n"
            "  input %c : f32[1,2,1]\n"
            "  %y = concatenation(%a, %c) {act=\"relu\", axis=2} : f32[1,2,4] loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  const std::vector<float> a = {-1, 2, -3, 4, -5, 6};
  const std::vector<float> c = {7, -8};
  EXPECT_EQ(Eval<float>(g, {Bytes(a), Bytes(c)}), (std::vector<float>{0, 2, 0, 7, 4, 0, 6, 0}));
}

TEST(TfliteImportOps, ConcatenationInt8ThreeInputsMiddleAxis) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::INT8, {2, 1, 2}, Quant(0.5f, 2));
  const int c = b.AddConstTensor("c", TensorType::INT8, {2, 2, 2},
                                 Bytes(std::vector<int8_t>{10, 11, 12, 13, 14, 15, 16, 17}),
                                 Quant(0.5f, 2));
  const int d = b.AddTensor("d", TensorType::INT8, {2, 1, 2}, Quant(0.5f, 2));
  const int y = b.AddTensor("y", TensorType::INT8, {2, 4, 2}, Quant(0.5f, 2));
  b.AddOperator(BuiltinOperator::CONCATENATION, {a, c, d}, {y}, BuiltinOptions::ConcatenationOptions,
                tfl::CreateConcatenationOptions(b.builder(), 1).Union());
  b.SetInputs({a, d});
  b.SetOutputs({y});
  const ir::Graph g = MustImport(b.Finish());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].inputs.size(), 3u);
  EXPECT_EQ(g.nodes[0].GetInt("axis", -1), 1);
  EXPECT_EQ(g.nodes[0].GetString("act"), "none");
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{1, 2, 3, 4}),
                             Bytes(std::vector<int8_t>{-1, -2, -3, -4})}),
            (std::vector<int8_t>{1, 2, 10, 11, 12, 13, -1, -2, 3, 4, 14, 15, 16, 17, -3, -4}));
}

TEST(TfliteImportOps, ConcatenationOptionErrors) {
  const ExitCode fail = ExitCode::kFailure;
  ExpectOpError(MustFail(ConcatModel(3, ActT::NONE)), "E0112", fail, "CONCATENATION",
                "axis 3 is out of range for rank 3");
  ExpectOpError(MustFail(ConcatModel(-4, ActT::NONE)), "E0112", fail, "CONCATENATION",
                "axis -4 is out of range for rank 3");
  ExpectOpError(MustFail(ConcatModel(2, ActT::TANH)), "E0111", ExitCode::kUnsupported,
                "CONCATENATION", "fused activation TANH is not supported");
  ExpectOpError(MustFail(ConcatModel(2, static_cast<ActT>(9))), "E0112", fail, "CONCATENATION",
                "unknown fused activation code 9");
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {4});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {4});
  b.AddOperator(BuiltinOperator::RELU, {x}, {y});
  const int z = b.AddTensor("z", TensorType::FLOAT32, {4});
  b.AddOperator(BuiltinOperator::CONCATENATION, {}, {z}, BuiltinOptions::ConcatenationOptions,
                tfl::CreateConcatenationOptions(b.builder(), 0).Union());
  b.SetInputs({x});
  b.SetOutputs({y, z});
  const Diagnostic d = MustFail(b.Finish());
  EXPECT_EQ(d.id, "E0113");
  EXPECT_EQ(d.message, "m.tflite: operator 1 (CONCATENATION, output 'z'): has no inputs");
}

TEST(TfliteImportOps, ConcatenationInt8FusedActivationIsRejectedByTheOperator) {
  // TFLite Micro rejects a fused activation on int8 concatenation; the
  // operator's check (ops::CheckGraph after the import) names the node.
  const Diagnostic d = MustFail(ConcatModel(2, ActT::RELU, TensorType::INT8));
  EXPECT_EQ(d.id, "E0301");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
  EXPECT_EQ(d.message,
            "m.tflite: node 'y' (concatenation): has fused activation 'relu' on i8 data, which "
            "TFLite Micro does not support");
  EXPECT_EQ(MustImport(ConcatModel(2, ActT::NONE, TensorType::INT8)).nodes.size(), 1u);
}

// --- STRIDED_SLICE ----------------------------------------------------------

struct SliceSpec {
  std::vector<int32_t> begin, end, strides;
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_mask = 0;
  bool offset = false;
  bool constant_strides = true;
  std::vector<int32_t> out_shape;
};

std::vector<uint8_t> SliceModel(const SliceSpec& s) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {2, 3, 4});
  const int begin = b.AddInt32Tensor("begin", {static_cast<int32_t>(s.begin.size())}, s.begin);
  const int end = b.AddInt32Tensor("end", {static_cast<int32_t>(s.end.size())}, s.end);
  const int n = static_cast<int32_t>(s.strides.size());
  const int strides = s.constant_strides ? b.AddInt32Tensor("strides", {n}, s.strides)
                                         : b.AddTensor("strides", TensorType::INT32, {n});
  const int y = b.AddTensor("y", TensorType::FLOAT32, s.out_shape);
  b.AddOperator(BuiltinOperator::STRIDED_SLICE, {x, begin, end, strides}, {y},
                BuiltinOptions::StridedSliceOptions,
                tfl::CreateStridedSliceOptions(b.builder(), s.begin_mask, s.end_mask, s.ellipsis_mask,
                                               s.new_axis_mask, s.shrink_mask, s.offset)
                    .Union());
  b.SetInputs(s.constant_strides ? std::vector<int32_t>{x} : std::vector<int32_t>{x, strides});
  b.SetOutputs({y});
  return b.Finish();
}

// x[1, 1:, ::-2] of x f32[2,3,4]: axis 0 shrunk (index 1), axis 1 from -2
// (= 1) to the end (end_mask bit 1), axis 2 from its last element
// (begin_mask bit 2 with a negative stride) down past 0, stride -2.
SliceSpec MaskedSlice() {
  SliceSpec s;
  s.begin = {1, -2, 0};
  s.end = {2, 0, 0};
  s.strides = {1, 1, -2};
  s.begin_mask = 4;
  s.end_mask = 2;
  s.shrink_mask = 1;
  s.out_shape = {2, 2};
  return s;
}

TEST(TfliteImportOps, StridedSliceMasks) {
  const ir::Graph g = MustImport(SliceModel(MaskedSlice()));
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : f32[2,3,4]\n"
            "  %y = strided_slice(%x) {begin=[1,-2,0], begin_mask=4, end=[2,0,0], end_mask=2, "
            "shrink_axis_mask=1, strides=[1,1,-2]} : f32[2,2] loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  // The parameter tensors became attributes and are not in the graph.
  EXPECT_EQ(g.FindTensor("begin"), ir::kNoTensor);
  EXPECT_EQ(g.FindTensor("strides"), ir::kNoTensor);
  std::vector<float> x;
  for (int i = 0; i < 24; ++i) x.push_back(static_cast<float>(i));
  // x[1][1][3], x[1][1][1], x[1][2][3], x[1][2][1] with x[i][j][k] = 12i + 4j + k.
  EXPECT_EQ(Eval<float>(g, {Bytes(x)}), (std::vector<float>{19, 17, 23, 21}));
}

TEST(TfliteImportOps, StridedSliceRejectsEllipsisNewAxisAndOffset) {
  const std::string message = "ellipsis_mask, new_axis_mask and offset are not supported";
  SliceSpec s = MaskedSlice();
  s.ellipsis_mask = 1;
  ExpectOpError(MustFail(SliceModel(s)), "E0111", ExitCode::kUnsupported, "STRIDED_SLICE", message);
  s = MaskedSlice();
  s.new_axis_mask = 2;
  ExpectOpError(MustFail(SliceModel(s)), "E0111", ExitCode::kUnsupported, "STRIDED_SLICE", message);
  s = MaskedSlice();
  s.offset = true;
  const Diagnostic d = MustFail(SliceModel(s));
  ExpectOpError(d, "E0111", ExitCode::kUnsupported, "STRIDED_SLICE", message);
  EXPECT_EQ(d.hint, "express the slice with begin/end/shrink masks only");
}

TEST(TfliteImportOps, StridedSliceParameterErrors) {
  SliceSpec s = MaskedSlice();
  s.end = {2, 0};
  ExpectOpError(MustFail(SliceModel(s)), "E0118", ExitCode::kFailure, "STRIDED_SLICE",
                "begin, end and strides have 3, 2 and 3 entries; they must be equal");
  s = MaskedSlice();
  s.constant_strides = false;
  const Diagnostic d = MustFail(SliceModel(s));
  ExpectOpError(d, "E0117", ExitCode::kUnsupported, "STRIDED_SLICE",
                "the strides tensor 'strides' is not a constant");
}

// --- SQUEEZE ----------------------------------------------------------------

std::vector<uint8_t> SqueezeModel(const std::vector<int32_t>& dims, const std::vector<int32_t>& out_shape,
                                  bool with_options = true) {
  return UnaryModel(BuiltinOperator::SQUEEZE, TensorType::FLOAT32, {1, 3, 1, 2}, std::nullopt,
                    TensorType::FLOAT32, out_shape, std::nullopt,
                    with_options ? BuiltinOptions::SqueezeOptions : BuiltinOptions::NONE,
                    [&](flatbuffers::FlatBufferBuilder& f) {
                      if (!with_options) return flatbuffers::Offset<void>(0);
                      return tfl::CreateSqueezeOptions(f, f.CreateVector(dims)).Union();
                    });
}

TEST(TfliteImportOps, SqueezeDims) {
  const ir::Graph g = MustImport(SqueezeModel({-2}, {1, 3, 2}));
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n"
            "  input %x : f32[1,3,1,2]\n"
            "  %y = squeeze(%x) {axes=[2]} : f32[1,3,2] loc(\"y\")\n"
            "  output %y\n"
            "}\n");
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(Eval<float>(g, {Bytes(x)}), x);
  // Negative and repeated dims are normalized, sorted and deduplicated.
  EXPECT_EQ(MustImport(SqueezeModel({2, -4, 0}, {3, 2})).nodes.at(0).GetInts("axes"),
            (std::vector<int64_t>{0, 2}));
  // No dims (or no options): every size-1 axis.
  for (bool with_options : {true, false}) {
    const ir::Graph all = MustImport(SqueezeModel({}, {3, 2}, with_options));
    ASSERT_EQ(all.nodes.size(), 1u);
    EXPECT_EQ(all.nodes[0].GetInts("axes"), std::vector<int64_t>{});
    EXPECT_EQ(all.tensor(all.outputs[0]).shape, (ir::Shape{3, 2}));
  }
}

TEST(TfliteImportOps, SqueezeErrors) {
  ExpectOpError(MustFail(SqueezeModel({4}, {1, 3, 2})), "E0112", ExitCode::kFailure, "SQUEEZE",
                "squeeze axis 4 is out of range for rank 4");
  ExpectOpError(MustFail(SqueezeModel({-5}, {1, 3, 2})), "E0112", ExitCode::kFailure, "SQUEEZE",
                "squeeze axis -5 is out of range for rank 4");
  // Axis 1 has size 3: the operator's check names the node.
  const Diagnostic d = MustFail(SqueezeModel({1}, {1, 1, 2}));
  EXPECT_EQ(d.id, "E0301");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
  EXPECT_EQ(d.message, "m.tflite: node 'y' (squeeze): cannot squeeze axis 1 of size 3 in input [1,3,1,2]");
}

// --- LOGISTIC, TANH, HARD_SWISH ----------------------------------------------

TEST(TfliteImportOps, ActivationsFloat) {
  const std::vector<float> x = {-4.0f, -1.0f, 0.0f, 0.5f, 4.0f};
  struct Case {
    BuiltinOperator op;
    const char* ir_name;
    float (*f)(float);
  };
  const Case cases[] = {
      {BuiltinOperator::LOGISTIC, "logistic", [](float v) { return 1.0f / (1.0f + std::exp(-v)); }},
      {BuiltinOperator::TANH, "tanh", [](float v) { return std::tanh(v); }},
      {BuiltinOperator::HARD_SWISH, "hard_swish",
       [](float v) { return v * std::min(std::max(v + 3.0f, 0.0f), 6.0f) / 6.0f; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.ir_name);
    const ir::Graph g = MustImport(UnaryModel(c.op, TensorType::FLOAT32, {5}, std::nullopt,
                                              TensorType::FLOAT32, {5}, std::nullopt));
    EXPECT_EQ(ir::Print(g), std::string("graph \"main\" {\n  input %x : f32[5]\n  %y = ") + c.ir_name +
                                "(%x) : f32[5] loc(\"y\")\n  output %y\n}\n");
    const std::vector<float> y = Eval<float>(g, {Bytes(x)});
    ASSERT_EQ(y.size(), x.size());
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], c.f(x[i]), 1e-6f) << "x=" << x[i];
  }
}

TEST(TfliteImportOps, ActivationsInt8) {
  // Output quantization as the TFLite converter fixes it for logistic and tanh.
  const ir::Graph lg = MustImport(UnaryModel(BuiltinOperator::LOGISTIC, TensorType::INT8, {4},
                                             Quant(0.1f, 0), TensorType::INT8, {4},
                                             Quant(1.0f / 256.0f, -128)));
  EXPECT_EQ(ir::Print(lg),
            "graph \"main\" {\n  input %x : i8[4] quant(0.1, 0)\n"
            "  %y = logistic(%x) : i8[4] quant(0.00390625, -128) loc(\"y\")\n  output %y\n}\n");
  // logistic(0) = 0.5 -> -128 + 128 = 0; logistic(-12.8) ~ 2.8e-6 -> -128;
  // logistic(12.7) ~ 1 - 3e-6 -> 256 - 128 saturates to 127.
  const std::vector<int8_t> ly = Eval<int8_t>(lg, {Bytes(std::vector<int8_t>{0, -128, 127, 10})});
  ASSERT_EQ(ly.size(), 4u);
  EXPECT_EQ(ly[0], 0);
  EXPECT_EQ(ly[1], -128);
  EXPECT_EQ(ly[2], 127);
  EXPECT_NEAR(ly[3], std::lround(256.0 / (1.0 + std::exp(-1.0))) - 128, 1);  // logistic(1)

  const ir::Graph tg = MustImport(UnaryModel(BuiltinOperator::TANH, TensorType::INT8, {3},
                                             Quant(0.05f, 4), TensorType::INT8, {3},
                                             Quant(1.0f / 128.0f, 0)));
  ASSERT_EQ(tg.nodes.size(), 1u);
  EXPECT_EQ(tg.nodes[0].op, ir::OpKind::kTanh);
  // tanh(0) = 0; tanh(-6.6) -> -128; tanh(6.15) ~ 1 -> 127.
  EXPECT_EQ(Eval<int8_t>(tg, {Bytes(std::vector<int8_t>{4, -128, 127})}),
            (std::vector<int8_t>{0, -128, 127}));

  const ir::Graph hg = MustImport(UnaryModel(BuiltinOperator::HARD_SWISH, TensorType::INT8, {4},
                                             Quant(0.05f, -10), TensorType::INT8, {4},
                                             Quant(0.04f, -3)));
  ASSERT_EQ(hg.nodes.size(), 1u);
  EXPECT_EQ(hg.nodes[0].op, ir::OpKind::kHardSwish);
  // x <= -3 gives 0 (the output zero point); x = 0 gives 0; x = 2.5 gives
  // 2.5 * 5.5 / 6 = 2.2917 -> 57.3 - 3, within a step of 54.
  const std::vector<int8_t> hy = Eval<int8_t>(hg, {Bytes(std::vector<int8_t>{-128, -70, -10, 40})});
  ASSERT_EQ(hy.size(), 4u);
  EXPECT_EQ(hy[0], -3);
  EXPECT_EQ(hy[1], -3);
  EXPECT_EQ(hy[2], -3);
  EXPECT_NEAR(hy[3], 54, 1);
}

// 16x8 quantization: int16 LOGISTIC, TANH and SOFTMAX (and int8 -> int16
// SOFTMAX) import with their quantization; the values are TFLite Micro's
// (tests/ops/*_test.cc check them in detail).
TEST(TfliteImportOps, ActivationsInt16) {
  const ir::Graph lg = MustImport(UnaryModel(BuiltinOperator::LOGISTIC, TensorType::INT16, {3},
                                             Quant(1.0f / 4096.0f, 0), TensorType::INT16, {3},
                                             Quant(1.0f / 32768.0f, 0)));
  EXPECT_EQ(ir::Print(lg),
            "graph \"main\" {\n  input %x : i16[3] quant(0.00024414062, 0)\n"
            "  %y = logistic(%x) : i16[3] quant(3.0517578e-05, 0) loc(\"y\")\n  output %y\n}\n");
  EXPECT_EQ(Eval<int16_t>(lg, {Bytes(std::vector<int16_t>{0, -4096, 4096})}),
            (std::vector<int16_t>{16384, 8812, 23956}));
  const ir::Graph tg = MustImport(UnaryModel(BuiltinOperator::TANH, TensorType::INT16, {3},
                                             Quant(1.0f / 4096.0f, 0), TensorType::INT16, {3},
                                             Quant(1.0f / 32768.0f, 0)));
  EXPECT_EQ(Eval<int16_t>(tg, {Bytes(std::vector<int16_t>{0, -4096, 4096})}),
            (std::vector<int16_t>{0, -24956, 24956}));
  // A zero point other than 0 is refused by name.
  const Diagnostic d = MustFail(UnaryModel(BuiltinOperator::TANH, TensorType::INT16, {3}, Quant(1.0f / 4096.0f, 5),
                                           TensorType::INT16, {3}, Quant(1.0f / 32768.0f, 0)));
  EXPECT_EQ(d.id, "E0301") << d.ToString();
  EXPECT_NE(d.message.find("zero points 5 and 0"), std::string::npos) << d.ToString();

  for (const bool int8_in : {false, true}) {
    ModelBuilder b;
    const int x = b.AddTensor("x", int8_in ? TensorType::INT8 : TensorType::INT16, {1, 4},
                              int8_in ? Quant(0.1f, 0) : Quant(0.0003f, 0));
    const int y = b.AddTensor("y", TensorType::INT16, {1, 4},
                              int8_in ? Quant(1.0f / 65536.0f, -32768) : Quant(1.0f / 32768.0f, 0));
    b.AddSoftmax(x, y);
    b.SetInputs({x});
    b.SetOutputs({y});
    const ir::Graph g = MustImport(b.Finish());
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0].op, ir::OpKind::kSoftmax);
    EXPECT_EQ(g.tensor(g.outputs[0]).dtype, ir::DType::kInt16);
    const std::vector<int16_t> out =
        int8_in ? Eval<int16_t>(g, {Bytes(std::vector<int8_t>{5, 5, 5, 5})})
                : Eval<int16_t>(g, {Bytes(std::vector<int16_t>{5, 5, 5, 5})});
    // A quarter each: 8192 / 32768, or 16384 / 65536 - 32768.
    EXPECT_EQ(out, std::vector<int16_t>(4, int8_in ? -16384 : 8192));
  }
}

TEST(TfliteImportOps, ActivationOperandErrors) {
  for (const auto& [op, name] : {std::pair{BuiltinOperator::LOGISTIC, "LOGISTIC"},
                                 std::pair{BuiltinOperator::TANH, "TANH"},
                                 std::pair{BuiltinOperator::HARD_SWISH, "HARD_SWISH"},
                                 std::pair{BuiltinOperator::QUANTIZE, "QUANTIZE"}}) {
    SCOPED_TRACE(name);
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {4});
    const int y = b.AddTensor("y", TensorType::FLOAT32, {4});
    b.AddOperator(op, {x, x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    ExpectOpError(MustFail(b.Finish()), "E0113", ExitCode::kFailure, name,
                  "has 2 inputs; at most 1 are expected");
  }
}

// --- QUANTIZE ---------------------------------------------------------------

TEST(TfliteImportOps, QuantizeFloatToInt8) {
  const ir::Graph g = MustImport(UnaryModel(BuiltinOperator::QUANTIZE, TensorType::FLOAT32, {5},
                                            std::nullopt, TensorType::INT8, {5}, Quant(0.5f, -3)));
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n  input %x : f32[5]\n"
            "  %y = quantize(%x) : i8[5] quant(0.5, -3) loc(\"y\")\n  output %y\n}\n");
  // round(x / 0.5) - 3, saturated: 0 -> -3, 1.2 -> -1, -1.3 -> -6, 0.75 -> 2 - 3
  // (half away from zero), 100 -> 197 -> 127.
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<float>{0.0f, 1.2f, -1.3f, 0.75f, 100.0f})}),
            (std::vector<int8_t>{-3, -1, -6, -1, 127}));
}

TEST(TfliteImportOps, QuantizeInt8Requantize) {
  const ir::Graph g = MustImport(UnaryModel(BuiltinOperator::QUANTIZE, TensorType::INT8, {5},
                                            Quant(0.5f, 1), TensorType::INT8, {5}, Quant(0.25f, -2)));
  EXPECT_EQ(ir::Print(g),
            "graph \"main\" {\n  input %x : i8[5] quant(0.5, 1)\n"
            "  %y = quantize(%x) : i8[5] quant(0.25, -2) loc(\"y\")\n  output %y\n}\n");
  // (x - 1) * 0.5 / 0.25 - 2 = 2x - 4, saturated.
  EXPECT_EQ(Eval<int8_t>(g, {Bytes(std::vector<int8_t>{1, 3, -5, 100, -100})}),
            (std::vector<int8_t>{-2, 2, -14, 127, -128}));
}

TEST(TfliteImportOps, QuantizeErrors) {
  // An int8 output without quantization parameters: the operator's check
  // names the node.
  const Diagnostic d = MustFail(UnaryModel(BuiltinOperator::QUANTIZE, TensorType::FLOAT32, {4},
                                           std::nullopt, TensorType::INT8, {4}, std::nullopt));
  EXPECT_EQ(d.id, "E0301");
  EXPECT_EQ(d.exit, ExitCode::kUnsupported);
  EXPECT_EQ(d.message, "m.tflite: node 'y' (quantize): tensor 'y' has no quantization parameters");
  // A zero scale is refused where the tensor is read.
  const Diagnostic z = MustFail(UnaryModel(BuiltinOperator::QUANTIZE, TensorType::FLOAT32, {4},
                                           std::nullopt, TensorType::INT8, {4}, Quant(0.0f, 0)));
  EXPECT_EQ(z.id, "E0116") << z.ToString();
  EXPECT_EQ(z.exit, ExitCode::kFailure);
  EXPECT_EQ(z.message.rfind("m.tflite: tensor 'y' has invalid quantization: scale 0", 0), 0u) << z.message;
}

}  // namespace
}  // namespace ember::frontend::tflite
