// layout: transposes around NHWC operators, as the ONNX frontend emits them
// (docs/frontend-onnx.md), cancel or sink away; text in, text out, and the
// results before and after.
#include "passes/pipeline.h"
#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

// A plain CNN in the importer's form: NCHW graph input, each NHWC operator
// between transpose(0,2,3,1) and transpose(0,3,1,2), BatchNormalization as
// mul/add by [C,1,1] constants, ReLU/Clip as separate nodes, a residual add,
// a pool, global average pooling as ReduceMean over axes 2,3, flatten, gemm.
std::string PlainCnn() {
  return "graph \"cnn\" {\n"
         "  input %x : f32[1,3,8,8]\n"
         "  const %w1 : f32[4,3,3,3] = " + HexRandom(108, 1) + "\n"
         "  const %b1 : f32[4] = " + HexRandom(4, 2) + "\n"
         "  const %bn_s : f32[4,1,1] = " + HexRandom(4, 3) + "\n"
         "  const %bn_b : f32[4,1,1] = " + HexRandom(4, 4) + "\n"
         "  const %wd : f32[1,3,3,4] = " + HexRandom(36, 5) + "\n"
         "  const %wf : f32[5,4] = " + HexRandom(20, 6) + "\n"
         "  const %bf : f32[5] = " + HexRandom(5, 7) + "\n"
         "  %x_t = transpose(%x) {perm=[0,2,3,1]} : f32[1,8,8,3]\n"
         "  %c1 = conv2d(%x_t, %w1, %b1) {dilation=[1,1], pad=[1,1,1,1], stride=[1,1]} : f32[1,8,8,4]\n"
         "  %c1_t = transpose(%c1) {perm=[0,3,1,2]} : f32[1,4,8,8]\n"
         "  %bn_m = mul(%c1_t, %bn_s) : f32[1,4,8,8]\n"
         "  %bn = add(%bn_m, %bn_b) : f32[1,4,8,8]\n"
         "  %r1 = relu(%bn) : f32[1,4,8,8]\n"
         "  %r1_t = transpose(%r1) {perm=[0,2,3,1]} : f32[1,8,8,4]\n"
         "  %dw = depthwise_conv2d(%r1_t, %wd, _) {depth_multiplier=1, dilation=[1,1], pad=[1,1,1,1], "
         "stride=[1,1]} : f32[1,8,8,4]\n"
         "  %dw_t = transpose(%dw) {perm=[0,3,1,2]} : f32[1,4,8,8]\n"
         "  %r2 = relu6(%dw_t) : f32[1,4,8,8]\n"
         "  %sum = add(%r2, %r1) : f32[1,4,8,8]\n"
         "  %sum_t = transpose(%sum) {perm=[0,2,3,1]} : f32[1,8,8,4]\n"
         "  %mp = max_pool2d(%sum_t) {filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : f32[1,4,4,4]\n"
         "  %mp_t = transpose(%mp) {perm=[0,3,1,2]} : f32[1,4,4,4]\n"
         "  %gap = mean(%mp_t) {axes=[2,3], keep_dims=1} : f32[1,4,1,1]\n"
         "  %flat = reshape(%gap) {shape=[1,4]} : f32[1,4]\n"
         "  %fc = fully_connected(%flat, %wf, %bf) : f32[1,5]\n"
         "  %y = softmax(%fc) {beta=1.0} : f32[1,5]\n"
         "  output %y\n"
         "}\n";
}

TEST(Layout, PlainCnnHasNoTransposeLeft) {
  const ir::Graph before = ParseValid(PlainCnn());
  const ir::Graph after = RunPassOn("layout", before);
  const std::string out = ir::Print(after);
  ExpectMatches(out, R"(
    input %x : f32[1,8,8,3] layout("NCHW")
    = conv2d(%x, %w1, %b1)
    const %bn_s/perm : f32[1,1,1,4]
    = mul(%c1, %bn_s/perm) : f32[1,8,8,4]
    = relu(
    = depthwise_conv2d(
    = relu6(%dw)
    = add(
    = max_pool2d(
    = mean(%mp) {axes=[1,2], keep_dims=1} : f32[1,1,1,4]
    %flat = reshape(
    NOT transpose(
  )");
  ExpectSameResults(before, after);
}

TEST(Layout, PipelineFoldsThePlainCnnToFusedNhwcOperators) {
  const ir::Graph before = ParseValid(PlainCnn());
  ir::Graph after = before;
  std::vector<std::string> seen;
  PipelineOptions o;
  o.after_pass = [&](std::string_view name, const ir::Graph&) { seen.emplace_back(name); };
  ASSERT_TRUE(RunPipeline(after, o).ok());
  EXPECT_EQ(seen.size(), AllPasses().size());
  const std::string out = ir::Print(after);
  ExpectMatches(out, R"(
    input %x : f32[1,8,8,3] layout("NCHW")
    = conv2d(%x, %w1, %b1) {act="relu"
    = depthwise_conv2d(
    act="relu6"
    = add(
    = max_pool2d(
    = mean(
    = reshape(
    = fully_connected(
    = softmax(
    NOT transpose(
    NOT mul(
    NOT relu(
  )");
  EXPECT_EQ(after.nodes.size(), 8u) << out;
  ExpectSameResults(before, after);
}

TEST(Layout, KeepIoLayoutKeepsTheNchwInput) {
  PassOptions o;
  o.keep_io_layout = true;
  const ir::Graph before = ParseValid(PlainCnn());
  const ir::Graph after = RunPassOn("layout", before, o);
  const std::string out = ir::Print(after);
  ExpectMatches(out, R"(
    input %x : f32[1,3,8,8]
    %x_t = transpose(%x) {perm=[0,2,3,1]}
    = conv2d(%x_t, %w1, %b1)
    NOT layout(
  )");
  size_t transposes = 0;
  for (const ir::Node& n : after.nodes) transposes += n.op == ir::OpKind::kTranspose;
  EXPECT_EQ(transposes, 1u) << out;
  ExpectSameResults(before, after);
}

TEST(Layout, InversePairCancels) {
  const std::string in = R"(graph "g" {
  input %x : f32[1,2,3,4]
  %a = transpose(%x) {perm=[0,3,1,2]} : f32[1,4,2,3]
  %b = transpose(%a) {perm=[0,2,3,1]} : f32[1,2,3,4]
  %y = relu(%b) : f32[1,2,3,4]
  output %y
}
)";
  const std::string want = R"(graph "g" {
  input %x : f32[1,2,3,4]
  %y = relu(%x) : f32[1,2,3,4]
  output %y
}
)";
  EXPECT_EQ(RunText("layout", in), want);
}

TEST(Layout, NchwOutputBecomesNhwc) {
  const std::string in = "graph \"seg\" {\n"
                         "  input %x : f32[1,4,4,2]\n"
                         "  const %w : f32[3,1,1,2] = " + HexRandom(6, 9) + "\n"
                         "  %c = conv2d(%x, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,4,4,3]\n"
                         "  %t = transpose(%c) {perm=[0,3,1,2]} : f32[1,3,4,4]\n"
                         "  %y = tanh(%t) : f32[1,3,4,4]\n"
                         "  output %y\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("layout", before);
  ExpectMatches(ir::Print(after), R"(
    %c = conv2d(%x, %w, _)
    %y = tanh(%c) : f32[1,4,4,3] layout("NCHW")
    output %y
    NOT transpose(
  )");
  ExpectSameResults(before, after);
}

TEST(Layout, ConcatPadAndMeanAxesArePermuted) {
  const std::string in = "graph \"g\" {\n"
                         "  input %a : f32[1,2,3,4]\n"
                         "  input %b : f32[1,2,3,4]\n"
                         "  const %k : f32[1,1,3] = " + HexRandom(3, 11) + "\n"
                         "  %at = transpose(%a) {perm=[0,3,1,2]} : f32[1,4,2,3]\n"
                         "  %bt = transpose(%b) {perm=[0,3,1,2]} : f32[1,4,2,3]\n"
                         "  %s = sub_or_mul(%at, %k) : f32[1,4,2,3]\n"
                         "  %c = concatenation(%s, %bt) {axis=1} : f32[1,8,2,3]\n"
                         "  %p = pad(%c) {pads=[0,0,1,0,0,2,1,1]} : f32[1,9,4,5]\n"
                         "  %m = mean(%p) {axes=[1], keep_dims=0} : f32[1,4,5]\n"
                         "  output %m\n"
                         "}\n";
  std::string text = in;
  text.replace(text.find("sub_or_mul"), 10, "mul");
  const ir::Graph before = ParseValid(text);
  const ir::Graph after = RunPassOn("layout", before);
  const std::string out = ir::Print(after);
  ExpectMatches(out, R"(
    %s = mul(%a, %k/perm) : f32[1,2,3,4]
    %c = concatenation(%s, %b) {axis=3} : f32[1,2,3,8]
    %p = pad(%c) {pads=[0,0,0,2,1,1,1,0]} : f32[1,4,5,9]
    %m = mean(%p) {axes=[3], keep_dims=0} : f32[1,4,5]
    NOT transpose(
  )");
  ExpectSameResults(before, after);
}

// reduce_max and reduce_min commute with a transpose like mean: the axes are
// permuted; without keep_dims the transpose after them keeps the remaining
// axes' order (here the identity, so it goes).
TEST(Layout, ReduceMinAndMaxAxesArePermuted) {
  const std::string in = R"(graph "g" {
  input %x : f32[1,2,3,4]
  %t = transpose(%x) {perm=[0,3,1,2]} : f32[1,4,2,3]
  %mn = reduce_min(%t) {axes=[1], keep_dims=0} : f32[1,2,3]
  %u = transpose(%x) {perm=[0,3,1,2]} : f32[1,4,2,3]
  %mx = reduce_max(%u) {axes=[2,3], keep_dims=1} : f32[1,4,1,1]
  output %mn, %mx
}
)";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("layout", before);
  const std::string out = ir::Print(after);
  ExpectMatches(out, R"(
    %mn = reduce_min(%x) {axes=[3], keep_dims=0} : f32[1,2,3]
    = reduce_max(%x) {axes=[1,2], keep_dims=1} : f32[1,1,1,4]
  )");
  EXPECT_EQ(out.find("transpose(%x)"), std::string::npos) << out;
  ExpectSameResults(before, after);
}

TEST(Layout, TransposeStaysWhereItDoesNotCommute) {
  // Flattening NCHW with H, W > 1 depends on the layout; softmax over a moved axis too.
  const std::string in = R"(graph "g" {
  input %x : f32[1,2,2,3]
  %t = transpose(%x) {perm=[0,3,1,2]} : f32[1,3,2,2]
  %f = reshape(%t) {shape=[1,12]} : f32[1,12]
  %u = transpose(%x) {perm=[0,3,1,2]} : f32[1,3,2,2]
  %s = softmax(%u) {beta=1.0} : f32[1,3,2,2]
  output %f, %s
}
)";
  EXPECT_EQ(RunText("layout", in), ir::Print(ParseValid(in)));
}

TEST(Layout, FlattenBeforeFullyConnectedPermutesTheWeights) {
  // ONNX Flatten of an NCHW [1,3,2,2] tensor before Gemm: the weight columns
  // move to NHWC order, no transpose is left. Also for int8 weights.
  for (const char* dtype : {"f32", "i8"}) {
    const bool f32 = std::string(dtype) == "f32";
    const std::string q = f32 ? "" : " quant(0.5, 0)";
    const std::string wq = f32 ? "" : " quant(0.01, 0)";
    const std::string bias = f32 ? "_" : "%b";
    std::string in = std::string("graph \"g\" {\n") + "  input %x : " + dtype + "[1,2,2,3]" + q + "\n" +
                     "  const %w : " + dtype + "[4,12]" + wq + " = " +
                     (f32 ? HexRandom(48, 21) : "hex\"" + std::string(96, '3') + "\"") + "\n" +
                     (f32 ? "" : "  const %b : i32[4] = hex\"01000000020000000300000004000000\"\n") +
                     "  %t = transpose(%x) {perm=[0,3,1,2]} : " + dtype + "[1,3,2,2]" + q + "\n" +
                     "  %f = reshape(%t) {shape=[1,12]} : " + dtype + "[1,12]" + q + "\n" +
                     "  %y = fully_connected(%f, %w, " + bias + ") : " + dtype + "[1,4]" + q + "\n" +
                     "  output %y\n}\n";
    if (!f32) {
      // Distinct int8 weights so that a wrong column order shows.
      std::string hex;
      for (int k = 0; k < 48; ++k) {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", (k * 7) % 100);
        hex += b;
      }
      in.replace(in.find(std::string(96, '3')), 96, hex);
    }
    const ir::Graph before = ParseValid(in);
    const ir::Graph after = RunPassOn("layout", before);
    ExpectMatches(ir::Print(after), R"(
      %f = reshape(%x) {shape=[1,12]}
      = fully_connected(%f, %w/nhwc,
      NOT transpose(
    )");
    ExpectSameResults(before, after, f32 ? 1e-5f : 0.0f);
  }
}

TEST(Layout, SizeOneMovesBeforeReshapeAreDropped) {
  const std::string in = R"(graph "g" {
  input %x : f32[1,1,1,6]
  %r = relu(%x) : f32[1,1,1,6]
  %t = transpose(%r) {perm=[0,3,1,2]} : f32[1,6,1,1]
  %f = reshape(%t) {shape=[1,6]} : f32[1,6]
  output %f
}
)";
  const std::string want = R"(graph "g" {
  input %x : f32[1,1,1,6]
  %r = relu(%x) : f32[1,1,1,6]
  %f = reshape(%r) {shape=[1,6]} : f32[1,6]
  output %f
}
)";
  EXPECT_EQ(RunText("layout", in), want);
}

TEST(Layout, Int8ThroughQuantizeIsExact) {
  const std::string in = R"(graph "g" {
  input %x : f32[1,3,4,4]
  %xt = transpose(%x) {perm=[0,2,3,1]} : f32[1,4,4,3]
  %q = quantize(%xt) : i8[1,4,4,3] quant(0.02, 3)
  %m = max_pool2d(%q) {filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : i8[1,2,2,3] quant(0.02, 3)
  %mt = transpose(%m) {perm=[0,3,1,2]} : i8[1,3,2,2] quant(0.02, 3)
  %a = add(%mt, %mt) : i8[1,3,2,2] quant(0.05, -1)
  %d = dequantize(%a) : f32[1,3,2,2]
  output %d
}
)";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("layout", before);
  ExpectMatches(ir::Print(after), R"(
    input %x : f32[1,4,4,3] layout("NCHW")
    %q = quantize(%x)
    %a = add(%m, %m) : i8[1,2,2,3] quant(0.05, -1)
    %d = dequantize(%a) : f32[1,2,2,3] layout("NCHW")
    NOT transpose(
  )");
  ExpectSameResults(before, after, 0.0f);
}

// Comparisons and select are elementwise too (numpy broadcasting of all
// operands): a masked choice between two NCHW views of NHWC tensors runs in
// NHWC, the bool mask included, with no transpose left.
TEST(Layout, ComparisonAndSelectAreElementwise) {
  const std::string in = "graph \"g\" {\n"
                         "  input %a : f32[1,3,3,2]\n"
                         "  input %b : f32[1,3,3,2]\n"
                         "  const %k : f32[1,2,1,1] = " + HexRandom(2, 5) + "\n"
                         "  const %z : f32[] = " + HexRandom(1, 6) + "\n"
                         "  %at = transpose(%a) {perm=[0,3,1,2]} : f32[1,2,3,3]\n"
                         "  %bt = transpose(%b) {perm=[0,3,1,2]} : f32[1,2,3,3]\n"
                         "  %m = greater(%at, %k) : bool[1,2,3,3]\n"
                         "  %n = logical_not(%m) : bool[1,2,3,3]\n"
                         "  %s = select(%n, %bt, %z) : f32[1,2,3,3]\n"
                         "  %y = transpose(%s) {perm=[0,2,3,1]} : f32[1,3,3,2]\n"
                         "  output %y\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("layout", before);
  ExpectMatches(ir::Print(after), R"(
    %m = greater(%a, %k/perm) : bool[1,3,3,2]
    %n = logical_not(%m) : bool[1,3,3,2]
    %y = select(%n, %b, %z/perm) : f32[1,3,3,2]
    NOT transpose(
  )");
  ExpectSameResults(before, after, 0.0f);
}

// A QDQ model's constant operand (a quantized per-channel scale, per tensor
// or per axis) reaches the elementwise operator through a dequantize: the
// transpose sinks past it as past a plain constant, the int8 constant is
// permuted and gets a dequantize of its own; the old one, now unread, goes.
TEST(Layout, DequantizedConstantOperandMovesWithTheTranspose) {
  for (const std::string quant : {"quant(0.01, 3)", "quant(axis=1, [0.01, 0.02], [0, 0])"}) {
    SCOPED_TRACE(quant);
    const std::string in = "graph \"g\" {\n"
                           "  input %x : f32[1,3,3,2]\n"
                           "  const %k : i8[1,2,1,1] " + quant + " = hex\"7f81\"\n"
                           "  %xt = transpose(%x) {perm=[0,3,1,2]} : f32[1,2,3,3]\n"
                           "  %kd = dequantize(%k) : f32[1,2,1,1]\n"
                           "  %m = mul(%xt, %kd) : f32[1,2,3,3]\n"
                           "  %a = add(%kd, %m) : f32[1,2,3,3]\n"
                           "  %y = transpose(%a) {perm=[0,2,3,1]} : f32[1,3,3,2]\n"
                           "  output %y\n"
                           "}\n";
    const ir::Graph before = ParseValid(in);
    const ir::Graph after = RunPassOn("layout", before);
    ExpectMatches(ir::Print(after), R"(
      %kd/perm = dequantize(%k/perm) : f32[1,1,1,2]
      %m = mul(%x, %kd/perm) : f32[1,3,3,2]
      %y = add(%kd/perm_2, %m) : f32[1,3,3,2]
      NOT transpose(
      NOT dequantize(%k)
    )");
    ExpectSameResults(before, after, 0.0f);
  }
}

TEST(Layout, QuantizeDequantizeChainAtTheInputTakesTheNhwcLayout) {
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[1,2,3,3]\n"
                         "  const %w : f32[2,1,1,2] = " + HexRandom(4, 3) + "\n"
                         "  %q = quantize(%x) : i8[1,2,3,3] quant(0.02, 1)\n"
                         "  %d = dequantize(%q) : f32[1,2,3,3]\n"
                         "  %t = transpose(%d) {perm=[0,2,3,1]} : f32[1,3,3,2]\n"
                         "  %c = conv2d(%t, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,3,3,2]\n"
                         "  %y = transpose(%c) {perm=[0,3,1,2]} : f32[1,2,3,3]\n"
                         "  output %y\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("layout", before);
  ExpectMatches(ir::Print(after), R"(
    input %x : f32[1,3,3,2] layout("NCHW")
    %q = quantize(%x) : i8[1,3,3,2] quant(0.02, 1)
    %d = dequantize(%q) : f32[1,3,3,2]
    %y = conv2d(%d, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,3,3,2] layout("NCHW")
    NOT transpose(
  )");
  ExpectSameResults(before, after, 0.0f);
  // The input has a second reader: nothing moves up, the transpose stays.
  std::string two = in;
  two.replace(two.find("  output %y"), 11, "  output %y, %q");
  const std::string out = RunText("layout", two);
  ExpectMatches(out, R"(
    input %x : f32[1,2,3,3]
    = transpose(%d) {perm=[0,2,3,1]}
  )");
}

// A 1-D CNN in the importer's form: each NHWC operator over H = 1 between
// transpose(0,2,1) -> reshape [N,1,W,C] and reshape [N,W,C] -> transpose(0,2,1),
// BatchNormalization as mul/add by [C,1] constants.
std::string PlainCnn1d() {
  return "graph \"cnn1d\" {\n"
         "  input %x : f32[1,3,12]\n"
         "  const %w1 : f32[4,1,3,3] = " + HexRandom(36, 1) + "\n"
         "  const %b1 : f32[4] = " + HexRandom(4, 2) + "\n"
         "  const %bn_s : f32[4,1] = " + HexRandom(4, 3) + "\n"
         "  const %bn_b : f32[4,1] = " + HexRandom(4, 4) + "\n"
         "  const %wd : f32[1,1,3,4] = " + HexRandom(12, 5) + "\n"
         "  %x_t = transpose(%x) {perm=[0,2,1]} : f32[1,12,3]\n"
         "  %x_r = reshape(%x_t) {shape=[1,1,12,3]} : f32[1,1,12,3]\n"
         "  %c1 = conv2d(%x_r, %w1, %b1) {dilation=[1,1], pad=[0,1,0,1], stride=[1,1]} : f32[1,1,12,4]\n"
         "  %c1_r = reshape(%c1) {shape=[1,12,4]} : f32[1,12,4]\n"
         "  %c1_t = transpose(%c1_r) {perm=[0,2,1]} : f32[1,4,12]\n"
         "  %bn_m = mul(%c1_t, %bn_s) : f32[1,4,12]\n"
         "  %bn = add(%bn_m, %bn_b) : f32[1,4,12]\n"
         "  %r1 = relu(%bn) : f32[1,4,12]\n"
         "  %r1_t = transpose(%r1) {perm=[0,2,1]} : f32[1,12,4]\n"
         "  %r1_r = reshape(%r1_t) {shape=[1,1,12,4]} : f32[1,1,12,4]\n"
         "  %dw = depthwise_conv2d(%r1_r, %wd, _) {depth_multiplier=1, dilation=[1,1], pad=[0,1,0,1], "
         "stride=[1,1]} : f32[1,1,12,4]\n"
         "  %dw_r = reshape(%dw) {shape=[1,12,4]} : f32[1,12,4]\n"
         "  %dw_t = transpose(%dw_r) {perm=[0,2,1]} : f32[1,4,12]\n"
         "  %gap = mean(%dw_t) {axes=[2], keep_dims=1} : f32[1,4,1]\n"
         "  %flat = reshape(%gap) {shape=[1,4]} : f32[1,4]\n"
         "  output %flat\n"
         "}\n";
}

TEST(Layout, OneDimensionalCnnHasNoTransposeOrReshapeBetweenItsOperators) {
  const ir::Graph before = ParseValid(PlainCnn1d());
  const ir::Graph after = RunPassOn("layout", before);
  const std::string out = ir::Print(after);
  ExpectMatches(out, R"(
    input %x : f32[1,12,3] layout("NCW")
    %x_r = reshape(%x) {shape=[1,1,12,3]}
    = conv2d(%x_r, %w1, %b1)
    = mul(%c1, %bn_s
    = add(
    %r1 = relu(
    = depthwise_conv2d(%r1, %wd, _)
    %gap = mean(%dw) {axes=[2], keep_dims=1} : f32[1,1,1,4]
    %flat = reshape(%gap) {shape=[1,4]}
    NOT transpose(
  )");
  // reshape, conv2d, mul, add, relu, depthwise_conv2d, mean, reshape: no other.
  EXPECT_EQ(after.nodes.size(), 8u) << out;
  ExpectSameResults(before, after);
  // The pipeline then folds the batch norm and the relu into the convolution.
  ir::Graph folded = before;
  ASSERT_TRUE(RunPipeline(folded, {}).ok());
  ExpectMatches(ir::Print(folded), R"(
    = conv2d(%x_r, %w1
    act="relu"
    = depthwise_conv2d(
    NOT mul(
    NOT add(
    NOT relu(
    NOT transpose(
  )");
  ExpectSameResults(before, folded);
}

TEST(Layout, UnitReshapeStaysBeforeAConstantThatVariesAlongAnotherAxis) {
  // [1,1,6,4] -> [1,6,4] then mul by a [6,1] constant (varying along W, not C):
  // the reshape does not sink.
  const std::string text =
      "graph \"g\" {\n"
      "  input %x : f32[1,1,6,4]\n"
      "  const %k : f32[6,1] = " + HexRandom(6, 1) + "\n"
      "  %r = reshape(%x) {shape=[1,6,4]} : f32[1,6,4]\n"
      "  %y = mul(%r, %k) : f32[1,6,4]\n"
      "  %z = relu(%y) : f32[1,6,4]\n"
      "  output %z\n"
      "}\n";
  const ir::Graph before = ParseValid(text);
  const ir::Graph after = RunPassOn("layout", before);
  EXPECT_EQ(ir::Print(after), ir::Print(before));
}

TEST(Layout, OneDimensionalQdqInputChainGetsItsReshapeMovedToTheInput) {
  // QDQ 1-D conv: the reshape that adds H moves above dequantize/quantize to
  // the (now NWC) input (the one that drops H is the output's already), so
  // fold-qdq sees dequantize -> conv2d -> quantize.
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[1,2,6]\n"
                         "  const %w : f32[3,1,1,2] = " + HexRandom(6, 3) + "\n"
                         "  %q = quantize(%x) : i8[1,2,6] quant(0.02, 1)\n"
                         "  %d = dequantize(%q) : f32[1,2,6]\n"
                         "  %t = transpose(%d) {perm=[0,2,1]} : f32[1,6,2]\n"
                         "  %r = reshape(%t) {shape=[1,1,6,2]} : f32[1,1,6,2]\n"
                         "  %c = conv2d(%r, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,1,6,3]\n"
                         "  %cq = quantize(%c) : i8[1,1,6,3] quant(0.05, -2)\n"
                         "  %cd = dequantize(%cq) : f32[1,1,6,3]\n"
                         "  %c3 = reshape(%cd) {shape=[1,6,3]} : f32[1,6,3]\n"
                         "  %y = transpose(%c3) {perm=[0,2,1]} : f32[1,3,6]\n"
                         "  output %y\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("layout", before);
  const std::string out = ir::Print(after);
  ExpectMatches(out, R"(
    input %x : f32[1,6,2] layout("NCW")
    = reshape(%x) {shape=[1,1,6,2]}
    %q/h = quantize(%x/h) : i8[1,1,6,2] quant(0.02, 1)
    %r = dequantize(%q/h) : f32[1,1,6,2]
    = conv2d(%r, %w, _)
    %cq = quantize(%c)
    %cd = dequantize(%cq)
    %y = reshape(%cd) {shape=[1,6,3]} : f32[1,6,3] layout("NCW")
    NOT transpose(
  )");
  EXPECT_EQ(after.nodes.size(), 7u) << out;  // the two reshapes at the ends, no other
  ExpectSameResults(before, after, 0.0f);
}

// A cast after the input (an ONNX Cast to float16, which rounds; an int8
// input cast to float) is elementwise: the input takes the NHWC layout
// through it, and one between two NHWC operators lets their transposes
// cancel.
TEST(Layout, CastsAreElementwise) {
  const ir::Graph before = ParseValid(
      "graph \"g\" {\n"
      "  input %x : f32[1,2,4,4]\n"
      "  const %w : f32[3,3,3,2] = " + HexRandom(54, 1) + "\n"
      "  %h = cast(%x) {round=\"float16\"} : f32[1,2,4,4]\n"
      "  %h_t = transpose(%h) {perm=[0,2,3,1]} : f32[1,4,4,2]\n"
      "  %c = conv2d(%h_t, %w, _) {dilation=[1,1], pad=[1,1,1,1], stride=[1,1]} : f32[1,4,4,3]\n"
      "  %c_t = transpose(%c) {perm=[0,3,1,2]} : f32[1,3,4,4]\n"
      "  %i = cast(%c_t) : i32[1,3,4,4]\n"
      "  %f = cast(%i) : f32[1,3,4,4]\n"
      "  %f_t = transpose(%f) {perm=[0,2,3,1]} : f32[1,4,4,3]\n"
      "  %m = max_pool2d(%f_t) {filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : f32[1,2,2,3]\n"
      "  %m_t = transpose(%m) {perm=[0,3,1,2]} : f32[1,3,2,2]\n"
      "  %y = reshape(%m_t) {shape=[1,12]} : f32[1,12]\n"
      "  output %y\n"
      "}\n");
  const ir::Graph after = RunPassOn("layout", before);
  ExpectMatches(ir::Print(after), R"(
    input %x : f32[1,4,4,2] layout("NCHW")
    = cast(%x) {round="float16"} : f32[1,4,4,2]
    = conv2d(%h, %w, _)
    = cast(%c) : i32[1,4,4,3]
    = max_pool2d(%f)
  )");
  size_t transposes = 0;
  for (const ir::Node& n : after.nodes) transposes += n.op == ir::OpKind::kTranspose;
  EXPECT_EQ(transposes, 1u) << ir::Print(after);  // before the reshape to the NCHW order
  ExpectSameResults(before, after);
}

TEST(Layout, GraphWithoutTransposesIsUnchanged) {
  const std::string in = R"(graph "g" {
  input %x : f32[1,2,2,3]
  %y = relu(%x) : f32[1,2,2,3]
  output %y
}
)";
  EXPECT_EQ(RunText("layout", in), in);
}

}  // namespace
}  // namespace ember::passes::test
