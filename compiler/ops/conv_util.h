// Helpers shared by the convolution-like operators (conv2d, depthwise_conv2d,
// fully_connected) and the pools: attribute parsing with diagnostics, operand
// checks, and the int8 requantization parameters computed exactly like TFLite
// Micro's Prepare step (docs/numerics.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"
#include "support/status.h"

namespace ember::ops {

// Spatial window of a conv or pool, from the node's attributes.
struct Window {
  int64_t filter_h = 1, filter_w = 1;  // pools only (`filter`); convs take it from the weights
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  Activation act = Activation::kNone;
};

// An integer-list attribute of exactly `len` values, each >= `min_value`.
// Absent: error when `required`, else `*out` is left unchanged.
Status GetIntListAttr(const ir::Node& n, const std::string& key, size_t len, int64_t min_value,
                      bool required, std::vector<int64_t>* out);
// An integer attribute in [min_value, max_value]; absent -> `def` unless required.
Status GetIntAttr(const ir::Node& n, const std::string& key, int64_t min_value, int64_t max_value,
                  bool required, int64_t def, int64_t* out);

// Reads stride=[h,w] (required, >= 1), pad=[t,l,b,r] (required, >= 0),
// dilation=[h,w] (optional, default [1,1]; only when `with_dilation`),
// filter=[h,w] (required when `with_filter`) and act.
Status ParseWindow(const ir::Node& n, bool with_dilation, bool with_filter, Window* w);

// Output height/width of an NHWC input of height `in_h`, width `in_w` for a
// filter of kh x kw taps under `w`; a diagnostic when the window does not fit.
Status WindowOutputSize(const ir::Node& n, const Window& w, int64_t in_h, int64_t in_w, int64_t kh,
                        int64_t kw, int64_t* out_h, int64_t* out_w);

// Error unless tensor `t` (operand named `what`) has rank `rank`.
Status CheckRank(const ir::Node& n, const ir::Tensor& t, const char* what, size_t rank);

// Operand dtypes of conv2d / depthwise_conv2d / fully_connected: either i8
// input and filter with optional i32 bias, or everything f32. Sets *quantized.
Status CheckConvDtypes(const ir::Graph& g, const ir::Node& n, bool* quantized);

// The checks conv2d and depthwise_conv2d share after their own channel
// checks: the bias has out_c elements, the window fits (computing out_h and
// out_w), and for int8 the quantization (CheckConvQuant with `filter_axis`).
Status CheckConvTail(const ir::Graph& g, const ir::Node& n, const Window& w, int64_t out_c,
                     int64_t in_h, int64_t in_w, int64_t k_h, int64_t k_w, bool quantized,
                     int filter_axis, int64_t* out_h, int64_t* out_w);

// int8 quantization checks for conv-like ops with `channels` output channels:
// per-tensor input and output with int8 zero points, filter scales 1 or
// `channels` along `filter_axis`, every scale positive and finite, bias (if
// any) with `channels` elements.
Status CheckConvQuant(const ir::Graph& g, const ir::Node& n, int64_t channels, int32_t filter_axis);

// Requantization of int8 conv-like ops, computed as TFLite Micro's Prepare.
struct ConvRequant {
  int32_t input_zp = 0;
  int32_t filter_zp = 0;  // applied by fully_connected's per-tensor path only
  int32_t output_zp = 0;
  std::vector<QuantizedMultiplier> mult;  // one per output channel (tflite)
  Int32Range range{-128, 127};
  Int8Semantics semantics = Int8Semantics::kTflite;
  std::vector<float> scale;  // onnxruntime: float32 multiplier per output channel
  bool acc64 = false;        // int16: int64 accumulation and Mbqm64 (int64 bias or none)
};

// How the real multiplier s_in * s_w / s_out is formed (bit-exactness depends on it).
enum class MultiplierFormula {
  kDouble,        // double(s_in) * double(s_w[c]) / double(s_out): conv, depthwise, FC per-channel
  kFloatProduct,  // double(float(s_in * s_w)) / double(s_out): FC per-tensor
};

// Fills `r` for `channels` output channels; a diagnostic when a multiplier
// cannot be represented (real multiplier >= 2^30). Assumes CheckConvQuant passed.
// With int8_semantics "onnxruntime" it fills `scale` instead of `mult` and
// `formula` does not matter (ONNX Runtime forms every scale the same way).
Status PrepareConvRequant(const ir::Graph& g, const ir::Node& n, int64_t channels,
                          MultiplierFormula formula, ConvRequant* r);

// PrepareConvRequant for int16 activations (16x8), which TFLite Micro
// accumulates in int64 with its int64 MultiplyByQuantizedMultiplier when the
// bias is int64, int16 (transpose_conv) or absent (`acc64`), else (int32
// bias) in int32 with the int32 one. A
// diagnostic for the onnxruntime semantics and, with int64 accumulation, a
// multiplier >= 2^7 (TFLite's limit for that path).
Status PrepareConvRequantInt16(const ir::Graph& g, const ir::Node& n, int64_t channels,
                               MultiplierFormula formula, ConvRequant* r);

// Requantizes one int16 accumulator (bias already added; int32 when !r.acc64,
// then the value is the low 32 bits) of channel `c` to int16: no zero points.
inline int16_t RequantizeToInt16(int64_t acc, const ConvRequant& r, int64_t c) {
  const QuantizedMultiplier q = r.mult[static_cast<size_t>(c)];
  int32_t v = r.acc64 ? Mbqm64(acc, q) : Mbqm(static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc))), q);
  v = std::max(v, r.range.min);
  v = std::min(v, r.range.max);
  return static_cast<int16_t>(v);
}

// Requantizes one int32 accumulator (bias already added) of channel `c`.
inline int8_t RequantizeToInt8(int32_t acc, const ConvRequant& r, int64_t c) {
  if (r.semantics == Int8Semantics::kOnnxRuntime)
    return static_cast<int8_t>(OrtRequantize(acc, r.scale[static_cast<size_t>(c)], r.output_zp, r.range.min, r.range.max));
  int32_t v = WrapAdd(Mbqm(acc, r.mult[static_cast<size_t>(c)]), r.output_zp);
  v = std::max(v, r.range.min);
  v = std::min(v, r.range.max);
  return static_cast<int8_t>(v);
}

// Pools: int8 input and output must share the quantization (|s_in - s_out| <=
// 1e-6 and equal zero points); f32 pools need none. Returns the int8
// activation range in *range.
Status CheckPoolQuant(const ir::Graph& g, const ir::Node& n, Activation act, Int32Range* range);

// Geometry of a pool over an NHWC input.
struct PoolGeom {
  int64_t batch, in_h, in_w, channels;
  int64_t out_h, out_w;
};

// Common checks of average_pool2d and max_pool2d: one i8 or f32 input of
// rank 4, one output, the window attributes (filter, stride, pad, act) and,
// for int8, CheckPoolQuant. Fills `w`, `s` and the int8 activation `range`.
Status ParsePool(const ir::Graph& g, const ir::Node& n, Window* w, PoolGeom* s,
                 Int32Range* range);

// Visits every output element (b, oy, ox, c) in NHWC order: `begin()`, then
// `tap(input_index)` for every in-image tap of its window, row by row, then
// `end(out_index)`. Window rows are
// [max(0, -oy0), min(FH, H - oy0)) with oy0 = oy * S_h - pad_top (same for columns).
template <typename Begin, typename Tap, typename End>
void PoolLoop(const PoolGeom& s, const Window& w, Begin begin, Tap tap, End end) {
  int64_t out_index = 0;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t oy = 0; oy < s.out_h; ++oy) {
      const int64_t y0 = oy * w.stride_h - w.pad_top;
      const int64_t fy_begin = std::max<int64_t>(0, -y0);
      const int64_t fy_end = std::min(w.filter_h, s.in_h - y0);
      for (int64_t ox = 0; ox < s.out_w; ++ox) {
        const int64_t x0 = ox * w.stride_w - w.pad_left;
        const int64_t fx_begin = std::max<int64_t>(0, -x0);
        const int64_t fx_end = std::min(w.filter_w, s.in_w - x0);
        for (int64_t c = 0; c < s.channels; ++c, ++out_index) {
          begin();
          for (int64_t fy = fy_begin; fy < fy_end; ++fy) {
            for (int64_t fx = fx_begin; fx < fx_end; ++fx) {
              tap(((b * s.in_h + y0 + fy) * s.in_w + x0 + fx) * s.channels + c);
            }
          }
          end(out_index);
        }
      }
    }
  }
}

// The per-tap and per-output steps shared by the conv2d and depthwise_conv2d
// evaluators. `loop(mac, store)` runs the op's own window loop over int8 (or
// float) data, calling mac(acc, x, w) for each in-image tap and
// store(acc, oc, out_index) once per output element.
template <typename LoopFn>
Status EvalConvLikeInt8(const EvalArgs& a, int64_t out_c, LoopFn loop) {
  ConvRequant r;
  EMBER_RETURN_IF_ERROR(PrepareConvRequant(a.graph, a.node, out_c, MultiplierFormula::kDouble, &r));
  const int32_t* bias = a.has_input(2) ? a.in<int32_t>(2) : nullptr;
  int8_t* out = a.out<int8_t>(0);
  const int32_t in_zp = r.input_zp;
  loop([in_zp](int32_t& acc, int8_t x, int8_t f) { acc = WrapAdd(acc, int32_t{f} * (int32_t{x} - in_zp)); },
       [&](int32_t acc, int64_t oc, int64_t i) {
         if (bias != nullptr) acc = WrapAdd(acc, bias[oc]);
         out[i] = RequantizeToInt8(acc, r, oc);
       });
  return Status::Ok();
}

// The int16 twin of EvalConvLikeInt8 (TFLite Micro's 16x8 ConvPerChannel and
// DepthwiseConvPerChannel): int16 inputs, int8 filter, no zero points, an
// int64 accumulator (int64 bias) or a wrapping int32 one (int32 bias).
// `loop(mac, store)` as there, over int16 input and int8 filter data.
template <typename LoopFn>
Status EvalConvLikeInt16(const EvalArgs& a, int64_t out_c, LoopFn loop) {
  ConvRequant r;
  EMBER_RETURN_IF_ERROR(PrepareConvRequantInt16(a.graph, a.node, out_c, MultiplierFormula::kDouble, &r));
  const bool has_bias = a.has_input(2);
  const ir::DType bias_type = has_bias ? a.in_tensor(2).dtype : ir::DType::kInt64;
  const int64_t* bias64 = has_bias && bias_type == ir::DType::kInt64 ? a.in<int64_t>(2) : nullptr;
  const int32_t* bias32 = has_bias && bias_type == ir::DType::kInt32 ? a.in<int32_t>(2) : nullptr;
  // An int16 bias (transpose_conv only; TFLite Micro widens it to int64).
  const int16_t* bias16 = has_bias && bias_type == ir::DType::kInt16 ? a.in<int16_t>(2) : nullptr;
  int16_t* out = a.out<int16_t>(0);
  // Both accumulate exactly in uint64 (products are at most 2^22): the int32
  // path is the low 32 bits, as TFLite's wrapping int32 sum.
  loop([](uint64_t& acc, int16_t x, int8_t f) { acc += static_cast<uint64_t>(int64_t{f} * int64_t{x}); },
       [&](uint64_t acc, int64_t oc, int64_t i) {
         if (bias64 != nullptr) acc += static_cast<uint64_t>(bias64[oc]);
         if (bias32 != nullptr) acc += static_cast<uint64_t>(int64_t{bias32[oc]});
         if (bias16 != nullptr) acc += static_cast<uint64_t>(int64_t{bias16[oc]});
         out[i] = RequantizeToInt16(static_cast<int64_t>(acc), r, oc);
       });
  return Status::Ok();
}

template <typename LoopFn>
Status EvalConvLikeFloat(const EvalArgs& a, Activation act, LoopFn loop) {
  const float* bias = a.has_input(2) ? a.in<float>(2) : nullptr;
  float* out = a.out<float>(0);
  const FloatRange range = ActivationRangeFloat(act);
  loop([](float& acc, float x, float f) { acc += x * f; },
       [&](float acc, int64_t oc, int64_t i) {
         const float bias_value = bias != nullptr ? bias[oc] : 0.0f;
         out[i] = std::min(std::max(acc + bias_value, range.min), range.max);
       });
  return Status::Ok();
}

}  // namespace ember::ops
