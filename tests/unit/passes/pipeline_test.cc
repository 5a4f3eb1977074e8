// The pass registry and pipeline: order, names, verification, and the TFLite
// models of ../shared, which the pipeline must leave exactly as imported.
#include "frontend/tflite/import.h"
#include "passes/pipeline.h"
#include "unit/passes/pass_test_util.h"
#include "util/test_util.h"

namespace ember::passes::test {
namespace {

TEST(Pipeline, RegistryListsEveryPassOnceInOrder) {
  std::vector<std::string> names;
  for (const PassInfo& p : AllPasses()) names.emplace_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"fold-constants", "fold-space-to-batch", "layout", "fold-batchnorm", "fuse-activation",
                                      "fold-qdq", "fuse-clamp", "drop-constant-channels", "materialize-outputs"}));
  EXPECT_EQ(PassNames(),
            "fold-constants, fold-space-to-batch, layout, fold-batchnorm, fuse-activation, fold-qdq, fuse-clamp, drop-constant-channels, materialize-outputs");
  ASSERT_NE(FindPass("layout"), nullptr);
  EXPECT_EQ(std::string(FindPass("layout")->name), "layout");
  EXPECT_EQ(FindPass("no-such-pass"), nullptr);
}

TEST(Pipeline, CallsBackAfterEveryPassWithTheVerifiedGraph) {
  ir::Graph g = ParseValid(R"(graph "g" {
  input %x : f32[1,2,2,3]
  %t = transpose(%x) {perm=[0,3,1,2]} : f32[1,3,2,2]
  %r = relu(%t) : f32[1,3,2,2]
  %y = transpose(%r) {perm=[0,2,3,1]} : f32[1,2,2,3]
  output %y
}
)");
  std::vector<std::string> seen;
  std::vector<size_t> nodes;
  PipelineOptions o;
  o.after_pass = [&](std::string_view name, const ir::Graph& after) {
    seen.emplace_back(name);
    nodes.push_back(after.nodes.size());
  };
  ASSERT_TRUE(RunPipeline(g, o).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"fold-constants", "fold-space-to-batch", "layout", "fold-batchnorm", "fuse-activation",
                                      "fold-qdq", "fuse-clamp", "drop-constant-channels", "materialize-outputs"}));
  EXPECT_EQ(nodes, (std::vector<size_t>{3, 3, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(ir::Print(g), R"(graph "g" {
  input %x : f32[1,2,2,3]
  %y = relu(%x) : f32[1,2,2,3]
  output %y
}
)");
}

TEST(Pipeline, GraphsWithoutWorkStayIdentical) {
  // Tensors nothing reads and odd tensor orders are kept when no pass applies.
  const std::string in = R"(graph "g" {
  tensor %unused : f32[3]
  input %x : f32[1,4]
  %y = relu(%x) : f32[1,4]
  output %y
}
)";
  ir::Graph g = ParseValid(in);
  ASSERT_TRUE(RunPipeline(g).ok());
  EXPECT_EQ(ir::Print(g), in);
}

// The TFLite models of ../shared come as ember runs them, but for vww's
// all-zero channels, which drop-constant-channels removes (its own tests).
TEST(Pipeline, TfliteModelsOfSharedAreUnchanged) {
  EMBER_REQUIRE_SHARED();
  for (const char* name : {"kws", "vww", "ic", "ad"}) {
    auto g = frontend::tflite::ImportTfliteFile(::ember::test::SharedDir() + "/models/" + name + ".tflite");
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    for (const bool drop : {false, true}) {
      ir::Graph after = *g;
      PipelineOptions o;
      o.pass.drop_constant_channels = drop;
      const Status st = RunPipeline(after, o);
      ASSERT_TRUE(st.ok()) << name << ": " << st.ToString();
      const bool changes = drop && std::string(name) == "vww";
      EXPECT_EQ(after == *g, !changes) << name << (drop ? "" : " without drop-constant-channels") << ":\n"
                                       << ir::Print(after, {.full_constants = false});
    }
  }
}

// SortNodes (run after every pass) keeps an assign_variable after every other
// reader of its variable, although no tensor links them: here the reader's
// operand is produced after both in the node list, as a pass that adds
// nodes at the end leaves it.
TEST(Pipeline, SortNodesKeepsAVariablesAssignAfterItsReaders) {
  ir::Graph g = ParseValid(R"(graph "g" {
  input %x : f32[1,2]
  var %s : f32[1,2]
  const %z : f32[1,2] = hex"0000000000000000"
  %r = relu(%x) : f32[1,2]
  %y = add(%r, %s) : f32[1,2]
  () = assign_variable(%s, %z)
  output %y
}
)");
  ASSERT_EQ(g.nodes.size(), 3u);
  std::swap(g.nodes[0], g.nodes[2]);  // assign, add, relu
  std::swap(g.nodes[0], g.nodes[1]);  // add, assign, relu
  SortNodes(g);
  ASSERT_TRUE(ir::Verify(g).ok()) << ir::Verify(g).ToString() << "\n" << ir::Print(g);
  EXPECT_EQ(g.nodes[0].op, ir::OpKind::kRelu);
  EXPECT_EQ(g.nodes[1].op, ir::OpKind::kAdd);
  EXPECT_EQ(g.nodes[2].op, ir::OpKind::kAssignVariable);
}

}  // namespace
}  // namespace ember::passes::test
