// QCDQ models (QuantizeLinear -> Clip -> DequantizeLinear, as Brevitas and
// other quantization-aware training tools export fewer bits than 8): ONNX's
// Clip of a quantized tensor clamps its stored integers, and a Clip of
// constant int8 weights folds at import.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ir/printer.h"
#include "passes/pipeline.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;
namespace pb = ::onnx;

// x -> QuantizeLinear(scale, zero, type) -> Clip(lo, hi) -> DequantizeLinear -> y.
std::vector<uint8_t> ClipModel(int32_t type, int32_t zero, int32_t lo, int32_t hi) {
  OnnxBuilder b;
  b.Input("x", {1, 8});
  b.Init("s", {}, {0.05f});
  b.InitInt("z", type, {}, {zero});
  b.InitInt("lo", type, {}, {lo});
  b.InitInt("hi", type, {}, {hi});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
  b.Node("Clip", {"q", "lo", "hi"}, {"c"});
  b.Node("DequantizeLinear", {"c", "s", "z"}, {"y"});
  b.OutputWithShape("y", {1, 8});
  return b.Bytes();
}

// ONNX's meaning: the integers clamped to the type, then to [lo, hi].
std::vector<float> Literal(const std::vector<float>& x, int32_t zero, int32_t qmin, int32_t qmax, int32_t lo, int32_t hi) {
  std::vector<float> y;
  for (float v : x) {
    const int32_t q = std::clamp(static_cast<int32_t>(std::nearbyint(v / 0.05f)) + zero, qmin, qmax);
    y.push_back(static_cast<float>(std::clamp(q, lo, hi) - zero) * 0.05f);
  }
  return y;
}

TEST(OnnxQcdq, ClipOfQuantizedActivationsClampsTheIntegers) {
  // No value on a rounding tie (x / 0.05 is never k + 0.5).
  const std::vector<float> x{-3.0f, -0.52f, -0.33f, -0.07f, 0.11f, 0.29f, 0.46f, 2.5f};
  struct Case {
    int32_t type, zero, lo, hi, qmin, qmax;
  };
  for (const Case& c : {Case{pb::TensorProto::INT8, 2, -8, 7, -128, 127},   // 4 bits, signed
                        Case{pb::TensorProto::INT8, 0, 0, 6, -128, 127},    // not a relu6 of real values
                        Case{pb::TensorProto::UINT8, 3, 0, 15, 0, 255},    // 4 bits, unsigned (held as int8)
                        Case{pb::TensorProto::UINT8, 128, 120, 135, 0, 255}}) {
    SCOPED_TRACE("type " + std::to_string(c.type) + " zero " + std::to_string(c.zero) + " clip [" +
                 std::to_string(c.lo) + ", " + std::to_string(c.hi) + "]");
    const ir::Graph g = MustImport(ClipModel(c.type, c.zero, c.lo, c.hi));
    const std::vector<float> want = Literal(x, c.zero, c.qmin, c.qmax, c.lo, c.hi);
    EXPECT_EQ(Eval(g, x), want);
    ir::Graph compiled = g;
    ASSERT_TRUE(passes::RunPipeline(compiled).ok());
    EXPECT_EQ(Eval(compiled, x), want);
    bool int8_clip = false;
    for (const ir::Node& n : compiled.nodes) {
      int8_clip |= n.op == ir::OpKind::kClip && compiled.tensor(n.outputs[0]).dtype == ir::DType::kInt8;
      EXPECT_NE(n.op, ir::OpKind::kRelu6);
    }
    EXPECT_TRUE(int8_clip) << ir::Print(compiled);
  }
}

// x -> Q -> Clip -> DQ -> Conv(DQ(Clip(w int8))) -> Q -> Clip -> DQ: the
// weights fold to clamped int8 constants, the convolution becomes int8,
// and the compiled graph computes what the imported one does.
TEST(OnnxQcdq, FourBitConvolutionFoldsToInt8) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 5, 5});
  b.Init("s", {}, {0.05f});
  b.InitInt("z", pb::TensorProto::INT8, {}, {0});
  b.InitInt("lo", pb::TensorProto::INT8, {}, {-8});
  b.InitInt("hi", pb::TensorProto::INT8, {}, {7});
  std::vector<int32_t> w;
  for (int k = 0; k < 3 * 2 * 3 * 3; ++k) w.push_back((k * 37) % 41 - 20);  // -20..20: many outside [-8, 7]
  b.InitInt("w", pb::TensorProto::INT8, {3, 2, 3, 3}, w);
  b.Init("ws", {3}, {0.1f, 0.05f, 0.2f});
  b.InitInt("wz", pb::TensorProto::INT8, {3}, {0, 0, 0});
  b.Init("ys", {}, {0.25f});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.Node("Clip", {"xq", "lo", "hi"}, {"xc"});
  b.Node("DequantizeLinear", {"xc", "s", "z"}, {"xd"});
  b.Node("Clip", {"w", "lo", "hi"}, {"wc"});
  b.Node("DequantizeLinear", {"wc", "ws", "wz"}, {"wd"}).Int("axis", 0);
  b.Node("Conv", {"xd", "wd"}, {"c"}).Ints("pads", {1, 1, 1, 1});
  b.Node("QuantizeLinear", {"c", "ys", "z"}, {"cq"});
  b.Node("Clip", {"cq", "lo", "hi"}, {"cc"});
  b.Node("DequantizeLinear", {"cc", "ys", "z"}, {"y"});
  b.OutputWithShape("y", {1, 3, 5, 5});
  const ir::Graph g = MustImport(b.Bytes());
  ir::Graph compiled = g;
  ASSERT_TRUE(passes::RunPipeline(compiled).ok());
  const ir::Node* conv = nullptr;
  for (const ir::Node& n : compiled.nodes) {
    if (n.op == ir::OpKind::kConv2D) conv = &n;
  }
  ASSERT_NE(conv, nullptr) << ir::Print(compiled);
  EXPECT_EQ(compiled.tensor(conv->outputs[0]).dtype, ir::DType::kInt8) << ir::Print(compiled);
  const ir::Tensor& wt = compiled.tensor(conv->inputs[1]);
  ASSERT_EQ(wt.dtype, ir::DType::kInt8);
  ASSERT_TRUE(wt.is_const());
  ASSERT_EQ(wt.data->size(), w.size());
  int8_t wmin = 127, wmax = -128;
  for (uint8_t byte : *wt.data) {
    const auto v = static_cast<int8_t>(byte);
    wmin = std::min(wmin, v);
    wmax = std::max(wmax, v);
  }
  EXPECT_EQ(wmin, -8);
  EXPECT_EQ(wmax, 7);
  std::vector<float> x(50);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.013f * static_cast<float>((i * 29) % 61) - 0.4f;
  // The compiled graph takes and gives NHWC (docs/frontend-onnx.md, layout).
  std::vector<float> x_nhwc(50);
  for (size_t p = 0; p < 25; ++p)
    for (size_t ch = 0; ch < 2; ++ch) x_nhwc[p * 2 + ch] = x[ch * 25 + p];
  const std::vector<float> imported = Eval(g, x), folded = Eval(compiled, x_nhwc);
  ASSERT_EQ(imported.size(), 75u);
  std::vector<float> nchw(75);
  for (size_t p = 0; p < 25; ++p)
    for (size_t ch = 0; ch < 3; ++ch) nchw[ch * 25 + p] = folded[p * 3 + ch];
  EXPECT_EQ(nchw, imported);
  for (float v : imported) {
    EXPECT_GE(v, -8 * 0.25f);
    EXPECT_LE(v, 7 * 0.25f);
  }
}

// ONNX's arithmetic on a quantized 8-bit tensor computes on its stored
// integers (wrapping modulo 256), not on the real values they stand for:
// x -> QuantizeLinear (int8 zero point 5, or uint8 zero point 130) -> OP ->
// DequantizeLinear, against that definition computed here.
TEST(OnnxQuantizedIntegers, ArithmeticComputesOnTheStoredIntegers) {
  const std::vector<float> x{-7.0f, -1.02f, -0.33f, -0.07f, 0.11f, 0.29f, 0.46f, 6.5f};
  struct Op {
    const char* name;
    int (*f)(int a, int b);  // b: the second operand (the input quantized at scale 0.1, or the constant 2)
    bool second_is_input;
  };
  const Op ops[] = {
      {"Relu", [](int a, int) { return std::max(a, 0); }, false},
      {"Abs", [](int a, int) { return a < 0 ? -a : a; }, false},
      {"Neg", [](int a, int) { return -a; }, false},
      {"Add", [](int a, int b) { return a + b; }, true},
      {"Sub", [](int a, int b) { return a - b; }, true},
      {"Mul", [](int a, int b) { return a * b; }, false},
      {"Max", [](int a, int b) { return std::max(a, b); }, true},
  };
  for (const bool u8 : {false, true}) {
    const int32_t type = u8 ? pb::TensorProto::UINT8 : pb::TensorProto::INT8;
    const int zero = u8 ? 130 : 5, lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
    const auto wrap = [&](int v) { return u8 ? ((v % 256) + 256) % 256 : static_cast<int8_t>(static_cast<uint8_t>(v & 0xFF)); };
    const auto quant = [&](float v, float s, int z) { return std::clamp(static_cast<int>(std::nearbyint(v / s)) + z, lo, hi); };
    for (const Op& op : ops) {
      SCOPED_TRACE(std::string(op.name) + (u8 ? " uint8" : " int8"));
      if (u8 && (std::string(op.name) == "Relu" || std::string(op.name) == "Neg")) continue;  // signed types only
      OnnxBuilder b(14);
      b.Input("x", {1, 8});
      b.Init("s", {}, {0.05f});
      b.Init("s2", {}, {0.1f});
      b.InitInt("z", type, {}, {zero});
      b.InitInt("two", type, {}, {2});
      b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
      b.Node("QuantizeLinear", {"x", "s2", "z"}, {"q2"});
      const bool unary = std::string(op.name) == "Relu" || std::string(op.name) == "Abs" || std::string(op.name) == "Neg";
      if (unary) b.Node(op.name, {"q"}, {"r"});
      else b.Node(op.name, {"q", op.second_is_input ? "q2" : "two"}, {"r"});
      b.Node("DequantizeLinear", {"r", "s", "z"}, {"y"});
      b.OutputWithShape("y", {1, 8});
      const ir::Graph g = MustImport(b.Bytes());
      std::vector<float> want;
      for (float v : x) {
        const int r = wrap(op.f(quant(v, 0.05f, zero), op.second_is_input ? quant(v, 0.1f, zero) : 2));
        want.push_back(static_cast<float>(r - zero) * 0.05f);
      }
      EXPECT_EQ(Eval(g, x), want);
      ir::Graph compiled = g;
      ASSERT_TRUE(passes::RunPipeline(compiled).ok());
      EXPECT_EQ(Eval(compiled, x), want);
    }
  }
}

// The same on 16-bit activations (ONNX Runtime's com.microsoft
// QuantizeLinear / DequantizeLinear): wrapping modulo 2^16, and a Clip of
// the integers.
TEST(OnnxQuantizedIntegers, Int16ArithmeticComputesOnTheStoredIntegers) {
  const std::vector<float> x{-3.0f, -1.234f, -0.0071f, 0.0f, 0.42f, 1.7f, 2.5f, 3.2f};
  struct Op {
    const char* name;
    int (*f)(int a, int b);
  };
  const Op ops[] = {{"Add", [](int a, int b) { return a + b; }},
                    {"Mul", [](int a, int) { return a * 3; }},
                    {"Relu", [](int a, int) { return std::max(a, 0); }},
                    {"Clip", [](int a, int) { return std::clamp(a, -100, 1000); }}};
  for (const Op& op : ops) {
    SCOPED_TRACE(op.name);
    OnnxBuilder b(14);
    b.Domain("com.microsoft", 1);
    b.Input("x", {1, 8});
    b.Init("s", {}, {0.0001f});
    b.InitInt("z", pb::TensorProto::INT16, {}, {-7});
    b.InitInt("three", pb::TensorProto::INT16, {}, {3});
    b.InitInt("lo", pb::TensorProto::INT16, {}, {-100});
    b.InitInt("hi", pb::TensorProto::INT16, {}, {1000});
    b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"}).proto()->set_domain("com.microsoft");
    const std::string name = op.name;
    if (name == "Add") b.Node("Add", {"q", "q"}, {"r"});
    if (name == "Mul") b.Node("Mul", {"q", "three"}, {"r"});
    if (name == "Relu") b.Node("Relu", {"q"}, {"r"});
    if (name == "Clip") b.Node("Clip", {"q", "lo", "hi"}, {"r"});
    b.Node("DequantizeLinear", {"r", "s", "z"}, {"y"}).proto()->set_domain("com.microsoft");
    b.OutputWithShape("y", {1, 8});
    const ir::Graph g = MustImport(b.Bytes());
    std::vector<float> want;
    for (float v : x) {
      const int q = std::clamp(static_cast<int>(std::nearbyint(v / 0.0001f)) - 7, -32768, 32767);
      const int r = static_cast<int16_t>(static_cast<uint16_t>(op.f(q, q) & 0xFFFF));  // wraps
      want.push_back(static_cast<float>(r + 7) * 0.0001f);
    }
    EXPECT_EQ(Eval(g, x), want);
    ir::Graph compiled = g;
    ASSERT_TRUE(passes::RunPipeline(compiled).ok());
    EXPECT_EQ(Eval(compiled, x), want);
  }
}

// x[1, n] -> q (int8, scale 0.05, zero point 5) and q2 (int8, scale 0.1, zero point 0).
void TwoQuantizations(OnnxBuilder& b, int64_t n) {
  b.Input("x", {1, n});
  b.Init("s", {}, {0.05f});
  b.Init("s2", {}, {0.1f});
  b.InitInt("z", pb::TensorProto::INT8, {}, {5});
  b.InitInt("z0", pb::TensorProto::INT8, {}, {0});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
  b.Node("QuantizeLinear", {"x", "s2", "z0"}, {"q2"});
}

// Comparisons of two quantizations of one tensor compare the integers:
// round(x / 0.05) + 5 against round(x / 0.1).
TEST(OnnxQuantizedIntegers, ComparisonsCompareTheStoredIntegers) {
  const std::vector<float> x{-1.0f, -0.33f, -0.07f, 0.0f, 0.11f, 0.46f, 1.52f, -2.0f};
  struct Cmp {
    const char* name;
    bool (*f)(int a, int b);
  };
  const Cmp cmps[] = {{"Equal", [](int a, int b) { return a == b; }},
                      {"Less", [](int a, int b) { return a < b; }},
                      {"LessOrEqual", [](int a, int b) { return a <= b; }},
                      {"Greater", [](int a, int b) { return a > b; }},
                      {"GreaterOrEqual", [](int a, int b) { return a >= b; }}};
  for (const Cmp& c : cmps) {
    SCOPED_TRACE(c.name);
    OnnxBuilder b(16);
    TwoQuantizations(b, 8);
    b.Node(c.name, {"q", "q2"}, {"b"});
    b.Node("Cast", {"b"}, {"y"}).Int("to", pb::TensorProto::FLOAT);
    b.OutputWithShape("y", {1, 8});
    const ir::Graph g = MustImport(b.Bytes());
    std::vector<float> want;
    for (float v : x) {
      const int a = static_cast<int>(std::nearbyint(v / 0.05f)) + 5, bq = static_cast<int>(std::nearbyint(v / 0.1f));
      want.push_back(c.f(a, bq) ? 1.0f : 0.0f);
    }
    EXPECT_EQ(Eval(g, x), want);
  }
}

// Concat of quantized tensors joins their stored integers, whatever their
// scales; DequantizeLinear then reads them with its own.
TEST(OnnxQuantizedIntegers, ConcatJoinsTheStoredIntegers) {
  OnnxBuilder b(13);
  TwoQuantizations(b, 4);
  b.Node("Concat", {"q", "q2"}, {"c"}).Int("axis", 1);
  b.Node("DequantizeLinear", {"c", "s", "z"}, {"y"});
  b.OutputWithShape("y", {1, 8});
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x{-1.0f, -0.33f, 0.11f, 1.52f};
  std::vector<float> want;
  for (float v : x) want.push_back(static_cast<float>(static_cast<int>(std::nearbyint(v / 0.05f)) + 5 - 5) * 0.05f);
  for (float v : x) want.push_back(static_cast<float>(static_cast<int>(std::nearbyint(v / 0.1f)) - 5) * 0.05f);
  EXPECT_EQ(Eval(g, x), want);
}

// Where choosing between a quantized uint8 tensor's integers and a uint8
// constant copies the stored integers (refused before: E0301), before and
// after the passes: round(x / 0.05) + 131, else 7, dequantized with zero
// point 131.
TEST(OnnxQuantizedIntegers, WhereChoosesTheStoredUint8Integers) {
  OnnxBuilder b(13);
  b.Input("x", {1, 4});
  b.Init("s", {}, {0.05f});
  b.InitInt("z", pb::TensorProto::UINT8, {}, {131});
  b.InitInt("seven", pb::TensorProto::UINT8, {}, {7});
  b.InitInt("c", pb::TensorProto::BOOL, {4}, {1, 0, 1, 1});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
  b.Node("Where", {"c", "q", "seven"}, {"w"});
  b.Node("DequantizeLinear", {"w", "s", "z"}, {"y"});
  b.OutputWithShape("y", {1, 4});
  ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x{-1.0f, -0.33f, 0.11f, 9.0f};
  const std::vector<float> want{static_cast<float>(-20) * 0.05f, static_cast<float>(7 - 131) * 0.05f,
                                static_cast<float>(2) * 0.05f, static_cast<float>(255 - 131) * 0.05f};
  EXPECT_EQ(Eval(g, x), want);
  ASSERT_TRUE(passes::RunPipeline(g).ok());
  EXPECT_EQ(Eval(g, x), want);
}

}  // namespace
}  // namespace ember::frontend::onnx
