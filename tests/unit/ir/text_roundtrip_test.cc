// Print/Parse round trip of the IR text form (docs/ir.md) on hand-built graphs.
#include <cmath>
#include <cstring>
#include <limits>

#include <gtest/gtest.h>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace ember::ir {
namespace {

Tensor T(std::string name, DType dt, Shape shape) {
  Tensor t;
  t.name = std::move(name);
  t.dtype = dt;
  t.shape = std::move(shape);
  return t;
}

Tensor Q(std::string name, Shape shape, float scale, int64_t zp) {
  Tensor t = T(std::move(name), DType::kInt8, std::move(shape));
  t.quant = QuantParams{{scale}, {zp}, 0};
  return t;
}

// Parses `text`, failing the test with the diagnostic when it does not parse.
Graph MustParse(const std::string& text) {
  auto g = Parse(text);
  EXPECT_TRUE(g.ok()) << g.diag().ToString() << "\n" << text;
  return g.ok() ? *g : Graph();
}

void ExpectRoundTrip(const Graph& g) {
  const std::string text = Print(g);
  const Graph back = MustParse(text);
  EXPECT_TRUE(back == g) << text << "\nreprinted:\n" << Print(back);
  EXPECT_EQ(Print(back), text);
}

// A small conv -> softmax graph using most features of the notation.
Graph KwsLike() {
  Graph g;
  g.name = "kws";
  const TensorId in = g.AddTensor(Q("input", {1, 49, 10, 1}, 0.584702909f, 83));
  Tensor w = T("conv/w", DType::kInt8, {2, 1, 1, 1});
  w.quant = QuantParams{{0.01f, 0.02f}, {0, 0}, 0};
  w.data = std::vector<uint8_t>{0x0a, 0xf6};
  const TensorId wid = g.AddTensor(w);
  Tensor b = T("b0", DType::kInt32, {2});
  b.data = std::vector<uint8_t>{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  const TensorId bid = g.AddTensor(b);
  const TensorId t1 = g.AddTensor(Q("t1", {1, 49, 10, 2}, 0.5f, -128));
  const TensorId y = g.AddTensor(Q("y", {1, 49, 10, 2}, 1.0f / 256.0f, -128));
  Node conv;
  conv.op = OpKind::kConv2D;
  conv.name = "conv1";
  conv.inputs = {in, wid, bid};
  conv.outputs = {t1};
  conv.attrs = {{"act", std::string("relu")},
                {"dilation", std::vector<int64_t>{1, 1}},
                {"pad", std::vector<int64_t>{0, 0, 0, 0}},
                {"stride", std::vector<int64_t>{1, 1}}};
  g.nodes.push_back(conv);
  Node sm;
  sm.op = OpKind::kSoftmax;
  sm.inputs = {t1};
  sm.outputs = {y};
  sm.attrs = {{"beta", 1.0}};
  g.nodes.push_back(sm);
  g.inputs = {in};
  g.outputs = {y};
  return g;
}

TEST(IrText, GoldenTinyGraph) {
  Graph g = KwsLike();
  const std::string expected =
      "graph \"kws\" {\n"
      "  input %input : i8[1,49,10,1] quant(0.5847029, 83)\n"
      "  const %conv/w : i8[2,1,1,1] quant(axis=0, [0.01, 0.02], [0, 0]) = hex\"0af6\"\n"
      "  const %b0 : i32[2] = hex\"01000000ffffffff\"\n"
      "  %t1 = conv2d(%input, %conv/w, %b0) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], "
      "stride=[1,1]} : i8[1,49,10,2] quant(0.5, -128) loc(\"conv1\")\n"
      "  %y = softmax(%t1) {beta=1.0} : i8[1,49,10,2] quant(0.00390625, -128)\n"
      "  output %y\n"
      "}\n";
  EXPECT_EQ(Print(g), expected);
  EXPECT_TRUE(MustParse(expected) == g);
  EXPECT_TRUE(Verify(g).ok()) << Verify(g).ToString();
}

TEST(IrText, GoldenElidedConstants) {
  Graph g = KwsLike();
  const std::string text = Print(g, PrintOptions{false});
  EXPECT_NE(text.find("const %b0 : i32[2] = <8 bytes>\n"), std::string::npos) << text;
  auto parsed = Parse(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.diag().id, "E0232");
}

TEST(IrText, RoundTripKwsLike) { ExpectRoundTrip(KwsLike()); }

TEST(IrText, RoundTripEmptyGraph) {
  Graph g;
  ExpectRoundTrip(g);
  g.name = "";
  ExpectRoundTrip(g);
}

TEST(IrText, RoundTripAwkwardNames) {
  Graph g;
  g.name = "model \"v2\"\n\\";
  const TensorId a = g.AddTensor(T("serving_default_input_1:0", DType::kFloat32, {1}));
  const TensorId b = g.AddTensor(T("seq/conv2d/Relu;seq/conv2d/BiasAdd;x y", DType::kFloat32, {1}));
  const TensorId c = g.AddTensor(T("t\ttab\x01\xff", DType::kFloat32, {1}));
  const TensorId d = g.AddTensor(T("123", DType::kFloat32, {1}));
  const TensorId e = g.AddTensor(T("/leading/slash", DType::kFloat32, {1}));
  const TensorId f = g.AddTensor(T("%\"", DType::kFloat32, {1}));
  g.inputs = {a};
  auto add = [&](TensorId x, TensorId y, TensorId out, std::string name) {
    Node n;
    n.op = OpKind::kAdd;
    n.inputs = {x, y};
    n.outputs = {out};
    n.name = std::move(name);
    g.nodes.push_back(n);
  };
  add(a, a, b, "add;\"1\"");
  add(b, b, c, "");
  add(c, c, d, "n\n2");
  add(d, d, e, "x");
  add(e, e, f, "y");
  g.outputs = {f, e};
  ExpectRoundTrip(g);
  EXPECT_TRUE(Verify(g).ok()) << Verify(g).ToString();
}

// Names of any bytes (as the IR holds them) and the escaped form the TFLite
// frontend gives names that are not UTF-8 (support/utf8.h) both round-trip.
TEST(IrText, RoundTripNamesOfAnyBytesAndTheirEscapes) {
  Graph g;
  g.name = std::string("\0\x80\xff", 3);
  const TensorId a = g.AddTensor(T("\xc3\x28\xa0\xa1\xe2\x82", DType::kFloat32, {1}));
  const TensorId b = g.AddTensor(T("in\\xff", DType::kFloat32, {1}));
  const TensorId c = g.AddTensor(T("x\\\\y\\xfe", DType::kFloat32, {1}));
  g.inputs = {a};
  Node n;
  n.op = OpKind::kAdd;
  n.inputs = {a, b};
  n.outputs = {c};
  n.name = "sum\\xe9\xe9";
  g.nodes.push_back(n);
  g.outputs = {c};
  ExpectRoundTrip(g);
}

TEST(IrText, RoundTripScalarsAndAllDtypes) {
  Graph g;
  for (DType dt : {DType::kInt8, DType::kUInt8, DType::kInt16, DType::kInt32, DType::kInt64, DType::kFloat32,
                   DType::kBool}) {
    Tensor t = T(std::string("c_") + DTypeName(dt), dt, {});
    t.data = std::vector<uint8_t>(DTypeSize(dt), 0x5a);
    g.AddTensor(t);
  }
  g.AddTensor(T("empty", DType::kFloat32, {0, 3}));
  g.tensors.back().data = std::vector<uint8_t>{};
  ExpectRoundTrip(g);
  EXPECT_NE(Print(g).find("const %c_i8 : i8[] = hex\"5a\""), std::string::npos);
}

TEST(IrText, RoundTripFloatBitPatterns) {
  Graph g;
  const float scales[] = {0.584702909f, 1.0f, 1e-30f, 3.4028235e38f, std::numeric_limits<float>::denorm_min(),
                          0.1f, 1.0f / 3.0f, 123456792.0f};
  Tensor t = T("w", DType::kInt8, {8});
  t.quant = QuantParams{{}, {}, 0};
  for (float s : scales) {
    t.quant->scale.push_back(s);
    t.quant->zero_point.push_back(-1);
  }
  g.AddTensor(t);
  Tensor u = T("u", DType::kInt8, {8});
  u.quant = QuantParams{{std::numeric_limits<float>::infinity()}, {3}, 2};  // axis kept even per-tensor
  g.AddTensor(u);
  ExpectRoundTrip(g);
  const Graph back = MustParse(Print(g));
  ASSERT_EQ(back.tensors.size(), 2u);
  for (size_t i = 0; i < 8; ++i) {
    uint32_t want, got;
    std::memcpy(&want, &scales[i], 4);
    std::memcpy(&got, &back.tensors[0].quant->scale[i], 4);
    EXPECT_EQ(got, want) << i;
  }
}

TEST(IrText, RoundTripAllAttributeTypes) {
  Graph g;
  const TensorId x = g.AddTensor(T("x", DType::kFloat32, {2}));
  const TensorId y = g.AddTensor(T("y", DType::kFloat32, {2}));
  Node n;
  n.op = OpKind::kStridedSlice;
  n.inputs = {x};
  n.outputs = {y};
  n.attrs = {{"i", int64_t{-9223372036854775807 - 1}},
             {"i_max", int64_t{9223372036854775807}},
             {"r_int", 1.0},
             {"r_big", 1e300},
             {"r_tiny", 5e-324},
             {"r_neg0", -0.0},
             {"r_third", 1.0 / 3.0},
             {"r_inf", -std::numeric_limits<double>::infinity()},
             {"r_2p53", 9007199254740992.0},
             {"s", std::string("a \"quoted\"\\ value\n")},
             {"s_empty", std::string()},
             {"li_empty", std::vector<int64_t>{}},
             {"lr_empty", std::vector<double>{}},
             {"li", std::vector<int64_t>{-1, 0, 7}},
             {"lr", std::vector<double>{2.0, 0.5, -3.0}},
             {"weird key/1", int64_t{0}},
             {"9lives", int64_t{9}}};
  g.nodes.push_back(n);
  g.inputs = {x};
  g.outputs = {y};
  ExpectRoundTrip(g);
  const Graph back = MustParse(Print(g));
  ASSERT_EQ(back.nodes.size(), 1u);
  const Attrs& a = back.nodes[0].attrs;
  EXPECT_TRUE(std::holds_alternative<double>(a.at("r_int")));
  EXPECT_TRUE(std::holds_alternative<std::vector<int64_t>>(a.at("li_empty")));
  EXPECT_TRUE(std::holds_alternative<std::vector<double>>(a.at("lr_empty")));
  EXPECT_TRUE(std::signbit(std::get<double>(a.at("r_neg0"))));
}

TEST(IrText, RoundTripOptionalOperandsAndMultipleOutputs) {
  Graph g;
  const TensorId x = g.AddTensor(Q("x", {1, 4}, 0.5f, 0));
  Tensor w = Q("w", {2, 4}, 0.25f, 0);
  w.data = std::vector<uint8_t>(8, 1);
  const TensorId wid = g.AddTensor(w);
  const TensorId y = g.AddTensor(Q("y", {1, 2}, 0.5f, 0));
  const TensorId z = g.AddTensor(Q("z", {1, 2}, 0.5f, 0));
  Node fc;
  fc.op = OpKind::kFullyConnected;
  fc.inputs = {x, wid, kNoTensor};
  fc.outputs = {y, z};  // two outputs, declared inline together
  g.nodes.push_back(fc);
  g.inputs = {x};
  g.outputs = {z, y};
  const std::string text = Print(g);
  EXPECT_NE(text.find("%y, %z = fully_connected(%x, %w, _) : i8[1,2] quant(0.5, 0), i8[1,2] quant(0.5, 0)"),
            std::string::npos)
      << text;
  ExpectRoundTrip(g);
}

// Tensor ids that do not follow node order force standalone declarations.
TEST(IrText, RoundTripTensorIdsOutOfNodeOrder) {
  Graph g;
  const TensorId y = g.AddTensor(T("y", DType::kFloat32, {4}));      // produced by the last node
  const TensorId orphan = g.AddTensor(T("orphan", DType::kInt8, {}));  // no role at all
  Tensor c = T("c", DType::kFloat32, {});
  c.data = std::vector<uint8_t>{0, 0, 128, 63};
  const TensorId cid = g.AddTensor(c);
  const TensorId h = g.AddTensor(T("h", DType::kFloat32, {4}));
  const TensorId x2 = g.AddTensor(T("x2", DType::kFloat32, {4}));
  const TensorId x1 = g.AddTensor(T("x1", DType::kFloat32, {4}));
  (void)orphan;
  Node a;
  a.op = OpKind::kMul;
  a.inputs = {x1, cid};
  a.outputs = {h};
  Node b;
  b.op = OpKind::kAdd;
  b.inputs = {h, x2};
  b.outputs = {y};
  g.nodes = {a, b};
  g.inputs = {x1, x2};  // not in id order
  g.outputs = {y};
  ExpectRoundTrip(g);
  EXPECT_TRUE(Verify(g).ok()) << Verify(g).ToString();
}

TEST(IrText, RoundTripLargeConstant) {
  Graph g;
  Tensor w = T("big", DType::kInt8, {250000});
  w.data = std::vector<uint8_t>(250000);
  for (size_t i = 0; i < w.data->size(); ++i) (*w.data)[i] = static_cast<uint8_t>(i * 7 + (i >> 8));
  g.AddTensor(w);
  const std::string text = Print(g);
  // Wrapped: no line is longer than 200 characters.
  size_t longest = 0, start = 0;
  for (size_t p = text.find('\n'); p != std::string::npos; start = p + 1, p = text.find('\n', start))
    longest = std::max(longest, p - start);
  EXPECT_LT(longest, 200u);
  ExpectRoundTrip(g);
}

// Graphs that fail Verify still print, and round-trip whenever their names are unique.
TEST(IrText, RoundTripInvalidButNameable) {
  Graph g;
  const TensorId a = g.AddTensor(T("a", DType::kInt8, {-1, 2}));
  Tensor k = T("k", DType::kInt8, {3});
  k.data = std::vector<uint8_t>{1};  // wrong size
  const TensorId kid = g.AddTensor(k);
  const TensorId b = g.AddTensor(T("b", DType::kInt8, {1}));
  Node n1;
  n1.op = OpKind::kRelu;
  n1.inputs = {b};  // used before defined
  n1.outputs = {kid, kNoTensor};
  Node n2;
  n2.op = OpKind::kRelu;
  n2.inputs = {};
  n2.outputs = {};
  Node n3;
  n3.op = OpKind::kTanh;
  n3.inputs = {a};
  n3.outputs = {b};
  g.nodes = {n1, n2, n3};
  g.inputs = {kid, a, a};
  g.outputs = {kNoTensor, b};
  EXPECT_FALSE(Verify(g).ok());
  ExpectRoundTrip(g);
}

TEST(IrText, PrintsUnnameableGraphsWithoutCrashing) {
  Graph g;
  g.AddTensor(T("dup", DType::kInt8, {1}));
  g.AddTensor(T("dup", DType::kInt8, {1}));
  Node n;
  n.op = static_cast<OpKind>(999);
  n.inputs = {57, -5};
  n.outputs = {1};
  g.nodes.push_back(n);
  g.outputs = {42};
  const std::string text = Print(g);
  EXPECT_NE(text.find("<invalid op 999>"), std::string::npos) << text;
  EXPECT_NE(text.find("<invalid tensor 57>"), std::string::npos) << text;
  EXPECT_FALSE(Parse(text).ok());
}

}  // namespace
}  // namespace ember::ir

namespace ember::ir {
namespace {

// Tensor::source_layout prints as layout("...") after the type and reads back.
TEST(IrText, SourceLayoutRoundTrips) {
  const std::string text = R"(graph "g" {
  input %x : f32[1,8,8,3] layout("NCHW")
  %y = relu(%x) : i8[1,8,8,3] quant(0.5, 1) layout("NCHW")
  output %y
}
)";
  auto g = Parse(text);
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  EXPECT_EQ(g->tensor(0).source_layout, "NCHW");
  EXPECT_EQ(g->tensor(1).source_layout, "NCHW");
  EXPECT_EQ(Print(*g), text);
  EXPECT_FALSE(Parse("graph \"g\" {\n  input %x : f32[1] layout(NCHW)\n}\n").ok());
}

}  // namespace
}  // namespace ember::ir
