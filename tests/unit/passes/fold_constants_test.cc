// fold-constants: nodes whose operands are all constants become constants.
#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

TEST(FoldConstants, TransposeAndAddOfConstantsFold) {
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[2,3]\n"
                         "  const %a : f32[3,2] = " + HexFloats({1, 2, 3, 4, 5, 6}) + "\n"
                         "  const %one : f32[1] = " + HexFloats({1}) + "\n"
                         "  %at = transpose(%a) {perm=[1,0]} : f32[2,3]\n"
                         "  %k = add(%at, %one) : f32[2,3]\n"
                         "  %y = mul(%x, %k) : f32[2,3]\n"
                         "  output %y\n"
                         "}\n";
  const std::string want = "graph \"g\" {\n"
                           "  input %x : f32[2,3]\n"
                           "  const %k : f32[2,3] = " + HexFloats({2, 4, 6, 3, 5, 7}) + "\n"
                           "  %y = mul(%x, %k) : f32[2,3]\n"
                           "  output %y\n"
                           "}\n";
  EXPECT_EQ(RunText("fold-constants", in), want);
  ExpectSameResults(ParseValid(in), ParseValid(want), 0.0f);
}

TEST(FoldConstants, QuantizeOfAConstantFoldsExactly) {
  // -1, 0.25, 3, 100 at scale 0.5: -2, 1 (half away from zero), 6, 127 (clamped).
  const std::string in = "graph \"g\" {\n"
                         "  input %x : i8[4] quant(0.5, 0)\n"
                         "  const %c : f32[4] = " + HexFloats({-1, 0.25f, 3, 100}) + "\n"
                         "  %q = quantize(%c) : i8[4] quant(0.5, 0)\n"
                         "  %y = add(%x, %q) : i8[4] quant(0.5, 0)\n"
                         "  output %y\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-constants", before);
  ExpectMatches(ir::Print(after), R"(
    const %q : i8[4] quant(0.5, 0) = hex"fe01067f"
    %y = add(%x, %q)
    NOT quantize(
  )");
  ExpectSameResults(before, after);
}

TEST(FoldConstants, KeepsDequantizeOutputsAndLargeResults) {
  // dequantize of int8 weights stays (QDQ); a graph output stays computed; a
  // broadcast that would make a constant larger than fold_max_bytes and than
  // its operands stays.
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[64,64]\n"
                         "  const %q : i8[2] quant(0.5, 0) = hex\"0102\"\n"
                         "  const %row : f32[64] = " + HexRandom(64, 1) + "\n"
                         "  const %col : f32[64,1] = " + HexRandom(64, 2) + "\n"
                         "  %d = dequantize(%q) : f32[2]\n"
                         "  %big = add(%row, %col) : f32[64,64]\n"
                         "  %y = mul(%x, %big) : f32[64,64]\n"
                         "  %r = relu(%row) : f32[64]\n"
                         "  output %y, %d, %r\n"
                         "}\n";
  EXPECT_EQ(RunText("fold-constants", in), ir::Print(ParseValid(in)));
  PassOptions o;
  o.fold_max_bytes = 1 << 20;
  ExpectMatches(RunText("fold-constants", in, o), R"(
    %d = dequantize(%q)
    const %big : f32[64,64]
    NOT = add(
  )");
}

}  // namespace
}  // namespace ember::passes::test
