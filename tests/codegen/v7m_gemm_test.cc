// The cortex-m3 conv2d (kernels/v7m: two pixels per word, one SMLAL per
// weight for both) and fully_connected (words of four inputs and weights,
// SXTB and MLA): generated C for cortex-m3 against the reference evaluator,
// byte for byte, on the host over edge cases (for conv2d, pair sums at the
// bound where they stay exact, and the fallback beyond it), and a set of them
// compiled with arm-none-eabi-gcc for cortex-m3 and run under QEMU
// (mps2-an385).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "codegen/conv_cases.h"
#include "e2e/qemu_util.h"
#include "ops/evaluate.h"

namespace ember::test {
namespace {

// The marker of the pair kernel in its generated text (2^23, pixel b's weight).
constexpr const char* kPairMark = "8388608";

// The emitted kernel of node 0 for `target`, with its constants.
struct Emitted {
  std::string consts, code;
  int64_t scratch = 0;
};

Emitted Emit(const ir::Graph& g, const std::string& target, const std::string& fn = "kernel_0",
             const std::string& prefix = "k") {
  auto tg = codegen::c::ParseTarget(target);
  EXPECT_TRUE(tg.ok());
  codegen::c::ConstPool consts(prefix);
  codegen::c::KernelContext ctx{g, g.nodes.at(0), 0, fn, consts, *tg};
  auto k = codegen::c::GetEmitter(g.nodes[0].op).emit(ctx);
  EXPECT_TRUE(k.ok()) << k.diag().ToString();
  if (!k.ok()) return {};
  return {consts.Render(), k->code, k->scratch_bytes};
}

void CheckConv(const ConvCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildConv(k, &input);
  EXPECT_NE(Emit(t.graph(), "cortex-m3").code.find(kPairMark), std::string::npos)
      << "the cortex-m3 pair kernel was not chosen";
  ExpectKernelMatchesReference(t.graph(), {input}, 0.0, "cortex-m3");
}

// A pointwise conv of `c` input channels whose filter rows are `rows` (one
// per output channel, each `c` long) and whose input pixels are `pixels`
// (each `c` long).
OneNode PointwiseWith(const std::vector<std::vector<int8_t>>& rows, const std::vector<std::vector<int8_t>>& pixels,
                      std::vector<uint8_t>* input) {
  ConvCase k = PointwiseConv(1, static_cast<int64_t>(pixels.size()), static_cast<int64_t>(pixels[0].size()),
                             static_cast<int64_t>(rows.size()));
  k.zin = 0, k.zout = 0, k.out_scale = 64.0f;
  OneNode t = BuildConv(k, input);
  std::vector<int8_t> w, x;
  for (const auto& r : rows) w.insert(w.end(), r.begin(), r.end());
  for (const auto& p : pixels) x.insert(x.end(), p.begin(), p.end());
  t.in_tensor(1).data = ToBytes(w);
  *input = ToBytes(x);
  return t;
}

// ---- host ----

TEST(V7mConv2D, EdgeCasesMatchReference) {
  for (const auto& [name, k] : ConvVariantCases()) {
    SCOPED_TRACE(name);
    CheckConv(k);
  }
  // A 1x1 input of one channel (K = 1, one pixel) and a clip activation.
  CheckConv(PointwiseConv(1, 1, 1, 2));
  ConvCase c;
  c.h = 7, c.w = 6, c.c = 5, c.oc = 6, c.act = "clip", c.act_min = -0.5, c.act_max = 0.75;
  CheckConv(c);
}

// Pixel a's sum at its largest and smallest exact values: 128 * sum(|w|) =
// 128 * 32767 = 2^22 - 128, next to pixel b's of the other sign.
TEST(V7mConv2D, PairSumsAtTheBoundStayExact) {
  const size_t depth = 258;
  std::vector<int8_t> neg(depth, -127), pos(depth, 127), alt(depth);
  neg[0] = -128;  // sum |w| = 257 * 127 + 128 = 32767
  for (size_t j = 0; j < depth; ++j) alt[j] = static_cast<int8_t>(j % 2 ? 127 : -127);
  const std::vector<int8_t> lo(depth, -128), hi(depth, 127);
  std::vector<uint8_t> input;
  OneNode t = PointwiseWith({neg, pos, alt}, {lo, hi, hi, lo, lo}, &input);
  EXPECT_NE(Emit(t.graph(), "cortex-m3").code.find(kPairMark), std::string::npos);
  ExpectKernelMatchesReference(t.graph(), {input}, 0.0, "cortex-m3");
}

TEST(V7mConv2D, BeyondTheBoundAndOtherCoresStayPortable) {
  const size_t depth = 256;
  std::vector<uint8_t> input;
  // One channel with 128 * sum(|w|) = 2^22: the whole layer takes the portable kernel.
  OneNode t = PointwiseWith({std::vector<int8_t>(depth, 3), std::vector<int8_t>(depth, -128)},
                            {std::vector<int8_t>(depth, -128), std::vector<int8_t>(depth, 127)}, &input);
  EXPECT_EQ(Emit(t.graph(), "cortex-m3").code.find(kPairMark), std::string::npos);
  ExpectKernelMatchesReference(t.graph(), {input}, 0.0, "cortex-m3");
  ConvCase k = PointwiseConv(5, 5, 8, 4);
  OneNode p = BuildConv(k, &input);
  for (const char* target : {"host", "cortex-m0plus", "cortex-m4", "cortex-m55"})
    EXPECT_EQ(Emit(p.graph(), target).code.find(kPairMark), std::string::npos) << target;
  ConvCase f = k;  // float and grouped convs stay portable on cortex-m3
  f.is_float = true;
  EXPECT_EQ(Emit(BuildConv(f, &input).graph(), "cortex-m3").code.find(kPairMark), std::string::npos);
  ConvCase g;
  g.h = 6, g.w = 6, g.c = 4, g.oc = 6, g.groups = 2;
  OneNode gt = BuildConv(g, &input);
  EXPECT_EQ(Emit(gt.graph(), "cortex-m3").code.find(kPairMark), std::string::npos);
  ExpectKernelMatchesReference(gt.graph(), {input}, 0.0, "cortex-m3");
}

// ---- host: fully_connected ----

// The marker of the v7-M fully_connected in its generated text.
constexpr const char* kFcMark = "v7-M: 1 row x 4 units";

void CheckFc(const FcCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildFc(k, &input);
  EXPECT_NE(Emit(t.graph(), "cortex-m3").code.find(kFcMark), std::string::npos)
      << "the cortex-m3 fully_connected was not chosen";
  ExpectKernelMatchesReference(t.graph(), {input}, 0.0, "cortex-m3");
}

TEST(V7mFullyConnected, EdgeCasesMatchReference) {
  for (const auto& [name, k] : FcVariantCases()) {
    SCOPED_TRACE(name);
    CheckFc(k);
  }
}

TEST(V7mFullyConnected, FloatAndOtherCoresStayPortable) {
  FcCase k;
  k.in_shape = {3, 33}, k.units = 9;
  std::vector<uint8_t> input;
  OneNode t = BuildFc(k, &input);
  for (const char* target : {"host", "cortex-m0plus", "cortex-m4"})
    EXPECT_EQ(Emit(t.graph(), target).code.find(kFcMark), std::string::npos) << target;
  k.is_float = true;
  OneNode f = BuildFc(k, &input);
  EXPECT_EQ(Emit(f.graph(), "cortex-m3").code.find(kFcMark), std::string::npos);
  ExpectKernelMatchesReference(f.graph(), {input}, 0.0, "cortex-m3");
}

// Two pointwise layers of different sizes (25 and 9 pixels: the second's last
// block has one; 12 and 4 channels; depth 16 and 8) whose kernels differ only
// in sizes and tables, and the graph with both.
struct SharedPair {
  std::vector<uint8_t> in_a, in_b;
  OneNode ta, tb;
  ir::Graph both;
};

SharedPair MakeSharedPair() {
  ConvCase a = PointwiseConv(5, 5, 16, 12), b = PointwiseConv(3, 3, 8, 4, 77);
  a.act = b.act = "relu", a.zin = b.zin = -128, a.zout = b.zout = -128;
  SharedPair p{{}, {}, OneNode(ir::OpKind::kConv2D), OneNode(ir::OpKind::kConv2D), {}};
  p.ta = BuildConv(a, &p.in_a);
  p.tb = BuildConv(b, &p.in_b);
  p.both = MergeGraphs(p.ta.graph(), p.tb.graph(), "conv_b");
  return p;
}

// The kernel of node `index` of `g` for cortex-m3.
Emitted EmitNode(const ir::Graph& g, size_t index, const std::string& fn, const std::string& prefix = "k") {
  auto tg = codegen::c::ParseTarget("cortex-m3");
  EXPECT_TRUE(tg.ok());
  codegen::c::ConstPool consts(prefix);
  codegen::c::KernelContext ctx{g, g.nodes.at(index), index, fn, consts, *tg};
  auto k = codegen::c::GetEmitter(g.nodes[index].op).emit(ctx);
  EXPECT_TRUE(k.ok()) << k.diag().ToString();
  if (!k.ok()) return {};
  return {consts.Render(), k->code, k->scratch_bytes};
}

// The name of the shared body `code` calls, "" when there is none.
std::string SharedBody(const std::string& code) {
  const size_t at = code.find("static void ember_conv_");
  return at == std::string::npos ? "" : code.substr(at + 12, 27);
}

TEST(V7mConv2D, PointwiseLayersOfOneKindShareOneBody) {
  const SharedPair p = MakeSharedPair();
  EXPECT_EQ(SharedBody(Emit(p.ta.graph(), "cortex-m3").code), "");  // alone: literal sizes
  const Emitted ea = EmitNode(p.both, 0, "kernel_0"), eb = EmitNode(p.both, 1, "kernel_1");
  ASSERT_NE(SharedBody(ea.code), "");
  EXPECT_EQ(SharedBody(ea.code), SharedBody(eb.code));
  EXPECT_NE(ea.code.find(kPairMark), std::string::npos);
  EXPECT_NE(ea.code.find("(in0, out0, scratch, 25, 12, 16,"), std::string::npos) << ea.code;
  EXPECT_NE(eb.code.find("(in0, out0, scratch, 9, 4, 8,"), std::string::npos) << eb.code;
  ExpectNodeOfGraphMatches(p.both, 0, p.ta.graph(), p.in_a, "cortex-m3");
  ExpectNodeOfGraphMatches(p.both, 1, p.tb.graph(), p.in_b, "cortex-m3");
  // A layer of another kind (channels not a multiple of 4) keeps its own kernel.
  std::vector<uint8_t> in_c;
  ConvCase c = PointwiseConv(4, 4, 16, 7);
  c.act = "relu", c.zin = -128, c.zout = -128;
  const ir::Graph three = MergeGraphs(p.both, BuildConv(c, &in_c).graph(), "conv_c");
  EXPECT_EQ(SharedBody(EmitNode(three, 2, "kernel_2").code), "");
}

// ---- cortex-m3 under QEMU (real SMLAL, SSAT) ----

std::string CArray(const std::string& name, const std::vector<uint8_t>& b) {
  std::string s = "static const uint8_t " + name + "[" + std::to_string(b.empty() ? 1 : b.size()) + "] = {";
  for (size_t i = 0; i < b.size(); ++i) s += (i % 24 ? "" : "\n  ") + std::to_string(b[i]) + ",";
  if (b.empty()) s += "0";
  return s + "\n};\n";
}

// One firmware runs every case's cortex-m3 kernel on its input and compares
// with the reference evaluator's output: every conv2d and fully_connected
// edge case, pair sums at the bound, and two layers through one shared body.
TEST(V7mKernelsOnCortexM3, MatchReferenceUnderQemu) {
  EMBER_REQUIRE_QEMU_TOOLS();
  struct Case {
    OneNode one;                 // the one-node graph of the reference
    std::vector<uint8_t> input;
    const ir::Graph* emit_from;  // the graph whose node `node` is emitted (null: one's, node 0)
    size_t node;
    const char* mark;            // the variant's text in the kernel
  };
  std::vector<Case> cases;
  auto add = [&](OneNode one, std::vector<uint8_t> input, const char* mark, const ir::Graph* from = nullptr,
                 size_t node = 0) { cases.push_back({std::move(one), std::move(input), from, node, mark}); };
  std::vector<uint8_t> in;
  for (const auto& [name, k] : ConvVariantCases()) {
    OneNode t = BuildConv(k, &in);
    add(std::move(t), in, kPairMark);
  }
  for (const auto& [name, k] : FcVariantCases()) {
    OneNode t = BuildFc(k, &in);
    add(std::move(t), in, kFcMark);
  }
  const size_t depth = 258;
  std::vector<int8_t> neg(depth, -127), pos(depth, 127);
  neg[0] = -128;
  OneNode bound = PointwiseWith({neg, pos}, {std::vector<int8_t>(depth, -128), std::vector<int8_t>(depth, 127),
                                             std::vector<int8_t>(depth, -128)},
                                &in);
  add(std::move(bound), in, kPairMark);
  const SharedPair pair = MakeSharedPair();
  add(pair.ta, pair.in_a, "static void ember_conv_", &pair.both, 0);
  add(pair.tb, pair.in_b, "static void ember_conv_", &pair.both, 1);

  std::string src = "#include <stdint.h>\n#include <string.h>\n#include \"platform.h\"\n"
                    "#include \"ember/kernel_math.h\"\n#include \"ember/fixed_point.h\"\n#include \"ember/dsp.h\"\n\n";
  std::string calls;
  int64_t scratch = 16, out_bytes = 16;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string id = std::to_string(i), fn = "kernel_" + id;
    const Emitted e = c.emit_from ? EmitNode(*c.emit_from, c.node, fn, "k" + id) : Emit(c.one.graph(), "cortex-m3", fn, "k" + id);
    ASSERT_NE(e.code.find(c.mark), std::string::npos) << "case " << i;
    auto ref = ops::EvaluateGraph(c.one.graph(), {c.input});
    ASSERT_TRUE(ref.ok()) << ref.diag().ToString();
    const std::vector<uint8_t>& want = ref->outputs[0];
    src += e.consts + e.code + CArray("in_" + id, c.input) + CArray("want_" + id, want);
    scratch = std::max(scratch, e.scratch);
    out_bytes = std::max(out_bytes, static_cast<int64_t>(want.size()));
    calls += "  " + fn + "((const int8_t*)in_" + id + ", (int8_t*)out" + (e.scratch ? ", scratch" : "") + ");\n";
    calls += "  if (memcmp(out, want_" + id + ", " + std::to_string(want.size()) +
             ")) { ember_cm_print(\"mismatch in case " + id + "\\n\"); bad = 1; }\n";
  }
  src += "static uint8_t out[" + std::to_string(out_bytes) + "];\n";
  src += "static uint8_t scratch[" + std::to_string(scratch) + "] EMBER_ALIGNED(16);\n";
  src += "int main(void);\nint main(void) {\n  int bad = 0;\n" + calls +
         "  if (!bad) ember_cm_print(\"v7m-kernels: ok\\n\");\n  return bad;\n}\n";
  const std::string dir = TempDir();
  WriteFile(dir + "/v7m.c", std::vector<uint8_t>(src.begin(), src.end()));
  const qemu::Command bc = qemu::Build("--app " + qemu::Quote(dir + "/v7m.c") + " mps2-an385 " +
                                       qemu::Quote(dir + "/v7m.elf"));
  ASSERT_EQ(bc.exit_code, 0) << bc.output;
  const qemu::Command r = qemu::Emulate(dir + "/v7m.elf", "mps2-an385", 60);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("v7m-kernels: ok"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace ember::test
