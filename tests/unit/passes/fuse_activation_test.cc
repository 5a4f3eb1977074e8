// fuse-activation: text in, text out, and the results before and after.
#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

const std::string kWeights = HexFloats({0.5f, -1.0f, 0.25f, 2.0f, -0.5f, 1.5f});

TEST(FuseActivation, ReluAfterConvBecomesAct) {
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[1,2,2,3]\n"
                         "  const %w : f32[2,1,1,3] = " + kWeights + "\n"
                         "  %t = conv2d(%x, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]\n"
                         "  %y = relu(%t) : f32[1,2,2,2] loc(\"relu1\")\n"
                         "  output %y\n"
                         "}\n";
  const std::string want = "graph \"g\" {\n"
                           "  input %x : f32[1,2,2,3]\n"
                           "  const %w : f32[2,1,1,3] = " + kWeights + "\n"
                           "  %y = conv2d(%x, %w, _) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]\n"
                           "  output %y\n"
                           "}\n";
  EXPECT_EQ(RunText("fuse-activation", in), want);
  ExpectSameResults(ParseValid(in), ParseValid(want), 0.0f);
}

TEST(FuseActivation, Relu6AfterAddAndPools) {
  const std::string in = R"(graph "g" {
  input %a : f32[1,4,4,2]
  input %b : f32[1,4,4,2]
  %s = add(%a, %b) : f32[1,4,4,2]
  %r = relu6(%s) : f32[1,4,4,2]
  %m = max_pool2d(%r) {filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : f32[1,2,2,2]
  %mr = relu(%m) : f32[1,2,2,2]
  %p = average_pool2d(%mr) {act="none", filter=[2,2], pad=[0,0,0,0], stride=[2,2]} : f32[1,1,1,2]
  %y = relu6(%p) : f32[1,1,1,2]
  output %y
}
)";
  const std::string out = RunText("fuse-activation", in);
  ExpectMatches(out, R"(
    %r = add(%a, %b) {act="relu6"}
    %mr = max_pool2d(%r) {act="relu", filter=[2,2]
    %y = average_pool2d(%mr) {act="relu6", filter=[2,2]
    NOT relu(
    NOT relu6(
  )");
  ExpectSameResults(ParseValid(in), ParseValid(out), 0.0f);
}

TEST(FuseActivation, KeepsActivationWhenNotLegal) {
  // %t has a second reader, %u is a graph output, the producer already has an act.
  const std::string in = "graph \"g\" {\n"
                         "  input %x : f32[1,2,2,3]\n"
                         "  const %w : f32[2,1,1,3] = " + kWeights + "\n"
                         "  %t = conv2d(%x, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]\n"
                         "  %y = relu(%t) : f32[1,2,2,2]\n"
                         "  %u = conv2d(%x, %w, _) {dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]\n"
                         "  %v = relu6(%u) : f32[1,2,2,2]\n"
                         "  %k = conv2d(%x, %w, _) {act=\"relu\", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]} : f32[1,2,2,2]\n"
                         "  %z = relu6(%k) : f32[1,2,2,2]\n"
                         "  output %y, %t, %u, %v, %z\n"
                         "}\n";
  EXPECT_EQ(RunText("fuse-activation", in), ir::Print(ParseValid(in)));
}

TEST(FuseActivation, Int8NeedsEqualQuantization) {
  const std::string in = R"(graph "g" {
  input %a : i8[1,4] quant(0.5, -3)
  input %b : i8[1,4] quant(0.5, -3)
  %s = add(%a, %b) : i8[1,4] quant(0.25, -10)
  %r = relu(%s) : i8[1,4] quant(0.25, -10)
  %s2 = add(%r, %b) : i8[1,4] quant(0.25, -10)
  %r2 = relu(%s2) : i8[1,4] quant(0.5, 0)
  %s3 = add(%r2, %b) : i8[1,4] quant(0.03, 5)
  %r3 = relu6(%s3) : i8[1,4] quant(0.03, 5)
  output %r3
}
)";
  const std::string out = RunText("fuse-activation", in);
  ExpectMatches(out, R"(
    %r = add(%a, %b) {act="relu"}
    %s2 = add(%r, %b) : i8[1,4]
    %r2 = relu(%s2)
    %r3 = add(%r2, %b) {act="relu6"}
  )");
  ExpectSameResults(ParseValid(in), ParseValid(out));
}

TEST(FuseActivation, ClipBecomesAct) {
  const std::string in = R"(graph "g" {
  input %a : f32[1,4]
  input %b : f32[1,4]
  %s = add(%a, %b) : f32[1,4]
  %c = clip(%s) {max=6.0, min=0.0} : f32[1,4]
  %s2 = add(%c, %b) : f32[1,4]
  %c2 = clip(%s2) {min=0.0} : f32[1,4]
  %s3 = add(%c2, %b) : f32[1,4]
  %c3 = clip(%s3) {max=6.0, min=0.5} : f32[1,4]
  output %c3
}
)";
  const std::string out = RunText("fuse-activation", in);
  ExpectMatches(out, R"(
    %c = add(%a, %b) {act="relu6"}
    %c2 = add(%c, %b) {act="relu"}
    %c3 = add(%c2, %b) {act="clip", act_max=6.0, act_min=0.5}
    NOT clip(
  )");
  ExpectSameResults(ParseValid(in), ParseValid(out), 0.0f);
}

TEST(FuseActivation, ClipOfAnyBoundsAfterConvAndItsEdgeCases) {
  // A lower bound only, an upper bound only, none (the identity), and a clip
  // whose min exceeds its max (max everywhere, which no clamp interval is).
  const std::string in = R"(graph "g" {
  input %a : f32[1,6]
  input %b : f32[1,6]
  %s = add(%a, %b) : f32[1,6]
  %c = clip(%s) {min=-0.75} : f32[1,6]
  %s2 = add(%c, %b) : f32[1,6]
  %c2 = clip(%s2) {max=1.25} : f32[1,6]
  %s3 = add(%c2, %b) : f32[1,6]
  %c3 = clip(%s3) : f32[1,6]
  %s4 = add(%c3, %b) : f32[1,6]
  %c4 = clip(%s4) {max=-1.0, min=1.0} : f32[1,6]
  output %c4
}
)";
  const std::string out = RunText("fuse-activation", in);
  ExpectMatches(out, R"(
    %c = add(%a, %b) {act="clip", act_max=3.4028234663852886e+38, act_min=-0.75}
    %c2 = add(%c, %b) {act="clip", act_max=1.25, act_min=-3.4028234663852886e+38}
    %c3 = add(%c2, %b) {act="none"}
    %s4 = add(%c3, %b)
    %c4 = clip(%s4)
  )");
  ExpectSameResults(ParseValid(in), ParseValid(out), 0.0f);
}

TEST(FuseActivation, Int8ClipWithEqualQuantization) {
  const std::string in = R"(graph "g" {
  input %a : i8[1,8] quant(0.1, 2)
  input %b : i8[1,8] quant(0.1, 2)
  %s = add(%a, %b) : i8[1,8] quant(0.05, -4)
  %c = clip(%s) {max=1.5, min=-0.35} : i8[1,8] quant(0.05, -4)
  %s2 = add(%c, %b) : i8[1,8] quant(0.05, -4)
  %c2 = clip(%s2) {max=1.5, min=-0.35} : i8[1,8] quant(0.1, -4)
  output %c2
}
)";
  const std::string out = RunText("fuse-activation", in);
  ExpectMatches(out, R"(
    %c = add(%a, %b) {act="clip", act_max=1.5, act_min=-0.35}
    %s2 = add(%c, %b)
    %c2 = clip(%s2)
  )");
  ExpectSameResults(ParseValid(in), ParseValid(out));
}

}  // namespace
}  // namespace ember::passes::test
