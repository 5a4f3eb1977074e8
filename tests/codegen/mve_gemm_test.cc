// Helium (cortex-m55) conv2d, fully_connected, add and int8 table kernels against the reference
// evaluator, byte for byte, on generated edge cases (a few at non-default
// schedules, docs/tuning.md; each also with ONNX Runtime's float
// arithmetic): once compiled for the
// host (mve.h's portable C) and once compiled with arm-none-eabi-gcc for
// cortex-m55 and run under QEMU on mps3-an547 (the MVE instructions).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "codegen/c/schedule.h"
#include "codegen/conv_cases.h"
#include "e2e/qemu_util.h"
#include "ops/evaluate.h"

namespace ember::test {
namespace {

struct Case {
  std::string name;
  OneNode node;
  std::vector<std::vector<uint8_t>> inputs;
  // When set, the kernel is emitted as node `index` of this graph (layers
  // sharing one body); `node` stays the reference.
  std::shared_ptr<const ir::Graph> both = nullptr;
  size_t index = 0;
  // Non-default schedules by node index (docs/tuning.md); empty: the defaults.
  std::map<size_t, codegen::c::Schedule> schedules = {};
};

Case Conv(const std::string& name, const ConvCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildConv(k, &input);
  return {name, std::move(t), {std::move(input)}};
}

Case Fc(const std::string& name, const FcCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildFc(k, &input);
  return {name, std::move(t), {std::move(input)}};
}

// int8 add of two random same-shape tensors.
Case Add(const std::string& name, const ir::Shape& shape, float s1, int32_t z1, float s2, int32_t z2,
         float so, int32_t zo, const std::string& act, uint32_t seed) {
  OneNode t(ir::OpKind::kAdd, "add");
  const size_t n = static_cast<size_t>(ir::NumElements(shape));
  std::vector<uint8_t> a = RandomBytes(n, seed), b = RandomBytes(n, seed + 1);
  t.InBytes(ir::DType::kInt8, shape, a, Quant(s1, z1));
  t.InBytes(ir::DType::kInt8, shape, b, Quant(s2, z2));
  t.Out(ir::DType::kInt8, shape, Quant(so, zo));
  t.Attr("act", act);
  return {name, std::move(t), {std::move(a), std::move(b)}};
}

std::vector<Case> Cases() {
  std::vector<Case> v;
  ConvCase k;
  k.h = 49, k.w = 10, k.c = 1, k.oc = 64, k.kh = 10, k.kw = 4;
  k.stride = {2, 2}, k.pad = {4, 1, 5, 1}, k.act = "relu", k.zin = 83, k.zout = -128;
  v.push_back(Conv("first_layer_10x4_c1_stride2", k));
  k = ConvCase();
  k.h = 25, k.w = 5, k.c = 64, k.oc = 64, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  k.act = "relu", k.zin = -128, k.zout = -128;
  v.push_back(Conv("pointwise_64_to_64", k));
  k = ConvCase();
  k.n = 2, k.h = 3, k.w = 3, k.c = 5, k.oc = 7, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  k.act = "relu6", k.bias = false, k.per_channel = false;
  v.push_back(Conv("pointwise_odd_channels_odd_pixels_batch2_relu6", k));
  k = ConvCase();
  k.h = 6, k.w = 5, k.c = 20, k.oc = 9, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0}, k.zin = 127;
  k.zout = 127;
  v.push_back(Conv("pointwise_c20_oc9_extreme_zero_points", k));
  k = ConvCase();
  k.h = 12, k.w = 10, k.c = 8, k.oc = 16, k.act = "relu6", k.per_channel = false;
  v.push_back(Conv("same_3x3_stride1_per_tensor_relu6", k));
  k = ConvCase();
  k.h = 11, k.w = 9, k.c = 3, k.oc = 7, k.stride = {2, 2}, k.pad = {0, 0, 0, 0}, k.bias = false;
  v.push_back(Conv("valid_3x3_stride2_c3_no_bias", k));
  k = ConvCase();
  k.h = 10, k.w = 9, k.c = 3, k.oc = 8, k.stride = {2, 2}, k.pad = {0, 1, 1, 1}, k.act = "relu_n1_to_1";
  v.push_back(Conv("same_stride2_odd_padding_c3", k));
  k = ConvCase();
  k.h = 9, k.w = 7, k.c = 3, k.oc = 5, k.dilation = {2, 2}, k.pad = {2, 2, 2, 2}, k.act = "relu";
  v.push_back(Conv("dilation_2x2", k));
  k.dilation = {2, 3}, k.pad = {1, 3, 2, 2}, k.stride = {2, 1};
  v.push_back(Conv("dilation_2x3_stride_2x1", k));
  k = ConvCase();
  k.n = 2, k.h = 7, k.w = 6, k.c = 4, k.oc = 8;
  v.push_back(Conv("batch2_3x3", k));
  k.kh = 1, k.kw = 1, k.stride = {2, 2}, k.pad = {0, 0, 0, 0};
  v.push_back(Conv("batch2_1x1_stride2", k));
  k = ConvCase();
  k.h = 7, k.w = 6, k.c = 17, k.oc = 33, k.zin = -128, k.zout = 127, k.seed = 5;
  v.push_back(Conv("c17_oc33_3x3_tails", k));
  k = ConvCase();
  k.h = 8, k.w = 8, k.c = 16, k.oc = 12, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.out_scale = 1e-4f;
  v.push_back(Conv("large_multipliers_left_shift", k));
  k.out_scale = 3e3f, k.per_channel = false, k.zout = -100;
  v.push_back(Conv("tiny_multiplier_long_right_shift", k));
  // Per-channel multipliers of 0.32 to 0.95 on small sums (weights -1, 0
  // and 1 over 4 channels): some channels shift right, the others not at all
  // (the rounding shift's tie fix only where it shifts), output zero point 0;
  // the same with the fix hidden by relu.
  for (const std::string act : {"none", "relu"}) {
    k = ConvCase();
    k.h = 6, k.w = 5, k.c = 4, k.oc = 8, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
    k.zin = 0, k.zout = 0, k.bias = false, k.act = act, k.seed = 41;
    v.push_back(Conv("right_shifts_some_zero_" + act, k));
    OneNode& t = v.back().node;
    std::vector<uint8_t>& w = *t.in_tensor(1).data;
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(i % 3) - 1));
    const std::vector<float>& ws = t.in_tensor(1).quant->scale;
    const float lo = *std::min_element(ws.begin(), ws.end()), hi = *std::max_element(ws.begin(), ws.end());
    t.out_tensor(0).quant->scale = {t.in_tensor(0).quant->scale[0] * std::sqrt(lo * hi) / 0.55f};
  }
  // Multipliers from 0.2 to 2.5 in one table: left shifts, none and right
  // shifts side by side.
  {
    k = ConvCase();
    k.h = 6, k.w = 5, k.c = 4, k.oc = 8, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
    k.zin = 0, k.zout = -7, k.bias = false, k.seed = 43;
    v.push_back(Conv("left_and_right_shifts", k));
    OneNode& t = v.back().node;
    std::vector<uint8_t>& w = *t.in_tensor(1).data;
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(i % 3) - 1));
    const float s_out = t.out_tensor(0).quant->scale[0], s_in = t.in_tensor(0).quant->scale[0];
    std::vector<float>& ws = t.in_tensor(1).quant->scale;
    const float m[8] = {0.2f, 0.4f, 0.7f, 1.3f, 2.5f, 0.3f, 0.6f, 1.1f};
    for (size_t c = 0; c < ws.size(); ++c) ws[c] = m[c] * s_out / s_in;
  }
  k = ConvCase();
  k.h = 5, k.w = 5, k.c = 8, k.oc = 4, k.seed = 9;
  v.push_back(Conv("wrapping_bias", k));
  v.back().node.in_tensor(2).data = ToBytes(std::vector<int32_t>{2147483000, -2147483000, 2147480000, 5});
  k = ConvCase();
  k.h = 5, k.w = 4, k.c = 3, k.oc = 6, k.kh = 5, k.kw = 4, k.pad = {0, 0, 0, 0};
  v.push_back(Conv("window_as_large_as_the_image", k));
  // im2col: a window of 63 chunks (more than the straight-line copies take)
  // and one of 3 rows of 52 bytes (3 chunks and 4 bytes each), with borders.
  k = ConvCase();
  k.h = 5, k.w = 4, k.c = 112, k.oc = 6, k.seed = 17;
  v.push_back(Conv("c112_3x3_long_window", k));
  k.c = 13, k.kw = 4, k.pad = {1, 1, 2, 1};
  v.push_back(Conv("c13_3x4_rows_of_52", k));
  k = ConvCase();
  k.h = 9, k.w = 6, k.c = 16, k.oc = 4, k.dilation = {2, 1}, k.pad = {2, 2, 1, 1}, k.seed = 23;
  v.push_back(Conv("c16_dilation_2x1", k));
  // Kernel rows of whole chunks: windows inside the image read where they
  // lie (batches, a 3x1 kernel at stride 1x2); c16_dilation_2x1 and the
  // two stride-2 cases of 16 channels above take them too.
  k = ConvCase();
  k.n = 2, k.h = 6, k.w = 6, k.c = 16, k.oc = 8, k.act = "relu", k.zin = -128, k.zout = -128, k.seed = 29;
  v.push_back(Conv("c16_batch2_windows", k));
  k = ConvCase();
  k.h = 7, k.w = 8, k.c = 32, k.oc = 4, k.kh = 3, k.kw = 1, k.stride = {1, 2}, k.pad = {1, 0, 1, 0}, k.seed = 31;
  v.push_back(Conv("c32_3x1_windows_stride_1x2", k));
  // Rows of 9 bytes read as 16 (zero weights past 9): stride 2; stride 1,
  // where the last windows' rounded-up rows would reach past the image.
  k = ConvCase();
  k.h = 12, k.w = 12, k.c = 3, k.oc = 8, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.act = "relu", k.seed = 37;
  v.push_back(Conv("c3_padded_rows_stride2", k));
  k = ConvCase();
  k.h = 5, k.w = 12, k.c = 3, k.oc = 4, k.zin = 90, k.seed = 39;
  v.push_back(Conv("c3_padded_rows_end_of_image", k));

  FcCase f;
  f.act = "relu";
  v.push_back(Fc("fc_640_to_128_per_tensor", f));
  f = FcCase();
  f.in_shape = {3, 40}, f.units = 12, f.per_channel = true, f.zin = 9, f.zout = -20;
  v.push_back(Fc("fc_per_channel_batch3", f));
  f = FcCase();
  f.in_shape = {2, 3, 10}, f.units = 5, f.zw = 7, f.bias = false, f.act = "relu6", f.zin = -3;
  v.push_back(Fc("fc_filter_zero_point_batch6_no_bias", f));
  f.keep = true, f.zw = -128, f.zin = 127;
  v.push_back(Fc("fc_filter_zero_point_min_keep_dims", f));
  f = FcCase();
  f.in_shape = {1, 4, 4, 8}, f.units = 10, f.act = "relu_n1_to_1", f.zout = -60;
  v.push_back(Fc("fc_rank4_input", f));
  f = FcCase();
  f.in_shape = {2, 16}, f.units = 3, f.per_channel = true;
  v.push_back(Fc("fc_wrapping_bias", f));
  v.back().node.in_tensor(2).data = ToBytes(std::vector<int32_t>{2147483600, -2147483600, 1});
  v.push_back(Add("add_relu_residual", {1, 8, 8, 16}, 0.05f, -3, 0.08f, 7, 0.1f, -128, "relu", 3));
  v.push_back(Add("add_odd_length_extreme_zero_points", {1, 3, 5, 7}, 0.02f, -128, 0.5f, 127, 0.03f, 127,
                  "none", 4));
  v.push_back(Add("add_tiny_output_scale_relu6", {2, 3, 2}, 0.5f, 0, 0.25f, -60, 0.004f, 10, "relu6", 5));
  v.push_back(Add("add_large_output_scale", {1, 9}, 0.01f, 5, 0.01f, 5, 3.0f, 0, "none", 6));
  // One input's multiplier 1/2 and the other's folded in with VQRDMLAH
  // (FoldedSum): its right shift 1 (half of its rescaled values are ties)
  // with z = -128 (no negative values: no ties fix-up) and with negative
  // values; a right shift of 3 (the largest whose sums stay in int32 with
  // z = -128 on the other input); 4, where they do not (the steps one by one;
  // a large output scale, so that a saturated sum would show).
  v.push_back(Add("add_fold_shift1_nonnegative", {1, 16, 16, 4}, 0.07f, -128, 0.1f, 3, 0.12f, -5, "none", 10));
  v.push_back(Add("add_fold_shift1_ties", {1, 16, 16, 4}, 0.07f, 9, 0.1f, -2, 0.13f, 6, "none", 11));
  v.push_back(Add("add_fold_shift3", {1, 9, 9, 3}, 0.02f, 5, 0.1f, -128, 0.09f, 1, "none", 12));
  v.push_back(Add("add_shift4_unfolded", {1, 16, 16, 3}, 0.012f, 5, 0.1f, -128, 1.0f, 1, "none", 13));
  // Output multiplier 2^-20 on sums of two inputs of scale 1: every odd sum is
  // a tie. From z_out or above (relu at -128) the output stage is the
  // rounding shift alone (ties up), below it (none at 0) ties go away from
  // zero: both must equal the reference.
  v.push_back(Add("add_ties_relu", {1, 4, 4, 16}, 1.0f, -7, 1.0f, 5, 2.0f, -128, "relu", 8));
  v.push_back(Add("add_ties_none", {1, 4, 4, 16}, 1.0f, -7, 1.0f, 5, 2.0f, 0, "none", 9));
  // The same for a convolution: weights in [-2, 2], per tensor, output
  // multiplier exactly 1/4, so that a quarter of the sums in range are ties.
  for (const auto& [name, act, zo] : std::vector<std::tuple<std::string, std::string, int64_t>>{
           {"conv_ties_relu", "relu", -128}, {"conv_ties_none", "none", 0}, {"conv_ties_relu6_zo5", "relu6", 5}}) {
    k = ConvCase();
    k.h = 6, k.w = 5, k.c = 16, k.oc = 8, k.act = act, k.zout = zo, k.per_channel = false, k.zin = -128;
    v.push_back(Conv(name, k));
    std::vector<uint8_t>& w = *v.back().node.in_tensor(1).data;
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(i % 5) - 2));
    const ir::Tensor& in = v.back().node.in_tensor(0);
    const float prod = in.quant->scale[0] * v.back().node.in_tensor(1).quant->scale[0];
    v.back().node.out_tensor(0).quant->scale = {prod * 4.0f};
  }
  f = FcCase();
  f.in_shape = {5, 33}, f.units = 7, f.out_scale = 1e-4f, f.zw = -5;
  v.push_back(Fc("fc_large_multiplier_filter_zero_point", f));
  f.out_scale = 1e4f, f.zw = 0, f.units = 128, f.in_shape = {1, 128};
  v.push_back(Fc("fc_tiny_multiplier", f));
  // Two pointwise layers of one kind and depth, different sizes (odd pixel
  // count, channels not a multiple of 4): one shared body with their sizes
  // as arguments (the default schedule puts the depth's chunks in line, so
  // layers of different depths share a body only at the loop schedules
  // below). Likewise two 3x3 layers of one geometry (shared im2col).
  auto pair = [&](const std::string& name, ConvCase a, ConvCase b) {
    Case ca = Conv(name + "_a", a), cb = Conv(name + "_b", b);
    auto both = std::make_shared<const ir::Graph>(MergeGraphs(ca.node.graph(), cb.node.graph(), "conv_b"));
    ca.both = cb.both = both;
    cb.index = 1;
    v.push_back(std::move(ca));
    v.push_back(std::move(cb));
  };
  k = ConvCase();
  k.h = 4, k.w = 6, k.c = 48, k.oc = 20, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  k.act = "relu", k.zin = -128, k.zout = -128;
  ConvCase k2 = k;
  k2.h = 3, k2.w = 3, k2.c = 48, k2.oc = 6, k2.seed = 21;
  pair("shared_pointwise", k, k2);
  k2.c = 64;
  k = ConvCase();
  k.h = 6, k.w = 5, k.c = 8, k.oc = 12, k.act = "relu6";
  k2 = k;
  k2.seed = 33, k2.oc = 8;
  pair("shared_3x3_same_geometry", k, k2);

  // ONNX Runtime's arithmetic (int8_semantics = "onnxruntime"): the same
  // products, requantized in float (ember_mve_requant_f32): per-channel and
  // shared scales, extreme zero points, activations, tails.
  auto ort = [&](Case c) {
    c.name = "ort_" + c.name;
    c.node.Attr("int8_semantics", std::string("onnxruntime"));
    v.push_back(std::move(c));
  };
  k = ConvCase();
  k.h = 25, k.w = 5, k.c = 64, k.oc = 64, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  k.act = "relu", k.zin = -128, k.zout = -128;
  ort(Conv("pointwise_64_to_64", k));
  k = ConvCase();
  k.h = 7, k.w = 6, k.c = 17, k.oc = 33, k.zin = -128, k.zout = 127, k.seed = 5;
  ort(Conv("c17_oc33_3x3_tails", k));
  k = ConvCase();
  k.h = 12, k.w = 10, k.c = 8, k.oc = 16, k.act = "relu6", k.per_channel = false;
  ort(Conv("same_3x3_stride1_per_tensor_relu6", k));
  k = ConvCase();
  k.h = 8, k.w = 8, k.c = 16, k.oc = 12, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.out_scale = 1e-4f;
  ort(Conv("large_scales_saturate", k));
  f = FcCase();
  f.act = "relu";
  ort(Fc("fc_640_to_128_per_tensor", f));
  f = FcCase();
  f.in_shape = {3, 40}, f.units = 12, f.per_channel = true, f.zin = 9, f.zout = -20;
  ort(Fc("fc_per_channel_batch3", f));
  f = FcCase();
  f.in_shape = {2, 3, 10}, f.units = 5, f.zw = 7, f.bias = false, f.act = "relu6", f.zin = -3;
  ort(Fc("fc_filter_zero_point_batch6_no_bias", f));
  ort(Add("add_relu_residual", {1, 8, 8, 16}, 0.05f, -3, 0.08f, 7, 0.1f, -128, "relu", 3));
  ort(Add("add_odd_length_extreme_zero_points", {1, 3, 5, 7}, 0.02f, -128, 0.5f, 127, 0.03f, 127, "none", 4));
  ort(Add("add_tiny_output_scale_relu6", {2, 3, 2}, 0.5f, 0, 0.25f, -60, 0.004f, 10, "relu6", 5));
  ort(Add("add_large_input_scales", {1, 9}, 2.0f, 5, 3.0f, -5, 0.01f, 0, "none", 6));
  // ONNX uint8 tensors (onnx_uint8: computed on the uint8 values).
  Case u8 = Add("add_onnx_uint8", {1, 4, 4, 9}, 0.04f, 3, 0.05f, 0, 0.06f, -18, "none", 7);
  u8.node.Attr("onnx_uint8", int64_t{1});
  ort(std::move(u8));

  // lookup_table: 16 lookups per VLDRB gather, a predicated tail (37 = 2 x 16
  // + 5), and a length under one block.
  auto lut = [&](const std::string& name, const ir::Shape& shape, uint32_t seed) {
    OneNode t(ir::OpKind::kLookupTable, "lut");
    const size_t n = static_cast<size_t>(ir::NumElements(shape));
    std::vector<uint8_t> x = RandomBytes(n, seed);
    t.InBytes(ir::DType::kInt8, shape, x, Quant(0.1f, 0));
    t.ConstBytes(ir::DType::kInt8, {256}, RandomBytes(256, seed + 1));
    t.Out(ir::DType::kInt8, shape, Quant(0.05f, 3));
    t.Attr("function", std::string("tanh"));
    v.push_back({name, std::move(t), {std::move(x)}});
  };
  lut("lut_37", {1, 37}, 11);
  lut("lut_3", {3}, 12);
  lut("lut_64", {2, 4, 8}, 13);
  {  // an operator whose int8 kernel is the reference's table (abs): the same loop
    OneNode t(ir::OpKind::kAbs, "abs");
    std::vector<uint8_t> x = RandomBytes(21, 14);
    t.InBytes(ir::DType::kInt8, {21}, x, Quant(0.05f, -7));
    t.Out(ir::DType::kInt8, {21}, Quant(0.031f, -128));
    v.push_back({"abs_table_21", std::move(t), {std::move(x)}});
  }

  // Non-default schedules (rows per block, chunks per pass of the depth loop).
  auto scheduled = [&](Case c, const codegen::c::Schedule& s) {
    c.name += "_" + s.ToString();
    c.schedules[c.index] = s;
    if (c.both) c.schedules[1 - c.index] = s;
    v.push_back(std::move(c));
  };
  using Sch = codegen::c::Schedule;
  k = ConvCase();
  k.h = 25, k.w = 5, k.c = 64, k.oc = 64, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  k.act = "relu", k.zin = -128, k.zout = -128;
  scheduled(Conv("pointwise_64_to_64", k), Sch{{{"pixels", 1}, {"unroll", 2}}});
  k = ConvCase();
  k.h = 7, k.w = 6, k.c = 17, k.oc = 33, k.zin = -128, k.zout = 127, k.seed = 5;
  scheduled(Conv("c17_oc33_3x3_tails", k), Sch{{{"pixels", 2}, {"unroll", 4}}});
  k.h = 5, k.w = 5;  // odd pixel count, one pixel per block
  scheduled(Conv("c17_oc33_3x3_tails_25_pixels", k), Sch{{{"pixels", 1}, {"unroll", 4}}});
  // Two pixels per pass with passes of 2 and 4 chunks and chunks left over
  // (depth 100: 5 full chunks after the first, a tail of 4; 25 pixels: the
  // last block has one).
  k = ConvCase();
  k.h = 5, k.w = 5, k.c = 100, k.oc = 7, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0}, k.act = "relu6", k.seed = 31;
  scheduled(Conv("pointwise_100_to_7", k), Sch{{{"pixels", 2}, {"unroll", 2}}});
  scheduled(Conv("pointwise_100_to_7", k), Sch{{{"pixels", 2}, {"unroll", 4}}});
  k.c = 112;  // 7 full chunks: 6 after the first, no tail
  scheduled(Conv("pointwise_112_to_7", k), Sch{{{"pixels", 2}, {"unroll", 4}}});
  f = FcCase();
  f.act = "relu";
  scheduled(Fc("fc_640_to_128_per_tensor", f), Sch{{{"rows", 1}, {"unroll", 4}}});
  f = FcCase();
  f.in_shape = {3, 90}, f.units = 12, f.zw = 7, f.zin = 9;
  scheduled(Fc("fc_filter_zero_point_batch3", f), Sch{{{"rows", 1}, {"unroll", 2}}});
  scheduled(Fc("fc_filter_zero_point_batch3", f), Sch{{{"rows", 2}, {"unroll", 2}}});
  k = ConvCase();
  k.h = 4, k.w = 6, k.c = 48, k.oc = 20, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  k.act = "relu", k.zin = -128, k.zout = -128;
  k2 = k;
  k2.h = 3, k2.w = 3, k2.c = 64, k2.oc = 6, k2.seed = 21;
  const size_t first = v.size();
  pair("shared_pointwise_scheduled", k, k2);
  for (size_t i = first; i < v.size(); ++i)
    v[i].schedules = {{0, Sch{{{"pixels", 1}, {"unroll", 2}}}}, {1, Sch{{{"pixels", 1}, {"unroll", 2}}}}};
  // A shared body of two pixels per pass, passes of 4 chunks: the depth (a
  // parameter) is 3 chunks in one layer (no full pass) and 8 in the other.
  k2.c = 128, k2.oc = 5;
  k.c = 48;
  const size_t first4 = v.size();
  pair("shared_pointwise_unroll4", k, k2);
  for (size_t i = first4; i < v.size(); ++i)
    v[i].schedules = {{0, Sch{{{"pixels", 2}, {"unroll", 4}}}}, {1, Sch{{{"pixels", 2}, {"unroll", 4}}}}};
  return v;
}

// The cortex-m55 emitter takes the Helium path for every case.
Expected<codegen::c::Kernel> EmitM55(const Case& c, codegen::c::ConstPool& consts, const std::string& fn) {
  auto target = codegen::c::ParseTarget("cortex-m55");
  if (!target.ok()) return target.diag();
  const ir::Graph& g = c.both ? *c.both : c.node.graph();
  codegen::c::KernelContext ctx{g, g.nodes.at(c.index), c.index, fn, consts, *target, false,
                                c.schedules.empty() ? nullptr : &c.schedules};
  return codegen::c::GetEmitter(g.nodes[c.index].op).emit(ctx);
}

TEST(MveGemmKernel, HostMatchesReference) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    codegen::c::ConstPool consts("k");
    auto k = EmitM55(c, consts, "kernel_0");
    ASSERT_TRUE(k.ok()) << k.diag().ToString();
    EXPECT_NE(k->code.find("ember_mve_"), std::string::npos) << "not the Helium kernel";
    EXPECT_NE(k->code.find("ccess order"), std::string::npos);
    if (!c.both) {
      EXPECT_EQ(k->code.find("ember_mve_conv_"), std::string::npos) << "a layer alone keeps literal bounds";
      if (c.schedules.empty()) {
        ExpectKernelMatchesReference(c.node.graph(), c.inputs, 0.0, "cortex-m55");
        continue;
      }
    } else {
      EXPECT_NE(k->code.find("ember_mve_conv_"), std::string::npos) << "no shared body";
    }
    auto want = ops::EvaluateGraph(c.node.graph(), c.inputs);
    ASSERT_TRUE(want.ok()) << want.diag().ToString();
    std::string src;
    std::vector<std::vector<uint8_t>> overlapped;  // input and output in one buffer
    auto got = RunKernelInC(c.both ? *c.both : c.node.graph(), c.index, c.inputs, "cortex-m55", &src, &overlapped,
                            c.schedules.empty() ? nullptr : &c.schedules);
    ASSERT_TRUE(got.ok()) << got.diag().ToString() << src;
    EXPECT_EQ(got->at(0), want->outputs.at(0));
    for (const auto& o : overlapped) EXPECT_EQ(o, want->outputs.at(0)) << "overlapped";
  }
}

TEST(MveGemmKernel, AddFoldsTheRescaleOfOneInputWhereItStaysExact) {
  // FoldedSum (kernels/mve/add.cc): VQRDMLAH onto the other input, the ties
  // fix-up only where the folded input can be negative.
  struct Form {
    std::string name;
    bool folded, fix;
  };
  for (const Form& f : std::vector<Form>{{"add_fold_shift1_nonnegative", true, false},
                                         {"add_fold_shift1_ties", true, true},
                                         {"add_fold_shift3", true, true},
                                         {"add_shift4_unfolded", false, false},
                                         {"add_relu_residual", true, true}}) {
    SCOPED_TRACE(f.name);
    bool found = false;
    for (const Case& c : Cases()) {
      if (c.name != f.name) continue;
      found = true;
      codegen::c::ConstPool consts("k");
      auto k = EmitM55(c, consts, "kernel_0");
      ASSERT_TRUE(k.ok()) << k.diag().ToString();
      EXPECT_EQ(k->code.find("ember_mve_srdhm_acc_n(") != std::string::npos, f.folded) << k->code;
      EXPECT_EQ(k->code.find("ember_mve_neg_mask(") != std::string::npos, f.fix) << k->code;
    }
    EXPECT_TRUE(found);
  }
}

TEST(MveGemmKernel, WindowsInsideTheImageAreReadWhereTheyLie) {
  // Kernel rows of whole 16-byte chunks, the depth in line, 2-row blocks
  // requantized in the assembly: EMBER_MVE_DOT24Q_W reads each window's
  // rows where they lie (the jump between them: the pitch less a row), a
  // window that crosses the border gathered at the same pitch.
  const std::map<std::string, std::string> want = {
      {"large_multipliers_left_shift", "EMBER_MVE_DOT24Q_W(d, 3, 3, 80, "},
      {"c16_dilation_2x1", "EMBER_MVE_DOT24Q_W(d, 3, 3, 144, "},
      {"c16_batch2_windows", "EMBER_MVE_DOT24Q_W(d, 3, 3, 48, "},
      {"c32_3x1_windows_stride_1x2", "EMBER_MVE_DOT24Q_W(d, 3, 2, 224, "},
      {"c3_padded_rows_stride2", "EMBER_MVE_DOT24Q_W(d, 3, 1, 20, "},
      {"c3_padded_rows_end_of_image", "EMBER_MVE_DOT24Q_W(d, 3, 1, 20, "},
      {"first_layer_10x4_c1_stride2", ""},  // rows of 4 bytes: 10 chunks for 3
      {"same_3x3_stride1_per_tensor_relu6", ""},  // rows of 24 bytes
      {"c112_3x3_long_window", ""},               // 63 chunks: the depth loops
      {"pointwise_64_to_64", ""},                 // no window
  };
  size_t seen = 0;
  for (const Case& c : Cases()) {
    const auto it = want.find(c.name);
    if (it == want.end() || !c.schedules.empty()) continue;
    ++seen;
    codegen::c::ConstPool consts("k");
    auto k = EmitM55(c, consts, "f");
    ASSERT_TRUE(k.ok()) << c.name;
    if (it->second.empty()) {
      EXPECT_EQ(k->code.find("EMBER_MVE_DOT24Q_W"), std::string::npos) << c.name;
    } else {
      EXPECT_NE(k->code.find(it->second), std::string::npos) << c.name << "\n" << k->code;
      EXPECT_NE(k->code.find("static const int8_t* f_at("), std::string::npos) << c.name;
    }
    // A rounded-up last row must end inside the image (5 x 12 x 3 bytes).
    if (c.name == "c3_padded_rows_end_of_image") {
      EXPECT_NE(k->code.find("* 3 <= 164) return in"), std::string::npos) << k->code;
    }
  }
  EXPECT_EQ(seen, want.size());
}

TEST(MveGemmKernel, Im2colBlocksWriteStraightToTheOutput) {
  // im2col has read a block's pixels into scratch before any output of the
  // block is written: no staging rows (scratch: the 2 im2col rows only).
  // Rows read straight from the input (1x1) keep their staging rows, as
  // their outputs may overlap the rows still being read.
  ConvCase k;
  k.c = 8, k.oc = 12;  // rows of 24 bytes: gathered (not read where they lie)
  codegen::c::ConstPool c1("k");
  auto r = EmitM55(Conv("3x3", k), c1, "f");
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->code.find("staging"), std::string::npos) << r->code;
  EXPECT_NE(r->code.find("d.o0 = o;"), std::string::npos) << r->code;
  EXPECT_EQ(r->scratch_bytes, 2 * 80);
  k.c = 16, k.kh = k.kw = 1, k.pad = {0, 0, 0, 0};
  codegen::c::ConstPool c2("k");
  r = EmitM55(Conv("1x1", k), c2, "f");
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_NE(r->code.find("2 staging rows"), std::string::npos) << r->code;
  EXPECT_EQ(r->scratch_bytes, 2 * 12);
}

TEST(MveGemmKernel, OtherTargetsAndTypesKeepThePortableKernel) {
  std::vector<uint8_t> input;
  ConvCase k;
  OneNode t = BuildConv(k, &input);
  for (const char* target : {"host", "cortex-m4"}) {
    auto tg = codegen::c::ParseTarget(target);
    ASSERT_TRUE(tg.ok());
    codegen::c::ConstPool consts("k");
    codegen::c::KernelContext ctx{t.graph(), t.node(), 0, "f", consts, *tg};
    auto r = codegen::c::GetEmitter(ir::OpKind::kConv2D).emit(ctx);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->code.find("ember_mve_"), std::string::npos) << target;
  }
  k.is_float = true;
  Case f = Conv("float", k);
  codegen::c::ConstPool consts("k");
  auto r = EmitM55(f, consts, "f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->code.find("ember_mve_"), std::string::npos);
  k = ConvCase();
  k.groups = 2;
  Case g = Conv("grouped", k);
  codegen::c::ConstPool consts2("k");
  r = EmitM55(g, consts2, "f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->code.find("ember_mve_"), std::string::npos);
}

std::string HexBytes(const std::vector<uint8_t>& b) {
  std::string s;
  for (size_t i = 0; i < b.size(); ++i)
    s += (i % 24 == 0 ? "\n  " : "") + std::to_string(static_cast<int8_t>(b[i])) + ",";
  return s;
}

// All cases in one firmware for mps3-an547: each kernel runs once on its
// input and prints "case <i> <hex>"; the bytes must equal the reference's.
TEST(MveGemmKernel, QemuCortexM55MatchesReference) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::vector<Case> cases = Cases();
  std::string src =
      "#include <stdint.h>\n#include <string.h>\n#include <math.h>\n#include \"ember/kernel_math.h\"\n"
      "#include \"ember/fixed_point.h\"\n#include \"ember/mve.h\"\n#include \"platform.h\"\n\n"
      "#if !EMBER_HAVE_MVE\n#error \"built without MVE\"\n#endif\n";
  std::string calls;
  int64_t scratch = 16;
  std::vector<std::vector<uint8_t>> want;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string id = std::to_string(i);
    codegen::c::ConstPool consts("c" + id);
    auto k = EmitM55(c, consts, "kernel_" + id);
    ASSERT_TRUE(k.ok()) << c.name << ": " << k.diag().ToString();
    scratch = std::max(scratch, k->scratch_bytes);
    auto ref = ops::EvaluateGraph(c.node.graph(), c.inputs);
    ASSERT_TRUE(ref.ok()) << c.name << ": " << ref.diag().ToString();
    want.push_back(ref->outputs.at(0));
    src += consts.Render() + k->code;
    std::string args;
    for (size_t j = 0; j < c.inputs.size(); ++j) {
      const std::string name = "in_" + id + "_" + std::to_string(j);
      src += "static const int8_t " + name + "[" + std::to_string(c.inputs[j].size()) + "] = {" +
             HexBytes(c.inputs[j]) + "};\n";
      args += name + ", ";
    }
    src += "static int8_t out_" + id + "[" + std::to_string(want.back().size()) + "];\n\n";
    calls += "  kernel_" + id + "(" + args + "out_" + id + (k->scratch_bytes ? ", scratch" : "") + ");\n";
    calls += "  ember_cm_print(\"case " + id + " \");\n  ember_cm_print_hex((const uint8_t*)out_" + id +
             ", sizeof out_" + id + ");\n  ember_cm_print(\"\\n\");\n";
  }
  src += "static uint8_t scratch[" + std::to_string(scratch) + "] EMBER_ALIGNED(16);\n";
  src += "int main(void) {\n" + calls + "  ember_cm_exit(0);\n}\n";
  const std::string dir = TempDir();
  WriteFile(dir + "/mve_cases.c", std::vector<uint8_t>(src.begin(), src.end()));
  // build.sh's -O2, then without optimization and with a frame pointer: the
  // assembly blocks must leave GCC registers to allocate in each (with the 8
  // accumulators as operands it had none at -O0 and never finished with
  // -fno-omit-frame-pointer).
  for (const std::string flags : {"", "-O0", "-O2 -fno-omit-frame-pointer"}) {
    SCOPED_TRACE("EMBER_CM_CFLAGS=" + flags);
    const auto built = qemu::Build("--app " + qemu::Quote(dir + "/mve_cases.c") + " mps3-an547 " +
                                       qemu::Quote(dir + "/fw.elf"),
                                   "EMBER_CM_CFLAGS=" + qemu::Quote(flags));
    ASSERT_EQ(built.exit_code, 0) << built.output;
    const auto ran = qemu::Emulate(dir + "/fw.elf", "mps3-an547", 120);
    ASSERT_EQ(ran.exit_code, 0) << ran.output;
    size_t seen = 0;
    std::istringstream lines(ran.output);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream ls(line);
      std::string word, hex;
      size_t i = 0;
      if (!(ls >> word >> i >> hex) || word != "case" || i >= cases.size()) continue;
      ++seen;
      std::vector<uint8_t> got;
      for (size_t b = 0; b + 1 < hex.size(); b += 2)
        got.push_back(static_cast<uint8_t>(std::stoul(hex.substr(b, 2), nullptr, 16)));
      ASSERT_EQ(got.size(), want[i].size()) << cases[i].name;
      size_t bad = 0;
      for (size_t b = 0; b < got.size() && bad < 8; ++b) {
        if (got[b] != want[i][b]) {
          ADD_FAILURE() << cases[i].name << " byte " << b << ": reference " << int(int8_t(want[i][b]))
                        << ", cortex-m55 " << int(int8_t(got[b]));
          ++bad;
        }
      }
    }
    EXPECT_EQ(seen, cases.size()) << ran.output;
  }
}

}  // namespace
}  // namespace ember::test
