// fuse-clamp: text in, text out, and the results before and after (int8,
// so equal byte for byte).
#include <functional>

#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

// hex"..." of the 256 entries f(k - 128), each clamped to int8.
std::string HexTable(const std::function<int(int)>& f) {
  static const char kHex[] = "0123456789abcdef";
  std::string s = "hex\"";
  for (int k = -128; k <= 127; ++k) {
    const auto b = static_cast<uint8_t>(static_cast<int8_t>(std::clamp(f(k), -128, 127)));
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s + "\"";
}

// add(%a, %b) -> lookup_table(table) with the given quantizations.
std::string AddThenTable(const std::string& table, const std::string& q_sum, const std::string& q_out,
                         const std::string& table_attrs = "", const std::string& table_shape = "256") {
  return "graph \"g\" {\n"
         "  input %a : i8[2,64] quant(0.1, 2)\n"
         "  input %b : i8[2,64] quant(0.08, -1)\n"
         "  const %t : i8[" + table_shape + "] = " + table + "\n"
         "  %s = add(%a, %b) : i8[2,64] " + q_sum + "\n"
         "  %y = lookup_table(%s, %t)" + table_attrs + " : i8[2,64] " + q_out + "\n"
         "  output %y\n"
         "}\n";
}

void ExpectFused(const std::string& in, const std::string& want) {
  const std::string out = RunText("fuse-clamp", in);
  ExpectMatches(out, want + "\nNOT lookup_table(\n");
  ExpectSameResults(ParseValid(in), ParseValid(out));
}

TEST(FuseClamp, ReluTableBecomesRelu) {
  ExpectFused(AddThenTable(HexTable([](int x) { return std::max(x, 5); }), "quant(0.05, 5)", "quant(0.05, 5)"),
              R"(%y = add(%a, %b) {act="relu"} : i8[2,64] quant(0.05, 5))");
}

TEST(FuseClamp, Relu6AndReluN1To1TablesBecomeTheirActs) {
  // 6 / 0.05 = 120: [z, z + 120].
  ExpectFused(AddThenTable(HexTable([](int x) { return std::clamp(x, -100, 20); }), "quant(0.05, -100)",
                           "quant(0.05, -100)"),
              R"(%y = add(%a, %b) {act="relu6"})");
  ExpectFused(AddThenTable(HexTable([](int x) { return std::clamp(x, -23, 17); }), "quant(0.05, -3)",
                           "quant(0.05, -3)"),
              R"(%y = add(%a, %b) {act="relu_n1_to_1"})");
}

TEST(FuseClamp, OtherClampTableBecomesClipWithShortBounds) {
  // [-20, 60] at (0.05, -3): act_min = -17 * 0.05, act_max = 63 * 0.05.
  ExpectFused(AddThenTable(HexTable([](int x) { return std::clamp(x, -20, 60); }), "quant(0.05, -3)",
                           "quant(0.05, -3)"),
              R"(%y = add(%a, %b) {act="clip", act_max=3.15, act_min=-0.85})");
  // Clamped below only.
  ExpectFused(AddThenTable(HexTable([](int x) { return std::max(x, -60); }), "quant(0.05, -3)", "quant(0.05, -3)"),
              R"(%y = add(%a, %b) {act="clip", act_max=6.5, act_min=-2.85})");
}

TEST(FuseClamp, IdentityTableIsDropped) {
  ExpectFused(AddThenTable(HexTable([](int x) { return x; }), "quant(0.05, -3)", "quant(0.05, -3)"),
              R"(%y = add(%a, %b) {act="none"} : i8[2,64] quant(0.05, -3))");
}

TEST(FuseClamp, KeepsTablesThatAreNoClampOrNotLegal) {
  const std::string clamp = HexTable([](int x) { return std::clamp(x, -20, 60); });
  for (const std::string& in : {
           // Not a clamp: shifted, or clamped and then offset.
           AddThenTable(HexTable([](int x) { return x + 1; }), "quant(0.05, -3)", "quant(0.05, -3)"),
           AddThenTable(HexTable([](int x) { return std::clamp(x, -20, 60) / 2; }), "quant(0.05, -3)",
                        "quant(0.05, -3)"),
           // A clamp, but the output is quantized otherwise than the input.
           AddThenTable(clamp, "quant(0.05, -3)", "quant(0.1, -3)"),
           // A clamp per channel.
           AddThenTable(clamp.substr(0, clamp.size() - 1) + clamp.substr(4), "quant(0.05, -3)", "quant(0.05, -3)", " {axis=0}", "2,256"),
       }) {
    EXPECT_EQ(RunText("fuse-clamp", in), ir::Print(ParseValid(in))) << in;
  }
}

TEST(FuseClamp, Int8ClipAfterConvolution) {
  // A QDQ model's QuantizeLinear -> Clip -> DequantizeLinear, folded.
  const std::string in = R"(graph "g" {
  input %x : i8[1,3,3,4] quant(0.1, 0)
  const %w : i8[2,1,1,4] quant(0.05, 0) = hex"0102fdfc7f80050a"
  %c = conv2d(%x, %w, _) {dilation=[1,1], int8_semantics="onnxruntime", pad=[0,0,0,0], stride=[1,1]} : i8[1,3,3,2] quant(0.02, 1)
  %y = clip(%c) {max=0.5, min=-0.3} : i8[1,3,3,2] quant(0.02, 1)
  output %y
}
)";
  const std::string out = RunText("fuse-clamp", in);
  ExpectMatches(out, R"(
    %y = conv2d(%x, %w, _) {act="clip", act_max=0.5, act_min=-0.3, dilation=[1,1]
    NOT clip(
  )");
  ExpectSameResults(ParseValid(in), ParseValid(out));
}

}  // namespace
}  // namespace ember::passes::test
