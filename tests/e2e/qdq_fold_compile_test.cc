// QDQ graphs of the operators fold-qdq turns into int8 beyond the
// conv / pool / add family (data movement, split, arg_max, the requantizing
// activations, sub, resize_bilinear, batch_matmul, prelu), written as IR
// text: after the pipeline every operator is int8 (`ember inspect`), the
// host build of the generated C and its cortex-m4 build under QEMU equal
// `ember eval` byte for byte, and
// `ember eval` of the folded graph equals the literal float QDQ graph
// (evaluated here without passes) exactly for the copies and within a stated
// bound for the requantizing chain (docs/passes.md, "QDQ folding").
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "e2e/run_eval_util.h"
#include "ir/parser.h"
#include "ops/evaluate.h"

namespace ember::test {
namespace {

// Builds a QDQ chain in IR text: every Add() appends `call` (with `$` for the
// dequantized previous result, or named operands), its quantize and the
// dequantize the next step reads.
class QdqText {
 public:
  // `sem`: the quantize nodes' attribute text ("" or {int8_semantics=...}).
  QdqText(const std::string& input_shape, const std::string& quant, const std::string& sem = "") : sem_(sem) {
    text_ = "graph \"qdq\" {\n  input %x : f32[" + input_shape + "]\n";
    text_ += "  %xq = quantize(%x) " + sem_ + " : i8[" + input_shape + "] " + quant + "\n";
    text_ += "  %xd = dequantize(%xq) : f32[" + input_shape + "]\n";
    last_ = "%xd";
  }
  void Const(const std::string& line) { text_ += "  " + line + "\n"; }
  // Returns the dequantized result's name.
  std::string Add(std::string call, const std::string& shape, const std::string& quant) {
    const std::string t = "%t" + std::to_string(++n_);
    for (size_t at; (at = call.find('$')) != std::string::npos;) call.replace(at, 1, last_);
    text_ += "  " + t + " = " + call + " : f32[" + shape + "]\n";
    text_ += "  " + t + "q = quantize(" + t + ") " + sem_ + " : i8[" + shape + "] " + quant + "\n";
    text_ += "  " + t + "d = dequantize(" + t + "q) : f32[" + shape + "]\n";
    return last_ = t + "d";
  }
  void Text(const std::string& line) { text_ += "  " + line + "\n"; }
  void SetLast(const std::string& name) { last_ = name; }
  std::string Finish(const std::string& output) const { return text_ + "  output " + output + "\n}\n"; }

 private:
  std::string sem_, text_, last_;
  int n_ = 0;
};

// Copies only (one quantization throughout): split, transpose, depth_to_space,
// space_to_depth, gather, pad, mirror_pad, strided_slice,
// resize_nearest_neighbor, maximum, minimum; exact in either int8
// arithmetic (`sem` as QdqText takes it).
std::string CopiesGraph(const std::string& sem) {
  const std::string q = "quant(0.05, 3)";
  QdqText b("1,4,4,8", q, sem);
  b.Text("%s0, %s1 = split(%xd) {axis=3, sizes=[4,4]} : f32[1,4,4,4], f32[1,4,4,4]");
  b.Text("%s0q = quantize(%s0) " + sem + " : i8[1,4,4,4] " + q);
  b.Text("%s1q = quantize(%s1) " + sem + " : i8[1,4,4,4] " + q);
  b.Text("%s0d = dequantize(%s0q) : f32[1,4,4,4]");
  b.Text("%s1d = dequantize(%s1q) : f32[1,4,4,4]");
  b.Const("const %idx : i32[4] = hex\"03000000010000000000000002000000\"");
  b.SetLast("%s0d");
  b.Add("transpose($) {perm=[0,2,1,3]}", "1,4,4,4", q);
  b.Add("depth_to_space($) {block_size=2}", "1,8,8,1", q);
  b.Add("space_to_depth($) {block_size=2}", "1,4,4,4", q);
  const std::string a = b.Add("gather($, %idx) {axis=3, batch_dims=0}", "1,4,4,4", q);
  b.SetLast("%s1d");
  b.Add("pad($) {pads=[0,0,1,1,1,1,0,0]}", "1,6,6,4", q);
  b.Add("mirror_pad($) {mode=\"reflect\", pads=[0,0,1,1,1,1,0,0]}", "1,8,8,4", q);
  b.Add("strided_slice($) {begin=[0,1,1,0], begin_mask=0, end=[1,7,7,4], end_mask=0, shrink_axis_mask=0, "
        "strides=[1,2,2,1]}",
        "1,3,3,4", q);
  const std::string c = b.Add("resize_nearest_neighbor($) {align_corners=0, half_pixel_centers=1, size=[4,4]}",
                              "1,4,4,4", q);
  const std::string m = b.Add("maximum(" + a + ", " + c + ")", "1,4,4,4", q);
  return b.Finish(b.Add("minimum(" + m + ", " + a + ")", "1,4,4,4", q));
}

// reduce_max, squeeze, then arg_max of the dequantized int8 values.
std::string ArgMaxGraph() {
  const std::string q = "quant(0.25, -3)";
  QdqText b("1,3,8", q);
  b.Add("reduce_max($) {axes=[2], keep_dims=1}", "1,3,1", q);
  const std::string s = b.Add("squeeze($) {axes=[2]}", "1,3", q);
  b.Text("%i = arg_max(" + s + ") {axis=1, keep_dims=0} : i32[1]");
  return b.Finish("%i");
}

// The requantizing operators with TFLite's arithmetic, chained.
std::string RequantizingGraph() {
  QdqText b("1,2,3,4", "quant(0.05, 3)");
  b.Const("const %al : i8[4] quant(0.01, 0) = hex\"14ec327f\"");
  b.Text("%ald = dequantize(%al) : f32[4]");
  b.Add("leaky_relu($) {alpha=0.2}", "1,2,3,4", "quant(0.04, -20)");
  b.Add("hard_swish($)", "1,2,3,4", "quant(0.03, -100)");
  b.Add("sub($, %xd)", "1,2,3,4", "quant(0.06, 1)");
  b.Add("prelu($, %ald)", "1,2,3,4", "quant(0.05, 10)");
  b.Add("relu6($)", "1,2,3,4", "quant(0.05, 10)");
  b.Add("clip($) {max=1, min=-1}", "1,2,3,4", "quant(0.0079, 0)");
  b.Add("hard_sigmoid($) {alpha=0.2, beta=0.5}", "1,2,3,4", "quant(0.004, -128)");
  b.Add("relu($)", "1,2,3,4", "quant(0.004, -128)");
  b.Add("resize_bilinear($) {align_corners=0, half_pixel_centers=1, size=[3,4]}", "1,3,4,4", "quant(0.004, -128)");
  b.Add("batch_matmul($, $) {adj_x=0, adj_y=1}", "1,3,4,4", "quant(0.01, -128)");
  return b.Finish("%t10d");
}

std::string CopiesTflite() { return CopiesGraph(""); }
std::string CopiesOnnxRuntime() { return CopiesGraph("{int8_semantics=\"onnxruntime\"}"); }

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// After the pipeline, only the graph input, its quantize and the output's
// dequantize are float.
void ExpectAllInt8(const std::string& path) {
  const CliResult r = RunCli({"inspect", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  int float_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(": f32[") == std::string::npos) continue;
    ++float_lines;
    EXPECT_TRUE(line.find("input %x") != std::string::npos || line.find("= dequantize(") != std::string::npos)
        << "stayed float: " << line << "\n" << r.out;
  }
  EXPECT_LE(float_lines, 2) << r.out;
}

// `ember eval` of the file (the folded graph) against the literal QDQ graph
// evaluated without passes, on patterned float inputs below 2 in magnitude;
// returns the largest difference in units of `step` (0 for integer outputs
// that are equal).
float FoldedVersusLiteral(const std::string& text, const std::string& path, float step) {
  auto g = ir::Parse(text);
  EXPECT_TRUE(g.ok()) << g.diag().ToString();
  if (!g.ok()) return 1e9f;
  const size_t bytes = static_cast<size_t>(g->tensor(g->inputs[0]).size_bytes());
  float worst = 0;
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    std::vector<uint8_t> in = Pattern(bytes, seed);
    for (size_t i = 0; i + 3 < in.size(); i += 4) in[i + 3] = (in[i + 3] & 0x80) | 0x3f;
    const std::string dir = TempDir();
    WriteFile(dir + "/in.bin", in);
    const CliResult e = RunCli({"eval", path, "--input", dir + "/in.bin", "--output", dir + "/folded.bin"});
    EXPECT_EQ(e.exit_code, 0) << e.err;
    const std::vector<uint8_t> folded = ReadFile(dir + "/folded.bin");
    auto literal = ops::EvaluateGraph(*g, {in});
    EXPECT_TRUE(literal.ok()) << literal.diag().ToString();
    if (!literal.ok()) return 1e9f;
    const std::vector<uint8_t>& want = literal->outputs[0];
    EXPECT_EQ(folded.size(), want.size());
    if (folded.size() != want.size()) return 1e9f;
    if (g->tensor(g->outputs[0]).dtype != ir::DType::kFloat32) {
      EXPECT_EQ(folded, want) << "seed " << seed;
      continue;
    }
    for (size_t i = 0; i + 3 < want.size(); i += 4) {
      float a, b;
      std::memcpy(&a, &folded[i], 4);
      std::memcpy(&b, &want[i], 4);
      worst = std::max(worst, std::fabs(a - b) / step);
    }
  }
  return worst;
}

// The folded graph compiled for cortex-m4 and run under QEMU equals
// `ember eval` byte for byte on one patterned input.
void ExpectCortexM4EqualsEval(const std::string& path, const std::string& name, size_t input_bytes) {
  const std::string dir = TempDir();
  std::vector<uint8_t> in = Pattern(input_bytes, 7);
  for (size_t i = 0; i + 3 < in.size(); i += 4) in[i + 3] = (in[i + 3] & 0x80) | 0x3f;
  WriteFile(dir + "/in.bin", in);
  const CliResult e = RunCli({"eval", path, "--input", dir + "/in.bin", "--output", dir + "/ref.bin"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const CliResult c = RunCli({"compile", path, "--target", "cortex-m4", "--module-name", name, "-o", dir + "/mlf"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  qemu::HarnessResult h;
  const std::string error =
      qemu::BuildAndEmulate(dir + "/mlf", dir + "/in.bin", dir + "/" + name + ".elf", "mps2-an386", 300, &h);
  ASSERT_EQ(error, "");
  ASSERT_EQ(h.outputs.size(), 1u);
  EXPECT_EQ(h.outputs[0], ReadFile(dir + "/ref.bin")) << "cortex-m4 differs from ember eval";
}

struct Case {
  const char* name;
  std::string (*text)();
  float step;       // the output's quantization step
  float max_steps;  // folded vs literal QDQ graph, in output steps
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class QdqFoldCompile : public ::testing::TestWithParam<Case> {};

TEST_P(QdqFoldCompile, FoldsToInt8AndHostAndCortexM4EqualEval) {
  const Case& c = GetParam();
  const std::string text = c.text();
  const std::string path = TempDir() + "/" + c.name + ".ir";
  WriteFile(path, Bytes(text));
  ExpectAllInt8(path);
  EXPECT_LE(FoldedVersusLiteral(text, path, c.step), c.max_steps);
  ExpectRunEqualsEval(Bytes(text), /*float_input=*/true, 3, ".ir");
  EMBER_REQUIRE_QEMU_TOOLS();
  auto g = ir::Parse(text);
  ASSERT_TRUE(g.ok());
  ExpectCortexM4EqualsEval(path, c.name, static_cast<size_t>(g->tensor(g->inputs[0]).size_bytes()));
}

// The copies and arg_max are exact. Each requantizing operator is within one
// output step of its float QDQ form (tests/unit/passes/fold_qdq_test.cc);
// the chain, on these three inputs, is too (measured: equal).
INSTANTIATE_TEST_SUITE_P(Graphs, QdqFoldCompile,
                         ::testing::Values(Case{"copies", CopiesTflite, 0.05f, 0.0f},
                                           Case{"copies_onnxruntime", CopiesOnnxRuntime, 0.05f, 0.0f},
                                           Case{"argmax", ArgMaxGraph, 1.0f, 0.0f},
                                           Case{"requantizing", RequantizingGraph, 0.01f, 1.0f}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ember::test
