// drop-constant-channels: text in, text out, and the results before and
// after (int8, so equal byte for byte) on several inputs.
#include <cstdint>
#include <random>
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

// One random chain over an int8 NHWC input: 1x1 and 3x3 convolutions,
// depthwise convolutions, pools and a mean, each convolution with some
// all-zero output channels, random paddings, strides, activations, zero
// points and int8 arithmetic; sometimes an intermediate value is an output
// too. Ends with a mean, a reshape and a fully_connected.
std::string RandomChain(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const std::string sem = pick(3) == 0 ? ", int8_semantics=\"onnxruntime\"" : "";
  int64_t h = 6 + pick(3), w = 5 + pick(3), c = 2 + pick(5);
  int zp = pick(40) - 20;
  std::string text = "graph \"r\" {\n  input %t0 : i8[1," + std::to_string(h) + "," + std::to_string(w) + "," +
                     std::to_string(c) + "] quant(0.05, " + std::to_string(zp) + ")\n";
  std::string extra_output;
  const auto shape = [&](int64_t hh, int64_t ww, int64_t cc) {
    return "i8[1," + std::to_string(hh) + "," + std::to_string(ww) + "," + std::to_string(cc) + "]";
  };
  const char* acts[] = {"none", "relu", "relu6"};
  const int steps = 2 + pick(4);
  int id = 0;
  for (int k = 0; k < steps; ++k) {
    const std::string in = "%t" + std::to_string(id), out = "%t" + std::to_string(id + 1), ks = std::to_string(k);
    const std::string act = acts[pick(3)];
    const int out_zp = act == "none" ? pick(40) - 20 : -128 + pick(3);
    const std::string q = " quant(" + std::to_string(0.03 + 0.01 * pick(5)) + ", " + std::to_string(out_zp) + ")";
    const int op = pick(5);
    if (op <= 1 || (op == 2 && (h < 3 || w < 3))) {  // 1x1 or 3x3 conv2d with some all-zero output channels
      const bool k3 = op == 1 && h >= 3 && w >= 3;
      const bool pad = k3 && pick(2) == 1;
      const int64_t cout = 2 + pick(7), taps = k3 ? 9 : 1;
      std::vector<size_t> zero;
      for (size_t o = 0; o < static_cast<size_t>(cout); ++o)
        if (pick(5) < 2) zero.push_back(o);
      std::vector<int32_t> bias;
      for (int64_t o = 0; o < cout; ++o) bias.push_back(pick(4000) - 2000);
      text += "  const %w" + ks + " : i8[" + std::to_string(cout) + "," + (k3 ? "3,3," : "1,1,") + std::to_string(c) +
              "] " + PerChannel(0, static_cast<size_t>(cout), 0.01) + " = " +
              Weights(static_cast<size_t>(cout * taps * c), static_cast<size_t>(cout), false, zero, seed * 7 + k) + "\n";
      text += "  const %b" + ks + " : i32[" + std::to_string(cout) + "] = " + Bias(bias) + "\n";
      if (k3 && !pad) h -= 2, w -= 2;
      c = cout;
      text += "  " + out + " = conv2d(" + in + ", %w" + ks + ", %b" + ks + ") {act=\"" + act +
              "\", dilation=[1,1], pad=" + (pad ? "[1,1,1,1]" : "[0,0,0,0]") + ", stride=[1,1]" + sem + "} : " +
              shape(h, w, c) + q + "\n";
    } else if (op == 2) {  // depthwise 3x3, padded or not, stride 1 or 2
      const bool pad = pick(2) == 1;
      const int64_t stride = pick(2) + 1;
      std::vector<int32_t> bias;
      for (int64_t o = 0; o < c; ++o) bias.push_back(pick(600) - 300);
      text += "  const %w" + ks + " : i8[1,3,3," + std::to_string(c) + "] " + PerChannel(3, static_cast<size_t>(c), 0.02) +
              " = " + Weights(static_cast<size_t>(9 * c), static_cast<size_t>(c), true, {}, seed * 7 + k) + "\n";
      text += "  const %b" + ks + " : i32[" + std::to_string(c) + "] = " + Bias(bias) + "\n";
      const int64_t span_h = pad ? h : h - 2, span_w = pad ? w : w - 2;
      h = (span_h - 1) / stride + 1, w = (span_w - 1) / stride + 1;
      text += "  " + out + " = depthwise_conv2d(" + in + ", %w" + ks + ", %b" + ks + ") {act=\"" + act +
              "\", depth_multiplier=1, dilation=[1,1], pad=" + (pad ? "[1,1,1,1]" : "[0,0,0,0]") + ", stride=[" +
              std::to_string(stride) + "," + std::to_string(stride) + "]" + sem + "} : " + shape(h, w, c) + q + "\n";
    } else {  // a 2x2 pool of stride 1: the quantization stays
      const std::string pool = op == 3 ? "average_pool2d" : "max_pool2d";
      h -= 1, w -= 1;
      const std::string& in_line = text.substr(text.rfind(" : i8["));
      const std::string in_quant = in_line.substr(in_line.find(" quant("), in_line.find(')', in_line.find(" quant(")) -
                                                                              in_line.find(" quant(") + 1);
      text += "  " + out + " = " + pool + "(" + in + ") {act=\"none\", filter=[2,2], pad=[0,0,0,0], stride=[1,1]} : " +
              shape(h, w, c) + in_quant + "\n";
    }
    ++id;
    if (h < 2 || w < 2) break;
    if (extra_output.empty() && pick(6) == 0) extra_output = ", %t" + std::to_string(id);
  }
  const std::string last = "%t" + std::to_string(id);
  std::string cz = std::to_string(pick(40) - 20);
  text += "  %m = mean(" + last + ") {axes=[1,2], keep_dims=1} : i8[1,1,1," + std::to_string(c) + "] quant(0.04, " +
          cz + ")\n";
  text += "  %r = reshape(%m) {shape=[1," + std::to_string(c) + "]} : i8[1," + std::to_string(c) + "] quant(0.04, " +
          cz + ")\n";
  text += "  const %wf : i8[3," + std::to_string(c) + "] " + PerChannel(0, 3, 0.01) + " = " +
          Weights(static_cast<size_t>(3 * c), 3, false, {}, seed) + "\n";
  text += "  const %bf : i32[3] = " + Bias({pick(100), -pick(100), 7}) + "\n";
  text += "  %y = fully_connected(%r, %wf, %bf) {act=\"none\", keep_num_dims=0" + sem +
          "} : i8[1,3] quant(0.05, 1)\n";
  return text + "  output %y" + extra_output + "\n}\n";
}

TEST(DropConstantChannels, RandomChainsKeepTheirResults) {
  int changed = 0;
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::string in = RandomChain(seed);
    const ir::Graph before = ParseValid(in);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << in;
      return;
    }
    const ir::Graph after = RunPassOn("drop-constant-channels", before);
    ExpectSameOnInputs(before, after);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << in << "\n->\n" << ir::Print(after);
      return;
    }
    changed += ir::Print(after) != ir::Print(before) ? 1 : 0;
  }
  // Most chains lose channels somewhere (the count checks the test tests).
  EXPECT_GT(changed, 60);
}

TEST(DropConstantChannels, OptionOffChangesNothing) {
  PassOptions o;
  o.drop_constant_channels = false;
  const std::string in = PointwiseDepthwisePointwise("[0,0,0,0]");
  EXPECT_EQ(RunText("drop-constant-channels", in, o), ir::Print(ParseValid(in)));
}

}  // namespace
}  // namespace ember::passes::test
