// The DSP (SMLAD) conv2d and fully_connected kernels of cortex-m4/m7/m33:
// generated C for a DSP target against the reference evaluator, byte for
// byte, on the host (dsp.h's portable fallback) over edge cases, and a set of
// them compiled with arm-none-eabi-gcc for cortex-m4 and run under QEMU (the
// real SXTB16/SMLAD instructions).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "codegen/conv_cases.h"
#include "e2e/qemu_util.h"
#include "ops/evaluate.h"

namespace ember::test {
namespace {

// The emitted kernel of node 0 for `target`.
std::string KernelCode(const ir::Graph& g, const std::string& target) {
  auto tg = codegen::c::ParseTarget(target);
  EXPECT_TRUE(tg.ok());
  codegen::c::ConstPool consts("k");
  codegen::c::KernelContext ctx{g, g.nodes.at(0), 0, "kernel_0", consts, *tg};
  auto k = codegen::c::GetEmitter(g.nodes[0].op).emit(ctx);
  EXPECT_TRUE(k.ok()) << k.diag().ToString();
  return k.ok() ? k->code : "";
}

void CheckConv(const ConvCase& k, const std::string& target = "cortex-m4") {
  std::vector<uint8_t> input;
  OneNode t = BuildConv(k, &input);
  EXPECT_NE(KernelCode(t.graph(), target).find("ember_smlad"), std::string::npos)
      << "the DSP variant was not chosen";
  ExpectKernelMatchesReference(t.graph(), {input}, 0.0, target);
}

// Whether a kernel's code is the DSP variant's (SMLAD loops, or blocks of
// eight units through ember_bp_dot8).
bool DspChosen(const std::string& code) {
  return code.find("ember_smlad") != std::string::npos || code.find("ember_bp_dot8(") != std::string::npos;
}

void CheckFc(const FcCase& k, const std::string& target = "cortex-m4") {
  std::vector<uint8_t> input;
  OneNode t = BuildFc(k, &input);
  EXPECT_TRUE(DspChosen(KernelCode(t.graph(), target))) << "the DSP variant was not chosen";
  ExpectKernelMatchesReference(t.graph(), {input}, 0.0, target);
}

ConvCase Pointwise(int64_t c, int64_t oc) {
  ConvCase k;
  k.h = 5, k.w = 5, k.c = c, k.oc = oc, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  return k;
}

// ---- host: conv2d ----

// The kernel of node 0 of `g` for cortex-m4 under `schedule` (none: the default).
codegen::c::Kernel KernelOf(const ir::Graph& g, const codegen::c::Schedule* schedule = nullptr) {
  auto tg = codegen::c::ParseTarget("cortex-m4");
  EXPECT_TRUE(tg.ok());
  codegen::c::ConstPool consts("k");
  std::map<size_t, codegen::c::Schedule> all;
  if (schedule) all[0] = *schedule;
  codegen::c::KernelContext ctx{g, g.nodes.at(0), 0, "kernel_0", consts, *tg, false, schedule ? &all : nullptr};
  auto k = codegen::c::GetEmitter(g.nodes[0].op).emit(ctx);
  EXPECT_TRUE(k.ok()) << k.diag().ToString();
  return k.ok() ? *k : codegen::c::Kernel{};
}

// The ring of input rows is taken exactly where it applies (C_in a multiple
// of 4, dilation 1, pixels read twice or more), within its scratch bound;
// the knob ring=0 turns it off, and both forms equal the reference (every
// point of a ring layer's space, with its declared overlap, even and odd
// output widths, in ScheduleConv2D.WholeSpaceBitExactRing*).
// Seeded random geometries (batch, sizes, channels a multiple of 4 or not,
// filters up to 4x4, strides up to 3, dilations up to 2, padding up to the
// filter's extent on each side, zero points, activations): each DSP kernel
// equals the reference on the host, also overlapping its input at each
// delta it declares; some take the ring of input rows.
TEST(DspConv2D, RandomGeometriesMatchReference) {
  std::mt19937 rng(20261207);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const char* const acts[] = {"none", "relu", "relu6", "relu_n1_to_1"};
  std::vector<uint8_t> input;
  int cases = 0, rings = 0;
  while (cases < 40) {
    ConvCase k;
    k.n = pick(1, 2), k.h = pick(1, 9), k.w = pick(1, 9), k.c = pick(0, 2) ? 4 * pick(1, 6) : pick(1, 7);
    k.oc = pick(1, 9), k.kh = pick(1, 4), k.kw = pick(1, 4);
    k.stride = {pick(1, 3), pick(1, 3)}, k.dilation = {pick(0, 3) ? 1 : 2, pick(0, 3) ? 1 : 2};
    const int64_t eh = (k.kh - 1) * k.dilation[0] + 1, ew = (k.kw - 1) * k.dilation[1] + 1;
    k.pad = {pick(0, eh - 1), pick(0, ew - 1), pick(0, eh - 1), pick(0, ew - 1)};
    if (k.h + k.pad[0] + k.pad[2] < eh || k.w + k.pad[1] + k.pad[3] < ew) continue;  // the window must fit
    k.zin = pick(-128, 127), k.zout = pick(-128, 127), k.act = acts[pick(0, 3)];
    k.per_channel = pick(0, 3) != 0, k.bias = pick(0, 4) != 0, k.seed = static_cast<uint32_t>(1000 + cases);
    SCOPED_TRACE("case " + std::to_string(cases) + ": " + std::to_string(k.n) + "x" + std::to_string(k.h) + "x" +
                 std::to_string(k.w) + "x" + std::to_string(k.c) + " -> " + std::to_string(k.oc) + ", filter " +
                 std::to_string(k.kh) + "x" + std::to_string(k.kw));
    rings += KernelOf(BuildConv(k, &input).graph()).code.find("_row(img, next") != std::string::npos;
    CheckConv(k);
    ++cases;
  }
  EXPECT_GE(rings, 6);
}

bool RingApplies(const ConvCase& k) {
  const bool direct = k.kh == 1 && k.kw == 1 && k.stride[0] == 1 && k.stride[1] == 1 && k.c % 4 == 0 &&
                      k.pad == std::vector<int64_t>{0, 0, 0, 0};
  return !direct && k.c % 4 == 0 && k.dilation[0] == 1 && k.dilation[1] == 1 &&
         k.kh * k.kw >= 2 * k.stride[0] * k.stride[1];
}

TEST(DspConv2D, RingOfInputRowsWhereItApplies) {
  std::vector<uint8_t> input;
  int rings = 0;
  for (const auto& [name, k] : ConvVariantCases()) {
    SCOPED_TRACE(name);
    const OneNode t = BuildConv(k, &input);
    const codegen::c::Kernel kernel = KernelOf(t.graph());
    const bool ring = kernel.code.find("kernel_0_row(img, next, ring + ") != std::string::npos;
    EXPECT_EQ(ring, RingApplies(k)) << kernel.code;
    if (name.rfind("ring_", 0) == 0) {
      EXPECT_TRUE(ring);
    }
    if (name.rfind("no_ring", 0) == 0) {
      EXPECT_FALSE(ring);
    }
    if (!ring) continue;
    ++rings;
    EXPECT_NE(kernel.code.find("EMBER_LD2_AT(xp, "), std::string::npos);
    EXPECT_EQ(kernel.code.find("im2col"), std::string::npos);
    EXPECT_LE(kernel.scratch_bytes, 4096);
    const codegen::c::Schedule off{{{"ring", 0}}};
    const codegen::c::Kernel gathered = KernelOf(t.graph(), &off);
    EXPECT_EQ(gathered.code.find("_row(img"), std::string::npos);
    std::map<size_t, codegen::c::Schedule> s{{0, off}};
    auto want = ops::EvaluateGraph(t.graph(), {input});
    ASSERT_TRUE(want.ok());
    auto got = RunKernelInC(t.graph(), 0, {input}, "cortex-m4", nullptr, nullptr, &s);
    ASSERT_TRUE(got.ok()) << got.diag().ToString();
    EXPECT_EQ(got->at(0), want->outputs.at(0));
  }
  EXPECT_GE(rings, 8);  // the ring_ cases at least
  // ic's 3x3 layer of 16 channels on 32x32: three rows of 34 columns of 8 words and their starts.
  ConvCase ic;
  ic.h = 32, ic.w = 32, ic.c = 16, ic.oc = 16, ic.act = "relu", ic.zin = -128, ic.zout = -128;
  const OneNode t = BuildConv(ic, &input);
  const codegen::c::Kernel kernel = KernelOf(t.graph());
  EXPECT_EQ(kernel.scratch_bytes, 3 * 34 * 8 * 4 + 3 * 34 * 4);
  EXPECT_NE(kernel.code.find("a ring of 3 rows (3672 B of scratch)"), std::string::npos) << kernel.code;
  // An odd output width: the same ring, the columns of its last block's second pixel included
  // (31 outputs: 34 columns), that pixel computed and not stored.
  ic.w = 31;
  const codegen::c::Kernel odd = KernelOf(BuildConv(ic, &input).graph());
  EXPECT_EQ(odd.scratch_bytes, 3 * 34 * 8 * 4 + 3 * 34 * 4);
  EXPECT_NE(odd.code.find("const int two = ox + 1 < 31;"), std::string::npos) << odd.code;
  EXPECT_NE(odd.code.find("o -= 16;  /* the row's last block had one pixel */"), std::string::npos);
}

TEST(DspConv2D, EdgeCasesMatchReference) {
  for (const auto& [name, k] : ConvVariantCases()) {
    SCOPED_TRACE(name);
    CheckConv(k);
  }
}

TEST(DspConv2D, EveryDspCoreAndNotOthers) {
  ConvCase k = Pointwise(8, 4);
  for (const char* t : {"cortex-m7", "cortex-m33"}) CheckConv(k, t);
  std::vector<uint8_t> input;
  OneNode t = BuildConv(k, &input);
  for (const char* target : {"host", "cortex-m0plus", "cortex-m3"})
    EXPECT_EQ(KernelCode(t.graph(), target).find("ember_smlad"), std::string::npos) << target;
  // Float and grouped convs stay portable on a DSP core.
  ConvCase f = k;
  f.is_float = true;
  EXPECT_EQ(KernelCode(BuildConv(f, &input).graph(), "cortex-m4").find("ember_smlad"), std::string::npos);
  ConvCase g;
  g.h = 6, g.w = 6, g.c = 4, g.oc = 6, g.groups = 2;
  OneNode gt = BuildConv(g, &input);
  EXPECT_EQ(KernelCode(gt.graph(), "cortex-m4").find("ember_smlad"), std::string::npos);
  ExpectKernelMatchesReference(gt.graph(), {input}, 0.0, "cortex-m4");
}

// Two pointwise layers of different sizes (pixels even and odd, channels)
// whose kernels differ only in sizes and tables: a, b and the graph with both.
struct SharedPair {
  ConvCase a, b;
  std::vector<uint8_t> in_a, in_b;
  OneNode ta, tb;
  ir::Graph both;
};

SharedPair MakeSharedPair() {
  ConvCase a = Pointwise(16, 12), b = Pointwise(32, 6);  // 4 and 8 groups of 4: four per pass
  a.act = b.act = "relu", a.zin = b.zin = -128, a.zout = b.zout = -128;
  b.h = 3, b.w = 3, b.seed = 77;  // 9 pixels: the last block has one
  SharedPair p{a, b, {}, {}, OneNode(ir::OpKind::kConv2D), OneNode(ir::OpKind::kConv2D), {}};
  p.ta = BuildConv(a, &p.in_a);
  p.tb = BuildConv(b, &p.in_b);
  p.both = MergeGraphs(p.ta.graph(), p.tb.graph(), "conv_b");
  return p;
}

// The emitted kernel of node `index` of `g` for cortex-m4.
std::string NodeCode(const ir::Graph& g, size_t index, const std::string& fn,
                     const std::map<size_t, std::string>& share_groups = {}) {
  auto tg = codegen::c::ParseTarget("cortex-m4");
  EXPECT_TRUE(tg.ok());
  codegen::c::ConstPool consts("k");
  codegen::c::KernelContext ctx{g, g.nodes.at(index), index, fn, consts, *tg};
  ctx.share_groups = &share_groups;
  auto k = codegen::c::GetEmitter(g.nodes[index].op).emit(ctx);
  EXPECT_TRUE(k.ok()) << k.diag().ToString();
  return k.ok() ? k->code : "";
}

// The name of the shared body `code` calls, "" when there is none.
std::string SharedBody(const std::string& code) {
  const size_t at = code.find("static void ember_conv_");
  return at == std::string::npos ? "" : code.substr(at + 12, 27);
}

TEST(DspConv2D, PointwiseLayersOfOneKindShareOneBody) {
  SharedPair p = MakeSharedPair();
  // Alone, each layer keeps its literal kernel.
  EXPECT_EQ(SharedBody(KernelCode(p.ta.graph(), "cortex-m4")), "");
  // Together they call one body with their own sizes and tables.
  const std::string ca = NodeCode(p.both, 0, "kernel_0"), cb = NodeCode(p.both, 1, "kernel_1");
  ASSERT_NE(SharedBody(ca), "");
  EXPECT_EQ(SharedBody(ca), SharedBody(cb));
  EXPECT_NE(ca.find("(in0, out0, scratch, 25, 12, 4,"), std::string::npos) << ca;
  EXPECT_NE(cb.find("(in0, out0, scratch, 9, 6, 8,"), std::string::npos) << cb;
  // Share groups (AotOptions::share_groups; ember tune gives each candidate
  // its own): layers share a body within their group only; a layer alone in
  // its group keeps its literal kernel, as it would alone in a model.
  const std::map<size_t, std::string> one = {{0, "c0"}, {1, "c0"}}, two = {{0, "c0"}, {1, "c1"}};
  const std::string ga = NodeCode(p.both, 0, "kernel_0", one), gb = NodeCode(p.both, 1, "kernel_1", one);
  ASSERT_NE(SharedBody(ga), "");
  EXPECT_EQ(SharedBody(ga), SharedBody(gb));
  EXPECT_NE(SharedBody(ga), SharedBody(ca));  // another group, another body
  EXPECT_EQ(SharedBody(NodeCode(p.both, 0, "kernel_0", two)), "");
  EXPECT_EQ(SharedBody(NodeCode(p.both, 1, "kernel_1", two)), "");
  // Both match the reference on the host (dsp.h's portable C), also with
  // input and output in one buffer at the declared overlap.
  ExpectNodeOfGraphMatches(p.both, 0, p.ta.graph(), p.in_a, "cortex-m4");
  ExpectNodeOfGraphMatches(p.both, 1, p.tb.graph(), p.in_b, "cortex-m4");
  // A layer of another kind (odd output channels) keeps its own kernel.
  ConvCase c = Pointwise(16, 7);
  c.act = "relu", c.zin = -128, c.zout = -128;
  std::vector<uint8_t> in_c;
  OneNode tc = BuildConv(c, &in_c);
  const ir::Graph three = MergeGraphs(p.both, tc.graph(), "conv_c");
  EXPECT_EQ(SharedBody(NodeCode(three, 2, "kernel_2")), "");
  // So does one whose group count takes another unroll (2 groups: two per
  // pass), and two such layers share a body of their own.
  ConvCase d = Pointwise(8, 12), e = Pointwise(8, 6);
  d.act = e.act = "relu", d.zin = e.zin = -128, d.zout = e.zout = -128, e.seed = 5;
  std::vector<uint8_t> in_d, in_e;
  OneNode td = BuildConv(d, &in_d), te = BuildConv(e, &in_e);
  const ir::Graph four = MergeGraphs(three, td.graph(), "conv_d");
  EXPECT_EQ(SharedBody(NodeCode(four, 3, "kernel_3")), "");
  const ir::Graph five = MergeGraphs(four, te.graph(), "conv_e");
  const std::string cd = NodeCode(five, 3, "kernel_3"), ce = NodeCode(five, 4, "kernel_4");
  ASSERT_NE(SharedBody(cd), "");
  EXPECT_EQ(SharedBody(cd), SharedBody(ce));
  EXPECT_NE(SharedBody(cd), SharedBody(ca));
  EXPECT_NE(cd.find("groups >> 1"), std::string::npos);
  EXPECT_NE(NodeCode(five, 0, "kernel_0").find("groups >> 2"), std::string::npos);
  ExpectNodeOfGraphMatches(five, 3, td.graph(), in_d, "cortex-m4");
  ExpectNodeOfGraphMatches(five, 4, te.graph(), in_e, "cortex-m4");
}

// ---- host: fully_connected ----

TEST(DspFullyConnected, EdgeCasesMatchReference) {
  for (const auto& [name, k] : FcVariantCases()) {
    SCOPED_TRACE(name);
    CheckFc(k);
  }
}

TEST(DspFullyConnected, FloatStaysPortable) {
  FcCase k;
  k.is_float = true, k.in_shape = {3, 33}, k.units = 9;
  std::vector<uint8_t> input;
  OneNode t = BuildFc(k, &input);
  EXPECT_EQ(KernelCode(t.graph(), "cortex-m4").find("ember_smlad"), std::string::npos);
  ExpectKernelMatchesReference(t.graph(), {input}, 0.0, "cortex-m4");
}

// ---- the biased pair form (dsp.h, ember_bp_*) and its bound ----

// Layers whose every weight and input byte is extreme: the biased pair form
// is taken while every row's accumulator, 256 times its dot product plus
// T = 127 (S + 128 n) (dsp.h), stays inside int32 for every input, so the
// largest sums of depth 511 (fully_connected, weights -128), 516 (weights
// and inputs 127), 512 (weights -128 and 127 alternating, as the inputs:
// the largest T, which decides here: without it depth 516 would pass) and
// 508 (pointwise conv2d) or 504 (a 3x3 conv2d of 56 channels) stay exact;
// one group more (depth 512, 520, 516, 516) and the layer keeps the
// sign-extended form ("past" in the name). Output scales put the largest
// sums inside the int8 range (a wrapped sum would saturate).
std::vector<std::pair<std::string, FcCase>> ExtremeFcCases() {
  std::vector<std::pair<std::string, FcCase>> v;
  for (int8_t x : {int8_t{-128}, int8_t{127}}) {
    FcCase k;
    k.in_shape = {1, 511}, k.units = 5, k.zin = 0, k.zout = 0, k.out_scale = 100.0f;
    k.weight_value = -128, k.input_value = x;
    v.push_back({"fc_511_x" + std::to_string(x), k});
    k.in_shape = {1, 512};
    v.push_back({"fc_512_x" + std::to_string(x) + " past", k});
  }
  FcCase k;
  k.in_shape = {2, 515}, k.units = 9, k.zin = 0, k.out_scale = 100.0f, k.weight_value = 127, k.input_value = -128;
  v.push_back({"fc_515_w127", k});
  k.in_shape = {1, 516}, k.units = 8, k.zout = 0, k.input_value = 127;
  v.push_back({"fc_516_w127_x127", k});
  k.in_shape = {1, 520};
  v.push_back({"fc_520_w127_x127 past", k});
  k.in_shape = {1, 512}, k.weight_value = -128, k.odd_weight_value = 127, k.input_value = -128, k.odd_input_value = 127;
  v.push_back({"fc_512_alternating", k});
  k.in_shape = {1, 516};
  v.push_back({"fc_516_alternating past", k});
  return v;
}

std::vector<std::pair<std::string, ConvCase>> ExtremeConvCases() {
  std::vector<std::pair<std::string, ConvCase>> v;
  ConvCase k = Pointwise(508, 3);
  k.h = 3, k.w = 2, k.zin = 0, k.out_scale = 100.0f, k.weight_value = -128, k.input_value = -128;
  v.push_back({"pointwise_508", k});
  k.c = 516;
  v.push_back({"pointwise_516 past", k});
  ConvCase t;
  t.h = 4, t.w = 3, t.c = 56, t.oc = 3, t.zin = -128, t.out_scale = 100.0f, t.weight_value = 127, t.input_value = 127;
  v.push_back({"3x3_56", t});
  // The same from the ring of input rows (an even output width), and past the bound: its sign-extended words.
  t.w = 4;
  v.push_back({"3x3_56_ring", t});
  t.c = 60;
  v.push_back({"3x3_60_ring past", t});
  return v;
}

// Whether the name says the case is past the bound (expect the sign-extended form).
bool PastBound(const std::string& name) { return name.find("past") != std::string::npos; }

// Each case's fully_connected kernel for cortex-m4 contains `marker` exactly
// when the case's name does not contain `off` (past a bound, or kept on
// another path), and matches the reference evaluator on the host.
void ExpectFcCodeByName(const std::vector<std::pair<std::string, FcCase>>& cases, const std::string& marker,
                        const std::string& off) {
  std::vector<uint8_t> input;
  for (const auto& [name, k] : cases) {
    SCOPED_TRACE(name);
    const std::string code = KernelCode(BuildFc(k, &input).graph(), "cortex-m4");
    EXPECT_EQ(code.find(marker) != std::string::npos, name.find(off) == std::string::npos) << code;
    CheckFc(k);
  }
}

// Whether node 0 of `t` is emitted in the biased pair form.
bool Biased(const OneNode& t) { return KernelCode(t.graph(), "cortex-m4").find("ember_bp_start") != std::string::npos; }

TEST(DspBiasedPairForm, TakenUpToItsBoundAndExact) {
  std::vector<uint8_t> input;
  ExpectFcCodeByName(ExtremeFcCases(), "ember_bp_start", "past");
  for (const auto& [name, k] : ExtremeConvCases()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(Biased(BuildConv(k, &input)), !PastBound(name));
    CheckConv(k);
  }
  // Random layers take it (the odd and even, negative and positive S of their rows).
  EXPECT_TRUE(Biased(BuildFc(FcCase{}, &input)));
  EXPECT_TRUE(Biased(BuildConv(ConvCase{}, &input)));
}

// The requantization from twice the sum (ember_requant_mm: SMMULR, SMMLAR)
// is taken while every |init| + 128 sum|w| < 2^30; biases at that bound
// (64 weights of 1, z_in 0: |bias| + 8192), one past it, and far past it
// (2^30 + 10000: twice the sum leaves int32, which a looser bound would let
// through). The output scale maps sums near 2^30 inside the int8 range.
std::vector<std::pair<std::string, FcCase>> DoubledBoundFcCases() {
  std::vector<std::pair<std::string, FcCase>> v;
  const int32_t at = (int32_t{1} << 30) - 8192 - 1;
  for (const int32_t sign : {1, -1}) {
    for (const auto& [name, bias] : {std::pair<std::string, int32_t>{"at", at}, {"past", at + 1},
                                     {"far past", (int32_t{1} << 30) + 10000}}) {
      FcCase k;
      k.in_shape = {1, 64}, k.units = 8, k.zin = 0, k.zout = 0, k.out_scale = 33554.0f, k.act = "none";
      k.weight_value = 1, k.per_channel = true, k.bias_value = sign * bias;
      v.push_back({std::string(sign > 0 ? "bias+ " : "bias- ") + name, k});
    }
  }
  return v;
}

struct DeadCase {
  FcCase fc;
  ConvCase conv;
};
std::vector<std::pair<std::string, DeadCase>> DeadChannelCases() {
  std::vector<std::pair<std::string, DeadCase>> v;
  DeadCase d;
  d.fc.in_shape = {2, 600}, d.fc.units = 16, d.fc.per_channel = true, d.fc.dead_channel = true;
  v.push_back({"fc_600", d});
  d.fc.act = "relu", d.fc.zout = -128;
  v.push_back({"fc_600_relu", d});
  DeadCase c;
  c.conv = Pointwise(520, 6);
  c.conv.h = 3, c.conv.w = 3, c.conv.dead_channel = true;
  v.push_back({"pointwise_520", c});
  c.conv = ConvCase{};
  c.conv.c = 60, c.conv.oc = 5, c.conv.act = "relu", c.conv.zout = -128, c.conv.dead_channel = true;
  v.push_back({"3x3_60_relu", c});
  return v;
}

TEST(DspRequantFromDoubledSum, TakenUpToItsBoundAndExact) {
  std::vector<uint8_t> input;
  ExpectFcCodeByName(DoubledBoundFcCases(), "ember_requant_mm(", "past");
  // Random layers take it (the edge cases of DspFullyConnected and DspConv2D
  // check them against the reference), with a clamp at z_out the clamped form.
  // A dead unit or channel (multiplier 0: every sum gives z_out; weights of
  // -128 and bias INT32_MAX, beyond both bounds) leaves the layer in the
  // biased form with the doubled requantization.
  for (const auto& [name, dead] : DeadChannelCases()) {
    SCOPED_TRACE(name);
    const std::string code = name.rfind("fc", 0) == 0 ? KernelCode(BuildFc(dead.fc, &input).graph(), "cortex-m4")
                                                       : KernelCode(BuildConv(dead.conv, &input).graph(), "cortex-m4");
    EXPECT_NE(code.find("ember_bp_start"), std::string::npos);
    EXPECT_NE(code.find("ember_requant_mm"), std::string::npos) << code;
    if (name.rfind("fc", 0) == 0) CheckFc(dead.fc);
    else CheckConv(dead.conv);
  }
  FcCase relu;
  relu.act = "relu", relu.zout = -128;
  EXPECT_NE(KernelCode(BuildFc(relu, &input).graph(), "cortex-m4").find("ember_requant_mm_clamped("), std::string::npos);
  EXPECT_NE(KernelCode(BuildConv(ConvCase{}, &input).graph(), "cortex-m4").find("ember_requant_mm("), std::string::npos);
}

// ---- blocks of eight units through ember_bp_dot8 (dsp.h) ----

// Rows of whole groups of four in blocks of eight units, so that the
// assembly function's two loops run alone and together: 2 groups (single
// groups only), 4 (one pass of four), 5 and 13 (passes and single groups),
// 160 (the kws classifier's 640 inputs); batches restart the row. Then
// layers that keep the C loop: a last partial group, units not a multiple
// of 8.
std::vector<std::pair<std::string, FcCase>> Dot8FcCases() {
  std::vector<std::pair<std::string, FcCase>> v;
  FcCase k;
  k.in_shape = {2, 8}, k.units = 16, k.zin = -7, k.zout = 3;
  v.push_back({"depth8_units16_batches2", k});
  k.in_shape = {1, 16}, k.units = 24, k.act = "relu", k.zout = -128;
  v.push_back({"depth16_units24_relu", k});
  k.in_shape = {3, 20}, k.units = 8, k.per_channel = true, k.act = "none", k.zout = 0;
  v.push_back({"depth20_units8_per_channel", k});
  k.in_shape = {1, 52}, k.units = 32, k.per_channel = false, k.input_value = -128, k.weight_value = 127;
  v.push_back({"depth52_units32_extreme", k});
  k = FcCase{};
  k.in_shape = {1, 640}, k.units = 128, k.act = "relu";
  v.push_back({"depth640_units128", k});
  k = FcCase{};
  k.in_shape = {1, 22}, k.units = 16;
  v.push_back({"depth22_units16 C loop", k});
  k.in_shape = {1, 24}, k.units = 12;
  v.push_back({"depth24_units12 C loop", k});
  return v;
}

TEST(DspFullyConnected, BlocksOfEightUseTheAssemblyDotProduct) {
  ExpectFcCodeByName(Dot8FcCases(), "ember_bp_dot8(", "C loop");  // on the host: the C form of ember_bp_dot8
}

// ---- cortex-m4 under QEMU ----

std::string CArray(const std::string& name, const std::vector<uint8_t>& b) {
  std::string s = "static const uint8_t " + name + "[" + std::to_string(b.empty() ? 1 : b.size()) + "] = {";
  for (size_t i = 0; i < b.size(); ++i) s += (i % 24 ? "" : "\n  ") + std::to_string(b[i]) + ",";
  if (b.empty()) s += "0";
  return s + "\n};\n";
}

// One program running every case's kernel for cortex-m4 on its input and
// comparing with the reference evaluator's output; prints "dsp-kernels: ok".
struct QemuCase {
  const ir::Graph* graph;      // the one-node graph of the reference
  std::vector<uint8_t> input;
  const ir::Graph* emit_from;  // the graph whose node `node` is emitted (null: graph, node 0)
  size_t node;
};

std::string QemuProgram(const std::vector<QemuCase>& cases) {
  auto tg = codegen::c::ParseTarget("cortex-m4");
  std::string src = "#include <stdint.h>\n#include <string.h>\n#include \"platform.h\"\n"
                    "#include \"ember/kernel_math.h\"\n#include \"ember/fixed_point.h\"\n"
                    "#include \"ember/dsp.h\"\n\n";
  std::string calls;
  int64_t scratch = 16;
  for (size_t i = 0; i < cases.size(); ++i) {
    const ir::Graph& g = *cases[i].graph;
    const ir::Graph& eg = cases[i].emit_from ? *cases[i].emit_from : g;
    const size_t node = cases[i].emit_from ? cases[i].node : 0;
    const std::string id = std::to_string(i), fn = "kernel_" + id;
    codegen::c::ConstPool consts("k" + id);
    codegen::c::KernelContext ctx{eg, eg.nodes[node], node, fn, consts, *tg};
    auto k = codegen::c::GetEmitter(eg.nodes[node].op).emit(ctx);
    EXPECT_TRUE(k.ok()) << k.diag().ToString();
    if (!k.ok()) return "";
    EXPECT_TRUE(DspChosen(k->code));
    auto ref = ops::EvaluateGraph(g, {cases[i].input});
    EXPECT_TRUE(ref.ok()) << ref.diag().ToString();
    if (!ref.ok()) return "";
    const std::vector<uint8_t>& want = ref->outputs[0];
    src += consts.Render() + k->code;
    src += CArray("in_" + id, cases[i].input) + CArray("want_" + id, want);
    scratch = std::max(scratch, k->scratch_bytes);
    calls += "  " + fn + "((const int8_t*)in_" + id + ", (int8_t*)out" +
             (k->scratch_bytes ? ", scratch" : "") + ");\n";
    calls += "  if (memcmp(out, want_" + id + ", " + std::to_string(want.size()) +
             ")) { ember_cm_print(\"mismatch in case " + id + "\\n\"); bad = 1; }\n";
  }
  int64_t out_bytes = 16;
  for (const auto& c : cases) out_bytes = std::max(out_bytes, c.graph->tensor(c.graph->outputs[0]).size_bytes());
  src += "static uint8_t out[" + std::to_string(out_bytes) + "];\n";
  src += "static uint8_t scratch[" + std::to_string(scratch) + "] EMBER_ALIGNED(16);\n";
  src += "int main(void);\nint main(void) {\n  int bad = 0;\n" + calls +
         "  if (!bad) ember_cm_print(\"dsp-kernels: ok\\n\");\n  return bad;\n}\n";
  return src;
}

TEST(DspKernelsOnCortexM4, MatchReferenceUnderQemu) {
  EMBER_REQUIRE_QEMU_TOOLS();
  std::vector<OneNode> nodes;
  std::vector<std::vector<uint8_t>> inputs;
  auto add_conv = [&](const ConvCase& k) {
    inputs.emplace_back();
    nodes.push_back(BuildConv(k, &inputs.back()));
  };
  auto add_fc = [&](const FcCase& k) {
    inputs.emplace_back();
    nodes.push_back(BuildFc(k, &inputs.back()));
  };
  ConvCase first;
  first.h = 25, first.w = 10, first.c = 1, first.oc = 16, first.kh = 10, first.kw = 4;
  first.stride = {2, 2}, first.pad = {4, 1, 5, 1}, first.act = "relu", first.zin = 83, first.zout = -128;
  add_conv(first);
  ConvCase rgb;
  rgb.h = 13, rgb.w = 9, rgb.c = 3, rgb.oc = 8, rgb.stride = {2, 2}, rgb.pad = {0, 0, 1, 1}, rgb.act = "relu6";
  add_conv(rgb);
  ConvCase pw = Pointwise(16, 12);
  pw.zin = -128, pw.zout = 127;
  add_conv(pw);
  ConvCase pwodd = Pointwise(5, 7);
  pwodd.n = 2, pwodd.per_channel = false, pwodd.bias = false;
  add_conv(pwodd);
  ConvCase dil;
  dil.h = 9, dil.w = 7, dil.c = 3, dil.oc = 5, dil.dilation = {2, 3}, dil.pad = {1, 3, 2, 2}, dil.stride = {2, 1};
  dil.zin = 127, dil.out_scale = 1.0f / 4096.0f;
  add_conv(dil);
  ConvCase wide;
  wide.h = 6, wide.w = 6, wide.c = 16, wide.oc = 9, wide.out_scale = 4096.0f;
  add_conv(wide);
  FcCase fc;
  fc.in_shape = {1, 37}, fc.units = 7, fc.zin = 5, fc.zout = -3;
  add_fc(fc);
  FcCase fcz;
  fcz.in_shape = {3, 64}, fcz.units = 12, fcz.zw = 127, fcz.zin = 127, fcz.act = "relu6";
  add_fc(fcz);
  FcCase fcp;
  fcp.in_shape = {2, 40}, fcp.units = 10, fcp.per_channel = true, fcp.zin = -128, fcp.zout = 127;
  add_fc(fcp);
  for (const auto& [name, k] : ExtremeFcCases()) add_fc(k);
  for (const auto& [name, k] : Dot8FcCases()) add_fc(k);
  for (const auto& [name, k] : ConvVariantCases())
    if (name.find("from_image") != std::string::npos || name.find("ring") != std::string::npos) add_conv(k);
  for (const auto& [name, k] : ExtremeConvCases()) add_conv(k);
  for (const auto& [name, k] : DoubledBoundFcCases()) add_fc(k);
  for (const auto& [name, d] : DeadChannelCases()) {
    if (name.rfind("fc", 0) == 0) add_fc(d.fc);
    else add_conv(d.conv);
  }
  std::vector<QemuCase> cases;
  for (size_t i = 0; i < nodes.size(); ++i) cases.push_back({&nodes[i].graph(), inputs[i], nullptr, 0});
  // Two layers calling one shared body (defined once in the program).
  const SharedPair p = MakeSharedPair();
  cases.push_back({&p.ta.graph(), p.in_a, &p.both, 0});
  cases.push_back({&p.tb.graph(), p.in_b, &p.both, 1});
  const std::string src = QemuProgram(cases);
  ASSERT_FALSE(src.empty());
  const std::string dir = TempDir();
  WriteFile(dir + "/dsp.c", std::vector<uint8_t>(src.begin(), src.end()));
  const qemu::Command bc = qemu::Build("--app " + qemu::Quote(dir + "/dsp.c") + " mps2-an386 " +
                                       qemu::Quote(dir + "/dsp.elf"));
  ASSERT_EQ(bc.exit_code, 0) << bc.output;
  const qemu::Command r = qemu::Emulate(dir + "/dsp.elf", "mps2-an386", 60);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("dsp-kernels: ok"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace ember::test
