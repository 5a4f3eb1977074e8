// depthwise_conv2d C kernel: generated C against the reference evaluator, byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "codegen/conv_test_util.h"
#include "e2e/qemu_util.h"
#include "ops/evaluate.h"

namespace ember::test {
namespace {

struct DwCase {
  int64_t n = 1, h = 8, w = 8, c = 8, dm = 1, kh = 3, kw = 3;
  std::vector<int64_t> stride{1, 1}, dilation{1, 1}, pad{1, 1, 1, 1};
  std::string act = "none";
  bool bias = true, per_channel = true, is_float = false;
  int64_t zin = -7, zout = 2;
  uint32_t seed = 11;
  float out_scale = 1.0f;  // factor on the output scale: small -> large multipliers
};

int64_t OutSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pa) {
  return (in + pb + pa - ((k - 1) * d + 1)) / s + 1;
}

OneNode BuildDw(const DwCase& k, std::vector<uint8_t>* input) {
  OneNode t(ir::OpKind::kDepthwiseConv2D, "dw");
  const int64_t oc = k.c * k.dm;
  const size_t fsize = static_cast<size_t>(k.kh * k.kw * oc);
  const size_t isize = static_cast<size_t>(k.n * k.h * k.w * k.c);
  const ir::Shape out{k.n, OutSize(k.h, k.kh, k.stride[0], k.dilation[0], k.pad[0], k.pad[2]),
                      OutSize(k.w, k.kw, k.stride[1], k.dilation[1], k.pad[1], k.pad[3]), oc};
  if (k.is_float) {
    *input = ToBytes(RandomFloats(isize, k.seed));
    t.InBytes(ir::DType::kFloat32, {k.n, k.h, k.w, k.c}, *input);
    t.Const<float>({1, k.kh, k.kw, oc}, RandomFloats(fsize, k.seed + 1, 0.5f));
    if (k.bias) t.Const<float>({oc}, RandomFloats(static_cast<size_t>(oc), k.seed + 2));
    else t.Absent();
    t.Out(ir::DType::kFloat32, out);
  } else {
    const float s_in = 0.05f, s_w = 0.01f;
    const float s_out = s_in * s_w * 40.0f * std::sqrt(static_cast<float>(k.kh * k.kw));
    *input = RandomBytes(isize, k.seed);
    t.InBytes(ir::DType::kInt8, {k.n, k.h, k.w, k.c}, *input, Quant(s_in, k.zin));
    t.Const<int8_t>({1, k.kh, k.kw, oc}, RandomInt8(fsize, k.seed + 1),
                    k.per_channel ? QuantPerAxis(ChannelScales(static_cast<size_t>(oc), k.seed + 3, s_w), 3)
                                  : Quant(s_w, 0));
    if (k.bias) t.Const<int32_t>({oc}, RandomInt32(static_cast<size_t>(oc), k.seed + 2, 3000));
    else t.Absent();
    t.Out(ir::DType::kInt8, out, Quant(s_out * k.out_scale, k.zout));
  }
  t.Attr("stride", k.stride).Attr("dilation", k.dilation).Attr("pad", k.pad).Attr("act", k.act);
  t.Attr("depth_multiplier", k.dm);
  return t;
}

void Check(const DwCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildDw(k, &input);
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(DepthwiseConv2DKernel, Kws3x3At25x5With64Channels) {
  DwCase k;
  k.h = 25, k.w = 5, k.c = 64, k.act = "relu", k.zin = -128, k.zout = -128;
  Check(k);
}

TEST(DepthwiseConv2DKernel, VwwStride2SamePadding) {
  // TFLite SAME with stride 2 on an even input puts the extra pixel bottom/right.
  DwCase k;
  k.h = 16, k.w = 16, k.c = 16, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.act = "relu6";
  Check(k);
}

TEST(DepthwiseConv2DKernel, ValidNoBiasPerTensor) {
  DwCase k;
  k.h = 7, k.w = 6, k.c = 5, k.pad = {0, 0, 0, 0}, k.bias = false, k.per_channel = false;
  Check(k);
}

TEST(DepthwiseConv2DKernel, DepthMultiplier2) {
  DwCase k;
  k.h = 6, k.w = 7, k.c = 3, k.dm = 2, k.act = "relu";
  Check(k);
  k.is_float = true;
  Check(k);
}

TEST(DepthwiseConv2DKernel, DilationAndBatch) {
  DwCase k;
  k.n = 2, k.h = 9, k.w = 8, k.c = 4, k.dilation = {2, 2}, k.pad = {2, 2, 2, 2};
  Check(k);
  k.dilation = {3, 1}, k.stride = {1, 2}, k.pad = {1, 0, 3, 1};
  Check(k);
}

TEST(DepthwiseConv2DKernel, LargeWindowUsesLoops) {
  DwCase k;
  k.h = 9, k.w = 9, k.c = 4, k.kh = 7, k.kw = 7, k.pad = {3, 3, 3, 3}, k.act = "relu_n1_to_1";
  Check(k);
}

TEST(DepthwiseConv2DKernel, Float) {
  DwCase k;
  k.is_float = true, k.h = 9, k.w = 6, k.c = 6, k.act = "relu6";
  Check(k);
  k.bias = false, k.stride = {2, 2}, k.dilation = {2, 1}, k.act = "none";
  Check(k);
}

// The float32 kernel's blocks of four channels (interior taps unrolled or in
// loops, border pixels) and the channels beyond a multiple of four: the same
// bytes as the reference, and at each declared overlap.
TEST(DepthwiseConv2DKernel, FloatChannelBlocksAndRemainders) {
  for (const int64_t c : {4, 7, 64}) {
    SCOPED_TRACE("c " + std::to_string(c));
    DwCase k;
    k.is_float = true, k.h = 7, k.w = 5, k.c = c, k.act = "relu";
    Check(k);
    k.kh = 7, k.kw = 7, k.pad = {3, 3, 3, 3}, k.bias = false, k.act = "none";  // taps in loops
    Check(k);
    k.n = 2, k.kh = 3, k.kw = 3, k.stride = {2, 1}, k.dilation = {1, 2}, k.pad = {1, 2, 1, 2};
    Check(k);
  }
}

TEST(DepthwiseConv2DKernel, WrappingAccumulatorMatchesReference) {
  DwCase k;
  k.h = 4, k.w = 4, k.c = 3;
  std::vector<uint8_t> input;
  OneNode t = BuildDw(k, &input);
  t.in_tensor(2).data = ToBytes(std::vector<int32_t>{2147483600, -2147483600, 17});
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(DepthwiseConv2DKernel, CompilesForCortexM4) {
  DwCase k;
  k.h = 25, k.w = 5, k.c = 64, k.act = "relu";
  std::vector<uint8_t> input;
  ExpectCompilesForCortexM4(BuildDw(k, &input).graph());
  k.dm = 2, k.c = 4, k.is_float = true, k.kh = 7, k.kw = 7, k.pad = {3, 3, 3, 3};
  ExpectCompilesForCortexM4(BuildDw(k, &input).graph());
}


// ---- The DSP (cortex-m4/m7/m33), Helium (cortex-m55) and v7-M (cortex-m3) variants ----

struct IsaCase {
  std::string name;
  DwCase k;
  bool huge_bias = false;  // bias near INT32_MAX / INT32_MIN: the accumulators wrap
  bool ort = false;        // int8_semantics = "onnxruntime": float requantization
  // 1: weights alternate -128 / -127 and inputs are -128 or 127 (the largest
  // int16 sums of a tap pair in the Helium kernel); 2: channel 3 has -128 in
  // taps 0 and 1 (a pair that does not fit int16); 3: weights in [-2, 2] and
  // an output multiplier of exactly 1/4 (per tensor), so that many results
  // are ties of the rounding shift; 4: channel 1 is dead (MakeChannel1Dead:
  // a multiplier of 0, weights of -128, bias INT32_MAX); 5: as 3, per
  // channel, with multipliers of 1/4 (a right shift: many ties) and 3/4
  // (none) in alternate channels.
  int extreme = 0;
};

// Edge cases: channel counts that are not multiples of 4, 8 or 16, strides,
// SAME/VALID paddings, dilation, windows of an odd and an even number of
// taps, per-tensor and per-channel quantization, extreme zero points and
// multipliers (left shifts, shifts of -1, tiny multipliers), activations,
// batch, wrapping sums, and depth multiplier 2 (the portable kernel).
std::vector<IsaCase> IsaCases() {
  std::vector<IsaCase> v;
  auto add = [&](const std::string& name, DwCase k, bool huge_bias = false, int extreme = 0) {
    k.seed = 100 + static_cast<uint32_t>(v.size());
    v.push_back({name, k, huge_bias, false, extreme});
  };
  DwCase k;
  k.h = 25, k.w = 5, k.c = 64, k.act = "relu", k.zin = -128, k.zout = -128;
  add("kws", k);
  k = DwCase{};
  k.h = 16, k.w = 16, k.c = 16, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.act = "relu6";
  add("vww_stride2_same", k);
  k = DwCase{};
  k.h = 5, k.w = 6, k.c = 1;
  add("c1", k);
  k = DwCase{};
  k.h = 7, k.w = 6, k.c = 3, k.pad = {0, 0, 0, 0}, k.bias = false, k.per_channel = false;
  add("c3_valid_no_bias_per_tensor", k);
  k = DwCase{};
  k.h = 9, k.w = 8, k.c = 5, k.dilation = {2, 2}, k.pad = {2, 2, 2, 2};
  add("c5_dilation2", k);
  k = DwCase{};
  k.h = 9, k.w = 9, k.c = 8, k.stride = {2, 2}, k.pad = {0, 0, 0, 0};
  add("c8_stride2_valid", k);
  k = DwCase{};
  k.h = 6, k.w = 9, k.c = 17, k.stride = {1, 2}, k.dilation = {3, 1}, k.pad = {1, 0, 3, 1};
  add("c17_mixed_stride_dilation", k);
  k = DwCase{};
  k.h = 6, k.w = 6, k.c = 8, k.zin = 127, k.zout = -128, k.act = "relu6";
  add("c8_extreme_zero_points_relu6", k);
  k = DwCase{};
  k.h = 6, k.w = 5, k.c = 12, k.zin = -128, k.zout = 127, k.act = "relu_n1_to_1";
  add("c12_zero_points_relu_n1_to_1", k);
  k = DwCase{};
  k.h = 6, k.w = 6, k.c = 5, k.out_scale = 1.0f / 40.0f;
  add("c5_shift_near_zero", k);
  k = DwCase{};
  k.h = 5, k.w = 5, k.c = 4, k.out_scale = 1.0f / 600.0f, k.per_channel = false;
  add("c4_left_shift_per_tensor", k);
  k = DwCase{};
  k.h = 5, k.w = 5, k.c = 20, k.out_scale = 1.0f / 600.0f;
  add("c20_left_shift_per_channel", k);
  k = DwCase{};
  k.h = 5, k.w = 6, k.c = 13, k.out_scale = 1.0f / 84.0f;  // real multipliers 0.35 .. 1.05
  add("c13_mixed_left_and_right_shifts", k);
  k = DwCase{};
  k.h = 6, k.w = 7, k.c = 12, k.out_scale = 3000.0f;
  add("c12_tiny_multiplier", k);
  k = DwCase{};
  k.h = 4, k.w = 4, k.c = 3;
  add("c3_wrapping_bias", k, true);
  k = DwCase{};
  k.h = 4, k.w = 4, k.c = 8;
  add("c8_wrapping_bias", k, true);
  k = DwCase{};
  k.h = 7, k.w = 7, k.c = 6, k.kh = 5, k.kw = 5, k.pad = {2, 2, 2, 2};
  add("c6_5x5", k);
  k = DwCase{};
  k.h = 6, k.w = 7, k.c = 9, k.kh = 2, k.kw = 2, k.pad = {0, 0, 1, 1};
  add("c9_2x2_even_taps", k);
  k = DwCase{};
  k.h = 6, k.w = 5, k.c = 16, k.kh = 3, k.kw = 1, k.pad = {1, 0, 1, 0}, k.stride = {2, 1};
  add("c16_3x1", k);
  k = DwCase{};
  k.n = 2, k.h = 5, k.w = 4, k.c = 4;
  add("batch2", k);
  k = DwCase{};
  k.h = 3, k.w = 3, k.c = 24, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.act = "relu6";
  add("c24_3x3_input_all_border", k);
  k = DwCase{};
  k.h = 6, k.w = 6, k.c = 32, k.zin = -128, k.zout = 0;
  add("c32_extreme_tap_pair_sums", k, false, 1);
  k = DwCase{};
  k.h = 5, k.w = 6, k.c = 16, k.zin = 3, k.zout = -5;
  add("c16_minus128_tap_pair", k, false, 2);
  // Eight channels, stride 1 along x: interior pixel pairs in 16 lanes on
  // Helium (odd and even output widths, a 2-wide window, dilation along y).
  k = DwCase{};
  k.h = 6, k.w = 9, k.c = 8, k.act = "relu", k.zin = -128, k.zout = -128;
  add("c8_pairs_odd_width", k);
  k = DwCase{};
  k.h = 5, k.w = 10, k.c = 8, k.kh = 2, k.kw = 2, k.pad = {0, 0, 1, 1}, k.dilation = {2, 1}, k.per_channel = false;
  add("c8_pairs_2x2_dilated_rows", k);
  k = DwCase{};
  k.h = 4, k.w = 4, k.c = 8, k.pad = {0, 0, 0, 0}, k.stride = {2, 1};
  add("c8_pairs_valid_stride_2x1", k);
  k = DwCase{};
  k.h = 5, k.w = 9, k.c = 8, k.pad = {0, 0, 0, 0}, k.zout = -128, k.act = "relu6";
  add("c8_pairs_valid_odd_run", k);  // no border; 7 pixels a row: 3 pairs in a run, 1 alone
  k = DwCase{};
  k.h = 5, k.w = 4, k.c = 32, k.kh = 2, k.kw = 2, k.out_scale = 1.0f / 600.0f, k.per_channel = false;
  add("c32_2x2_left_shift_per_tensor", k);
  for (const auto& [name, act, zo] : std::vector<std::tuple<std::string, std::string, int64_t>>{
           {"c16_ties_relu", "relu", -128}, {"c16_ties_none", "none", 0}, {"c8_ties_relu6", "relu6", 4}}) {
    k = DwCase{};
    k.h = 5, k.w = 5, k.c = name[1] == '8' ? 8 : 16, k.act = act, k.zout = zo, k.per_channel = false;
    add(name, k, false, 3);
  }
  k = DwCase{};
  k.h = 5, k.w = 6, k.c = 48, k.out_scale = 1.0f / 84.0f, k.act = "relu6";  // left and right shifts
  add("c48_mixed_shifts_relu6", k);
  k = DwCase{};
  k.h = 5, k.w = 5, k.c = 32, k.zout = 7;  // no clamp: ties fixed in the lanes with a right shift only
  add("c32_ties_some_lanes_none", k, false, 5);
  // Helium: 16 channels per group, then groups of 8 (the last predicated).
  k = DwCase{};
  k.h = 6, k.w = 6, k.c = 27, k.act = "relu", k.zin = -128, k.zout = -128;
  add("c27_groups_16_then_8", k);
  k = DwCase{};
  k.h = 5, k.w = 4, k.c = 35, k.stride = {2, 1};
  add("c35_groups_16_then_8_wrapping_bias", k, true);
  // Helium: each row's interior pixels in one run (EMBER_DW16_RUN) with no
  // border at all, and with a border along y only (dilated along x).
  k = DwCase{};
  k.h = 7, k.w = 9, k.c = 16, k.pad = {0, 0, 0, 0}, k.act = "relu6";
  add("c16_valid_runs", k);
  k = DwCase{};
  k.h = 5, k.w = 9, k.c = 32, k.pad = {1, 0, 1, 0}, k.dilation = {1, 2}, k.zout = -128, k.act = "relu";
  add("c32_runs_border_along_y_only", k);
  // Helium: sixteen channels and more than nine taps (Group16, not EMBER_DW16).
  k = DwCase{};
  k.h = 7, k.w = 6, k.c = 16, k.kh = 5, k.kw = 5, k.pad = {2, 2, 2, 2}, k.act = "relu6";
  add("c16_5x5", k);
  k = DwCase{};
  k.h = 6, k.w = 7, k.c = 3, k.dm = 2, k.act = "relu";
  add("dm2_portable", k);
  k = DwCase{};
  k.h = 6, k.w = 5, k.c = 12, k.act = "relu", k.zout = -128;
  add("c12_dead_channel", k, false, 4);
  // ONNX Runtime's arithmetic: the same sums, requantized in float.
  auto ort = [&](const std::string& name) {
    for (const IsaCase& c : std::vector<IsaCase>(v)) {
      if (c.name != name) continue;
      v.push_back(c);
      v.back().name = "ort_" + name;
      v.back().ort = true;
    }
  };
  for (const char* name : {"kws", "c3_valid_no_bias_per_tensor", "c17_mixed_stride_dilation",
                           "c12_zero_points_relu_n1_to_1", "c20_left_shift_per_channel", "c12_tiny_multiplier",
                           "c48_mixed_shifts_relu6", "c8_pairs_odd_width"})
    ort(name);
  return v;
}

OneNode BuildIsa(const IsaCase& c, std::vector<uint8_t>* input) {
  OneNode t = BuildDw(c.k, input);
  if (c.huge_bias) {
    std::vector<int32_t> b(static_cast<size_t>(c.k.c * c.k.dm));
    for (size_t i = 0; i < b.size(); ++i) b[i] = i % 3 == 0 ? 2147483600 : (i % 3 == 1 ? -2147483600 : 17);
    t.in_tensor(2).data = ToBytes(b);
  }
  if (c.ort) t.Attr("int8_semantics", std::string("onnxruntime"));
  const int64_t oc = c.k.c * c.k.dm, taps = c.k.kh * c.k.kw;
  std::vector<uint8_t>& w = *t.in_tensor(1).data;  // [1, kh, kw, oc]
  if (c.extreme == 1) {
    for (size_t i = 0; i < w.size(); ++i)  // tap (i / oc) even: -128, odd: -127
      w[i] = static_cast<uint8_t>(static_cast<int8_t>((i / static_cast<size_t>(oc)) % 2 ? -127 : -128));
    for (size_t i = 0; i < input->size(); ++i) (*input)[i] = (*input)[i] % 3 ? 0x80 : 0x7F;
  }
  if (c.extreme == 3 || c.extreme == 5) {
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(i % 5) - 2));
    std::vector<float>& ws = t.in_tensor(1).quant->scale;
    const float prod = t.in_tensor(0).quant->scale[0] * ws[0];
    t.out_tensor(0).quant->scale = {prod * 4.0f};
    if (c.extreme == 5) {
      for (size_t ch = 0; ch < ws.size(); ++ch) ws[ch] = ws[0] * (ch % 2 ? 3.0f : 1.0f);
    }
  }
  if (c.extreme == 4) MakeChannel1Dead(t, oc, 1, oc);
  if (c.extreme == 2 && oc > 3 && taps > 1) {
    w[static_cast<size_t>(0 * oc + 3)] = 0x80;
    w[static_cast<size_t>(1 * oc + 3)] = 0x80;
  }
  return t;
}

// Generated C for `target`, compiled and run on the host (the variants'
// helpers use their portable C twins), equals the reference evaluator.
void ExpectTargetMatches(const IsaCase& c, const std::string& target, const std::string& variant) {
  SCOPED_TRACE(c.name + " for " + target);
  std::vector<uint8_t> input;
  OneNode t = BuildIsa(c, &input);
  auto ref = ops::EvaluateGraph(t.graph(), {input});
  ASSERT_TRUE(ref.ok()) << ref.diag().ToString();
  std::string src;
  std::vector<std::vector<uint8_t>> overlapped;  // one run per declared overlap
  auto got = RunKernelInC(t.graph(), 0, {input}, target, &src, &overlapped);
  ASSERT_TRUE(got.ok()) << got.diag().ToString();
  // The variants declare a forward and a reversed (upward) overlap.
  if (c.k.dm == 1) {
    EXPECT_EQ(overlapped.size(), 2u);
  }
  for (const auto& o : overlapped) {
    EXPECT_EQ(o, ref->outputs[0]) << "input and output overlapping\n" << src;
  }
  if (c.k.dm == 1) {
    EXPECT_NE(src.find("(" + variant + ")"), std::string::npos) << "the " << variant << " kernel was not used";
  } else {
    EXPECT_EQ(src.find("ember/dsp_dw.h"), std::string::npos) << "depth multiplier 2 has no variant";
  }
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0], ref->outputs[0]) << src;
}

TEST(DepthwiseConv2DDsp, EdgeCasesMatchReferenceOnHost) {
  for (const IsaCase& c : IsaCases()) ExpectTargetMatches(c, "cortex-m4", "DSP");
}

TEST(DepthwiseConv2DDsp, UsesSmmulrRequantWhenShiftsAllow) {
  DwCase k;
  k.h = 25, k.w = 5, k.c = 64, k.act = "relu", k.zin = -128, k.zout = -128;
  auto source = [&](const std::string& target) {
    std::vector<uint8_t> input;
    const OneNode t = BuildDw(k, &input);
    std::string src;
    auto r = RunKernelInC(t.graph(), 0, {input}, target, &src);
    EXPECT_TRUE(r.ok()) << r.diag().ToString();
    return src;
  };
  // relu with z_out at the clamp's bottom: the form without the correction
  // of negative products (every result it changes is clamped).
  EXPECT_NE(source("cortex-m7").find("ember_dw_requant_clamped("), std::string::npos);
  k.act = "none", k.zout = 5;  // results below z_out exist: the full form
  EXPECT_NE(source("cortex-m7").find("ember_dw_requant("), std::string::npos);
  k.act = "relu", k.zout = -128;
  {  // A dead channel (multiplier 0, sums beyond the doubling bound) keeps the fast form.
    for (const IsaCase& c : IsaCases()) {
      if (c.extreme != 4) continue;
      std::vector<uint8_t> input;
      const OneNode t = BuildIsa(c, &input);
      std::string src;
      auto r = RunKernelInC(t.graph(), 0, {input}, "cortex-m4", &src);
      ASSERT_TRUE(r.ok()) << r.diag().ToString();
      EXPECT_NE(src.find("ember_dw_requant"), std::string::npos) << src;
    }
  }
  k.out_scale = 1.0f / 40.0f;  // a shift of -1 or more: the portable requantization
  const std::string src = source("cortex-m33");
  EXPECT_EQ(src.find("ember_dw_requant"), std::string::npos) << src;
  EXPECT_NE(src.find("(DSP)"), std::string::npos);
}

TEST(DepthwiseConv2DDsp, OnlyDspAndHeliumTargetsGetVariants) {
  std::vector<uint8_t> input;
  DwCase k;
  const ir::Graph g = BuildDw(k, &input).graph();
  for (const char* t : {"host", "cortex-m0plus", "cortex-m3"}) {
    std::string src;
    ASSERT_TRUE(RunKernelInC(g, 0, {input}, t, &src).ok()) << t;
    EXPECT_EQ(src.find("(DSP)"), std::string::npos) << t;
    EXPECT_EQ(src.find("(Helium)"), std::string::npos) << t;
    // cortex-m3 has its own variant; host and cortex-m0plus the portable kernel.
    EXPECT_EQ(src.find("(v7-M)") != std::string::npos, std::string(t) == "cortex-m3") << t;
  }
}

TEST(DepthwiseConv2DV7m, EdgeCasesMatchReferenceOnHost) {
  for (const IsaCase& c : IsaCases()) ExpectTargetMatches(c, "cortex-m3", "v7-M");
}

// All cases in one firmware for `board` (kernel_harness.h), each also
// emitted to visit the pixels in reverse order (as the memory plan may ask);
// each depthwise kernel with depth multiplier 1 must be the `variant` one.
void ExpectVariantsMatchOnBoard(const std::string& target, const std::string& board, const std::string& variant,
                                const std::string& cflags = "", const std::set<std::string>& only = {}) {
  std::vector<IsaCase> cases;
  for (const IsaCase& c : IsaCases())
    if (only.empty() || only.count(c.name)) cases.push_back(c);
  if (!only.empty()) {
    EXPECT_EQ(cases.size(), only.size());
  }
  std::vector<OneNode> nodes;
  std::vector<BoardKernelCase> runs;
  nodes.reserve(cases.size());
  for (const IsaCase& c : cases) {
    std::vector<uint8_t> input;
    nodes.push_back(BuildIsa(c, &input));
    runs.push_back({c.name, &nodes.back().graph(), input});
    runs.push_back({c.name + " reversed", &nodes.back().graph(), std::move(input), true});
  }
  ExpectKernelsMatchOnBoard(runs, target, board, [&](size_t i, const std::string& code) {
    if (cases[i / 2].k.dm == 1) {
      EXPECT_NE(code.find("(" + variant + ")"), std::string::npos) << cases[i / 2].name;
    }
  }, cflags);
}

TEST(DepthwiseConv2DDsp, EdgeCasesMatchReferenceOnCortexM4) {
  ExpectVariantsMatchOnBoard("cortex-m4", "mps2-an386", "DSP");
}

TEST(DepthwiseConv2DV7m, EdgeCasesMatchReferenceOnCortexM3) {
  ExpectVariantsMatchOnBoard("cortex-m3", "mps2-an385", "v7-M");
}

// The cortex-m55 kernel of case `name` with its constant tables, or "" (a
// failure recorded) when the case is missing or the emitter fails.
std::string MveKernelText(const std::string& name) {
  for (const IsaCase& c : IsaCases()) {
    if (c.name != name) continue;
    std::vector<uint8_t> input;
    const OneNode t = BuildIsa(c, &input);
    auto tg = codegen::c::ParseTarget("cortex-m55");
    EXPECT_TRUE(tg.ok());
    if (!tg.ok()) return "";
    codegen::c::ConstPool consts("k");
    codegen::c::KernelContext ctx{t.graph(), t.node(), 0, "kernel_0", consts, *tg};
    auto kernel = codegen::c::GetEmitter(t.node().op).emit(ctx);
    EXPECT_TRUE(kernel.ok()) << kernel.diag().ToString();
    return kernel.ok() ? kernel->code + consts.Render() : "";
  }
  ADD_FAILURE() << "case " << name << " is missing";
  return "";
}

TEST(DepthwiseConv2DMve, MixedShiftsUseLaneTables) {
  // The case c13_mixed_left_and_right_shifts covers per-lane left shifts and
  // lanes without a right shift (no ties fix-up): check it does.
  const std::string code = MveKernelText("c13_mixed_left_and_right_shifts");
  EXPECT_NE(code.find("vshlq_s32("), std::string::npos) << code;
  EXPECT_NE(code.find("_rmask8"), std::string::npos) << code;
}

TEST(DepthwiseConv2DMve, TapPairsSumInInt16UnlessBothWeightsAreMinus128) {
  // Up to the last multiple of 16 channels: sixteen channels per group with
  // int16 tap-pair sums (int8 weight table "_w16"), except where a channel
  // has -128 in both taps of a pair; the channels after them (c13: all of
  // them): eight per group with int16 weights ("_w8", "_w8t" after groups
  // of 16). All run on the board in EdgeCasesMatchReferenceOnCortexM55
  // (c32_extreme_tap_pair_sums reaches the largest pair sums, 2 * 16384 - 128).
  struct Groups {
    std::string name;
    bool g16, g8, g8_after_16;
  };
  for (const Groups& c : std::vector<Groups>{{"kws", true, false, false},
                                             {"c32_extreme_tap_pair_sums", true, false, false},
                                             {"c48_mixed_shifts_relu6", true, false, false},
                                             {"c16_minus128_tap_pair", false, true, false},
                                             {"c13_mixed_left_and_right_shifts", false, true, false},
                                             {"c17_mixed_stride_dilation", true, false, true},
                                             {"c27_groups_16_then_8", true, false, true},
                                             {"ort_c20_left_shift_per_channel", true, false, true}}) {
    const std::string code = MveKernelText(c.name);
    const bool g16 = code.find("_stream16[") != std::string::npos || code.find("_w16[") != std::string::npos;
    EXPECT_EQ(g16, c.g16) << c.name << "\n" << code;
    EXPECT_EQ(code.find("_w8[") != std::string::npos, c.g8) << c.name << "\n" << code;
    EXPECT_EQ(code.find("_w8t[") != std::string::npos, c.g8_after_16) << c.name << "\n" << code;
    const bool pairs = code.find("EMBER_DW16_PAIR_ASM") != std::string::npos ||
                       code.find("EMBER_DW_MVE_PAIR") != std::string::npos;
    EXPECT_EQ(pairs, c.g16) << c.name;
  }
  // Eight channels at stride 1 along x: pixel pairs; at stride 2: none.
  EXPECT_NE(MveKernelText("c8_pairs_odd_width").find("per pair of pixels, 3 in a run"), std::string::npos);
  EXPECT_NE(MveKernelText("c8_pairs_valid_stride_2x1").find("two pixels in one group of 16 lanes"), std::string::npos);
  EXPECT_EQ(MveKernelText("c8_stride2_valid").find("two pixels in one group"), std::string::npos);
}

TEST(DepthwiseConv2DMve, SixteenLaneGroupsReadOneStreamUpToNineTaps) {
  // TFLite's arithmetic and at most nine taps: EMBER_DW16 and one constant
  // stream per group width ("_stream16", pixel pairs "_stream16p"); ONNX
  // Runtime's float requantization and larger windows: Group16's tables.
  struct Form {
    std::string name;
    bool stream;
    std::string table;
  };
  for (const Form& f : std::vector<Form>{{"kws", true, "_stream16["},
                                         {"c8_pairs_odd_width", true, "_stream16p["},
                                         {"c17_mixed_stride_dilation", true, "_stream16["},
                                         {"ort_kws", false, "_w16["},
                                         {"ort_c8_pairs_odd_width", false, "_w16p["},
                                         {"c16_5x5", false, "_w16["}}) {
    const std::string code = MveKernelText(f.name);
    const bool dw16 = code.find("EMBER_DW16(g, ") != std::string::npos ||
                      code.find("EMBER_DW16_RUN(g, ") != std::string::npos;
    EXPECT_EQ(dw16, f.stream) << f.name << "\n" << code;
    EXPECT_NE(code.find(f.table), std::string::npos) << f.name << "\n" << code;
  }
  // Between them the cases reach every step of the stream's requantization:
  // left shifts, each ties fix-up form, right shifts, z_out 0, added in
  // int32 (wrapping sums: no bound) and in int16 lanes, and both clamp
  // bounds (the flags after the taps: left, fix, right, zp, lo, hi).
  std::set<std::string> seen;
  for (const IsaCase& c : IsaCases()) {
    const std::string code = MveKernelText(c.name);
    for (size_t at = code.find("EMBER_DW16"); at != std::string::npos; at = code.find("EMBER_DW16", at + 1)) {
      if (code.compare(at, 14, "EMBER_DW16(g, ") != 0 && code.compare(at, 18, "EMBER_DW16_RUN(g, ") != 0) continue;
      const size_t end = code.find(");", at), flags = code.rfind("\n", end);
      ASSERT_NE(end, std::string::npos);
      std::istringstream in(code.substr(flags, end - flags));
      char comma = 0;
      int v[6] = {};
      in >> comma >> v[0] >> comma >> v[1] >> comma >> v[2] >> comma >> v[3] >> comma >> v[4] >> comma >> v[5];
      ASSERT_TRUE(in) << c.name << ": " << code.substr(flags, end - flags);
      const char* names[6] = {"left", "fix", "right", "zp", "lo", "hi"};
      for (int i = 0; i < 6; ++i) seen.insert(std::string(names[i]) + "=" + std::to_string(v[i]));
    }
  }
  for (const char* want : {"left=1", "fix=0", "fix=1", "fix=2", "right=1", "zp=0", "zp=1", "zp=2", "lo=1", "hi=1"})
    EXPECT_EQ(seen.count(want), 1u) << want;
}

TEST(DepthwiseConv2DMve, InteriorPixelsOfARowRunInOneCall) {
  // Every channel in the stream's groups and two or more interior pixels per
  // row: EMBER_DW16_RUN takes them, the tap pointers moving (stride - 1) * C
  // bytes between pixels (reversed: -(stride + 1) * C, the output -2 * C);
  // eight channels: two or more pairs of interior pixels (reversed: -32).
  struct Form {
    std::string name;
    std::string moves;  // "" where the row takes no run
  };
  for (const Form& f : std::vector<Form>{{"kws", ", 0, 0);"},
                                         {"vww_stride2_same", ", 16, 0);"},
                                         {"c16_valid_runs", ", 0, 0);"},
                                         {"c32_runs_border_along_y_only", ", 0, 0);"},
                                         {"c16_3x1", ", 0, 0);"},
                                         {"c24_3x3_input_all_border", ""},  // no interior pixel
                                         {"c17_mixed_stride_dilation", ""},  // groups of 8 after the 16
                                         {"c8_pairs_odd_width", ", 0, 0);"},  // 3 pairs and 1 pixel alone
                                         {"c8_pairs_2x2_dilated_rows", ", 0, 0);"},  // 4 pairs and 1
                                         {"c8_pairs_valid_odd_run", ", 0, 0);"},
                                         {"c8_pairs_valid_stride_2x1", ""}}) {  // one pair a row
    const std::string code = MveKernelText(f.name);
    const size_t at = code.find("EMBER_DW16_RUN(g, ");
    EXPECT_EQ(at != std::string::npos, !f.moves.empty()) << f.name << "\n" << code;
    if (at == std::string::npos || f.moves.empty()) continue;
    const size_t end = code.find(");", at);
    EXPECT_EQ(code.substr(end - f.moves.size() + 2, f.moves.size()), f.moves) << f.name;
  }
}

// With build.sh's -O2, then with a frame pointer and (a few cases, as all
// of them overflow the board's code memory) without optimization: the
// assembly blocks must leave GCC registers to allocate in each; then with
// ember_dw16_groups, the C form of EMBER_DW16 (-DEMBER_DW16_NO_ASM).
TEST(DepthwiseConv2DMve, EdgeCasesMatchReferenceOnCortexM55) {
  for (const std::string flags : {"", "-O2 -fno-omit-frame-pointer", "-DEMBER_DW16_NO_ASM"}) {
    SCOPED_TRACE("EMBER_CM_CFLAGS=" + flags);
    ExpectVariantsMatchOnBoard("cortex-m55", "mps3-an547", "Helium", flags);
  }
  SCOPED_TRACE("EMBER_CM_CFLAGS=-O0");
  ExpectVariantsMatchOnBoard("cortex-m55", "mps3-an547", "Helium", "-O0",
                             {"kws", "c8_pairs_odd_width", "c32_ties_some_lanes_none", "c20_left_shift_per_channel",
                              "vww_stride2_same"});
}

}  // namespace
}  // namespace ember::test
