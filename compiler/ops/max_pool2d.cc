// max_pool2d: NHWC window maximum. Attributes filter=[h,w], stride, pad, act.
// Padded taps are skipped (never compared).
//
// int8 (TFLite Micro's reference): input and output share the quantization;
// the maximum starts at -128, then is clamped to the fused activation range.
// int16 the same, from -32768.
// f32: the maximum starts at the lowest finite float, then is clamped.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  Window w;
  PoolGeom s{};
  Int32Range range{};
  EMBER_RETURN_IF_ERROR(ParsePool(g, n, &w, &s, &range));
  return std::vector<TensorType>{
      {g.tensor(n.inputs[0]).dtype, {s.batch, s.out_h, s.out_w, s.channels}}};
}

// Running maximum from `lowest` over each window, then min(max(m, lo), hi).
template <typename T>
void MaxPool(const EvalArgs& a, const Window& w, const PoolGeom& s, T lowest, T lo, T hi) {
  const T* in = a.in<T>(0);
  T* out = a.out<T>(0);
  T m = lowest;
  PoolLoop(
      s, w, [&] { m = lowest; }, [&](int64_t i) { m = std::max(m, in[i]); },
      [&](int64_t o) { out[o] = std::min(std::max(m, lo), hi); });
}

Status Eval(const EvalArgs& a) {
  Window w;
  PoolGeom s{};
  Int32Range range{};
  EMBER_RETURN_IF_ERROR(ParsePool(a.graph, a.node, &w, &s, &range));
  if (a.in_tensor(0).dtype == ir::DType::kInt8) {
    // The range lies within [-128, 127] (ActivationRangeInt8 clamps to it).
    MaxPool<int8_t>(a, w, s, -128, static_cast<int8_t>(range.min),
                    static_cast<int8_t>(range.max));
  } else if (a.in_tensor(0).dtype == ir::DType::kInt16) {
    MaxPool<int16_t>(a, w, s, -32768, static_cast<int16_t>(range.min), static_cast<int16_t>(range.max));
  } else {
    const FloatRange r = ActivationRangeFloat(w.act);
    MaxPool<float>(a, w, s, std::numeric_limits<float>::lowest(), r.min, r.max);
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kMaxPool2DDef = {ir::OpKind::kMaxPool2D, "i8, i16, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
