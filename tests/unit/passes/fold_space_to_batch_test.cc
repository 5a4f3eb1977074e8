// fold-space-to-batch: text in, text out, and the same bytes before and after.
#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

const std::string kWeights = HexFloats({0.5f, -1.0f, 0.25f, 2.0f, -0.5f, 1.5f, 0.75f, -2.0f, 1.0f});

// x[1,4,4,1], paddings (top, bottom, left, right) = `pads`, block 2, a 3x3
// VALID conv2d, then batch_to_space, cropped by `crop` (begin and end of a
// strided_slice to f32[1,4,4,1]) unless empty.
std::string Chain(const std::string& pads, int64_t padded, const std::string& crop = "") {
  const int64_t s = padded / 2, o = s - 2, j = 2 * o;
  auto dims = [](std::initializer_list<int64_t> d) {
    std::string t;
    for (int64_t v : d) t += (t.empty() ? "" : ",") + std::to_string(v);
    return "f32[" + t + "]";
  };
  std::string t = "graph \"g\" {\n"
                  "  input %x : f32[1,4,4,1]\n"
                  "  const %w : f32[1,3,3,1] = " + kWeights + "\n"
                  "  %p = pad(%x) {pads=" + pads + "} : " + dims({1, padded, padded, 1}) + "\n"
                  "  %r = reshape(%p) {shape=[1," + std::to_string(s) + ",2," + std::to_string(s) + ",2,1]} : " +
                  dims({1, s, 2, s, 2, 1}) + "\n"
                  "  %t = transpose(%r) {perm=[2,4,0,1,3,5]} : " + dims({2, 2, 1, s, s, 1}) + "\n"
                  "  %b = reshape(%t) {shape=[4," + std::to_string(s) + "," + std::to_string(s) + ",1]} : " +
                  dims({4, s, s, 1}) + "\n"
                  "  %c = conv2d(%b, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : " + dims({4, o, o, 1}) +
                  " loc(\"conv\")\n"
                  "  %r2 = reshape(%c) {shape=[2,2,1," + std::to_string(o) + "," + std::to_string(o) + ",1]} : " +
                  dims({2, 2, 1, o, o, 1}) + "\n"
                  "  %t2 = transpose(%r2) {perm=[2,3,0,4,1,5]} : " + dims({1, o, 2, o, 2, 1}) + "\n"
                  "  %j = reshape(%t2) {shape=[1," + std::to_string(j) + "," + std::to_string(j) + ",1]} : " +
                  dims({1, j, j, 1}) + "\n";
  if (!crop.empty()) t += "  %y = strided_slice(%j) {" + crop + ", strides=[1,1,1,1]} : f32[1,4,4,1]\n";
  t += std::string("  output %") + (crop.empty() ? "j" : "y") + "\n}\n";
  return t;
}

TEST(FoldSpaceToBatch, BecomesADilatedConvolution) {
  const std::string in = Chain("[0,0,2,2,2,2,0,0]", 8);
  const std::string want = "graph \"g\" {\n"
                           "  input %x : f32[1,4,4,1]\n"
                           "  const %w : f32[1,3,3,1] = " + kWeights + "\n"
                           "  %j = conv2d(%x, %w, _) {dilation=[2,2], pad=[2,2,2,2], stride=[1,1]} : f32[1,4,4,1] "
                           "loc(\"conv\")\n"
                           "  output %j\n"
                           "}\n";
  EXPECT_EQ(RunText("fold-space-to-batch", in), ir::Print(ParseValid(want)));
  ExpectSameResults(ParseValid(in), ParseValid(want), 0.0f);
}

TEST(FoldSpaceToBatch, CropsReduceThePadding) {
  // Paddings 2 and 4 on each axis, crops 0 and 2: pad [2,2,2,2].
  const std::string in = Chain("[0,0,2,4,2,4,0,0]", 10, "begin=[0,0,0,0], end=[1,4,4,1]");
  const std::string out = RunText("fold-space-to-batch", in);
  ExpectMatches(out, R"(
    %y = conv2d(%x, %w, _) {dilation=[2,2], pad=[2,2,2,2], stride=[1,1]} : f32[1,4,4,1]
    NOT transpose(
    NOT reshape(
    NOT strided_slice(
    NOT pad(
  )");
  ExpectSameResults(ParseValid(in), ParseValid(out), 0.0f);
}

TEST(FoldSpaceToBatch, KeepsAChainWithAnotherReader) {
  // %t is also a graph output: the data movement stays.
  std::string in = Chain("[0,0,2,2,2,2,0,0]", 8);
  in.replace(in.find("  output %j\n"), 12, "  output %j\n  output %t\n");
  EXPECT_EQ(RunText("fold-space-to-batch", in), ir::Print(ParseValid(in)));
}

TEST(FoldSpaceToBatch, KeepsCropsLargerThanThePadding) {
  // A crop of 1 at the top and left against no padding there would need a
  // padding of -1: nothing changes.
  const std::string in = Chain("[0,0,0,6,0,6,0,0]", 10, "begin=[0,1,1,0], end=[1,5,5,1]");
  EXPECT_EQ(RunText("fold-space-to-batch", in), ir::Print(ParseValid(in)));
  // The same crop against a padding of 2 there folds to a padding of 1.
  const std::string fits = Chain("[0,0,2,4,2,4,0,0]", 10, "begin=[0,1,1,0], end=[1,5,5,1]");
  const std::string out = RunText("fold-space-to-batch", fits);
  EXPECT_NE(out.find("dilation=[2,2], pad=[1,1,3,3]"), std::string::npos) << out;
  ExpectSameResults(ParseValid(fits), ParseValid(out), 0.0f);
}

}  // namespace
}  // namespace ember::passes::test
