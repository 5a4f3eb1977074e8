// materialize-outputs: text in, text out, and the results before and after;
// the generated code then writes every output (a constant output used to be
// left unwritten).
#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

TEST(MaterializeOutputs, ConstantInputAndRepeatedOutputsGetCopies) {
  const std::string c = HexFloats({1.0f, 2.0f});
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[4]\n"
                         "  const %s : f32[2] = " + c + "\n"
                         "  %y = relu(%x) : f32[4]\n"
                         "  output %y, %s, %y, %x\n"
                         "}\n";
  const std::string want = "graph \"g\" {\n"
                           "  input %x : f32[4]\n"
                           "  %y = relu(%x) : f32[4]\n"
                           "  const %s_value : f32[2] = " + c + "\n"
                           "  %s = reshape(%s_value) {shape=[2]} : f32[2]\n"
                           "  %y_2 = reshape(%y) {shape=[4]} : f32[4]\n"
                           "  %x_2 = reshape(%x) {shape=[4]} : f32[4]\n"
                           "  output %y, %s, %y_2, %x_2\n"
                           "}\n";
  EXPECT_EQ(RunText("materialize-outputs", in), want);
  ExpectSameResults(ParseValid(in), ParseValid(want), 0.0f);
}

TEST(MaterializeOutputs, QuantizedOutputKeepsItsQuantizationAndOtherGraphsStay) {
  const std::string in = "graph \"g\" {\n"
                         "  input %x : i8[2] quant(0.5, -3)\n"
                         "  output %x\n"
                         "}\n";
  ExpectMatches(RunText("materialize-outputs", in), R"(
    %x_2 = reshape(%x) {shape=[2]} : i8[2] quant(0.5, -3)
    output %x_2
  )");
  const std::string plain = "graph \"g\" {\n"
                            "  input %x : f32[4]\n"
                            "  %y = relu(%x) : f32[4]\n"
                            "  output %y\n"
                            "}\n";
  EXPECT_EQ(RunText("materialize-outputs", plain), plain);
}

}  // namespace
}  // namespace ember::passes::test
