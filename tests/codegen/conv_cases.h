// Generated one-node conv2d and fully_connected cases for the kernel tests:
// shapes, strides, paddings, quantization and activation as parameters,
// random weights and inputs from fixed seeds.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codegen/conv_test_util.h"

namespace ember::test {

struct ConvCase {
  int64_t n = 1, h = 8, w = 8, c = 4, oc = 8, kh = 3, kw = 3, groups = 1;
  std::vector<int64_t> stride{1, 1}, dilation{1, 1}, pad{1, 1, 1, 1};
  std::string act = "none";
  double act_min = 0.0, act_max = 0.0;  // act "clip" only
  bool bias = true, per_channel = true, is_float = false;
  int64_t zin = -5, zout = 3;
  uint32_t seed = 1;
  float out_scale = 1.0f;  // times the realistic output scale (extreme multipliers)
  bool wrap_bias = false;  // int8: biases near INT32_MAX / INT32_MIN (WrappingBias): the int32 sums wrap
  // int8: every weight (input byte) this value instead of random ones (the
  // largest sums a depth allows).
  std::optional<int8_t> weight_value, input_value;
  bool dead_channel = false;  // per-channel int8: MakeChannel1Dead
};

// `n` random int8 values, or n times `value`.
inline std::vector<int8_t> Int8sOr(std::optional<int8_t> value, size_t n, uint32_t seed) {
  return value ? std::vector<int8_t>(n, *value) : RandomInt8(n, seed);
}
inline std::vector<uint8_t> BytesOr(std::optional<int8_t> value, size_t n, uint32_t seed) {
  return value ? std::vector<uint8_t>(n, static_cast<uint8_t>(*value)) : RandomBytes(n, seed);
}
// `v` with every element at an odd position set to `odd` (when given).
template <typename T>
std::vector<T> OddOr(std::vector<T> v, std::optional<int8_t> odd) {
  if (odd)
    for (size_t i = 1; i < v.size(); i += 2) v[i] = static_cast<T>(*odd);
  return v;
}

// Biases 2147483600, -2147483600, 17, ... (n of them): int32 sums that wrap.
inline std::vector<int32_t> WrappingBias(int64_t n) {
  std::vector<int32_t> b(static_cast<size_t>(n));
  for (size_t i = 0; i < b.size(); ++i) b[i] = i % 3 == 0 ? 2147483600 : (i % 3 == 1 ? -2147483600 : 17);
  return b;
}

inline int64_t OutSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pa) {
  return (in + pb + pa - ((k - 1) * d + 1)) / s + 1;
}

// A 1x1 stride-1 unpadded conv2d of an h x w x c input to oc channels.
inline ConvCase PointwiseConv(int64_t h, int64_t w, int64_t c, int64_t oc, uint32_t seed = 1) {
  ConvCase k;
  k.h = h, k.w = w, k.c = c, k.oc = oc, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0}, k.seed = seed;
  return k;
}

// A one-node conv2d graph with random weights; returns the input bytes too.
inline OneNode BuildConv(const ConvCase& k, std::vector<uint8_t>* input) {
  OneNode t(ir::OpKind::kConv2D, "conv");
  const int64_t fc = k.c / k.groups;
  const size_t fsize = static_cast<size_t>(k.oc * k.kh * k.kw * fc);
  const size_t isize = static_cast<size_t>(k.n * k.h * k.w * k.c);
  const ir::Shape out{k.n, OutSize(k.h, k.kh, k.stride[0], k.dilation[0], k.pad[0], k.pad[2]),
                      OutSize(k.w, k.kw, k.stride[1], k.dilation[1], k.pad[1], k.pad[3]), k.oc};
  if (k.is_float) {
    *input = ToBytes(RandomFloats(isize, k.seed));
    t.InBytes(ir::DType::kFloat32, {k.n, k.h, k.w, k.c}, *input);
    t.Const<float>({k.oc, k.kh, k.kw, fc}, RandomFloats(fsize, k.seed + 1, 0.5f));
    if (k.bias) t.Const<float>({k.oc}, RandomFloats(static_cast<size_t>(k.oc), k.seed + 2));
    else t.Absent();
    t.Out(ir::DType::kFloat32, out);
  } else {
    const float s_in = 0.02f, s_w = 0.004f;
    const float s_out =
        s_in * s_w * 40.0f * std::sqrt(static_cast<float>(k.kh * k.kw * fc)) * k.out_scale;
    *input = BytesOr(k.input_value, isize, k.seed);
    t.InBytes(ir::DType::kInt8, {k.n, k.h, k.w, k.c}, *input, Quant(s_in, k.zin));
    t.Const<int8_t>({k.oc, k.kh, k.kw, fc}, Int8sOr(k.weight_value, fsize, k.seed + 1),
                    k.per_channel ? QuantPerAxis(ChannelScales(static_cast<size_t>(k.oc), k.seed + 3, s_w), 0)
                                  : Quant(s_w, 0));
    if (k.bias) t.Const<int32_t>({k.oc}, k.wrap_bias ? WrappingBias(k.oc) : RandomInt32(static_cast<size_t>(k.oc), k.seed + 2, 4000));
    else t.Absent();
    t.Out(ir::DType::kInt8, out, Quant(s_out, k.zout));
    if (k.dead_channel && k.per_channel) MakeChannel1Dead(t, k.oc, static_cast<int64_t>(fsize) / k.oc, 1);
  }
  t.Attr("stride", k.stride).Attr("dilation", k.dilation).Attr("pad", k.pad).Attr("act", k.act);
  if (k.act == "clip") t.Attr("act_min", k.act_min).Attr("act_max", k.act_max);
  return t;
}

struct FcCase {
  ir::Shape in_shape{1, 640};
  int64_t units = 128;
  std::string act = "none";
  double act_min = 0.0, act_max = 0.0;  // act "clip" only
  bool bias = true, per_channel = false, is_float = false, keep = false;
  int64_t zin = -128, zw = 0, zout = 0;
  uint32_t seed = 21;
  float out_scale = 1.0f;  // times the realistic output scale (extreme multipliers)
  bool wrap_bias = false;  // int8: biases near INT32_MAX / INT32_MIN (WrappingBias)
  std::optional<int8_t> weight_value, input_value;  // as ConvCase's
  std::optional<int8_t> odd_weight_value, odd_input_value;  // int8: the values at odd positions instead
  std::optional<int32_t> bias_value;                // int8: every bias this value
  bool dead_channel = false;                        // per-channel int8: MakeChannel1Dead
};

inline OneNode BuildFc(const FcCase& k, std::vector<uint8_t>* input) {
  OneNode t(ir::OpKind::kFullyConnected, "fc");
  const int64_t depth = k.in_shape.back();
  int64_t elements = 1;
  for (int64_t d : k.in_shape) elements *= d;
  const int64_t batches = elements / depth;
  ir::Shape out{batches, k.units};
  if (k.keep) {
    out = k.in_shape;
    out.back() = k.units;
  }
  const size_t wsize = static_cast<size_t>(k.units * depth);
  if (k.is_float) {
    *input = ToBytes(RandomFloats(static_cast<size_t>(elements), k.seed));
    t.InBytes(ir::DType::kFloat32, k.in_shape, *input);
    t.Const<float>({k.units, depth}, RandomFloats(wsize, k.seed + 1, 0.25f));
    if (k.bias) t.Const<float>({k.units}, RandomFloats(static_cast<size_t>(k.units), k.seed + 2));
    else t.Absent();
    t.Out(ir::DType::kFloat32, out);
  } else {
    const float s_in = 0.1f, s_w = 0.003f;
    const float s_out = s_in * s_w * 40.0f * std::sqrt(static_cast<float>(depth)) * k.out_scale;
    *input = OddOr(BytesOr(k.input_value, static_cast<size_t>(elements), k.seed), k.odd_input_value);
    t.InBytes(ir::DType::kInt8, k.in_shape, *input, Quant(s_in, k.zin));
    t.Const<int8_t>({k.units, depth}, OddOr(Int8sOr(k.weight_value, wsize, k.seed + 1), k.odd_weight_value),
                    k.per_channel ? QuantPerAxis(ChannelScales(static_cast<size_t>(k.units), k.seed + 3, s_w), 0)
                                  : Quant(s_w, k.zw));
    if (k.bias) {
      ir::QuantParams bq = Quant(s_in * s_w, 0);
      if (k.per_channel) bq = QuantPerAxis(std::vector<float>(static_cast<size_t>(k.units), s_in * s_w), 0);
      t.Const<int32_t>({k.units},
                       k.bias_value  ? std::vector<int32_t>(static_cast<size_t>(k.units), *k.bias_value)
                       : k.wrap_bias ? WrappingBias(k.units)
                                     : RandomInt32(static_cast<size_t>(k.units), k.seed + 2, 5000),
                       bq);
    } else {
      t.Absent();
    }
    t.Out(ir::DType::kInt8, out, Quant(s_out, k.zout));
    if (k.dead_channel && k.per_channel) MakeChannel1Dead(t, k.units, depth, 1);
  }
  t.Attr("act", k.act);
  if (k.keep) t.Attr("keep_num_dims", int64_t{1});
  return t;
}

// Edge cases of the int8 conv2d variants (kernels/dsp, kernels/v7m), named:
// few-channel first layers (kws 10x4 over one channel; RGB, K = 27 and an odd
// pixel count), pointwise layers (channels a multiple of 4 or not, one output
// channel, batch 2 per tensor without bias), 3x3 SAME and VALID, stride 2
// with odd padding and rectangular filters, dilation, extreme zero points and
// multipliers (left shifts, saturation), batch 2 with borders, 1x1 stride 2,
// int32 sums that wrap, and layers whose interior windows the DSP variant
// reads straight from the image (filter rows of whole words: dilation along
// y, an odd pixel count).
inline std::vector<std::pair<std::string, ConvCase>> ConvVariantCases() {
  std::vector<std::pair<std::string, ConvCase>> v;
  ConvCase k;
  k.h = 49, k.w = 10, k.c = 1, k.oc = 64, k.kh = 10, k.kw = 4;
  k.stride = {2, 2}, k.pad = {4, 1, 5, 1}, k.act = "relu", k.zin = 83, k.zout = -128;
  v.push_back({"kws_first_layer", k});
  k = ConvCase{};
  k.h = 13, k.w = 9, k.c = 3, k.oc = 8, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.act = "relu6";
  v.push_back({"rgb_stride2_same", k});
  k = PointwiseConv(5, 5, 16, 12);
  k.act = "relu", k.zin = -128, k.zout = -128;
  v.push_back({"pointwise_16_to_12", k});
  v.push_back({"pointwise_5_to_7", PointwiseConv(5, 5, 5, 7)});
  v.push_back({"pointwise_7_to_1", PointwiseConv(5, 5, 7, 1)});
  k = PointwiseConv(5, 5, 9, 3);
  k.n = 2, k.per_channel = false, k.bias = false, k.act = "relu6";
  v.push_back({"pointwise_batch2_per_tensor_no_bias", k});
  k = ConvCase{};
  k.h = 8, k.w = 7, k.c = 6, k.oc = 5;
  v.push_back({"3x3_same", k});
  k.pad = {0, 0, 0, 0}, k.per_channel = false;
  v.push_back({"3x3_valid_per_tensor", k});
  k.c = 16, k.oc = 16, k.pad = {1, 1, 1, 1}, k.act = "relu";
  v.push_back({"3x3_16_channels", k});
  k = ConvCase{};
  k.h = 10, k.w = 9, k.c = 4, k.oc = 6, k.stride = {2, 2}, k.pad = {0, 1, 1, 1}, k.act = "relu_n1_to_1";
  v.push_back({"stride2_odd_padding", k});
  k.kh = 5, k.kw = 2, k.stride = {1, 2}, k.pad = {2, 0, 2, 1}, k.c = 3;
  v.push_back({"rectangular_5x2", k});
  k = ConvCase{};
  k.h = 9, k.w = 7, k.c = 3, k.oc = 5, k.dilation = {2, 2}, k.pad = {2, 2, 2, 2}, k.act = "relu";
  v.push_back({"dilation_2", k});
  k.dilation = {2, 3}, k.pad = {1, 3, 2, 2}, k.stride = {2, 1};
  v.push_back({"dilation_2x3_stride_2x1", k});
  for (int64_t zin : {-128, 127}) {
    for (int64_t zout : {-128, 127}) {
      k = ConvCase{};
      k.h = 6, k.w = 5, k.c = 5, k.oc = 3, k.zin = zin, k.zout = zout, k.seed = static_cast<uint32_t>(40 + zin + zout);
      v.push_back({"zero_points_" + std::to_string(zin) + "_" + std::to_string(zout), k});
    }
  }
  k = ConvCase{};
  k.h = 6, k.w = 6, k.c = 4, k.oc = 6;
  k.out_scale = 1.0f / 4096.0f;  // multipliers > 1: left shifts, saturating outputs
  v.push_back({"left_shifts", k});
  k.out_scale = 4096.0f;  // large right shifts: outputs near z_out
  v.push_back({"large_right_shifts", k});
  k.per_channel = false, k.out_scale = 1.0f / 64.0f;
  v.push_back({"per_tensor_multiplier_above_1", k});
  k = ConvCase{};
  k.n = 2, k.h = 7, k.w = 6, k.c = 4, k.oc = 8;
  v.push_back({"batch2_border", k});
  k.kh = 1, k.kw = 1, k.stride = {2, 2}, k.pad = {0, 0, 0, 0};
  v.push_back({"batch2_1x1_stride2", k});
  k = ConvCase{};
  k.h = 5, k.w = 5, k.c = 8, k.oc = 4, k.seed = 9, k.wrap_bias = true;
  v.push_back({"wrapping_bias", k});
  k = ConvCase{};
  k.h = 11, k.w = 8, k.c = 4, k.oc = 5, k.dilation = {3, 1}, k.pad = {3, 1, 2, 1}, k.act = "relu";
  v.push_back({"dilation_3x1_rows_from_image", k});
  k = ConvCase{};
  k.h = 5, k.w = 5, k.c = 8, k.oc = 6, k.kh = 3, k.kw = 2, k.pad = {1, 0, 1, 1}, k.zin = 127;
  v.push_back({"odd_pixels_3x2_rows_from_image", k});
  // The DSP conv2d's ring of input rows (C_in a multiple of 4, dilation 1):
  // 3x3 same with both
  // extreme input zero points in the padding words; ic's stride 2 layers
  // (padding only at the end); 32 channels (filter rows of 24 groups: two
  // passes each); batch 2; a 2x3 filter whose padding above is more than
  // its height (rows wholly in the padding, the ring's slot of a negative
  // row); odd output widths (a row's last block of two pixels stores one),
  // with stride 2 and batch 2; a 1x1 stride 2 layer (left to the gather: no
  // pixel read twice).
  for (int64_t zin : {-128, 127}) {
    k = ConvCase{};
    k.h = 6, k.w = 8, k.c = 8, k.oc = 6, k.zin = zin, k.zout = -zin / 2, k.act = zin < 0 ? "relu" : "none";
    k.seed = static_cast<uint32_t>(300 + zin);
    v.push_back({"ring_3x3_same_zin_" + std::to_string(zin), k});
  }
  k = ConvCase{};
  k.h = 9, k.w = 12, k.c = 4, k.oc = 5, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.act = "relu", k.zin = -128;
  v.push_back({"ring_stride2_pad_end", k});
  k = ConvCase{};
  k.h = 4, k.w = 6, k.c = 32, k.oc = 4, k.zin = 17, k.seed = 5;
  v.push_back({"ring_32_channels_two_passes_per_row", k});
  k = ConvCase{};
  k.n = 2, k.h = 5, k.w = 4, k.c = 12, k.oc = 3, k.per_channel = false, k.bias = false;
  v.push_back({"ring_batch2_per_tensor_no_bias", k});
  k = ConvCase{};
  k.h = 5, k.w = 7, k.c = 4, k.oc = 7, k.kh = 2, k.kw = 3, k.pad = {3, 1, 1, 0}, k.stride = {1, 1}, k.zin = 90;
  v.push_back({"ring_2x3_padding_above_its_height", k});
  k = ConvCase{};
  k.h = 5, k.w = 7, k.c = 8, k.oc = 6, k.zin = -128, k.zout = -128, k.act = "relu";
  v.push_back({"ring_odd_width", k});
  k = ConvCase{};
  k.n = 2, k.h = 9, k.w = 9, k.c = 4, k.oc = 3, k.stride = {2, 2}, k.zin = 127, k.seed = 8;
  v.push_back({"ring_odd_width_stride2_batch2", k});
  k = ConvCase{};
  k.h = 7, k.w = 8, k.c = 8, k.oc = 4, k.kh = 1, k.kw = 1, k.stride = {2, 2}, k.pad = {0, 0, 0, 0};
  v.push_back({"no_ring_1x1_stride2", k});
  return v;
}

// Edge cases of the int8 fully_connected variants (kernels/dsp, kernels/v7m),
// named: the kws classifier (640 -> 128), depth and units not multiples of 4
// (a last partial group, one unit), filter zero points with batches and
// keep_num_dims, per-channel quantization with extreme zero points and
// multipliers, and int32 sums that wrap.
inline std::vector<std::pair<std::string, FcCase>> FcVariantCases() {
  std::vector<std::pair<std::string, FcCase>> v;
  FcCase k;
  k.act = "relu";
  v.push_back({"kws_640_to_128", k});
  k = FcCase{};
  k.in_shape = {1, 37}, k.units = 7, k.zin = 5, k.zout = -3;
  v.push_back({"depth37_units7", k});
  k.in_shape = {1, 3}, k.units = 1;
  v.push_back({"depth3_units1", k});
  k.in_shape = {1, 18}, k.units = 6, k.act = "relu6";
  v.push_back({"depth18_units6_relu6", k});
  k = FcCase{};
  k.in_shape = {2, 3, 10}, k.units = 5, k.zw = 7, k.bias = false, k.act = "relu6", k.zin = -3;
  v.push_back({"filter_zero_point_batches", k});
  k.keep = true, k.zw = -128;
  v.push_back({"filter_zero_point_keep_dims", k});
  k.in_shape = {3, 64}, k.units = 12, k.zw = 127, k.zin = 127, k.keep = false;
  v.push_back({"filter_and_input_zero_points_127", k});
  k = FcCase{};
  k.in_shape = {3, 40}, k.units = 12, k.per_channel = true, k.zin = -128, k.zout = 127;
  v.push_back({"per_channel_extreme_zero_points", k});
  k.zin = 127, k.zout = -128, k.out_scale = 1.0f / 2048.0f;
  v.push_back({"per_channel_large_multipliers", k});
  k.per_channel = false, k.out_scale = 8192.0f, k.act = "relu";
  v.push_back({"per_tensor_tiny_multiplier", k});
  k = FcCase{};
  k.in_shape = {2, 16}, k.units = 3, k.per_channel = true, k.wrap_bias = true;
  v.push_back({"wrapping_bias", k});
  return v;
}


// One graph with the node of `a` then the node of `b` (renamed `b_name`),
// each reading its own graph input: the emitters of either node see the
// other, as the layers of one model (kernel bodies shared between layers).
inline ir::Graph MergeGraphs(const ir::Graph& a, const ir::Graph& b, const std::string& b_name) {
  ir::Graph g = a;
  const ir::TensorId base = static_cast<ir::TensorId>(a.tensors.size());
  for (ir::Tensor t : b.tensors) {
    t.name = b_name + "/" + t.name;  // tensor names stay unique
    g.tensors.push_back(t);
  }
  ir::Node n = b.nodes.at(0);
  n.name = b_name;
  for (ir::TensorId& id : n.inputs)
    if (id != ir::kNoTensor) id += base;
  for (ir::TensorId& id : n.outputs) id += base;
  g.nodes.push_back(n);
  for (ir::TensorId id : b.inputs) g.inputs.push_back(id + base);
  for (ir::TensorId id : b.outputs) g.outputs.push_back(id + base);
  return g;
}

}  // namespace ember::test
