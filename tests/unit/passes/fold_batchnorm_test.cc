// fold-batchnorm: per-channel mul/add after conv2d / depthwise_conv2d /
// fully_connected fold into weights and bias; text in, text out, and the
// results before and after (within float rounding).
#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

TEST(FoldBatchNorm, ConvMulAddFoldsIntoWeightsAndBias) {
  // w = [[1, 2]] and [[3, 4]] (OHWI 2x1x1x2), no bias; y = conv * [2, -1] + [0.5, 1].
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[1,2,2,2]\n"
                         "  const %w : f32[2,1,1,2] = " + HexFloats({1, 2, 3, 4}) + "\n"
                         "  const %s : f32[1,1,1,2] = " + HexFloats({2, -1}) + "\n"
                         "  const %c : f32[2] = " + HexFloats({0.5f, 1}) + "\n"
                         "  %t = conv2d(%x, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]\n"
                         "  %m = mul(%t, %s) : f32[1,2,2,2]\n"
                         "  %y = add(%c, %m) {act=\"relu\"} : f32[1,2,2,2]\n"
                         "  output %y\n"
                         "}\n";
  const std::string want = "graph \"g\" {\n"
                           "  input %x : f32[1,2,2,2]\n"
                           "  const %w : f32[2,1,1,2] = " + HexFloats({2, 4, -3, -4}) + "\n"
                           "  const %w/bias : f32[2] = " + HexFloats({0.5f, 1}) + "\n"
                           "  %y = conv2d(%x, %w, %w/bias) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], "
                           "stride=[1,1]} : f32[1,2,2,2]\n"
                           "  output %y\n"
                           "}\n";
  EXPECT_EQ(RunText("fold-batchnorm", in), want);
  ExpectSameResults(ParseValid(in), ParseValid(want));
}

TEST(FoldBatchNorm, DepthwiseScalesTheLastAxisAndTheBias) {
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[1,4,4,3]\n"
                         "  const %w : f32[1,3,3,3] = " + HexRandom(27, 1) + "\n"
                         "  const %b : f32[3] = " + HexRandom(3, 2) + "\n"
                         "  const %s : f32[3] = " + HexRandom(3, 3) + "\n"
                         "  const %c : f32[1,1,3] = " + HexRandom(3, 4) + "\n"
                         "  %t = depthwise_conv2d(%x, %w, %b) {depth_multiplier=1, dilation=[1,1], pad=[1,1,1,1], "
                         "stride=[1,1]} : f32[1,4,4,3]\n"
                         "  %m = mul(%s, %t) : f32[1,4,4,3]\n"
                         "  %y = add(%m, %c) : f32[1,4,4,3]\n"
                         "  output %y\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-batchnorm", before);
  ExpectMatches(ir::Print(after), R"(
    %y = depthwise_conv2d(%x, %w, %b)
    NOT mul(
    NOT add(
  )");
  ExpectSameResults(before, after);
}

TEST(FoldBatchNorm, FullyConnectedWithSharedWeightsCopiesThem) {
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[2,3]\n"
                         "  const %w : f32[4,3] = " + HexRandom(12, 5) + "\n"
                         "  const %s : f32[4] = " + HexRandom(4, 6) + "\n"
                         "  %t = fully_connected(%x, %w, _) : f32[2,4]\n"
                         "  %y = mul(%t, %s) : f32[2,4]\n"
                         "  %u = fully_connected(%x, %w, _) : f32[2,4]\n"
                         "  output %y, %u\n"
                         "}\n";
  const ir::Graph before = ParseValid(in);
  const ir::Graph after = RunPassOn("fold-batchnorm", before);
  ExpectMatches(ir::Print(after), R"(
    %y = fully_connected(%x, %w/folded, _)
    %u = fully_connected(%x, %w, _)
    NOT mul(
  )");
  ExpectSameResults(before, after);
}

TEST(FoldBatchNorm, LoneMulAddStaysWhenNotFoldable) {
  // Not per-channel (varies along H), the conv has an act, the intermediate has
  // two readers, int8, and a mul after a graph input: all stay.
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[1,2,2,2]\n"
                         "  const %w : f32[2,1,1,2] = " + HexFloats({1, 2, 3, 4}) + "\n"
                         "  const %h : f32[2,1] = " + HexFloats({2, 3}) + "\n"
                         "  const %s : f32[2] = " + HexFloats({2, 3}) + "\n"
                         "  %t1 = conv2d(%x, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]\n"
                         "  %y1 = mul(%t1, %h) : f32[1,2,2,2]\n"
                         "  %t2 = conv2d(%x, %w, _) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : "
                         "f32[1,2,2,2]\n"
                         "  %y2 = mul(%t2, %s) : f32[1,2,2,2]\n"
                         "  %t3 = conv2d(%x, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]\n"
                         "  %y3 = add(%t3, %s) : f32[1,2,2,2]\n"
                         "  %y4 = mul(%x, %s) : f32[1,2,2,2]\n"
                         "  output %y1, %y2, %y3, %t3, %y4\n"
                         "}\n";
  EXPECT_EQ(RunText("fold-batchnorm", in), ir::Print(ParseValid(in)));
}

}  // namespace
}  // namespace ember::passes::test
