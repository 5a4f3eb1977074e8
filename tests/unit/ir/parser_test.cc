// ir::Parse: hand-written text, error diagnostics with line:column, and a
// mutation test (truncated/mutated printed text never crashes or hangs).
#include <random>

#include <gtest/gtest.h>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace ember::ir {
namespace {

// Expects `text` to fail with diagnostic `id` whose message starts with `pos`
// ("line:col: ") and contains `what`.
void ExpectError(const std::string& text, const std::string& id, const std::string& pos,
                 const std::string& what) {
  auto g = Parse(text);
  ASSERT_FALSE(g.ok()) << text;
  EXPECT_EQ(g.diag().id, id) << g.diag().ToString();
  EXPECT_EQ(g.diag().message.rfind(pos + ": ", 0), 0u) << g.diag().ToString();
  EXPECT_NE(g.diag().message.find(what), std::string::npos) << g.diag().ToString();
}

TEST(IrParse, HandWrittenTextWithCommentsAndForwardReferences) {
  const char* text = R"(// a comment line
graph mini {   // bare graph name
  %h = mul(%x, %two) : f32[2]   // %x and %two are declared below
  input %x : f32[2]
  const %two : f32[] = hex"00000040"
  %y = reshape(%h) {shape=[1, 2], beta=2, gamma=-1.5e3, v=f64[1, 2], e=[]} : f32[1,2]
  output %y
})";
  auto g = Parse(text);
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  EXPECT_EQ(g->name, "mini");
  ASSERT_EQ(g->tensors.size(), 4u);
  // Ids follow declaration order: h, x, two, y.
  EXPECT_EQ(g->tensors[0].name, "h");
  EXPECT_EQ(g->tensors[1].name, "x");
  EXPECT_EQ(g->tensors[2].name, "two");
  EXPECT_EQ(g->tensors[3].name, "y");
  EXPECT_EQ(g->tensors[2].data, (std::vector<uint8_t>{0, 0, 0, 0x40}));
  EXPECT_TRUE(g->tensors[2].shape.empty());
  ASSERT_EQ(g->nodes.size(), 2u);
  EXPECT_EQ(g->nodes[0].op, OpKind::kMul);
  EXPECT_EQ(g->nodes[0].inputs, (std::vector<TensorId>{1, 2}));
  EXPECT_EQ(g->nodes[0].outputs, (std::vector<TensorId>{0}));
  const Attrs& a = g->nodes[1].attrs;
  EXPECT_EQ(std::get<std::vector<int64_t>>(a.at("shape")), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(std::get<int64_t>(a.at("beta")), 2);
  EXPECT_EQ(std::get<double>(a.at("gamma")), -1500.0);
  EXPECT_EQ(std::get<std::vector<double>>(a.at("v")), (std::vector<double>{1.0, 2.0}));
  EXPECT_TRUE(std::get<std::vector<int64_t>>(a.at("e")).empty());
  EXPECT_EQ(g->inputs, (std::vector<TensorId>{1}));
  EXPECT_EQ(g->outputs, (std::vector<TensorId>{3}));
  EXPECT_TRUE(Verify(*g).ok()) << Verify(*g).ToString();
}

TEST(IrParse, InputReferencesAndAbsentResults) {
  auto g = Parse("graph \"g\" { tensor %a : i8[1] tensor %b : i8[1] input %b, %a\n"
                 "  %c, _ = relu(_, %a) : i8[1], i8[1] }");
  ASSERT_FALSE(g.ok());  // '_' cannot be declared with a type
  EXPECT_EQ(g.diag().id, "E0233");
  g = Parse("graph \"g\" { tensor %a : i8[1] tensor %b : i8[1] input %b, %a\n  %a, _ = relu(_, %b) }");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  EXPECT_EQ(g->inputs, (std::vector<TensorId>{1, 0}));
  EXPECT_EQ(g->nodes[0].outputs, (std::vector<TensorId>{0, kNoTensor}));
  EXPECT_EQ(g->nodes[0].inputs, (std::vector<TensorId>{kNoTensor, 1}));
}

TEST(IrParse, QuantForms) {
  auto g = Parse("graph g { input %x : i8[2,3] quant(axis=1, [0.5, 1, 2], [-1, 0, 1])\n"
                 "  input %y : u8[] quant(1, 128) }");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  EXPECT_EQ(g->tensors[0].quant, (QuantParams{{0.5f, 1.0f, 2.0f}, {-1, 0, 1}, 1}));
  EXPECT_EQ(g->tensors[1].quant, (QuantParams{{1.0f}, {128}, 0}));
}

TEST(IrParse, Errors) {
  ExpectError("", "E0223", "1:1", "expected 'graph', found end of input");
  ExpectError("graph g {\n  %y = relu(%x) : i8[1]\n}", "E0228", "2:13", "tensor %x is never declared");
  ExpectError("graph g {\n  %y = frobnicate(%x) : f32[]\n}", "E0226", "2:8", "unknown op 'frobnicate'");
  ExpectError("graph g {\n  input %x : f16[1]\n}", "E0225", "2:14", "unknown element type 'f16'");
  ExpectError("graph g {\n  input %x : f32[1]\n  %y = relu(%x : f32[1]\n}", "E0223", "3:16",
              "expected ')', found ':'");
  ExpectError("graph g {\n  input %x : f32[1]\n  tensor %x : f32[1]\n}", "E0227", "3:10",
              "tensor %x is declared twice");
  ExpectError("graph \"abc\n{}", "E0221", "1:11", "unterminated string");
  ExpectError("graph \"a\\q\" {}", "E0222", "1:9", "invalid escape");
  ExpectError("graph g {\n  input %x : f32[99999999999999999999]\n}", "E0224", "2:18", "does not fit");
  ExpectError("graph g {\n  input %x : f32[1]\n  %y = relu(%x) {a=[1, 2.0]} : f32[1]\n}", "E0230", "3:20",
              "mixes integers and reals");
  ExpectError("graph g {\n  input %x : f32[1]\n  %y = relu(%x) {a=1, a=2} : f32[1]\n}", "E0229", "3:23",
              "attribute 'a' is given twice");
  ExpectError("graph g {\n  const %c : i8[1] = hex\"abc\"\n}", "E0231", "2:29", "odd number of hex digits");
  ExpectError("graph g {\n  const %c : i8[1] = hex\"0g\"\n}", "E0231", "2:27", "invalid character 'g'");
  ExpectError("graph g {\n  const %c : i8[1] = <1 bytes>\n}", "E0232", "2:22", "elided");
  ExpectError("graph g {\n  input %x : f32[1]\n  %a, %b = relu(%x) : f32[1]\n}", "E0233", "3:21",
              "1 result types for 2 results");
  ExpectError("graph g {} x", "E0223", "1:12", "expected end of input after the graph");
  ExpectError("graph g { ? }", "E0220", "1:11", "unexpected character '?'");
  ExpectError("graph g { input %x : f32[1x] }", "E0224", "1:27", "invalid number");
  ExpectError("graph g { input %x : f32[1] quant(axis=4294967296, [], []) }", "E0224", "1:40",
              "does not fit in 32 bits");
  ExpectError("graph g { input % }", "E0220", "1:18", "expected a tensor name");
  ExpectError("graph g {\n  input %x : f32[1]\n  %y = relu(%x) {a=i64[1.5]} : f32[1]\n}", "E0230", "3:23",
              "i64 list holds a real");
  ExpectError("graph g { const %c : f32[] = hex\"0000\" quant(1e99, 0) }", "E0223", "1:40",
              "expected a statement");
  ExpectError("graph g { input %x : f32[] quant(1e99, 0) }", "E0224", "1:34", "out of range");
}

// A graph with every kind of statement, printed, then truncated and mutated.
std::string SampleText() {
  const char* text = R"(graph "fuzz me" {
  input %in : i8[1,4,4,2] quant(0.584702909, 83)
  const %"w;0" : i8[2,1,1,2] quant(axis=0, [0.01, 0.02], [0, 0]) = hex"0102030405060708"
  tensor %late : f32[2]
  %t1 = conv2d(%in, %"w;0", _) {act="relu", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : i8[1,4,4,2] quant(0.5, -128) loc("conv 1")
  %late = dequantize(%t1) {r=f64[], x=-2.5e-3, y=[], z="a\"b\x01"} loc("dq")
  %y, %z = strided_slice(%late) : f32[1], f32[1]
  output %y, %z
})";
  auto g = Parse(text);
  EXPECT_TRUE(g.ok()) << g.diag().ToString();
  return g.ok() ? Print(*g) : std::string(text);
}

// Parses `text`; on success the result must print, verify and re-parse to
// the same text (Print is a fixpoint of Parse).
void CheckNoCrash(const std::string& text) {
  auto g = Parse(text);
  if (!g.ok()) {
    EXPECT_FALSE(g.diag().id.empty());
    return;
  }
  (void)Verify(*g);
  const std::string printed = Print(*g);
  auto again = Parse(printed);
  ASSERT_TRUE(again.ok()) << again.diag().ToString() << "\n" << printed;
  EXPECT_EQ(Print(*again), printed);
}

TEST(IrParse, TruncatedTextNeverCrashes) {
  const std::string text = SampleText();
  for (size_t n = 0; n < text.size(); ++n) CheckNoCrash(text.substr(0, n));
  CheckNoCrash(text);
}

TEST(IrParse, MutatedTextNeverCrashes) {
  const std::string text = SampleText();
  const std::string alphabet = "%\"\\{}()[],=:_-.0123456789aefinx ghqtlp\n\t/<>";
  const char* snippets[] = {"%t1", "_", "[]", "f64[", "hex\"", "quant(", "axis=", "loc(\"", "\"", "-inf",
                            "nan", "1e999", "99999999999999999999", "//", "input %q", "output _", "()", "= "};
  std::mt19937 rng(1234);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int i = 0; i < 6000; ++i) {
    std::string m = text;
    const int edits = 1 + static_cast<int>(pick(3));
    for (int e = 0; e < edits && !m.empty(); ++e) {
      const size_t p = pick(m.size());
      switch (pick(4)) {
        case 0: m[p] = alphabet[pick(alphabet.size())]; break;
        case 1: m.erase(p, 1 + pick(8)); break;
        case 2: m.insert(p, snippets[pick(std::size(snippets))]); break;
        default: m.insert(p, m.substr(pick(m.size()), pick(24))); break;
      }
    }
    CheckNoCrash(m);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace ember::ir
