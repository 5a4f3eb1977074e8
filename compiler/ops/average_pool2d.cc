// average_pool2d: NHWC window average. Attributes filter=[h,w], stride, pad,
// act. Only in-image taps are summed and counted: padding never enters the
// divisor, and every window must hold at least one in-image tap (pad smaller
// than the filter), as TFLite Micro leaves outputs unwritten otherwise.
//
// int8 (TFLite Micro's reference): input and output share the quantization
// (no requantization); the raw int8 values are summed in int32 and divided by
// the tap count n rounding half away from zero ((acc +- n/2) / n, truncating
// division), then clamped to the fused activation range. f32: sum in window
// order (rows, then columns) divided by float(n), then clamped.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Status Parse(const ir::Graph& g, const ir::Node& n, Window* w, PoolGeom* s, Int32Range* range) {
  EMBER_RETURN_IF_ERROR(ParsePool(g, n, w, s, range));
  if (w->pad_top >= w->filter_h || w->pad_bottom >= w->filter_h ||
      w->pad_left >= w->filter_w || w->pad_right >= w->filter_w) {
    return NodeError(n,
                     "padding [" + std::to_string(w->pad_top) + "," + std::to_string(w->pad_left) +
                         "," + std::to_string(w->pad_bottom) + "," +
                         std::to_string(w->pad_right) + "] is not smaller than the filter " +
                         std::to_string(w->filter_h) + "x" + std::to_string(w->filter_w) +
                         ", so some window would average no input at all",
                     "use padding smaller than the pooling window");
  }
  return Status::Ok();
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  Window w;
  PoolGeom s{};
  Int32Range range{};
  EMBER_RETURN_IF_ERROR(Parse(g, n, &w, &s, &range));
  return std::vector<TensorType>{
      {g.tensor(n.inputs[0]).dtype, {s.batch, s.out_h, s.out_w, s.channels}}};
}

// int8 and int16 (T) alike, as TFLite Micro's two AveragePool kernels.
template <typename T>
Status EvalInt(const EvalArgs& a, const Window& w, const PoolGeom& s, Int32Range range) {
  const T* in = a.in<T>(0);
  T* out = a.out<T>(0);
  int32_t acc = 0;  // int32 as TFLite; wraps only for windows of over 2^24 (int16: 2^16) taps
  int64_t count = 0;
  PoolLoop(
      s, w, [&] { acc = 0, count = 0; },
      [&](int64_t i) {
        acc = WrapAdd(acc, in[i]);
        ++count;
      },
      [&](int64_t o) {
        // Round half away from zero; count >= 1 is guaranteed by Parse.
        const int64_t sum = acc;
        int64_t avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
        avg = std::min<int64_t>(std::max<int64_t>(avg, range.min), range.max);
        out[o] = static_cast<T>(avg);
      });
  return Status::Ok();
}

// ONNX Runtime's QLinearAveragePool. A window that is the whole unpadded
// input takes QLinearGlobalAveragePool's integer path: int32 sum minus
// z_in * N, times the float32 scale s_in / (s_out * N), clamped, rounded half
// to even, plus z_out. Any other window dequantizes each tap to float32
// (s_in * (x - z_in)), sums them in window order, divides by the tap count,
// and quantizes y / s_out + z_out rounding half to even.
bool OrtGlobalWindow(const Window& w, const PoolGeom& s) {
  return w.filter_h == s.in_h && w.filter_w == s.in_w && s.out_h == 1 && s.out_w == 1 && w.pad_top == 0 &&
         w.pad_left == 0 && w.pad_bottom == 0 && w.pad_right == 0;
}

Status EvalInt8Ort(const EvalArgs& a, const Window& w, const PoolGeom& s, Int32Range range) {
  const int8_t* in = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  const ir::QuantParams& qi = *a.in_tensor(0).quant;
  const ir::QuantParams& qo = *a.out_tensor(0).quant;
  const int32_t z_in = static_cast<int32_t>(qi.zero_point[0]), z_out = static_cast<int32_t>(qo.zero_point[0]);
  if (OrtGlobalWindow(w, s)) {
    const int64_t count = s.in_h * s.in_w;
    const float scale = OrtMeanScale(a.graph, a.node, count);
    const int32_t bias = WrapMul(-z_in, static_cast<int32_t>(count));
    int32_t acc = 0;
    PoolLoop(
        s, w, [&] { acc = bias; }, [&](int64_t i) { acc = WrapAdd(acc, in[i]); },
        [&](int64_t o) { out[o] = static_cast<int8_t>(OrtRequantize(acc, scale, z_out, range.min, range.max)); });
    return Status::Ok();
  }
  const float s_in = qi.scale[0], s_out = qo.scale[0];
  const int32_t u = OnnxUint8Offset(a.node);
  float total = 0.0f;
  int64_t count = 0;
  PoolLoop(
      s, w, [&] { total = 0.0f, count = 0; },
      [&](int64_t i) {
        total += s_in * static_cast<float>(in[i] - z_in);
        ++count;
      },
      [&](int64_t o) {
        // On the uint8 values where ONNX Runtime computes on uint8 (OnnxUint8Offset).
        const float avg = total / static_cast<float>(count);
        float v = avg / s_out + static_cast<float>(z_out + u);
        const float lo = static_cast<float>(range.min + u), hi = static_cast<float>(range.max + u);
        if (!(v >= lo)) v = lo;
        if (v > hi) v = hi;
        out[o] = static_cast<int8_t>(static_cast<int32_t>(std::nearbyint(v)) - u);
      });
  return Status::Ok();
}

Status EvalFloat(const EvalArgs& a, const Window& w, const PoolGeom& s) {
  const float* in = a.in<float>(0);
  float* out = a.out<float>(0);
  const FloatRange range = ActivationRangeFloat(w.act);
  float total = 0.0f;
  int64_t count = 0;
  PoolLoop(
      s, w, [&] { total = 0.0f, count = 0; },
      [&](int64_t i) {
        total += in[i];
        ++count;
      },
      [&](int64_t o) {
        const float avg = total / static_cast<float>(count);
        out[o] = std::min(std::max(avg, range.min), range.max);
      });
  return Status::Ok();
}

Status Eval(const EvalArgs& a) {
  Window w;
  PoolGeom s{};
  Int32Range range{};
  EMBER_RETURN_IF_ERROR(Parse(a.graph, a.node, &w, &s, &range));
  if (a.in_tensor(0).dtype == ir::DType::kInt8) {
    Int8Semantics sem = Int8Semantics::kTflite;
    EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(a.node, &sem));
    return sem == Int8Semantics::kOnnxRuntime ? EvalInt8Ort(a, w, s, range) : EvalInt<int8_t>(a, w, s, range);
  }
  if (a.in_tensor(0).dtype == ir::DType::kInt16) return EvalInt<int16_t>(a, w, s, range);
  return EvalFloat(a, w, s);
}

}  // namespace

extern const OpDef kAveragePool2DDef = {ir::OpKind::kAveragePool2D, "i8, i16, f32", Infer, Eval,
                                        nullptr};

}  // namespace ember::ops
