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

// mul follows ONNX Runtime's QLinearMul too. uint8 ONNX tensors (held as
// int8, their quantize and dequantize marked onnx_uint8 by the importer):
// the add and the average pool, whose ONNX Runtime kernels add zero points
// in float, take the mark when every tensor they read and write is uint8;
// a reader of an int8 tensor does not.
TEST(FoldQdq, MulFollowsOnnxRuntimeAndUint8MarksPassOn) {
  const ir::Graph before = ParseValid(R"(graph "q" {
  input %x : f32[1,4,4,2]
  %xq = quantize(%x) {int8_semantics="onnxruntime", onnx_uint8=1} : i8[1,4,4,2] quant(0.1, 3)
  %d = dequantize(%xq) {onnx_uint8=1} : f32[1,4,4,2]
  %m = mul(%d, %d) : f32[1,4,4,2]
  %mq = quantize(%m) {int8_semantics="onnxruntime", onnx_uint8=1} : i8[1,4,4,2] quant(0.2, -5)
  %md = dequantize(%mq) {onnx_uint8=1} : f32[1,4,4,2]
  %a = add(%md, %d) : f32[1,4,4,2]
  %aq = quantize(%a) {int8_semantics="onnxruntime", onnx_uint8=1} : i8[1,4,4,2] quant(0.25, 7)
  %ad = dequantize(%aq) {onnx_uint8=1} : f32[1,4,4,2]
  %p = average_pool2d(%ad) {filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : f32[1,2,2,2]
  %pq = quantize(%p) {int8_semantics="onnxruntime", onnx_uint8=1} : i8[1,2,2,2] quant(0.25, 7)
  %xi = quantize(%x) {int8_semantics="onnxruntime"} : i8[1,4,4,2] quant(0.1, 2)
  %xd = dequantize(%xi) : f32[1,4,4,2]
  %b = add(%ad, %xd) : f32[1,4,4,2]
  %bq = quantize(%b) {int8_semantics="onnxruntime", onnx_uint8=1} : i8[1,4,4,2] quant(0.3, 0)
  %y = dequantize(%pq) : f32[1,2,2,2]
  %z = dequantize(%bq) : f32[1,4,4,2]
  output %y
  output %z
}
)");
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %mq = mul(%xq, %xq) {int8_semantics="onnxruntime"} : i8[1,4,4,2] quant(0.2, -5)
    %aq = add(%mq, %xq) {int8_semantics="onnxruntime", onnx_uint8=1} : i8[1,4,4,2] quant(0.25, 7)
    %pq = average_pool2d(%aq) {filter=[2,2], int8_semantics="onnxruntime", onnx_uint8=1, pad=[0,0,0,0], stride=[2,2]}
    %bq = add(%aq, %xi) {int8_semantics="onnxruntime"} : i8[1,4,4,2] quant(0.3, 0)
  )");
  ExpectSameResults(before, after, 0.3001f, true);
}

TEST(FoldQdq, Int8SemanticsOptionOverridesTheFrontend) {
  PassOptions o;
  o.int8_semantics = "tflite";
  const ir::Graph before = ParseValid(OrtPoolQdq());
  const ir::Graph after = RunPassOn("fold-qdq", before, o);
  const std::string text = ir::Print(after);
  EXPECT_EQ(text.find("int8_semantics"), std::string::npos) << text;
  // TFLite's average pool needs equal quantizations; this one's window is
  // the whole image, so it is TFLite's int8 mean over H and W, which
  // requantizes (within one step of the QDQ graph).
  ExpectMatches(text, R"(
    %pq = mean(%xq) {axes=[1,2], keep_dims=1} : i8[1,1,1,2] quant(0.05, -2)
    NOT average_pool2d(
  )");
  ExpectSameResults(before, after, 0.0501f, true);
  // A window that is not the whole image stays float.
  std::string part = OrtPoolQdq();
  part.replace(part.find("filter=[4,4], pad=[0,0,0,0], stride=[4,4]} : f32[1,1,1,2]"),
               std::string("filter=[4,4], pad=[0,0,0,0], stride=[4,4]} : f32[1,1,1,2]").size(),
               "filter=[2,4], pad=[0,0,0,0], stride=[2,4]} : f32[1,2,1,2]");
  for (const char* t : {"%pq = quantize(%p) {int8_semantics=\"onnxruntime\"} : i8[1,1,1,2]",
                        "%y = dequantize(%pq) : f32[1,1,1,2]"}) {
    std::string from = t, to = t;
    to.replace(to.find("[1,1,1,2]"), 9, "[1,2,1,2]");
    part.replace(part.find(from), from.size(), to);
  }
  ExpectMatches(ir::Print(RunPassOn("fold-qdq", ParseValid(part), o)), R"(
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

// dequantize -> transpose_conv (int8 weights per output channel, int32
// bias) -> quantize with TFLite's arithmetic (ember quantize).
std::string TransposeConvQdq(const std::string& q_attrs) {
  return "graph \"t\" {\n"
         "  input %x : f32[1,2,2,2]\n"
         "  const %wq : i8[2,2,2,2] quant(axis=0, [0.01, 0.02], [0, 0]) = hex\"7fce1481f00a22dd7fce1481f00a22dd\"\n"
         "  const %bq : i32[2] quant(axis=0, [5e-04, 1e-03], [0, 0]) = hex\"6400000038ffffff\"\n"
         "  %xq = quantize(%x) : i8[1,2,2,2] quant(0.05, 3)\n"
         "  %xd = dequantize(%xq) : f32[1,2,2,2]\n"
         "  %wd = dequantize(%wq) : f32[2,2,2,2]\n"
         "  %bd = dequantize(%bq) : f32[2]\n"
         "  %t = transpose_conv(%xd, %wd, %bd) {output_padding=[0,0], pad=[0,0,0,0], stride=[2,2]} : f32[1,4,4,2]\n"
         "  %tq = quantize(%t) " + q_attrs + ": i8[1,4,4,2] quant(0.02, -4)\n"
         "  %y = dequantize(%tq) : f32[1,4,4,2]\n"
         "  output %y\n"
         "}\n";
}

TEST(FoldQdq, TransposeConvBecomesInt8WithTfliteSemanticsOnly) {
  const ir::Graph before = ParseValid(TransposeConvQdq(""));
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %tq = transpose_conv(%xq, %wq, %bq) {output_padding=[0,0], pad=[0,0,0,0], stride=[2,2]} : i8[1,4,4,2]
    NOT dequantize(%xq)
  )");
  ExpectSameResults(before, after, 0.0201f, true);
  // ONNX Runtime runs a QDQ ConvTranspose in float: it stays float.
  const std::string ort =
      ir::Print(RunPassOn("fold-qdq", ParseValid(TransposeConvQdq("{int8_semantics=\"onnxruntime\"} "))));
  ExpectMatches(ort, R"(
    %t = transpose_conv(%xd, %wd, %bd)
  )");
}

// log_softmax likewise with TFLite's fixed output quantization (16/256, 127);
// another output quantization keeps it float (its Infer refuses the int8 form).
TEST(FoldQdq, LogSoftmaxBecomesInt8WithItsFixedOutputQuantization) {
  auto text = [](const std::string& out_q) {
    return "graph \"l\" {\n"
           "  input %x : f32[2,6]\n"
           "  %xq = quantize(%x) : i8[2,6] quant(0.0625, 3)\n"
           "  %xd = dequantize(%xq) : f32[2,6]\n"
           "  %s = log_softmax(%xd) : f32[2,6]\n"
           "  %sq = quantize(%s) : i8[2,6] " + out_q + "\n"
           "  %y = dequantize(%sq) : f32[2,6]\n"
           "  output %y\n"
           "}\n";
  };
  const ir::Graph before = ParseValid(text("quant(0.0625, 127)"));
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %sq = log_softmax(%xq) : i8[2,6] quant(0.0625, 127)
    NOT dequantize(%xq)
  )");
  ExpectSameResults(before, after, 0.0626f, true);
  ExpectMatches(ir::Print(RunPassOn("fold-qdq", ParseValid(text("quant(0.05, 127)")))), R"(
    %s = log_softmax(%xd) : f32[2,6]
  )");
}

// input(s) -> Q -> DQ -> `call` -> Q `out_q` -> DQ -> output. Input k is
// %xk : f32[shape], quantized to %qk with its quant text and dequantized to
// %dk; `call` reads %d0, %d1, ... and the `extra` lines (constants). `sem`
// is the quantize nodes' attribute text ("" or {int8_semantics=...}).
struct QdqIn {
  std::string shape, quant;
};
std::string OpQdq(const std::vector<QdqIn>& ins, const std::string& call, const std::string& out_shape,
                  const std::string& out_q, const std::string& sem = "", const std::string& extra = "") {
  std::string s = "graph \"op\" {\n";
  for (size_t k = 0; k < ins.size(); ++k) s += "  input %x" + std::to_string(k) + " : f32[" + ins[k].shape + "]\n";
  for (size_t k = 0; k < ins.size(); ++k) {
    const std::string i = std::to_string(k);
    s += "  %q" + i + " = quantize(%x" + i + ") " + sem + " : i8[" + ins[k].shape + "] " + ins[k].quant + "\n";
    s += "  %d" + i + " = dequantize(%q" + i + ") : f32[" + ins[k].shape + "]\n";
  }
  s += extra;
  s += "  %o = " + call + " : f32[" + out_shape + "]\n";
  s += "  %oq = quantize(%o) " + sem + " : i8[" + out_shape + "] " + out_q + "\n";
  s += "  %y = dequantize(%oq) : f32[" + out_shape + "]\n  output %y\n}\n";
  return s;
}

const char kOrt[] = "{int8_semantics=\"onnxruntime\"}";

struct MoveCase {
  std::vector<std::string> shapes;  // one per input, quantized alike
  std::string call, out_shape, extra;
};

// Data movement: with equal input and output quantization the int8 operator
// computes exactly what the QDQ graph computes, in either int8 semantics.
TEST(FoldQdq, DataMovementWithEqualQuantizationBecomesInt8) {
  const std::string q = "quant(0.05, 3)";
  const std::vector<MoveCase> cases = {
      {{"1,2,3,4"}, "transpose(%d0) {perm=[0,2,3,1]}", "1,3,4,2", ""},
      {{"1,2,3,4"}, "pad(%d0) {pads=[0,0,1,1,1,0,0,0]}", "1,4,4,4", ""},
      {{"1,3,3,2"}, "mirror_pad(%d0) {mode=\"reflect\", pads=[0,0,1,1,1,1,0,0]}", "1,5,5,2", ""},
      {{"1,4,4,2"},
       "strided_slice(%d0) {begin=[0,1,0,0], begin_mask=0, end=[1,3,4,2], end_mask=0, shrink_axis_mask=0, "
       "strides=[1,1,2,1]}",
       "1,2,2,2", ""},
      {{"1,4,1,2"}, "squeeze(%d0) {axes=[2]}", "1,4,2", ""},
      {{"1,4,4,2"}, "gather(%d0, %idx) {axis=2, batch_dims=0}", "1,4,3,2",
       "  const %idx : i32[3] = hex\"030000000000000001000000\"\n"},
      {{"1,2,2,8"}, "depth_to_space(%d0) {block_size=2}", "1,4,4,2", ""},
      {{"1,4,4,2"}, "space_to_depth(%d0) {block_size=2}", "1,2,2,8", ""},
      {{"1,2,2,3"}, "resize_nearest_neighbor(%d0) {align_corners=0, half_pixel_centers=1, size=[4,5]}", "1,4,5,3", ""},
      {{"1,4,4,2", "1,4,4,2"}, "maximum(%d0, %d1)", "1,4,4,2", ""},
      {{"1,4,4,2", "1,1,1,2"}, "minimum(%d0, %d1)", "1,4,4,2", ""},
      {{"1,4,4,2"}, "reduce_max(%d0) {axes=[1,2], keep_dims=1}", "1,1,1,2", ""},
      {{"1,4,4,2"}, "reduce_min(%d0) {axes=[3], keep_dims=0}", "1,4,4", ""},
  };
  for (const MoveCase& c : cases) {
    SCOPED_TRACE(c.call);
    std::vector<QdqIn> ins;
    for (const std::string& sh : c.shapes) ins.push_back({sh, q});
    const std::string op = c.call.substr(0, c.call.find('('));
    for (const std::string& sem : {std::string(), std::string(kOrt)}) {
      const ir::Graph before = ParseValid(OpQdq(ins, c.call, c.out_shape, q, sem, c.extra));
      const ir::Graph after = RunPassOn("fold-qdq", before);
      const std::string text = ir::Print(after);
      ExpectMatches(text, "%oq = " + op + "(%q0\n : i8[" + c.out_shape + "] " + q + "\nNOT dequantize(%q0)\n");
      // A copy has no int8 arithmetic to choose.
      const size_t at = text.find("%oq = ");
      if (at != std::string::npos) {
        EXPECT_EQ(text.substr(at, text.find('\n', at) - at).find("int8_semantics"), std::string::npos);
      }
      ExpectSameResults(before, after, 0.0f, true);
    }
  }
}

TEST(FoldQdq, DataMovementWithOtherQuantizationStaysFloat) {
  // Another output quantization would need a requantization TFLite's copy
  // kernels do not do.
  const std::string in = OpQdq({{"1,2,3,4", "quant(0.05, 3)"}}, "transpose(%d0) {perm=[0,2,3,1]}", "1,3,4,2",
                               "quant(0.1, 3)");
  ExpectMatches(RunText("fold-qdq", in), R"(
    %o = transpose(%d0) {perm=[0,2,3,1]} : f32[1,3,4,2]
    %oq = quantize(%o)
  )");
  // (maximum and minimum of other quantizations go through requantization
  // tables: MaximumAndMinimumOfOtherQuantizationsRequantizeThroughTables.)
}

TEST(FoldQdq, CopiesOutsideTheirQdqPairTakeTheDequantizeAlong) {
  // The layout pass sinks a transpose through its quantize / dequantize pair,
  // which leaves dequantize -> transpose -> depth_to_space -> quantize: the
  // dequantize moves after each copy, and both copies become int8.
  const std::string in = R"(graph "q" {
  input %x : f32[1,4,4,4]
  %xq = quantize(%x) : i8[1,4,4,4] quant(0.05, 3)
  %xd = dequantize(%xq) : f32[1,4,4,4]
  %t = transpose(%xd) {perm=[0,2,1,3]} : f32[1,4,4,4]
  %s = depth_to_space(%t) {block_size=2} : f32[1,8,8,1]
  %sq = quantize(%s) : i8[1,8,8,1] quant(0.05, 3)
  %y = dequantize(%sq) : f32[1,8,8,1]
  output %y
}
)";
  const std::string want = R"(graph "q" {
  input %x : f32[1,4,4,4]
  %xq = quantize(%x) : i8[1,4,4,4] quant(0.05, 3)
  %t/int8 = transpose(%xq) {perm=[0,2,1,3]} : i8[1,4,4,4] quant(0.05, 3)
  %sq = depth_to_space(%t/int8) {block_size=2} : i8[1,8,8,1] quant(0.05, 3)
  %y = dequantize(%sq) : f32[1,8,8,1]
  output %y
}
)";
  EXPECT_EQ(RunText("fold-qdq", in), want);
  ExpectSameResults(ParseValid(in), ParseValid(want), 0.0f, true);
}

TEST(FoldQdq, TransposeInFrontOfAConvRunsInInt8AndTheConvFolds) {
  // What the layout pass leaves with --keep-io-layout or after a binary
  // operator it cannot sink a transpose through: the transpose between the
  // dequantize and the conv. The transpose runs on the int8 tensor, and the
  // conv then reads a dequantize and folds.
  const std::string in = R"(graph "q" {
  input %x : f32[1,2,3,3]
  const %wq : i8[2,1,1,2] quant(0.01, 0) = hex"7fce1481"
  %xq = quantize(%x) : i8[1,2,3,3] quant(0.05, 3)
  %xd = dequantize(%xq) : f32[1,2,3,3]
  %t = transpose(%xd) {perm=[0,2,3,1]} : f32[1,3,3,2]
  %wd = dequantize(%wq) : f32[2,1,1,2]
  %c = conv2d(%t, %wd, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,3,3,2]
  %cq = quantize(%c) : i8[1,3,3,2] quant(0.01, -5)
  %y = dequantize(%cq) : f32[1,3,3,2]
  output %y
}
)";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %t/int8 = transpose(%xq) {perm=[0,2,3,1]} : i8[1,3,3,2] quant(0.05, 3)
    %cq = conv2d(%t/int8, %wq, _)
    NOT dequantize(%xq)
  )");
  ExpectSameResults(before, after, 0.0101f, true);
}

TEST(FoldQdq, StackedDequantizesAndAReshapeBeforeTheQuantizeLetAConvFold) {
  // A 3-D convolution as the ONNX frontend writes it: dequantized slices
  // concatenated (the depth taps), reshaped, a 2-D conv, and a reshape before
  // the quantize. The concatenation of equally quantized dequantizes runs in
  // int8, the quantize moves before the last reshape, and the conv folds.
  const std::string in = R"(graph "q" {
  input %x : f32[1,2,3,3]
  const %wq : i8[2,1,1,4] quant(0.01, 0) = hex"7fce14810a0bf0f1"
  %xq = quantize(%x) : i8[1,2,3,3] quant(0.05, 3)
  %a = strided_slice(%xq) {begin=[0,0,0,0], begin_mask=0, end=[1,1,3,3], end_mask=0, shrink_axis_mask=0, strides=[1,1,1,1]} : i8[1,1,3,3] quant(0.05, 3)
  %b = strided_slice(%xq) {begin=[0,1,0,0], begin_mask=0, end=[1,2,3,3], end_mask=0, shrink_axis_mask=0, strides=[1,1,1,1]} : i8[1,1,3,3] quant(0.05, 3)
  %ad = dequantize(%a) : f32[1,1,3,3]
  %bd = dequantize(%b) : f32[1,1,3,3]
  %cat = concatenation(%ad, %bd) {axis=3} : f32[1,1,3,6]
  %taps = reshape(%cat) {shape=[1,3,3,2]} : f32[1,3,3,2]
  %wd = dequantize(%wq) : f32[2,1,1,4]
  %taps4 = concatenation(%taps, %taps) {axis=3} : f32[1,3,3,4]
  %c = conv2d(%taps4, %wd, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,3,3,2]
  %r = reshape(%c) {shape=[1,9,2]} : f32[1,9,2]
  %rq = quantize(%r) : i8[1,9,2] quant(0.01, -5)
  %y = dequantize(%rq) : f32[1,9,2]
  output %y
}
)";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %cat/int8 = concatenation(%a, %b) {axis=3} : i8[1,1,3,6] quant(0.05, 3)
    %taps/int8 = reshape(%cat/int8)
    %taps4/int8 = concatenation(%taps/int8, %taps/int8)
    %c/int8 = conv2d(%taps4/int8, %wq, _)
    %rq = reshape(%c/int8) {shape=[1,9,2]} : i8[1,9,2] quant(0.01, -5)
    NOT dequantize(%a)
    NOT quantize(%r)
  )");
  ExpectSameResults(before, after, 0.0101f, true);
}

TEST(FoldQdq, QuantizeOfAConcatenationMovesOntoItsOperands) {
  // Two float convolutions (the groups of a grouped transposed convolution)
  // concatenated, then quantized: each result is quantized first, each conv
  // folds, and the concatenation is an int8 copy.
  const std::string in = R"(graph "q" {
  input %x : f32[1,2,2,2]
  const %wq : i8[2,1,1,2] quant(0.01, 0) = hex"7fce1481"
  %xq = quantize(%x) : i8[1,2,2,2] quant(0.05, 3)
  %xd = dequantize(%xq) : f32[1,2,2,2]
  %wd = dequantize(%wq) : f32[2,1,1,2]
  %a = conv2d(%xd, %wd, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]
  %b = conv2d(%xd, %wd, _) {dilation=[1,1], pad=[0,0,0,0], stride=[2,2]} : f32[1,1,1,2]
  %bf = reshape(%b) {shape=[1,1,2]} : f32[1,1,2]
  %af = reshape(%a) {shape=[1,4,2]} : f32[1,4,2]
  %cat = concatenation(%af, %bf) {axis=1} : f32[1,5,2]
  %cq = quantize(%cat) : i8[1,5,2] quant(0.02, -1)
  %y = dequantize(%cq) : f32[1,5,2]
  output %y
}
)";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    conv2d(%xq, %wq, _)
    : i8[1,2,2,2] quant(0.02, -1)
    %cq = concatenation(
    : i8[1,5,2] quant(0.02, -1)
    NOT quantize(%cat)
    NOT dequantize(%xq)
  )");
  ExpectSameResults(before, after, 0.0201f, true);
}

TEST(FoldQdq, ConcatenationOfDequantizesOfOtherQuantizationsStaysFloat) {
  const std::string in = R"(graph "q" {
  input %x : f32[1,4]
  %xq = quantize(%x) : i8[1,4] quant(0.05, 3)
  %xq2 = quantize(%x) : i8[1,4] quant(0.1, 0)
  %ad = dequantize(%xq) : f32[1,4]
  %bd = dequantize(%xq2) : f32[1,4]
  %y = concatenation(%ad, %bd) {axis=1} : f32[1,8]
  output %y
}
)";
  EXPECT_EQ(RunText("fold-qdq", in), in);
}

TEST(FoldQdq, CopyWithAFusedActivationKeepsItsFloatResult) {
  // Without a quantize after it, max_pool2d's relu6 caps at 6.0 exactly; an
  // int8 pool would cap at the nearest step: it stays float. The transpose
  // (a graph output) runs in int8 and its dequantize makes the output.
  const std::string in = R"(graph "q" {
  input %x : f32[1,4,4,2]
  %xq = quantize(%x) : i8[1,4,4,2] quant(0.07, 3)
  %xd = dequantize(%xq) : f32[1,4,4,2]
  %p = max_pool2d(%xd) {act="relu6", filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : f32[1,2,2,2]
  %r = transpose(%xd) {perm=[0,2,1,3]} : f32[1,4,4,2]
  %s = add(%p, %p) : f32[1,2,2,2]
  output %s
  output %r
}
)";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %p = max_pool2d(%xd) {act="relu6", filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : f32[1,2,2,2]
    %r/int8 = transpose(%xq) {perm=[0,2,1,3]} : i8[1,4,4,2] quant(0.07, 3)
    %r = dequantize(%r/int8) : f32[1,4,4,2]
  )");
  ExpectSameResults(before, after, 0.0f, true);
}

TEST(FoldQdq, PadFillIsQuantized) {
  // A float fill of 0 is the zero point (the int8 pad's fill without value).
  const std::string zero = OpQdq({{"1,2,2,1", "quant(0.05, 3)"}}, "pad(%d0) {pads=[0,0,1,0,0,1,0,0], value=0}",
                                 "1,3,3,1", "quant(0.05, 3)");
  const ir::Graph before = ParseValid(zero);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %oq = pad(%q0) {pads=[0,0,1,0,0,1,0,0]} : i8[1,3,3,1] quant(0.05, 3)
  )");
  ExpectSameResults(before, after, 0.0f, true);
  // Another fill is quantized: 0.5 / 0.05 = 10, + 3; -9 / 0.05 clamps to -128.
  for (const auto& [value, fill] : {std::pair<std::string, std::string>{"0.5", "13"}, {"-9", "-128"}}) {
    const std::string other = OpQdq({{"1,2,2,1", "quant(0.05, 3)"}},
                                    "pad(%d0) {pads=[0,0,1,0,0,1,0,0], value=" + value + "}", "1,3,3,1",
                                    "quant(0.05, 3)");
    const ir::Graph b = ParseValid(other);
    const ir::Graph a = RunPassOn("fold-qdq", b);
    ExpectMatches(ir::Print(a), "%oq = pad(%q0) {pads=[0,0,1,0,0,1,0,0], value=" + fill + "} : i8[1,3,3,1]\n");
    ExpectSameResults(b, a, 0.0f, true);
  }
  // A fill halfway between two steps (0.125 / 0.25 = 0.5) rounds differently
  // in the two arithmetics: the pad stays float.
  const std::string tie = OpQdq({{"1,2,2,1", "quant(0.25, 3)"}}, "pad(%d0) {pads=[0,0,1,0,0,1,0,0], value=0.125}",
                                "1,3,3,1", "quant(0.25, 3)");
  ExpectMatches(RunText("fold-qdq", tie), R"(
    %o = pad(%d0) {pads=[0,0,1,0,0,1,0,0], value=0.125} : f32[1,3,3,1]
  )");
}

std::string SplitQdq(const std::string& q1) {
  return "graph \"s\" {\n"
         "  input %x : f32[1,2,2,5]\n"
         "  %xq = quantize(%x) : i8[1,2,2,5] quant(0.05, 3)\n"
         "  %xd = dequantize(%xq) : f32[1,2,2,5]\n"
         "  %a, %b = split(%xd) {axis=3, sizes=[2,3]} : f32[1,2,2,2], f32[1,2,2,3]\n"
         "  %aq = quantize(%a) : i8[1,2,2,2] quant(0.05, 3)\n"
         "  %bq = quantize(%b) : i8[1,2,2,3] " + q1 + "\n"
         "  %ad = dequantize(%aq) : f32[1,2,2,2]\n"
         "  %bd = dequantize(%bq) : f32[1,2,2,3]\n"
         "  output %ad\n  output %bd\n}\n";
}

TEST(FoldQdq, SplitWhoseOutputsAreAllQuantizedAlikeBecomesInt8) {
  const ir::Graph before = ParseValid(SplitQdq("quant(0.05, 3)"));
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %aq, %bq = split(%xq) {axis=3, sizes=[2,3]} : i8[1,2,2,2] quant(0.05, 3), i8[1,2,2,3] quant(0.05, 3)
    NOT dequantize(%xq)
  )");
  ExpectSameResults(before, after, 0.0f, true);
  // One output quantized otherwise: the split stays float.
  ExpectMatches(RunText("fold-qdq", SplitQdq("quant(0.1, 3)")), R"(
    %a, %b = split(%xd) {axis=3, sizes=[2,3]} : f32[1,2,2,2], f32[1,2,2,3]
  )");
}

std::string ArgMaxQdq(const std::string& op, const std::string& quant) {
  return "graph \"a\" {\n"
         "  input %x : f32[1,3,7]\n"
         "  %xq = quantize(%x) : i8[1,3,7] " + quant + "\n"
         "  %xd = dequantize(%xq) : f32[1,3,7]\n"
         "  %i = " + op + "(%xd) {axis=2, keep_dims=0} : i32[1,3]\n"
         "  output %i\n}\n";
}

TEST(FoldQdq, ArgMaxAndArgMinReadTheInt8Tensor) {
  for (const std::string& op : {std::string("arg_max"), std::string("arg_min")}) {
    // A coarse scale makes ties likely: both pick the first index.
    const ir::Graph before = ParseValid(ArgMaxQdq(op, "quant(0.5, -1)"));
    const ir::Graph after = RunPassOn("fold-qdq", before);
    ExpectMatches(ir::Print(after), "%i = " + op + "(%xq) {axis=2, keep_dims=0} : i32[1,3]\nNOT dequantize(\n");
    ExpectSameResults(before, after);
  }
}

// topk_v2 of a dequantize runs on the int8 tensor (the same order, ties
// included): its values stay int8 in the input's quantization and are
// dequantized after it, its indices are unchanged.
TEST(FoldQdq, TopkReadsTheInt8Tensor) {
  for (const std::string& largest : {std::string("0"), std::string("1")}) {
    const ir::Graph before = ParseValid(
        "graph \"t\" {\n"
        "  input %x : f32[2,9]\n"
        "  %xq = quantize(%x) : i8[2,9] quant(0.5, -1)\n"
        "  %xd = dequantize(%xq) : f32[2,9]\n"
        "  %v, %i = topk_v2(%xd) {k=4, largest=" + largest + "} : f32[2,4], i32[2,4]\n"
        "  output %v\n  output %i\n}\n");
    const ir::Graph after = RunPassOn("fold-qdq", before);
    ExpectMatches(ir::Print(after), "topk_v2(%xq) {k=4, largest=" + largest +
                                        "} : i8[2,4] quant(0.5, -1), i32[2,4]\n%v = dequantize(");
    ExpectSameResults(before, after);
  }
}

struct RequantCase {
  std::vector<QdqIn> ins;
  std::string call, out_shape, out_q, extra;
};

// Operators that requantize: folded with TFLite's arithmetic (within one
// output step of the float QDQ graph). For ONNX Runtime's, which their int8
// kernels do not follow (no int8_semantics attribute), the pointwise ones
// become a lookup_table equal to the float QDQ graph, the others stay float
// (prelu's slope per channel too: its tables, 256 bytes per channel, would
// be larger than this small tensor in float);
// batch_matmul follows it (QLinearMatMul) and folds with the attribute.
TEST(FoldQdq, RequantizingOperatorsBecomeInt8WithTfliteSemanticsOrATable) {
  const QdqIn a{"1,2,3,4", "quant(0.05, 3)"}, b{"1,2,3,4", "quant(0.03, -7)"};
  const std::vector<RequantCase> cases = {
      {{a, b}, "sub(%d0, %d1)", "1,2,3,4", "quant(0.06, 1)", ""},
      {{a}, "leaky_relu(%d0) {alpha=0.2}", "1,2,3,4", "quant(0.04, -20)", ""},
      {{a}, "hard_swish(%d0)", "1,2,3,4", "quant(0.03, -110)", ""},
      {{a}, "relu(%d0)", "1,2,3,4", "quant(0.02, -128)", ""},
      {{a}, "relu(%d0)", "1,2,3,4", "quant(0.05, 3)", ""},
      {{a}, "relu6(%d0)", "1,2,3,4", "quant(0.05, 3)", ""},
      {{a}, "clip(%d0) {max=1, min=-1}", "1,2,3,4", "quant(0.0079, 0)", ""},
      {{a}, "hard_sigmoid(%d0) {alpha=0.2, beta=0.5}", "1,2,3,4", "quant(0.004, -128)", ""},
      {{a}, "resize_bilinear(%d0) {align_corners=0, half_pixel_centers=1, size=[4,6]}", "1,4,6,4", "quant(0.05, 3)", ""},
      {{{"1,2,3", "quant(0.05, 3)"}, {"1,3,2", "quant(0.04, -1)"}}, "batch_matmul(%d0, %d1) {adj_x=0, adj_y=0}", "1,2,2",
       "quant(0.1, 2)", ""},
      {{a}, "prelu(%d0, %ad)", "1,2,3,4", "quant(0.05, 10)",
       "  const %al : i8[4] quant(0.01, 0) = hex\"14ec327f\"\n  %ad = dequantize(%al) : f32[4]\n"},
  };
  for (const RequantCase& c : cases) {
    SCOPED_TRACE(c.call + " -> " + c.out_q);
    const std::string op = c.call.substr(0, c.call.find('('));
    const ir::Graph before = ParseValid(OpQdq(c.ins, c.call, c.out_shape, c.out_q, "", c.extra));
    const ir::Graph after = RunPassOn("fold-qdq", before);
    ExpectMatches(ir::Print(after), "%oq = " + op + "(%q0" + "\nNOT dequantize(%q0)\nNOT = " + op + "(%d0\n");
    const float step = std::stof(c.out_q.substr(6));
    ExpectSameResults(before, after, step * 1.001f, true);
    const ir::Graph ort_before = ParseValid(OpQdq(c.ins, c.call, c.out_shape, c.out_q, kOrt, c.extra));
    const ir::Graph ort = RunPassOn("fold-qdq", ort_before);
    if (c.ins.size() == 1 && c.extra.empty() && op != "resize_bilinear") {
      ExpectMatches(ir::Print(ort), "%oq = lookup_table(%q0, %oq/table) {function=\"" + op + "\"}\nNOT dequantize(%q0)\n");
      ExpectSameResults(ort_before, ort, 0.0f, true);
    } else if (op == "batch_matmul") {  // QLinearMatMul's arithmetic: int8 with the attribute
      ExpectMatches(ir::Print(ort), "%oq = batch_matmul(%q0, %q1) {adj_x=0, adj_y=0, int8_semantics=\"onnxruntime\"}\n"
                                    "NOT dequantize(%q0)\n");
      ExpectSameResults(ort_before, ort, step * 1.001f, true);
    } else {
      ExpectMatches(ir::Print(ort), "%o = " + c.call + " : f32[" + c.out_shape + "]\n");
    }
  }
}

TEST(FoldQdq, ResizeBilinearWithOtherQuantizationStaysFloatRelu6BecomesATable) {
  // Their int8 kernels keep the input's units (no requantization); relu6 is
  // pointwise, so its table does the requantization.
  const std::string in = OpQdq({{"1,2,3,4", "quant(0.05, 3)"}},
                               "resize_bilinear(%d0) {align_corners=0, half_pixel_centers=1, size=[4,6]}", "1,4,6,4",
                               "quant(0.04, 3)");
  ExpectMatches(RunText("fold-qdq", in), R"(
    %o = resize_bilinear(%d0)
  )");
  const std::string r6 = OpQdq({{"1,4", "quant(0.05, 3)"}}, "relu6(%d0)", "1,4", "quant(0.025, -128)");
  const ir::Graph r6_before = ParseValid(r6);
  const ir::Graph r6_after = RunPassOn("fold-qdq", r6_before);
  ExpectMatches(ir::Print(r6_after), R"(
    %oq = lookup_table(%q0, %oq/table) {function="relu6"} : i8[1,4] quant(0.025, -128)
    NOT relu6(
  )");
  ExpectSameResults(r6_before, r6_after, 0.0f, true);
}

// resize_linear folds with ONNX Runtime's arithmetic, input and output
// quantized differently: the int8 operator dequantizes, interpolates and
// quantizes as the QDQ graph does, so the results are equal. With TFLite's
// arithmetic (whose quantize rounds half away from zero) it stays float.
TEST(FoldQdq, ResizeLinearFoldsWithOnnxRuntimeArithmeticOnly) {
  const std::string call = "resize_linear(%d0) {coordinate_mode=\"half_pixel\", scale=[2.0, 1.5], size=[4,6]}";
  const std::string ort = OpQdq({{"1,2,4,3", "quant(0.05, 3)"}}, call, "1,4,6,3", "quant(0.04, -5)", kOrt);
  const ir::Graph before = ParseValid(ort);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %oq = resize_linear(%q0) {coordinate_mode="half_pixel", scale=[2.0,1.5], size=[4,6]} : i8[1,4,6,3] quant(0.04, -5)
    NOT = resize_linear(%d0)
  )");
  ExpectSameResults(before, after, 0.0f, true);
  const std::string tfl = OpQdq({{"1,2,4,3", "quant(0.05, 3)"}}, call, "1,4,6,3", "quant(0.04, -5)");
  ExpectMatches(RunText("fold-qdq", tfl), R"(
    %o = resize_linear(%d0)
  )");
}

// Pointwise operators without a foldable int8 kernel (exp, log, sqrt, elu,
// sigmoid under ONNX Runtime's arithmetic, ...) between a dequantize and a
// quantize: one int8 table lookup, equal to the float QDQ graph; the table is
// quantize(op(dequantize(x))) for x = -128..127.
TEST(FoldQdq, PointwiseOperatorBetweenDequantizeAndQuantizeBecomesALookupTable) {
  for (const std::string call :
       {"exp(%d0)", "elu(%d0)", "sqrt(%d0)", "abs(%d0)", "neg(%d0)", "log(%d0)", "erf(%d0)", "floor(%d0)", "ceil(%d0)",
        "round(%d0)", "sin(%d0)", "cos(%d0)", "sign(%d0)", "square(%d0)", "atan(%d0)"}) {
    SCOPED_TRACE(call);
    const std::string op = call.substr(0, call.find('('));
    const ir::Graph before = ParseValid(OpQdq({{"1,2,3,4", "quant(0.05, 3)"}}, call, "1,2,3,4", "quant(0.04, -20)"));
    const ir::Graph after = RunPassOn("fold-qdq", before);
    ExpectMatches(ir::Print(after), "const %oq/table : i8[256]\n%oq = lookup_table(%q0, %oq/table) {function=\"" + op +
                                        "\"} : i8[1,2,3,4] quant(0.04, -20)\nNOT dequantize(%q0)\n");
    ExpectSameResults(before, after, 0.0f, true);
  }
  // The entries themselves, checked by hand: exp with scales 1 and zero
  // points 0 maps x to clamp(round(e^x), -128, 127).
  const ir::Graph after = RunPassOn("fold-qdq", ParseValid(OpQdq({{"1,4", "quant(1, 0)"}}, "exp(%d0)", "1,4", "quant(1, 0)")));
  const ir::Tensor* table = nullptr;
  for (const ir::Tensor& t : after.tensors)
    if (t.name == "oq/table") table = &t;
  ASSERT_NE(table, nullptr);
  ASSERT_TRUE(table->data.has_value());
  // 0 up to x = -1 (e^-1 = 0.37), then 1, 3 (e^1 = 2.72), 7 (7.39), 20
  // (20.09), 55 (54.6), and 127 from x = 5 (148.4) on.
  const auto at = [&](int x) { return static_cast<int8_t>((*table->data)[static_cast<size_t>(x + 128)]); };
  EXPECT_EQ(at(-128), 0);
  EXPECT_EQ(at(-1), 0);
  EXPECT_EQ(at(0), 1);
  EXPECT_EQ(at(1), 3);
  EXPECT_EQ(at(2), 7);
  EXPECT_EQ(at(3), 20);
  EXPECT_EQ(at(4), 55);
  EXPECT_EQ(at(5), 127);
  EXPECT_EQ(at(127), 127);
}

// concatenation under ONNX Runtime's arithmetic (TFLite's int8 kernel
// requantizes in fixed point): the input quantized otherwise than the output
// goes through a table of quantize(dequantize(x)), the other is read as it
// is, and the int8 concatenation copies; equal to the QDQ graph.
TEST(FoldQdq, ConcatenationWithOnnxRuntimeArithmeticRequantizesThroughTables) {
  const std::string in = OpQdq({{"1,2,3,4", "quant(0.05, 3)"}, {"1,2,3,4", "quant(0.03, -7)"}},
                               "concatenation(%d0, %d1) {axis=3}", "1,2,3,8", "quant(0.05, 3)", kOrt);
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    %q1/requantized = lookup_table(%q1, %oq/table) {function="requantization"} : i8[1,2,3,4] quant(0.05, 3)
    %oq = concatenation(%q0, %q1/requantized) {axis=3} : i8[1,2,3,8] quant(0.05, 3)
    NOT dequantize(%q0)
    NOT dequantize(%q1)
  )");
  ExpectSameResults(before, after, 0.0f, true);
  // Both inputs quantized otherwise: two tables.
  const ir::Graph before2 = ParseValid(OpQdq({{"1,4", "quant(0.05, 3)"}, {"1,4", "quant(0.03, -7)"}},
                                             "concatenation(%d0, %d1) {axis=1}", "1,8", "quant(0.04, 0)", kOrt));
  const ir::Graph after2 = RunPassOn("fold-qdq", before2);
  ExpectMatches(ir::Print(after2), "lookup_table(%q0\nlookup_table(%q1\n%oq = concatenation(");
  ExpectSameResults(before2, after2, 0.0f, true);
  // An input that is float, not a dequantize: nothing changes.
  const std::string mixed = "graph \"c\" {\n"
                            "  input %x0 : f32[1,4]\n"
                            "  input %x1 : f32[1,4]\n"
                            "  %q0 = quantize(%x0) {int8_semantics=\"onnxruntime\"} : i8[1,4] quant(0.05, 3)\n"
                            "  %d0 = dequantize(%q0) : f32[1,4]\n"
                            "  %o = concatenation(%d0, %x1) {axis=1} : f32[1,8]\n"
                            "  %oq = quantize(%o) {int8_semantics=\"onnxruntime\"} : i8[1,8] quant(0.04, 0)\n"
                            "  %y = dequantize(%oq) : f32[1,8]\n"
                            "  output %y\n}\n";
  EXPECT_EQ(RunText("fold-qdq", mixed), ir::Print(ParseValid(mixed)));
}

// select (ONNX Where) copies one of its value operands: with both
// dequantized, an operand quantized otherwise than the output goes through a
// table of quantize(dequantize(x)), a float constant operand is quantized by
// the output's quantize at compile time (in either arithmetic, since
// quantize works element by element), and the int8 select copies; equal to
// the QDQ graph. A float operand that is neither stays float.
TEST(FoldQdq, SelectOfDequantizedOperandsBecomesInt8) {
  const std::string cond = "  const %c : bool[1,4] = hex\"01000100\"\n";
  for (const std::string& sem : {std::string(), std::string(kOrt)}) {
    SCOPED_TRACE(sem);
    const ir::Graph same = ParseValid(OpQdq({{"2,4", "quant(0.05, 3)"}, {"2,4", "quant(0.05, 3)"}},
                                            "select(%c, %d0, %d1)", "2,4", "quant(0.05, 3)", sem, cond));
    const ir::Graph same_after = RunPassOn("fold-qdq", same);
    ExpectMatches(ir::Print(same_after), "%oq = select(%c, %q0, %q1) : i8[2,4] quant(0.05, 3)\nNOT lookup_table(\n");
    ExpectSameResults(same, same_after, 0.0f, true);
    const ir::Graph mixed = ParseValid(OpQdq({{"2,4", "quant(0.05, 3)"}, {"1,4", "quant(0.03, -7)"}},
                                             "select(%c, %d0, %d1)", "2,4", "quant(0.04, 1)", sem, cond));
    const ir::Graph mixed_after = RunPassOn("fold-qdq", mixed);
    ExpectMatches(ir::Print(mixed_after), R"(
      %q0/requantized = lookup_table(%q0, %oq/table) {function="requantization"} : i8[2,4] quant(0.04, 1)
      %q1/requantized = lookup_table(%q1, %oq/table_2) {function="requantization"} : i8[1,4] quant(0.04, 1)
      %oq = select(%c, %q0/requantized, %q1/requantized) : i8[2,4] quant(0.04, 1)
    )");
    ExpectSameResults(mixed, mixed_after, 0.0f, true);
    // A float constant operand (an attention mask's fill, say), one element
    // and a full tensor, including values beyond the int8 range.
    const std::string consts = cond + "  const %k : f32[] = " + HexFloats({-3.3f}) + "\n" +
                               "  const %v : f32[2,4] = " +
                               HexFloats({0.02f, -0.02f, 0.06f, 9.0f, -9.0f, 0.1f, -0.13f, 0.0f}) + "\n";
    for (const char* call : {"select(%c, %d0, %k)", "select(%c, %v, %d0)"}) {
      const ir::Graph with_const =
          ParseValid(OpQdq({{"2,4", "quant(0.05, 3)"}}, call, "2,4", "quant(0.04, 1)", sem, consts));
      const ir::Graph const_after = RunPassOn("fold-qdq", with_const);
      ExpectMatches(ir::Print(const_after), "/quantized : i8[\n%oq = select(%c, \nNOT %o = select(\n");
      ExpectSameResults(with_const, const_after, 0.0f, true);
    }
  }
  // An operand computed in float: nothing changes.
  const std::string float_operand = "graph \"s\" {\n"
                                    "  input %x0 : f32[1,4]\n"
                                    "  input %x1 : f32[1,4]\n"
                                    "  const %c : bool[1,4] = hex\"01000100\"\n"
                                    "  %q0 = quantize(%x0) : i8[1,4] quant(0.05, 3)\n"
                                    "  %d0 = dequantize(%q0) : f32[1,4]\n"
                                    "  %o = select(%c, %d0, %x1) : f32[1,4]\n"
                                    "  %oq = quantize(%o) : i8[1,4] quant(0.04, 0)\n"
                                    "  %y = dequantize(%oq) : f32[1,4]\n"
                                    "  output %y\n}\n";
  EXPECT_EQ(RunText("fold-qdq", float_operand), ir::Print(ParseValid(float_operand)));
}

// A quantized embedding table (a dequantized int8 constant) gathered by
// run-time indices: the gather picks from the int8 constant and only its
// result is dequantized, so the table stays int8 (a quarter of its float
// size). With constant indices nothing runs at all: the dequantized table
// becomes a float constant, as before.
TEST(FoldQdq, Int8TableGatheredByRunTimeIndicesStaysInt8) {
  auto graph = [](const std::string& indices) {
    return "graph \"e\" {\n" + indices +
           "  const %w : i8[3,2] quant(0.05, 2) = hex\"017f80fe0305\"\n"
           "  %wd = dequantize(%w) : f32[3,2]\n"
           "  %g = gather(%wd, %i) {axis=0} : f32[4,2]\n"
           "  %y = relu(%g) : f32[4,2]\n"
           "  output %y\n}\n";
  };
  const ir::Graph before = ParseValid(graph("  input %i : i32[4]\n"));
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), R"(
    const %w : i8[3,2] quant(0.05, 2)
    %g/int8 = gather(%w, %i) {axis=0} : i8[4,2] quant(0.05, 2)
    %g = dequantize(%g/int8) : f32[4,2]
    NOT f32[3,2]
  )");
  // Rows 2, 0, 1, 2: relu(0.05 * (w - 2)) of the stored bytes 1 127 -128 -2 3 5.
  const std::vector<int32_t> rows = {2, 0, 1, 2};
  std::vector<uint8_t> idx(16);
  std::memcpy(idx.data(), rows.data(), 16);
  for (const ir::Graph* g : {&before, &after}) {
    auto r = ops::EvaluateGraph(*g, {idx});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<float> y(8);
    ASSERT_EQ(r->outputs[0].size(), 32u);
    std::memcpy(y.data(), r->outputs[0].data(), 32);
    EXPECT_EQ(y, (std::vector<float>{0.05f, 0.15f, 0.0f, 6.25f, 0.0f, 0.0f, 0.05f, 0.15f}));
  }
  ExpectMatches(RunText("fold-qdq", graph("  const %i : i32[4] = hex\"00000000020000000100000000000000\"\n")),
                "const %wd : f32[3,2]\nNOT gather(%w,");
}

// pow with a one-element constant exponent is pointwise too: a table; a
// vector exponent on a small tensor stays float (see the chain test for
// tables per channel).
TEST(FoldQdq, PowWithAConstantScalarExponentBecomesALookupTable) {
  auto graph = [](const std::string& exponent) {
    return "graph \"t\" {\n"
           "  input %x : f32[2,4]\n"
           "  const %e : " + exponent + "\n"
           "  %xq = quantize(%x) : i8[2,4] quant(0.05, 3)\n"
           "  %xd = dequantize(%xq) : f32[2,4]\n"
           "  %p = pow(%xd, %e) : f32[2,4]\n"
           "  %pq = quantize(%p) : i8[2,4] quant(0.03, -100)\n"
           "  output %pq\n}\n";
  };
  const ir::Graph before = ParseValid(graph("f32[1] = " + HexFloats({1.5f})));
  const ir::Graph after = RunPassOn("fold-qdq", before);
  ExpectMatches(ir::Print(after), "const %pq/table : i8[256]\n%pq = lookup_table(%xq, %pq/table) {function=\"pow\"} : "
                                  "i8[2,4] quant(0.03, -100)\nNOT pow(\n");
  ExpectSameResults(before, after, 0.0f, true);
  // An exponent per column: its tables (4 x 256 bytes) would be larger than
  // the float [2, 4] tensor, so it stays float.
  ExpectMatches(RunText("fold-qdq", graph("f32[4] = " + HexFloats({1.5f, 2, 0.5f, 3}))),
                "%p = pow(%xd, %e) : f32[2,4]\nNOT lookup_table(\n");
}

// maximum / minimum of two dequantized tensors quantized otherwise than the
// output: each through its requantization table, then the int8 operator
// (quantizing keeps the order), in either arithmetic; equal to the QDQ
// graph, broadcasting included.
TEST(FoldQdq, MaximumAndMinimumOfOtherQuantizationsRequantizeThroughTables) {
  for (const std::string& sem : {std::string(), std::string(kOrt)}) {
    for (const char* op : {"maximum", "minimum"}) {
      SCOPED_TRACE(sem + op);
      const ir::Graph before =
          ParseValid(OpQdq({{"2,4", "quant(0.05, 3)"}, {"1,4", "quant(0.03, -7)"}}, std::string(op) + "(%d0, %d1)",
                           "2,4", "quant(0.04, 1)", sem));
      const ir::Graph after = RunPassOn("fold-qdq", before);
      ExpectMatches(ir::Print(after), "lookup_table(%q0\nlookup_table(%q1\n%oq = " + std::string(op) +
                                          "(%q0/requantized, %q1/requantized) : i8[2,4] quant(0.04, 1)\n");
      ExpectSameResults(before, after, 0.0f, true);
    }
  }
}

// A binary operator with one operand a single value (a float constant or a
// dequantized one-element constant, on either side) is a function of the
// other operand alone: a table, in either arithmetic, equal to the QDQ
// graph. A constant of several values on a small tensor stays float.
TEST(FoldQdq, BinaryOperatorWithAOneValueOperandBecomesALookupTable) {
  auto graph = [](const std::string& call, const std::string& sem) {
    return "graph \"t\" {\n"
           "  input %x : f32[2,4]\n"
           "  const %k : f32[1] = " + HexFloats({0.7f}) + "\n"
           "  const %v : f32[4] = " + HexFloats({0.7f, -0.2f, 1.5f, 3.0f}) + "\n"
           "  const %kq : i8[] quant(0.02, -3) = hex\"21\"\n"
           "  %kd = dequantize(%kq) : f32[]\n"
           "  %xq = quantize(%x) " + sem + " : i8[2,4] quant(0.05, 3)\n"
           "  %xd = dequantize(%xq) : f32[2,4]\n"
           "  %p = " + call + " : f32[2,4]\n"
           "  %pq = quantize(%p) " + sem + " : i8[2,4] quant(0.03, -100)\n"
           "  output %pq\n}\n";
  };
  for (const std::string& sem : {std::string(), std::string(kOrt)}) {
    SCOPED_TRACE(sem);
    for (const char* call : {"sub(%xd, %k)", "div(%k, %xd)", "maximum(%xd, %kd)", "squared_difference(%kd, %xd)",
                             "minimum(%xd, %k)", "prelu(%xd, %k)"}) {
      SCOPED_TRACE(call);
      const ir::Graph before = ParseValid(graph(call, sem));
      const ir::Graph after = RunPassOn("fold-qdq", before);
      const std::string op = std::string(call).substr(0, std::string(call).find('('));
      ExpectMatches(ir::Print(after), "%pq = lookup_table(%xq, %pq/table) {function=\"" + op + "\"}\nNOT %p = \n");
      ExpectSameResults(before, after, 0.0f, true);
    }
    // A constant of several values on this small tensor: its tables would
    // be larger than the float tensor, so it stays float.
    ExpectMatches(RunText("fold-qdq", graph("sub(%xd, %v)", sem)), "%p = sub(%xd, %v) : f32[2,4]\nNOT lookup_table(\n");
  }
}

// A chain of elementwise operators with constant operands between a
// dequantize and a quantize, each result read once (a batch normalization's
// x · s + b per channel, relu then sigmoid): one table, per channel where a
// constant varies along an axis, equal to the QDQ graph; tables per channel
// only where they are no larger than the tensor in float. A link read twice
// stops the chain.
TEST(FoldQdq, ChainOfElementwiseOperatorsBecomesOneLookupTable) {
  for (const std::string& sem : {std::string(), std::string(kOrt)}) {
    SCOPED_TRACE(sem);
    const std::string bn = "graph \"b\" {\n"
                           "  input %x : f32[1,3,8,8]\n"
                           "  const %s : f32[3,1,1] = " + HexFloats({0.5f, -1.25f, 2.0f}) + "\n"
                           "  const %bq : i8[3,1,1] quant(0.01, 0) = hex\"0a9c7f\"\n"
                           "  %xq = quantize(%x) " + sem + " : i8[1,3,8,8] quant(0.05, 3)\n"
                           "  %xd = dequantize(%xq) : f32[1,3,8,8]\n"
                           "  %bd = dequantize(%bq) : f32[3,1,1]\n"
                           "  %m = mul(%xd, %s) : f32[1,3,8,8]\n"
                           "  %a = add(%m, %bd) : f32[1,3,8,8]\n"
                           "  %r = relu(%a) : f32[1,3,8,8]\n"
                           "  %rq = quantize(%r) " + sem + " : i8[1,3,8,8] quant(0.02, -128)\n"
                           "  %y = dequantize(%rq) : f32[1,3,8,8]\n"
                           "  output %y\n}\n";
    const ir::Graph before = ParseValid(bn);
    const ir::Graph after = RunPassOn("fold-qdq", before);
    ExpectMatches(ir::Print(after), "const %rq/table : i8[3,256]\n"
                                    "%rq = lookup_table(%xq, %rq/table) {axis=1, function=\"mul, add, relu\"}\n"
                                    "NOT mul(\nNOT add(\n");
    ExpectSameResults(before, after, 0.0f, true);
    // The same on [1,3,1,1]: 3 x 256 bytes of tables against 12 bytes of
    // float values: it stays float.
    std::string small = bn;
    for (size_t at = small.find("1,3,8,8"); at != std::string::npos; at = small.find("1,3,8,8"))
      small.replace(at, 7, "1,3,1,1");
    ExpectMatches(RunText("fold-qdq", small), "%m = mul(%xd, %s)\nNOT lookup_table(\n");
    const std::string twice = "graph \"t\" {\n"
                              "  input %x : f32[2,4]\n"
                              "  %xq = quantize(%x) " + sem + " : i8[2,4] quant(0.05, 3)\n"
                              "  %xd = dequantize(%xq) : f32[2,4]\n"
                              "  %r = relu(%xd) : f32[2,4]\n"
                              "  %s = logistic(%r) : f32[2,4]\n"
                              "  %t = add(%s, %r) : f32[2,4]\n"
                              "  %tq = quantize(%t) " + sem + " : i8[2,4] quant(0.01, 0)\n"
                              "  output %tq\n}\n";
    ExpectMatches(RunText("fold-qdq", twice), "%s = logistic(%r)\nNOT lookup_table(%xq\n");
  }
}

// A pointwise operator whose result is also read in float, or is a graph
// output, stays as it is.
TEST(FoldQdq, PointwiseOperatorReadInFloatStaysFloat) {
  const std::string in = "graph \"t\" {\n"
                         "  input %x : f32[1,4]\n"
                         "  %xq = quantize(%x) : i8[1,4] quant(0.05, 3)\n"
                         "  %xd = dequantize(%xq) : f32[1,4]\n"
                         "  %e = exp(%xd) : f32[1,4]\n"
                         "  %eq = quantize(%e) : i8[1,4] quant(0.04, -20)\n"
                         "  %ed = dequantize(%eq) : f32[1,4]\n"
                         "  %s = add(%ed, %e) : f32[1,4]\n"
                         "  output %s\n}\n";
  ExpectMatches(RunText("fold-qdq", in), "%e = exp(%xd) : f32[1,4]\nNOT lookup_table(\n");
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
