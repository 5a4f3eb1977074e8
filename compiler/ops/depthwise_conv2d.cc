// depthwise_conv2d: input NHWC [N, H, W, C], filter [1, KH, KW, C * DM],
// optional bias [C * DM], output [N, OH, OW, C * DM]. Output channel
// oc = ic * DM + m (m < DM) reads input channel ic only. DM comes from the
// `depth_multiplier` attribute (TFLite Micro reads the op's field, not the
// shapes), and must agree with the filter's channel count.
//
// int8 follows TFLite Micro's DepthwiseConvPerChannel: per-output-channel
// multipliers (filter quantized along axis 3), filter zero points ignored,
// padded taps skipped. int16 (16x8) follows its 16-bit variant: int8
// weights, int64 bias (TFLite Micro reads the bias as int64 whatever its
// type, so an int32 bias is refused), int64 sums and Mbqm64. f32 accumulates in (ky, kx) order from +0, then adds
// the bias (0 when absent) and clamps. See docs/numerics.md.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct DwGeom {
  int64_t batch, in_h, in_w, in_c;
  int64_t k_h, k_w, dm;
  int64_t out_h, out_w, out_c;
};

Status Parse(const ir::Graph& g, const ir::Node& n, Window* w, DwGeom* s, bool* quantized) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 3, 1));
  EMBER_RETURN_IF_ERROR(CheckConvDtypes(g, n, quantized));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  if (in.dtype == ir::DType::kInt16 && n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor &&
      g.tensor(n.inputs[2]).dtype != ir::DType::kInt64) {
    return NodeError(n, "has an int16 input with an i32 bias; the 16x8 depthwise convolution takes an i64 bias",
                     "quantize the bias to int64 (TFLite's 16x8 quantization does)");
  }
  EMBER_RETURN_IF_ERROR(CheckRank(n, in, "input", 4));
  EMBER_RETURN_IF_ERROR(CheckRank(n, f, "filter", 4));
  EMBER_RETURN_IF_ERROR(ParseWindow(n, /*with_dilation=*/true, /*with_filter=*/false, w));
  int64_t dm = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "depth_multiplier", 1, int64_t{1} << 24, true, 1, &dm));
  *s = {in.shape[0], in.shape[1], in.shape[2], in.shape[3], f.shape[1], f.shape[2], dm,
        0, 0, f.shape[3]};
  if (f.shape[0] != 1) {
    return NodeError(n, "filter has shape " + ir::ShapeToString(f.shape) +
                            ", expected [1, KH, KW, C*DM]");
  }
  if (s->out_c != s->in_c * dm) {
    return NodeError(n, "filter has " + std::to_string(s->out_c) + " channels, expected " +
                            std::to_string(s->in_c) + " input channels x depth_multiplier " +
                            std::to_string(dm) + " = " + std::to_string(s->in_c * dm),
                     "check the depth_multiplier attribute against the filter shape");
  }
  return CheckConvTail(g, n, *w, s->out_c, s->in_h, s->in_w, s->k_h, s->k_w, *quantized,
                       /*filter_axis=*/3, &s->out_h, &s->out_w);
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  Window w;
  DwGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(Parse(g, n, &w, &s, &quantized));
  return std::vector<TensorType>{
      {g.tensor(n.inputs[0]).dtype, {s.batch, s.out_h, s.out_w, s.out_c}}};
}

// Visits every output element (b, oy, ox, oc = ic * DM + m) in NHWC order.
// The accumulator starts value-initialized, `mac(acc, x, w)` runs for each
// in-image tap in (ky, kx) order, `finish(acc, oc, out_index)` stores it.
template <typename T, typename Acc, typename W = T, typename Mac, typename Finish>
void DepthwiseLoop(const DwGeom& s, const Window& w, const T* in, const W* filter, Mac mac,
                   Finish finish) {
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t oy = 0; oy < s.out_h; ++oy) {
      for (int64_t ox = 0; ox < s.out_w; ++ox) {
        for (int64_t ic = 0; ic < s.in_c; ++ic) {
          for (int64_t m = 0; m < s.dm; ++m) {
            const int64_t oc = ic * s.dm + m;
            Acc acc{};
            for (int64_t ky = 0; ky < s.k_h; ++ky) {
              const int64_t iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
              if (iy < 0 || iy >= s.in_h) continue;
              for (int64_t kx = 0; kx < s.k_w; ++kx) {
                const int64_t ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
                if (ix < 0 || ix >= s.in_w) continue;
                mac(acc, in[((b * s.in_h + iy) * s.in_w + ix) * s.in_c + ic],
                    filter[(ky * s.k_w + kx) * s.out_c + oc]);
              }
            }
            finish(acc, oc, ((b * s.out_h + oy) * s.out_w + ox) * s.out_c + oc);
          }
        }
      }
    }
  }
}

Status EvalInt8(const EvalArgs& a, const Window& w, const DwGeom& s) {
  return EvalConvLikeInt8(a, s.out_c, [&](auto mac, auto store) {
    DepthwiseLoop<int8_t, int32_t>(s, w, a.in<int8_t>(0), a.in<int8_t>(1), mac, store);
  });
}

Status EvalInt16(const EvalArgs& a, const Window& w, const DwGeom& s) {
  return EvalConvLikeInt16(a, s.out_c, [&](auto mac, auto store) {
    DepthwiseLoop<int16_t, uint64_t, int8_t>(s, w, a.in<int16_t>(0), a.in<int8_t>(1), mac, store);
  });
}

Status EvalFloat(const EvalArgs& a, const Window& w, const DwGeom& s) {
  return EvalConvLikeFloat(a, w.act, [&](auto mac, auto store) {
    DepthwiseLoop<float, float>(s, w, a.in<float>(0), a.in<float>(1), mac, store);
  });
}

Status Eval(const EvalArgs& a) {
  Window w;
  DwGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(Parse(a.graph, a.node, &w, &s, &quantized));
  if (!quantized) return EvalFloat(a, w, s);
  return a.in_tensor(0).dtype == ir::DType::kInt16 ? EvalInt16(a, w, s) : EvalInt8(a, w, s);
}

// out_h * out_w * out_c * k_h * k_w, times the batch.
int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.size() < 2 || n.outputs.size() != 1 || n.inputs[1] == ir::kNoTensor) return 0;
  const ir::Shape& f = g.tensor(n.inputs[1]).shape;
  const ir::Shape& o = g.tensor(n.outputs[0]).shape;
  if (f.size() != 4 || o.size() != 4) return 0;
  return o[0] * o[1] * o[2] * o[3] * f[1] * f[2];
}

}  // namespace

extern const OpDef kDepthwiseConv2DDef = {ir::OpKind::kDepthwiseConv2D, "i8, i16 (8-bit weights), f32", Infer, Eval,
                                          Macs};

}  // namespace ember::ops
