// conv2d: 2-D convolution. Input NHWC, filter OHWI [C_out, KH, KW, C_in/groups],
// optional bias [C_out], output NHWC. groups = C_in / filter C_in; output
// channel c reads the input channels of group c / (C_out / groups).
//
// int8 follows TFLite Micro's per-channel reference kernel: one multiplier per
// output channel (a per-tensor filter scale is broadcast), filter zero points
// ignored, taps outside the image skipped, requantization by MBQM, fused
// activation clamp after adding the output zero point. int16 (16x8: int8
// weights, int32 or int64 bias) follows its 16-bit variant: no zero points,
// an int64 sum and Mbqm64 with an int64 bias (or none), a wrapping int32 sum
// and Mbqm with an int32 bias. f32 accumulates
// taps in (ky, kx, ic) order from +0, then adds the bias (0 when absent) and
// clamps. docs/numerics.md has the formulas.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct ConvGeom {
  int64_t batch, in_h, in_w, in_c;
  int64_t k_h, k_w, f_c;  // f_c = input channels per group
  int64_t out_h, out_w, out_c;
  int64_t groups;
};

Status Parse(const ir::Graph& g, const ir::Node& n, Window* w, ConvGeom* s, bool* quantized) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 3, 1));
  EMBER_RETURN_IF_ERROR(CheckConvDtypes(g, n, quantized));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  EMBER_RETURN_IF_ERROR(CheckRank(n, in, "input", 4));
  EMBER_RETURN_IF_ERROR(CheckRank(n, f, "filter", 4));
  EMBER_RETURN_IF_ERROR(ParseWindow(n, /*with_dilation=*/true, /*with_filter=*/false, w));
  *s = {in.shape[0], in.shape[1], in.shape[2], in.shape[3], f.shape[1], f.shape[2], f.shape[3],
        0, 0, f.shape[0], 1};
  if (s->in_c % s->f_c != 0) {
    return NodeError(n, "input has " + std::to_string(s->in_c) +
                            " channels, which is not a multiple of the filter's " +
                            std::to_string(s->f_c) + " input channels",
                     "the filter must be OHWI with C_in / groups input channels");
  }
  s->groups = s->in_c / s->f_c;
  if (s->out_c % s->groups != 0) {
    return NodeError(n, "filter has " + std::to_string(s->out_c) +
                            " output channels, which is not a multiple of the " +
                            std::to_string(s->groups) + " groups");
  }
  return CheckConvTail(g, n, *w, s->out_c, s->in_h, s->in_w, s->k_h, s->k_w, *quantized,
                       /*filter_axis=*/0, &s->out_h, &s->out_w);
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  Window w;
  ConvGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(Parse(g, n, &w, &s, &quantized));
  return std::vector<TensorType>{
      {g.tensor(n.inputs[0]).dtype, {s.batch, s.out_h, s.out_w, s.out_c}}};
}

// Visits every output element (b, oy, ox, oc) in NHWC order. For each, the
// accumulator starts value-initialized (0 / +0.0f), `mac(acc, x, w)` runs for
// every in-image tap in (ky, kx, ic) order, and `finish(acc, oc, out_index)`
// stores the result.
template <typename T, typename Acc, typename W = T, typename Mac, typename Finish>
void ConvLoop(const ConvGeom& s, const Window& w, const T* in, const W* filter, Mac mac,
              Finish finish) {
  const int64_t out_per_group = s.out_c / s.groups;
  int64_t out_index = 0;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t oy = 0; oy < s.out_h; ++oy) {
      for (int64_t ox = 0; ox < s.out_w; ++ox) {
        for (int64_t oc = 0; oc < s.out_c; ++oc, ++out_index) {
          const int64_t first_ic = (oc / out_per_group) * s.f_c;
          Acc acc{};
          for (int64_t ky = 0; ky < s.k_h; ++ky) {
            const int64_t iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (int64_t kx = 0; kx < s.k_w; ++kx) {
              const int64_t ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const T* px = in + ((b * s.in_h + iy) * s.in_w + ix) * s.in_c + first_ic;
              const W* pw = filter + ((oc * s.k_h + ky) * s.k_w + kx) * s.f_c;
              for (int64_t ic = 0; ic < s.f_c; ++ic) mac(acc, px[ic], pw[ic]);
            }
          }
          finish(acc, oc, out_index);
        }
      }
    }
  }
}

Status EvalInt8(const EvalArgs& a, const Window& w, const ConvGeom& s) {
  return EvalConvLikeInt8(a, s.out_c, [&](auto mac, auto store) {
    ConvLoop<int8_t, int32_t>(s, w, a.in<int8_t>(0), a.in<int8_t>(1), mac, store);
  });
}

Status EvalInt16(const EvalArgs& a, const Window& w, const ConvGeom& s) {
  return EvalConvLikeInt16(a, s.out_c, [&](auto mac, auto store) {
    ConvLoop<int16_t, uint64_t, int8_t>(s, w, a.in<int16_t>(0), a.in<int8_t>(1), mac, store);
  });
}

Status EvalFloat(const EvalArgs& a, const Window& w, const ConvGeom& s) {
  return EvalConvLikeFloat(a, w.act, [&](auto mac, auto store) {
    ConvLoop<float, float>(s, w, a.in<float>(0), a.in<float>(1), mac, store);
  });
}

Status Eval(const EvalArgs& a) {
  Window w;
  ConvGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(Parse(a.graph, a.node, &w, &s, &quantized));
  if (!quantized) return EvalFloat(a, w, s);
  return a.in_tensor(0).dtype == ir::DType::kInt16 ? EvalInt16(a, w, s) : EvalInt8(a, w, s);
}

// out_h * out_w * out_c * k_h * k_w * (C_in / groups), times the batch.
int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.size() < 2 || n.outputs.size() != 1 || n.inputs[1] == ir::kNoTensor) return 0;
  const ir::Shape& f = g.tensor(n.inputs[1]).shape;
  const ir::Shape& o = g.tensor(n.outputs[0]).shape;
  if (f.size() != 4 || o.size() != 4) return 0;
  return o[0] * o[1] * o[2] * o[3] * f[1] * f[2] * f[3];
}

}  // namespace

extern const OpDef kConv2DDef = {ir::OpKind::kConv2D, "i8, i16 (8-bit weights), f32", Infer, Eval, Macs};

}  // namespace ember::ops
