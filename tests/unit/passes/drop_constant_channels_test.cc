// drop-constant-channels: text in, text out, and the results before and
// after (int8, so equal byte for byte) on several inputs.
#include <cstdint>
#include <string>
#include <vector>

#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

std::string Hex(const std::vector<uint8_t>& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string s = "hex\"";
  for (uint8_t b : bytes) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s + "\"";
}

// `n` int8 weights in [-90, 90], deterministic; the channels in `zero` (of
// `channels`, along the last axis when `last`, else the first) all zero.
std::string Weights(size_t n, size_t channels, bool last, const std::vector<size_t>& zero, uint32_t seed) {
  std::vector<uint8_t> b(n);
  uint32_t s = seed * 2654435761u + 7u;
  for (size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    const size_t c = last ? i % channels : i / (n / channels);
    const bool z = std::find(zero.begin(), zero.end(), c) != zero.end();
    b[i] = z ? 0 : static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>((s >> 16) % 181) - 90));
  }
  return Hex(b);
}

std::string Bias(const std::vector<int32_t>& v) {
  std::vector<uint8_t> b;
  for (int32_t x : v)
    for (int k = 0; k < 4; ++k) b.push_back(static_cast<uint8_t>(static_cast<uint32_t>(x) >> (8 * k)));
  return Hex(b);
}

// quant(axis=A, [s, s·1.1, ...], [0, ...]) of `n` channels.
std::string PerChannel(int axis, size_t n, double s) {
  std::string scales, zeros;
  for (size_t i = 0; i < n; ++i) {
    scales += (i ? ", " : "") + std::to_string(s * (1.0 + 0.1 * static_cast<double>(i)));
    zeros += i ? ", 0" : "0";
  }
  return "quant(axis=" + std::to_string(axis) + ", [" + scales + "], [" + zeros + "])";
}

void ExpectSameOnInputs(const ir::Graph& before, const ir::Graph& after) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    std::vector<std::vector<uint8_t>> in;
    for (size_t i = 0; i < before.inputs.size(); ++i)
      in.push_back(TestInput(before.tensor(before.inputs[i]), seed * 31 + static_cast<uint32_t>(i)));
    auto rb = ops::EvaluateGraph(before, in);
    auto ra = ops::EvaluateGraph(after, in);
    ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
    ASSERT_TRUE(ra.ok()) << ra.diag().ToString();
    EXPECT_EQ(rb->outputs, ra->outputs) << "seed " << seed;
  }
}

std::string Drop(const std::string& in, const std::string& want) {
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("drop-constant-channels", before);
  const std::string out = ir::Print(after);
  ExpectMatches(out, want);
  ExpectSameOnInputs(before, after);
  return out;
}

// conv2d 1x1 (4 channels; channels 1 and 2 with zero weights, 1 with a
// positive bias, 2 with a negative one, both relu) -> depthwise 3x3 with
// padding `dw_pad` -> conv2d 1x1 to 5 channels.
std::string PointwiseDepthwisePointwise(const std::string& dw_pad, const std::string& sem = "") {
  return "graph \"g\" {\n"
         "  input %x : i8[1,5,5,3] quant(0.05, -3)\n"
         "  const %w1 : i8[4,1,1,3] " + PerChannel(0, 4, 0.01) + " = " + Weights(12, 4, false, {1, 2}, 1) + "\n"
         "  const %b1 : i32[4] = " + Bias({300, 2000, -900, -50}) + "\n"
         "  %a = conv2d(%x, %w1, %b1) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]" + sem +
         "} : i8[1,5,5,4] quant(0.02, -128)\n"
         "  const %w2 : i8[1,3,3,4] " + PerChannel(3, 4, 0.02) + " = " + Weights(36, 4, true, {}, 2) + "\n"
         "  const %b2 : i32[4] = " + Bias({100, -20, 700, 40}) + "\n"
         "  %d = depthwise_conv2d(%a, %w2, %b2) {act=\"none\", depth_multiplier=1, dilation=[1,1], pad=" + dw_pad +
         ", stride=[1,1]" + sem + "} : i8[1," + (dw_pad == "[0,0,0,0]" ? "3,3" : "5,5") + ",4] quant(0.03, 4)\n"
         "  const %w3 : i8[5,1,1,4] " + PerChannel(0, 5, 0.015) + " = " + Weights(20, 5, false, {}, 3) + "\n"
         "  const %b3 : i32[5] = " + Bias({10, -400, 250, 0, 77}) + "\n"
         "  %y = conv2d(%d, %w3, %b3) {act=\"none\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]" + sem +
         "} : i8[1," + (dw_pad == "[0,0,0,0]" ? "3,3" : "5,5") + ",5] quant(0.05, 2)\n"
         "  output %y\n"
         "}\n";
}

TEST(DropConstantChannels, ChannelAtTheZeroPointLeavesThroughAPaddedDepthwise) {
  // Channel 2 is relu(-900 ...) = z everywhere; the depthwise gives its own
  // requantized bias everywhere (padding reads z too), which folds into
  // %y's bias. Channel 1 holds a value above z: the padded depthwise gives
  // other values at the border, so it stays.
  Drop(PointwiseDepthwisePointwise("[1,1,1,1]"),
       "%a = conv2d(%x, %w1, %b1)\n: i8[1,5,5,3]\n"
       "%d = depthwise_conv2d(%a, %w2, %b2)\n: i8[1,5,5,3]\n"
       "%y = conv2d(%d, %w3, %b3)\n: i8[1,5,5,5]");
  const std::string out = RunText("drop-constant-channels", PointwiseDepthwisePointwise("[1,1,1,1]"));
  ExpectMatches(out, "const %w1 : i8[3,1,1,3]\nconst %b1 : i32[3]\nconst %w2 : i8[1,3,3,3]\nconst %w3 : i8[5,1,1,3]");
}

TEST(DropConstantChannels, EveryConstantChannelLeavesThroughAnUnpaddedDepthwise) {
  Drop(PointwiseDepthwisePointwise("[0,0,0,0]"),
       "%a = conv2d(%x, %w1, %b1)\n: i8[1,5,5,2]\n"
       "%d = depthwise_conv2d(%a, %w2, %b2)\n: i8[1,3,3,2]\n"
       "%y = conv2d(%d, %w3, %b3)\n: i8[1,3,3,5]");
}

TEST(DropConstantChannels, FollowsOnnxRuntimeArithmetic) {
  Drop(PointwiseDepthwisePointwise("[0,0,0,0]", ", int8_semantics=\"onnxruntime\""),
       "%a = conv2d(%x, %w1, %b1)\n: i8[1,5,5,2]\n%d = depthwise_conv2d(%a, %w2, %b2)\n: i8[1,3,3,2]");
}

TEST(DropConstantChannels, FoldedContributionChangesTheReadersBias) {
  const std::string out = RunText("drop-constant-channels", PointwiseDepthwisePointwise("[0,0,0,0]"));
  const ir::Graph g = ParseValid(out);
  const ir::Graph before = ParseValid(PointwiseDepthwisePointwise("[0,0,0,0]"));
  const ir::Tensor& b_before = before.tensor(before.FindTensor("b3"));
  const ir::Tensor& b_after = g.tensor(g.FindTensor("b3"));
  ASSERT_EQ(b_after.num_elements(), 5);
  EXPECT_NE(*b_before.data, *b_after.data);  // channel 1's value is not the zero point
}

// A 3x3 reader: with padding only a channel at the zero point folds (the
// border sees padding, which reads real zero); without, any constant does.
std::string PointwiseThenConv3x3(const std::string& pad) {
  const bool padded = pad != "[0,0,0,0]";
  return "graph \"g\" {\n"
         "  input %x : i8[1,4,4,3] quant(0.05, -3)\n"
         "  const %w1 : i8[4,1,1,3] " + PerChannel(0, 4, 0.01) + " = " + Weights(12, 4, false, {0, 3}, 4) + "\n"
         "  const %b1 : i32[4] = " + Bias({-3000, 900, 80, 1500}) + "\n"
         "  %a = conv2d(%x, %w1, %b1) {act=\"relu6\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : "
         "i8[1,4,4,4] quant(0.025, -128)\n"
         "  const %w2 : i8[6,3,3,4] " + PerChannel(0, 6, 0.01) + " = " + Weights(216, 6, false, {}, 5) + "\n"
         "  const %b2 : i32[6] = " + Bias({1, 2, 3, 4, 5, 6}) + "\n"
         "  %y = conv2d(%a, %w2, %b2) {act=\"none\", dilation=[1,1], pad=" + pad + ", stride=[1,1]} : i8[1," +
         (padded ? "4,4" : "2,2") + ",6] quant(0.1, 0)\n"
         "  output %y\n"
         "}\n";
}

TEST(DropConstantChannels, PaddedConvolutionTakesOnlyTheZeroPoint) {
  Drop(PointwiseThenConv3x3("[1,1,1,1]"), "%a = conv2d(%x, %w1, %b1)\n: i8[1,4,4,3]\nconst %w2 : i8[6,3,3,3]");
  Drop(PointwiseThenConv3x3("[0,0,0,0]"), "%a = conv2d(%x, %w1, %b1)\n: i8[1,4,4,2]\nconst %w2 : i8[6,3,3,2]");
}

// fully_connected -> fully_connected, the second with a per-tensor filter
// whose zero point is not 0 (its reference subtracts it).
TEST(DropConstantChannels, FullyConnectedReaderFoldsWithItsFilterZeroPoint) {
  Drop("graph \"g\" {\n"
       "  input %x : i8[2,8] quant(0.05, 1)\n"
       "  const %w1 : i8[6,8] " + PerChannel(0, 6, 0.01) + " = " + Weights(48, 6, false, {1, 4}, 6) + "\n"
       "  const %b1 : i32[6] = " + Bias({40, 3000, -60, 5, 1234, 0}) + "\n"
       "  %a = fully_connected(%x, %w1, %b1) {act=\"none\", keep_num_dims=0} : i8[2,6] quant(0.04, -7)\n"
       "  const %w2 : i8[3,6] quant(0.02, 5) = " + Weights(18, 3, false, {}, 7) + "\n"
       "  const %b2 : i32[3] quant(0.0008, 0) = " + Bias({-100, 200, 300}) + "\n"
       "  %y = fully_connected(%a, %w2, %b2) {act=\"none\", keep_num_dims=0} : i8[2,3] quant(0.06, 3)\n"
       "  output %y\n"
       "}\n",
       "%a = fully_connected(%x, %w1, %b1)\n: i8[2,4]\nconst %w2 : i8[3,4]");
}

// conv2d -> whole-input average pool -> reshape -> fully_connected (the end
// of a MobileNet): the channels pass the pool and the reshape.
TEST(DropConstantChannels, PassesPoolsMeanAndReshapes) {
  for (const std::string& pool :
       {std::string("average_pool2d(%a) {act=\"none\", filter=[3,3], pad=[0,0,0,0], stride=[3,3]}"),
        std::string("max_pool2d(%a) {act=\"none\", filter=[3,3], pad=[0,0,0,0], stride=[3,3]}"),
        std::string("mean(%a) {axes=[1,2], keep_dims=1}")}) {
    SCOPED_TRACE(pool);
    Drop("graph \"g\" {\n"
         "  input %x : i8[1,3,3,4] quant(0.05, -3)\n"
         "  const %w1 : i8[5,1,1,4] " + PerChannel(0, 5, 0.01) + " = " + Weights(20, 5, false, {0, 2, 3}, 8) + "\n"
         "  const %b1 : i32[5] = " + Bias({700, 10, -20, 3000, 5}) + "\n"
         "  %a = conv2d(%x, %w1, %b1) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : "
         "i8[1,3,3,5] quant(0.02, -128)\n"
         "  %p = " + pool + " : i8[1,1,1,5] quant(0.02, -128)\n"
         "  %r = reshape(%p) {shape=[1,5]} : i8[1,5] quant(0.02, -128)\n"
         "  const %w2 : i8[2,5] " + PerChannel(0, 2, 0.01) + " = " + Weights(10, 2, false, {}, 9) + "\n"
         "  const %b2 : i32[2] = " + Bias({-5, 5}) + "\n"
         "  %y = fully_connected(%r, %w2, %b2) {act=\"none\", keep_num_dims=0} : i8[1,2] quant(0.03, 0)\n"
         "  output %y\n"
         "}\n",
         ": i8[1,3,3,2]\n: i8[1,1,1,2]\n%r = reshape(%p) {shape=[1,2]} : i8[1,2]\nconst %w2 : i8[2,2]");
  }
}

// Two channels stay at least; a graph output, an add and a grouped read
// keep every channel.
TEST(DropConstantChannels, KeepsTwoChannelsAndWhatOtherReadersNeed) {
  const auto graph = [](const std::string& reader, const std::string& outputs) {
    return "graph \"g\" {\n"
           "  input %x : i8[1,2,2,3] quant(0.05, -3)\n"
           "  const %w1 : i8[3,1,1,3] " + PerChannel(0, 3, 0.01) + " = " + Weights(9, 3, false, {0, 1}, 10) + "\n"
           "  const %b1 : i32[3] = " + Bias({0, -100, 5}) + "\n"
           "  %a = conv2d(%x, %w1, %b1) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : "
           "i8[1,2,2,3] quant(0.02, -128)\n" + reader +
           "  output " + outputs + "\n"
           "}\n";
  };
  const std::string conv =
      "  const %w2 : i8[2,1,1,3] " + PerChannel(0, 2, 0.01) + " = " + Weights(6, 2, false, {}, 11) + "\n"
      "  const %b2 : i32[2] = " + Bias({3, -3}) + "\n"
      "  %y = conv2d(%a, %w2, %b2) {act=\"none\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : i8[1,2,2,2] "
      "quant(0.1, 0)\n";
  // Channels 0 and 1 are constant; one of them goes.
  Drop(graph(conv, "%y"), ": i8[1,2,2,2]\nconst %w2 : i8[2,1,1,2]");
  for (const std::string& in : {graph(conv, "%y, %a"),
                                graph(conv + "  %s = add(%a, %a) {act=\"none\"} : i8[1,2,2,3] quant(0.04, -128)\n",
                                      "%y, %s")}) {
    const std::string out = RunText("drop-constant-channels", in);
    EXPECT_EQ(out, ir::Print(ParseValid(in)));
  }
}

// A reader's weights that another reader shares are copied before they change.
TEST(DropConstantChannels, CopiesSharedWeightsBeforeChangingThem) {
  const std::string out = Drop(
      "graph \"g\" {\n"
      "  input %x : i8[1,2,2,3] quant(0.05, -3)\n"
      "  input %z : i8[1,2,2,4] quant(0.02, -128)\n"
      "  const %w1 : i8[4,1,1,3] " + PerChannel(0, 4, 0.01) + " = " + Weights(12, 4, false, {3}, 12) + "\n"
      "  const %b1 : i32[4] = " + Bias({5, 6, 7, 800}) + "\n"
      "  %a = conv2d(%x, %w1, %b1) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : "
      "i8[1,2,2,4] quant(0.02, -128)\n"
      "  const %w2 : i8[2,1,1,4] " + PerChannel(0, 2, 0.01) + " = " + Weights(8, 2, false, {}, 13) + "\n"
      "  const %b2 : i32[2] = " + Bias({3, -3}) + "\n"
      "  %y = conv2d(%a, %w2, %b2) {act=\"none\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : i8[1,2,2,2] "
      "quant(0.1, 0)\n"
      "  %v = conv2d(%z, %w2, %b2) {act=\"none\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : i8[1,2,2,2] "
      "quant(0.1, 0)\n"
      "  output %y, %v\n"
      "}\n",
      "%a = conv2d(%x, %w1, %b1)\n: i8[1,2,2,3]\nconst %w2_2 : i8[2,1,1,3]\nconst %b2_2 : i32[2]\n"
      "%y = conv2d(%a, %w2_2, %b2_2)\n%v = conv2d(%z, %w2, %b2)");
}

TEST(DropConstantChannels, OptionOffChangesNothing) {
  PassOptions o;
  o.drop_constant_channels = false;
  const std::string in = PointwiseDepthwisePointwise("[0,0,0,0]");
  EXPECT_EQ(RunText("drop-constant-channels", in, o), ir::Print(ParseValid(in)));
}

}  // namespace
}  // namespace ember::passes::test
