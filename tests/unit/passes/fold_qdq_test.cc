// fold-qdq: dequantize -> float operator -> quantize becomes the int8
// operator; text in, text out, and the results before and after within one
// output step (float requantization in the QDQ graph, TFLite's fixed point in
// the int8 one).
#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

// input -> Q -> DQ -> conv (DQ int8 weights, DQ int32 bias) -> Q -> DQ -> output
std::string ConvQdq(const std::string& bias_quant) {
  return "graph \"q\" {\n"
         "  input %x : f32[1,3,3,2]\n"
         "  const %wq : i8[2,1,1,2] quant(0.01, 0) = hex\"7fce1481\"\n"
         "  const %bq : i32[2] " + bias_quant + " = hex\"6400000038ffffff\"\n"
         "  %xq = quantize(%x) : i8[1,3,3,2] quant(0.05, 3)\n"
         "  %xd = dequantize(%xq) : f32[1,3,3,2]\n"
         "  %wd = dequantize(%wq) : f32[2,1,1,2]\n"
         "  %bd = dequantize(%bq) : f32[2]\n"
         "  %c = conv2d(%xd, %wd, %bd) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,3,3,2]\n"
         "  %cq = quantize(%c) : i8[1,3,3,2] quant(0.01, -5)\n"
         "  %y = dequantize(%cq) : f32[1,3,3,2]\n"
         "  output %y\n"
         "}\n";
}

TEST(FoldQdq, ConvBecomesInt8) {
  const std::string in = ConvQdq("quant(5e-04, 0)");
  const std::string want = R"(graph "q" {
  input %x : f32[1,3,3,2]
  %xq = quantize(%x) : i8[1,3,3,2] quant(0.05, 3)
  const %wq : i8[2,1,1,2] quant(0.01, 0) = hex"7fce1481"
  const %bq : i32[2] quant(5e-04, 0) = hex"6400000038ffffff"
  %cq = conv2d(%xq, %wq, %bq) {act="relu", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : i8[1,3,3,2] quant(0.01, -5)
  %y = dequantize(%cq) : f32[1,3,3,2]
  output %y
}
)";
  EXPECT_EQ(RunText("fold-qdq", in), want);
  ExpectSameResults(ParseValid(in), ParseValid(want), 0.0101f, true);
}

TEST(FoldQdq, BiasWithAnotherScaleIsRequantized) {
  // Bias scale 0.001: real values 0.1 and -0.2, requantized to s_in * s_w =
  // 0.0005: 200 and -400.
  const ir::Graph before = ParseValid(ConvQdq("quant(0.001, 0)"));
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    const %bq/requantized : i32[2] quant(5e-04, 0) = hex"c800000070feffff"
    %cq = conv2d(%xq, %wq, %bq/requantized)
    NOT = dequantize(%xq)
  )");
  ExpectSameResults(before, after, 0.0101f, true);
}

TEST(FoldQdq, FloatWeightsThatAreExactlyInt8AreRecovered) {
  // A frontend that converted the weights' layout left them dequantized:
  // 127 * 0.5, -64 * 0.5 and 100 * 0.25, -127 * 0.25.
  const std::string in = "graph \"q\" {\n"
                         "  input %x : i8[1,4] quant(0.1, 0)\n"
                         "  const %w : f32[2,2] = " + HexFloats({63.5f, -32.0f, 25.0f, -31.75f}) + "\n"
                         "  const %b : i32[2] quant(0.025, 0) = hex\"0a000000f6ffffff\"\n"
                         "  %xd = dequantize(%x) : f32[1,4]\n"
                         "  %r = reshape(%xd) {shape=[2,2]} : f32[2,2]\n"
                         "  %rq = quantize(%r) : i8[2,2] quant(0.1, 0)\n"
                         "  %rd = dequantize(%rq) : f32[2,2]\n"
                         "  %f = fully_connected(%rd, %w, _) : f32[2,2]\n"
                         "  %bd = dequantize(%b) : f32[2]\n"
                         "  %s = add(%f, %bd) : f32[2,2]\n"
                         "  %sq = quantize(%s) : i8[2,2] quant(0.5, 1)\n"
                         "  output %sq\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %rq = reshape(%x) {shape=[2,2]} : i8[2,2] quant(0.1, 0)
    const %w/int8 : i8[2,2] quant(axis=0, [0.5, 0.25], [0, 0]) = hex"7fc06481"
    const %b/requantized : i32[2] quant(axis=0, [0.05, 0.025], [0, 0]) = hex"05000000f6ffffff"
    %sq = fully_connected(%rq, %w/int8, %b/requantized)
    NOT dequantize(
    NOT add(
  )");
  ExpectSameResults(before, after);
}

TEST(FoldQdq, PoolWithOtherQuantizationStaysFloatAndRequantizeIsInt8) {
  const std::string in = R"(graph "q" {
  input %x : i8[1,4,4,2] quant(0.1, 0)
  %d = dequantize(%x) : f32[1,4,4,2]
  %q2 = quantize(%d) : i8[1,4,4,2] quant(0.2, 1)
  %d2 = dequantize(%q2) : f32[1,4,4,2]
  %p = average_pool2d(%d2) {filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : f32[1,2,2,2]
  %pq = quantize(%p) : i8[1,2,2,2] quant(0.05, 0)
  %y = dequantize(%pq) : f32[1,2,2,2]
  output %y
}
)";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %q2 = quantize(%x) : i8[1,4,4,2] quant(0.2, 1)
    %d2 = dequantize(%q2)
    %p = average_pool2d(%d2)
    %pq = quantize(%p)
  )");
  // The int8 requantization rounds ties like TFLite (fixed point), the float
  // path like quantize: the requantized values may differ by one step (0.2),
  // and so may their averages.
  ExpectSameResults(before, after, 0.2001f, true);
}

// ONNX models: the frontend marks quantize nodes int8_semantics="onnxruntime";
// the folded operators that requantize take the attribute, the average pool
// then folds although its quantizations differ, and the int8 graph computes
// what the QDQ graph computes (the float path rounds like ONNX Runtime's
// QLinear kernels here, up to float rounding of the dequantized sums).
std::string OrtPoolQdq() {
  return R"(graph "q" {
  input %x : f32[1,4,4,2]
  %xq = quantize(%x) {int8_semantics="onnxruntime"} : i8[1,4,4,2] quant(0.1, 3)
  %d = dequantize(%xq) : f32[1,4,4,2]
  %p = average_pool2d(%d) {filter=[4,4], pad=[0,0,0,0], stride=[4,4]} : f32[1,1,1,2]
  %pq = quantize(%p) {int8_semantics="onnxruntime"} : i8[1,1,1,2] quant(0.05, -2)
  %y = dequantize(%pq) : f32[1,1,1,2]
  output %y
}
)";
}

TEST(FoldQdq, OnnxRuntimeSemanticsPassOnAndPoolRequantizes) {
  const ir::Graph before = ParseValid(OrtPoolQdq());
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %xq = quantize(%x) {int8_semantics="onnxruntime"}
    %pq = average_pool2d(%xq) {filter=[4,4], int8_semantics="onnxruntime", pad=[0,0,0,0], stride=[4,4]} : i8[1,1,1,2] quant(0.05, -2)
    NOT dequantize(%xq)
  )");
  ExpectSameResults(before, after, 0.0501f, true);
}

TEST(FoldQdq, Int8SemanticsOptionOverridesTheFrontend) {
  PassOptions o;
  o.int8_semantics = "tflite";
  const ir::Graph after = RunPassOn("fold-qdq", ParseValid(OrtPoolQdq()), o);
  const std::string text = ir::Print(after);
  EXPECT_EQ(text.find("int8_semantics"), std::string::npos) << text;
  // TFLite's average pool needs equal quantizations: the pool stays float.
  ExpectMatches(text, R"(
    %p = average_pool2d(%d)
  )");
  o.int8_semantics = "onnxruntime";
  const std::string conv = ir::Print(RunPassOn("fold-qdq", ParseValid(ConvQdq("quant(5e-04, 0)")), o));
  ExpectMatches(conv, R"(
    %xq = quantize(%x) {int8_semantics="onnxruntime"}
    %cq = conv2d(%xq, %wq, %bq) {act="relu", dilation=[1,1], int8_semantics="onnxruntime", pad=[0,0,0,0], stride=[1,1]}
  )");
}

// input -> Q -> DQ -> softmax -> Q (1/256, -128) -> DQ -> output; `sem` is
// the quantize nodes' attribute text ("" or {int8_semantics="onnxruntime"}).
std::string SoftmaxQdq(const std::string& sem) {
  return "graph \"s\" {\n"
         "  input %x : f32[1,6]\n"
         "  %xq = quantize(%x) " + sem + " : i8[1,6] quant(0.0625, 3)\n"
         "  %xd = dequantize(%xq) : f32[1,6]\n"
         "  %s = softmax(%xd) {beta=1} : f32[1,6]\n"
         "  %sq = quantize(%s) " + sem + " : i8[1,6] quant(0.00390625, -128)\n"
         "  %y = dequantize(%sq) : f32[1,6]\n"
         "  output %y\n"
         "}\n";
}

TEST(FoldQdq, SoftmaxBecomesInt8WithTfliteSemanticsOnly) {
  // TFLite's arithmetic (models written by ember quantize): the int8 softmax.
  const ir::Graph before = ParseValid(SoftmaxQdq(""));
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %sq = softmax(%xq) {beta=1} : i8[1,6] quant(0.00390625, -128)
    NOT dequantize(%xq)
  )");
  ExpectSameResults(before, after, 0.00391f, true);
  // ONNX Runtime computes QLinearSoftmax in float: the softmax stays float.
  const std::string ort = ir::Print(RunPassOn("fold-qdq", ParseValid(SoftmaxQdq("{int8_semantics=\"onnxruntime\"}"))));
  ExpectMatches(ort, R"(
    %s = softmax(%xd) {beta=1} : f32[1,6]
  )");
}

TEST(FoldQdq, FloatGraphsAreUntouched) {
  const std::string in = R"(graph "g" {
  input %x : f32[1,4]
  %y = relu(%x) : f32[1,4]
  %q = quantize(%y) : i8[1,4] quant(0.1, 0)
  output %q
}
)";
  EXPECT_EQ(RunText("fold-qdq", in), in);
}

TEST(FoldQdq, DequantizedConstantOfAFloatOperatorBecomesAFloatConstant) {
  // The conv's output is not quantized, so it stays float; its per-channel
  // int8 weights are dequantized once, at compile time ([1, -2] * 0.5,
  // [4, 3] * 0.25).
  const std::string in = "graph \"q\" {\n"
                         "  input %x : f32[1,1,1,2]\n"
                         "  const %wq : i8[2,1,1,2] quant(axis=0, [0.5, 0.25], [0, 0]) = hex\"01fe0403\"\n"
                         "  %wd = dequantize(%wq) : f32[2,1,1,2]\n"
                         "  %y = mul(%x, %x) : f32[1,1,1,2]\n"
                         "  %c = conv2d(%y, %wd, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,1,1,2]\n"
                         "  output %c\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), "\n    const %wd : f32[2,1,1,2] = " + HexFloats({0.5f, -1.0f, 1.0f, 0.75f}) +
                                      "\n    NOT dequantize(\n");
  ExpectSameResults(before, after, 0.0f, false);
}

}  // namespace
}  // namespace ember::passes::test
