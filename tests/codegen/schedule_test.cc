// Schedules of the tunable kernels (codegen/c/schedule.h): every point of
// each space emits a kernel that is bit-exact with the reference evaluator
// (checked over the whole space for small layers, with the declared
// overlaps too); the default point is today's code; the space's knobs and
// defaults are as documented in docs/tuning.md.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/schedule.h"
#include "codegen/conv_cases.h"
#include "codegen/kernel_harness.h"
#include "ops/evaluate.h"

namespace ember::test {
namespace {

using codegen::c::Schedule;
using codegen::c::ScheduleSpace;

std::optional<ScheduleSpace> SpaceOf(const ir::Graph& g, size_t index, const std::string& target = "cortex-m4") {
  auto tg = codegen::c::ParseTarget(target);
  EXPECT_TRUE(tg.ok());
  codegen::c::ConstPool consts("k");
  const codegen::c::KernelContext ctx{g, g.nodes.at(index), index, "f", consts, *tg};
  return codegen::c::TuningSpace(ctx);
}

std::string CodeOf(const ir::Graph& g, size_t index, const std::map<size_t, Schedule>* schedules,
                   const std::string& target = "cortex-m4") {
  auto tg = codegen::c::ParseTarget(target);
  codegen::c::ConstPool consts("k");
  const codegen::c::KernelContext ctx{g, g.nodes.at(index), index, "f", consts, *tg, false, schedules};
  auto k = codegen::c::GetEmitter(g.nodes[index].op).emit(ctx);
  EXPECT_TRUE(k.ok()) << k.diag().ToString();
  return k.ok() ? consts.Render() + k->code : "";
}

// Every point of node `index`'s space, run on the host (dsp.h's portable C),
// equals the reference; so does every declared overlap.
void ExpectWholeSpaceBitExact(const ir::Graph& g, size_t index, const ir::Graph& alone,
                              const std::vector<uint8_t>& input, const char* what,
                              const std::string& target = "cortex-m4") {
  const std::optional<ScheduleSpace> sp = SpaceOf(g, index, target);
  ASSERT_TRUE(sp.has_value()) << what << ": no tuning space";
  auto want = ops::EvaluateGraph(alone, {input});
  ASSERT_TRUE(want.ok()) << want.diag().ToString();
  std::set<std::string> texts;
  for (int64_t i = 0; i < sp->Size(); ++i) {
    const Schedule s = sp->Point(i);
    std::map<size_t, Schedule> all;
    for (size_t n = 0; n < g.nodes.size(); ++n) all[n] = s;  // every layer alike (a shared body stays shared)
    std::string src;
    std::vector<std::vector<uint8_t>> overlapped;
    auto got = RunKernelInC(g, index, {input}, target, &src, &overlapped, &all);
    ASSERT_TRUE(got.ok()) << what << " " << s.ToString() << ": " << got.diag().ToString() << src;
    EXPECT_EQ(got->at(0), want->outputs.at(0)) << what << " " << s.ToString() << "\n" << src;
    for (const auto& o : overlapped) EXPECT_EQ(o, want->outputs.at(0)) << what << " " << s.ToString() << ", overlapped";
    texts.insert(CodeOf(g, index, &all, target));
  }
  // Every point is a different kernel (no knob is ignored).
  EXPECT_EQ(static_cast<int64_t>(texts.size()), sp->Size()) << what;
}

ConvCase Pointwise(int64_t c, int64_t oc) { return PointwiseConv(5, 5, c, oc); }

// 3x3, stride 2x1, padding 1 on every side, per-channel weights, relu: the im2col
// path with borders.
ConvCase PaddedStrided3x3(int64_t c) {
  ConvCase k;
  k.h = 7, k.w = 6, k.c = c, k.oc = 6, k.kh = 3, k.kw = 3, k.stride = {2, 1}, k.pad = {1, 1, 1, 1};
  k.act = "relu", k.per_channel = true;
  return k;
}

// Two pointwise layers of one kind (relu, zero points -128), the second 3x3 pixels
// with its own seed, merged into one graph where they may share a kernel body.
struct PointwisePair {
  ir::Graph a, b, both;
  std::vector<uint8_t> in_a, in_b;
};
PointwisePair SharedPointwisePair(int64_t c_a, int64_t oc_a, int64_t c_b, int64_t oc_b) {
  ConvCase ka = Pointwise(c_a, oc_a), kb = Pointwise(c_b, oc_b);
  ka.act = kb.act = "relu", ka.zin = kb.zin = -128, ka.zout = kb.zout = -128;
  kb.h = 3, kb.w = 3, kb.seed = 77;
  PointwisePair p;
  p.a = BuildConv(ka, &p.in_a).graph();
  p.b = BuildConv(kb, &p.in_b).graph();
  p.both = MergeGraphs(p.a, p.b, "conv_b");
  return p;
}

TEST(ScheduleConv2D, SpaceKnobsAndDefault) {
  std::vector<uint8_t> in;
  OneNode t = BuildConv(Pointwise(16, 12), &in);
  const auto sp = SpaceOf(t.graph(), 0);
  ASSERT_TRUE(sp.has_value());
  EXPECT_EQ(sp->kernel, "dsp.conv2d");
  ASSERT_EQ(sp->knobs.size(), 3u);
  EXPECT_EQ(sp->knobs[0].name, "channels");
  EXPECT_EQ(sp->knobs[1].name, "pixels");
  EXPECT_EQ(sp->knobs[2].name, "unroll");
  EXPECT_EQ(sp->knobs[2].values, (std::vector<int64_t>{1, 2, 4}));  // 4 groups of 4 taps
  EXPECT_EQ(sp->Size(), 18);
  EXPECT_EQ(sp->default_point.ToString(), "channels=2,pixels=2,unroll=4");  // all four in one run
  EXPECT_TRUE(sp->Contains(sp->default_point));
  EXPECT_FALSE(sp->Contains(Schedule{{{"unroll", 3}}}));
  EXPECT_FALSE(sp->Contains(Schedule{{{"tile", 1}}}));
  // The default point emits exactly the code of no schedule.
  std::map<size_t, Schedule> def{{0, sp->default_point}};
  EXPECT_EQ(CodeOf(t.graph(), 0, &def), CodeOf(t.graph(), 0, nullptr));
  // 7 groups (a 3x3 filter on 3 channels): one at a time or all in one run.
  std::vector<uint8_t> in7;
  OneNode t7 = BuildConv(PaddedStrided3x3(3), &in7);
  const auto sp7 = SpaceOf(t7.graph(), 0);
  ASSERT_TRUE(sp7.has_value());
  EXPECT_EQ(sp7->knobs[2].values, (std::vector<int64_t>{1, 7}));
  EXPECT_EQ(sp7->default_point.ToString(), "channels=2,pixels=2,unroll=7");
  std::map<size_t, Schedule> def7{{0, sp7->default_point}};
  EXPECT_EQ(CodeOf(t7.graph(), 0, &def7), CodeOf(t7.graph(), 0, nullptr));
  // Portable targets have no space.
  EXPECT_FALSE(SpaceOf(t.graph(), 0, "cortex-m3").has_value());
  EXPECT_FALSE(SpaceOf(t.graph(), 0, "host").has_value());
}

TEST(ScheduleConv2D, WholeSpaceBitExactPointwiseOddPixelsAndChannels) {
  ConvCase k = Pointwise(8, 7);  // 25 pixels (odd), 7 channels (no block size divides)
  k.act = "relu6";
  std::vector<uint8_t> in;
  OneNode t = BuildConv(k, &in);
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "pointwise 8->7");
}

TEST(ScheduleConv2D, WholeSpaceBitExactIm2colPaddedStrided) {
  std::vector<uint8_t> in;
  OneNode t = BuildConv(PaddedStrided3x3(3), &in);
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "3x3 stride 2x1 padded");
}

TEST(ScheduleConv2D, WholeSpaceBitExactRing) {
  // A layer that takes the ring of input rows: its passes are its own, so
  // the knob ring replaces unroll (ring 0: the gather with the default unroll).
  ConvCase k;
  k.h = 6, k.w = 8, k.c = 8, k.oc = 5, k.zin = 127, k.act = "relu6";
  std::vector<uint8_t> in;
  OneNode t = BuildConv(k, &in);
  const auto sp = SpaceOf(t.graph(), 0);
  ASSERT_TRUE(sp.has_value());
  ASSERT_EQ(sp->knobs.size(), 3u);
  EXPECT_EQ(sp->knobs[2].name, "ring");
  EXPECT_EQ(sp->default_point.ToString(), "channels=2,pixels=2,ring=1");
  std::map<size_t, Schedule> def{{0, sp->default_point}};
  EXPECT_EQ(CodeOf(t.graph(), 0, &def), CodeOf(t.graph(), 0, nullptr));
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "3x3 8->5 ring");
}

TEST(ScheduleConv2D, WholeSpaceBitExactRingOddWidth) {
  // An odd output width: with blocks of two pixels the ring's blocks restart
  // at each output row, and the overlap the kernel declares follows them
  // (every point also runs in place at its declared delta).
  ConvCase k;
  k.h = 6, k.w = 7, k.c = 4, k.oc = 4, k.zin = -128, k.act = "relu", k.zout = -128, k.seed = 12;
  std::vector<uint8_t> in;
  OneNode t = BuildConv(k, &in);
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "3x3 4->4 odd width ring");
  k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.w = 9;  // 5 outputs per row
  t = BuildConv(k, &in);
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "3x3 stride 2 odd width ring");
}

TEST(ScheduleConv2D, WholeSpaceBitExactSharedBody) {
  // Two pointwise layers of one kind share a body at every point.
  const PointwisePair p = SharedPointwisePair(16, 12, 8, 6);
  const ir::Graph& both = p.both;
  ExpectWholeSpaceBitExact(both, 1, p.b, p.in_b, "shared pointwise 8->6");
  // The first layer's groups (4) allow more unroll factors than the second's (2):
  // at a point both allow, one body is shared.
  std::map<size_t, Schedule> s{{0, Schedule{{{"channels", 2}, {"pixels", 1}, {"unroll", 2}}}},
                               {1, Schedule{{{"channels", 2}, {"pixels", 1}, {"unroll", 2}}}}};
  EXPECT_NE(CodeOf(both, 0, &s).find("ember_conv_"), std::string::npos);
}

TEST(ScheduleConv2D, ClampsAPointOutsideTheSpace) {
  // A schedule the layer does not allow (from a hand-edited log) still emits a correct kernel.
  std::vector<uint8_t> in;
  ConvCase k = Pointwise(4, 5);
  OneNode t = BuildConv(k, &in);
  std::map<size_t, Schedule> s{{0, Schedule{{{"channels", 3}, {"pixels", 7}, {"unroll", 4}}}}};
  auto want = ops::EvaluateGraph(t.graph(), {in});
  ASSERT_TRUE(want.ok());
  auto got = RunKernelInC(t.graph(), 0, {in}, "cortex-m4", nullptr, nullptr, &s);
  ASSERT_TRUE(got.ok()) << got.diag().ToString();
  EXPECT_EQ(got->at(0), want->outputs.at(0));
}

TEST(ScheduleFullyConnected, SpaceAndWholeSpaceBitExact) {
  FcCase k;
  k.in_shape = {2, 22};  // two rows, depth not a multiple of 4
  k.units = 7;
  k.act = "relu";
  std::vector<uint8_t> in;
  OneNode t = BuildFc(k, &in);
  const auto sp = SpaceOf(t.graph(), 0);
  ASSERT_TRUE(sp.has_value());
  EXPECT_EQ(sp->kernel, "dsp.fully_connected");
  // The biased pair form: 8 units per block only when they divide the unit count.
  EXPECT_EQ(sp->default_point.ToString(), "channels=4,store_loop=0,unroll=1");
  std::map<size_t, Schedule> def{{0, sp->default_point}};
  EXPECT_EQ(CodeOf(t.graph(), 0, &def), CodeOf(t.graph(), 0, nullptr));
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "fc 22->7");
  // Per-tensor weights with a zero point (the row-sum term).
  FcCase z = k;
  z.zw = 3;
  z.per_channel = false;
  OneNode tz = BuildFc(z, &in);
  ExpectWholeSpaceBitExact(tz.graph(), 0, tz.graph(), in, "fc 22->7 z_w 3");
  FcCase eight = k;
  eight.units = 16;
  OneNode te = BuildFc(eight, &in);
  const auto spe = SpaceOf(te.graph(), 0);
  ASSERT_TRUE(spe.has_value());
  EXPECT_EQ(spe->default_point.ToString(), "channels=8,store_loop=0,unroll=1");
  ExpectWholeSpaceBitExact(te.graph(), 0, te.graph(), in, "fc 22->16");
  // Weights past the biased pair form's bound: the sign-extended form, its defaults.
  FcCase big = k;
  big.in_shape = {1, 520}, big.units = 3, big.weight_value = -128;
  OneNode tb = BuildFc(big, &in);
  const auto spb = SpaceOf(tb.graph(), 0);
  ASSERT_TRUE(spb.has_value());
  EXPECT_EQ(spb->default_point.ToString(), "channels=4,store_loop=1,unroll=1");
  ExpectWholeSpaceBitExact(tb.graph(), 0, tb.graph(), in, "fc 520->3 w -128");
}

// A one-node int8 depthwise_conv2d (depth multiplier 1), 3x3, padded.
OneNode BuildDw(int64_t h, int64_t w, int64_t c, std::vector<int64_t> stride, std::vector<uint8_t>* input) {
  OneNode t(ir::OpKind::kDepthwiseConv2D, "dw");
  const int64_t oh = (h + 2 - 3) / stride[0] + 1, ow = (w + 2 - 3) / stride[1] + 1;
  const float s_in = 0.05f, s_w = 0.01f, s_out = s_in * s_w * 40.0f * 3.0f;
  *input = RandomBytes(static_cast<size_t>(h * w * c), 5);
  t.InBytes(ir::DType::kInt8, {1, h, w, c}, *input, Quant(s_in, -7));
  t.Const<int8_t>({1, 3, 3, c}, RandomInt8(static_cast<size_t>(9 * c), 6),
                  QuantPerAxis(ChannelScales(static_cast<size_t>(c), 7, s_w), 3));
  t.Const<int32_t>({c}, RandomInt32(static_cast<size_t>(c), 8, 3000));
  t.Out(ir::DType::kInt8, {1, oh, ow, c}, Quant(s_out, 2));
  t.Attr("stride", stride).Attr("dilation", std::vector<int64_t>{1, 1}).Attr("pad", std::vector<int64_t>{1, 1, 1, 1});
  t.Attr("act", std::string("relu")).Attr("depth_multiplier", int64_t{1});
  return t;
}

TEST(ScheduleDepthwise, SpaceAndWholeSpaceBitExact) {
  std::vector<uint8_t> in;
  OneNode t = BuildDw(5, 6, 10, {1, 1}, &in);  // 10 channels: two groups of 4 and a tail of 2
  const auto sp = SpaceOf(t.graph(), 0);
  ASSERT_TRUE(sp.has_value());
  EXPECT_EQ(sp->kernel, "dsp.depthwise_conv2d");
  EXPECT_EQ(sp->default_point.ToString(), "barrier=1");
  EXPECT_EQ(sp->Size(), 3);
  std::map<size_t, Schedule> def{{0, sp->default_point}};
  EXPECT_EQ(CodeOf(t.graph(), 0, &def), CodeOf(t.graph(), 0, nullptr));
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "depthwise 3x3 10 channels");
  OneNode s2 = BuildDw(7, 5, 8, {2, 2}, &in);
  ExpectWholeSpaceBitExact(s2.graph(), 0, s2.graph(), in, "depthwise 3x3 stride 2");
}

// Helium (cortex-m55): conv2d and fully_connected share the knobs of the MVE
// matrix product (gemm_s8): rows per block and chunks per pass of the depth
// loop; run on the host through mve.h's portable C.
TEST(ScheduleMve, Conv2DSpaceKnobsAndDefault) {
  std::vector<uint8_t> in;
  OneNode t = BuildConv(Pointwise(64, 12), &in);  // depth 64: 4 chunks, 3 after the first
  const auto sp = SpaceOf(t.graph(), 0, "cortex-m55");
  ASSERT_TRUE(sp.has_value());
  EXPECT_EQ(sp->kernel, "mve.conv2d");
  ASSERT_EQ(sp->knobs.size(), 2u);
  EXPECT_EQ(sp->knobs[0].name, "pixels");
  EXPECT_EQ(sp->knobs[1].name, "unroll");
  // 1, or all 3 in line (the default; 2 would be in line too with one row per block).
  EXPECT_EQ(sp->knobs[1].values, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(sp->default_point.ToString(), "pixels=2,unroll=3");
  EXPECT_TRUE(sp->Contains(sp->default_point));
  std::map<size_t, Schedule> def{{0, sp->default_point}};
  const std::string code = CodeOf(t.graph(), 0, &def, "cortex-m55");
  EXPECT_EQ(code, CodeOf(t.graph(), 0, nullptr, "cortex-m55"));
  EXPECT_NE(code.find("EMBER_MVE_DOT24Q_K(d, 4, 0,"), std::string::npos) << code;
  std::map<size_t, Schedule> loop{{0, Schedule{{{"pixels", 2}, {"unroll", 1}}}}};
  EXPECT_NE(CodeOf(t.graph(), 0, &loop, "cortex-m55").find("EMBER_MVE_DOT24Q(d, 0, 1,"), std::string::npos);
  OneNode deep = BuildConv(Pointwise(96, 4), &in);  // 5 chunks after the first: 2 loops, 4 would not
  EXPECT_EQ(SpaceOf(deep.graph(), 0, "cortex-m55")->knobs[1].values, (std::vector<int64_t>{1, 2, 5}));
  EXPECT_EQ(SpaceOf(deep.graph(), 0, "cortex-m55")->default_point.ToString(), "pixels=2,unroll=5");
  OneNode deeper = BuildConv(Pointwise(160, 4), &in);  // 9 after the first: more than in line takes
  EXPECT_EQ(SpaceOf(deeper.graph(), 0, "cortex-m55")->knobs[1].values, (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(SpaceOf(deeper.graph(), 0, "cortex-m55")->default_point.ToString(), "pixels=2,unroll=4");
  OneNode shallow = BuildConv(Pointwise(20, 4), &in);  // 1 full chunk: no unroll
  EXPECT_EQ(SpaceOf(shallow.graph(), 0, "cortex-m55")->Size(), 2);
}

TEST(ScheduleMve, Conv2DWholeSpaceBitExact) {
  ConvCase k = Pointwise(100, 7);  // 25 pixels (odd), 7 channels, depth 100: 6 chunks and a tail of 4
  k.act = "relu6";
  std::vector<uint8_t> in;
  OneNode t = BuildConv(k, &in);
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "mve pointwise 100->7", "cortex-m55");
  OneNode t2 = BuildConv(PaddedStrided3x3(9), &in);  // depth 81: 5 chunks and a tail of 1
  ExpectWholeSpaceBitExact(t2.graph(), 0, t2.graph(), in, "mve 3x3 stride 2x1 padded", "cortex-m55");
}

TEST(ScheduleMve, Conv2DWholeSpaceBitExactSharedBody) {
  // Two pointwise layers of one kind share a body at every point (depths 96 and 48).
  const PointwisePair p = SharedPointwisePair(96, 12, 48, 6);
  const ir::Graph& both = p.both;
  ExpectWholeSpaceBitExact(both, 0, p.a, p.in_a, "mve shared pointwise 96->12", "cortex-m55");
  ExpectWholeSpaceBitExact(both, 1, p.b, p.in_b, "mve shared pointwise 48->6", "cortex-m55");
  std::map<size_t, Schedule> s{{0, Schedule{{{"pixels", 1}, {"unroll", 4}}}},
                               {1, Schedule{{{"pixels", 1}, {"unroll", 4}}}}};
  EXPECT_NE(CodeOf(both, 1, &s, "cortex-m55").find("ember_mve_conv_"), std::string::npos);
}

TEST(ScheduleMve, FullyConnectedSpaceAndWholeSpaceBitExact) {
  FcCase k;
  k.in_shape = {3, 90};  // three rows (odd), 5 chunks and a tail of 10
  k.units = 7;
  k.act = "relu";
  std::vector<uint8_t> in;
  OneNode t = BuildFc(k, &in);
  const auto sp = SpaceOf(t.graph(), 0, "cortex-m55");
  ASSERT_TRUE(sp.has_value());
  EXPECT_EQ(sp->kernel, "mve.fully_connected");
  EXPECT_EQ(sp->default_point.ToString(), "rows=2,unroll=4");  // 4 chunks after the first
  EXPECT_EQ(sp->Size(), 6);
  std::map<size_t, Schedule> def{{0, sp->default_point}};
  EXPECT_EQ(CodeOf(t.graph(), 0, &def, "cortex-m55"), CodeOf(t.graph(), 0, nullptr, "cortex-m55"));
  ExpectWholeSpaceBitExact(t.graph(), 0, t.graph(), in, "mve fc 90->7", "cortex-m55");
  FcCase z = k;  // per-tensor weights with a zero point (the row-sum term)
  z.zw = 3;
  z.per_channel = false;
  OneNode tz = BuildFc(z, &in);
  ExpectWholeSpaceBitExact(tz.graph(), 0, tz.graph(), in, "mve fc 90->7 z_w 3", "cortex-m55");
}

TEST(ScheduleMve, ClampsAPointOutsideTheSpace) {
  std::vector<uint8_t> in;
  OneNode t = BuildConv(Pointwise(20, 5), &in);
  std::map<size_t, Schedule> s{{0, Schedule{{{"pixels", 3}, {"unroll", 4}}}}};
  auto want = ops::EvaluateGraph(t.graph(), {in});
  ASSERT_TRUE(want.ok());
  auto got = RunKernelInC(t.graph(), 0, {in}, "cortex-m55", nullptr, nullptr, &s);
  ASSERT_TRUE(got.ok()) << got.diag().ToString();
  EXPECT_EQ(got->at(0), want->outputs.at(0));
}

// The size point (--optimize size) of every kind of space is a point of
// it (so the whole-space tests above cover its bit-exactness) and takes no
// more scratch than the default; where the default holds a ring of input
// rows or unrolled passes, the size point does not.
int64_t ScratchOf(const ir::Graph& g, const Schedule& s, const std::string& target) {
  auto tg = codegen::c::ParseTarget(target);
  codegen::c::ConstPool consts("k");
  const std::map<size_t, Schedule> all{{0, s}};
  const codegen::c::KernelContext ctx{g, g.nodes.at(0), 0, "f", consts, *tg, false, &all};
  auto k = codegen::c::GetEmitter(g.nodes[0].op).emit(ctx);
  EXPECT_TRUE(k.ok()) << k.diag().ToString();
  return k.ok() ? k->scratch_bytes : -1;
}

TEST(ScheduleSizePoint, InEverySpaceWithNoMoreScratch) {
  std::vector<uint8_t> in;
  ConvCase ring;
  ring.h = 6, ring.w = 8, ring.c = 8, ring.oc = 5;
  FcCase fc;
  fc.in_shape = {2, 90};
  fc.units = 16;
  struct Layer {
    const char* what;
    ir::Graph g;
    const char* target;
    const char* size;  // the size point
  };
  const Layer layers[] = {
      {"dsp pointwise", BuildConv(Pointwise(16, 12), &in).graph(), "cortex-m4", "unroll=1"},
      {"dsp 3x3 strided", BuildConv(PaddedStrided3x3(3), &in).graph(), "cortex-m4", "unroll=1"},
      {"dsp ring", BuildConv(ring, &in).graph(), "cortex-m4", "ring=0"},
      {"dsp fc", BuildFc(fc, &in).graph(), "cortex-m4", "channels=4,store_loop=1,unroll=1"},
      {"mve pointwise", BuildConv(Pointwise(64, 12), &in).graph(), "cortex-m55", "pixels=1,unroll=1"},
      {"mve 3x3 strided", BuildConv(PaddedStrided3x3(16), &in).graph(), "cortex-m55", "pixels=1,unroll=1"},
      {"mve fc", BuildFc(fc, &in).graph(), "cortex-m55", "rows=1,unroll=1"},
  };
  for (const Layer& l : layers) {
    SCOPED_TRACE(l.what);
    const auto sp = SpaceOf(l.g, 0, l.target);
    ASSERT_TRUE(sp.has_value());
    EXPECT_EQ(sp->size_point.ToString(), l.size);
    EXPECT_TRUE(sp->Contains(sp->size_point));
    EXPECT_LE(ScratchOf(l.g, sp->size_point, l.target), ScratchOf(l.g, sp->default_point, l.target));
  }
  // The ring's scratch is gone; the Helium blocks of one row halve theirs.
  EXPECT_LT(ScratchOf(layers[2].g, Schedule{{{"ring", 0}}}, "cortex-m4"),
            ScratchOf(layers[2].g, Schedule{{{"ring", 1}}}, "cortex-m4"));
  EXPECT_LT(ScratchOf(layers[5].g, Schedule{{{"pixels", 1}}}, "cortex-m55"),
            ScratchOf(layers[5].g, Schedule{{{"pixels", 2}}}, "cortex-m55"));
  // The depthwise kernel has no memory to trade: no size point.
  EXPECT_TRUE(SpaceOf(BuildDw(5, 6, 10, {1, 1}, &in).graph(), 0, "cortex-m4")->size_point.knobs.empty());
}

}  // namespace
}  // namespace ember::test
