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

Status EvalInt8(const EvalArgs& a, const Window& w, const PoolGeom& s, Int32Range range) {
  const int8_t* in = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  int32_t acc = 0;  // int32 as TFLite; wraps only for windows of over 2^24 taps
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
        out[o] = static_cast<int8_t>(avg);
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
  if (a.in_tensor(0).dtype == ir::DType::kInt8) return EvalInt8(a, w, s, range);
  return EvalFloat(a, w, s);
}

}  // namespace

extern const OpDef kAveragePool2DDef = {ir::OpKind::kAveragePool2D, "i8, f32", Infer, Eval,
                                        nullptr};

}  // namespace ember::ops
