// ir::ToDot: Graphviz output for a tiny graph, written out by hand.
#include <gtest/gtest.h>

#include "ir/dot.h"
#include "ir/parser.h"

namespace ember::ir {
namespace {

TEST(IrDot, TinyGraph) {
  auto g = Parse(R"(graph "tiny" {
  input %x : i8[1,4] quant(0.5, 0)
  const %w : i8[2,4] = hex"0102030405060708"
  %y = fully_connected(%x, %w, _) : i8[1,2] loc("fc \"1\"")
  %z = relu(%y) : i8[1,2]
  output %z
})");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  const std::string expected =
      "digraph \"tiny\" {\n"
      "  rankdir=TB;\n"
      "  node [fontname=\"Helvetica\"];\n"
      "  t0 [shape=ellipse, label=\"x\\ni8[1,4]\"];\n"
      "  n0 [shape=box, label=\"fully_connected\\nfc \\\"1\\\"\\ni8[1,2]\"];\n"
      "  n1 [shape=box, label=\"relu\\ni8[1,2]\"];\n"
      "  t0 -> n0;\n"
      "  c0_1 [shape=note, fontsize=8, color=gray, label=\"w\\ni8[2,4]\"];\n"
      "  c0_1 -> n0 [color=gray];\n"
      "  n0 -> n1;\n"
      "  out0 [shape=ellipse, label=\"z\\ni8[1,2]\"];\n"
      "  n1 -> out0;\n"
      "}\n";
  EXPECT_EQ(ToDot(*g), expected);
}

TEST(IrDot, InvalidGraphDoesNotCrash) {
  Graph g;
  Node n;
  n.op = static_cast<OpKind>(-3);
  n.inputs = {4, kNoTensor};
  n.outputs = {9};
  g.nodes.push_back(n);
  g.inputs = {7};
  g.outputs = {-2};
  const std::string dot = ToDot(g);
  EXPECT_NE(dot.find("n0 [shape=box, label=\"?\\n?\"]"), std::string::npos) << dot;
}

}  // namespace
}  // namespace ember::ir
