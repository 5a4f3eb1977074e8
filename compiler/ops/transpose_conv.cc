// transpose_conv: the transposed 2-D convolution (TFLite TRANSPOSE_CONV, ONNX
// ConvTranspose with group 1 and dilation 1). Operands: input NHWC
// [N, H, W, C_in], filter OHWI [C_out, KH, KW, C_in], bias? [C_out].
// Attributes: `stride=[h,w]`, `pad=[t,l,b,r]` (cropped from the full
// output), `output_padding=[h,w]` (optional, each below its stride: rows and
// columns added at the bottom/right), `act`.
// Output [N, OH, OW, C_out] with OH = (H - 1)*stride_h + KH - t - b + output_padding_h.
//
// Input pixel (iy, ix) scatters filter tap (ky, kx) onto output pixel
// (iy*stride_h - t + ky, ix*stride_w - l + kx). As TFLite's reference kernel,
// each output element accumulates its contributions in (iy, ix, ic) order
// (float32: from +0.0f, then + bias, then the activation clamp), so this
// evaluator gathers them per output in that order. int8 per channel exactly as
// conv2d (docs/numerics.md, "transpose_conv"): acc = sum w*(x - z_in) (int32,
// wrapping; filter zero points ignored) + bias, MBQM with
// double(s_in)*double(s_w[c])/double(s_out), + z_out, clamp to the activation
// range. 16x8 (int16 input and output, int8 filter): TFLite Micro's int16
// kernel, acc = sum w*x in int64 (no zero points) + bias (int64, or int16
// widened; an int32 bias is refused: TFLite Micro would read it as int64),
// then MBQM64 and the int16 activation clamp (EvalConvLikeInt16).
#include <string>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/transpose_conv_util.h"

namespace ember::ops {

Status ParseTransposeConv(const ir::Graph& g, const ir::Node& n, Window* w, TransposeConvGeom* s,
                          bool* quantized) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 3, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  if (in.dtype == ir::DType::kInt16 && has_bias && g.tensor(n.inputs[2]).dtype != ir::DType::kInt64 &&
      f.dtype == ir::DType::kInt8) {
    // TFLite Micro's 16x8 kernel accumulates in int64 and reads the bias as
    // int64 (an int16 bias widened first); an int32 bias would be misread.
    const ir::Tensor& b = g.tensor(n.inputs[2]);
    if (b.dtype != ir::DType::kInt16) {
      return NodeError(n, std::string("16x8 transpose_conv has a ") + ir::DTypeName(b.dtype) +
                              " bias; supported: i64 or i16 (TFLite Micro's 16x8 kernel reads the bias as int64)",
                       "quantize the model with an int64 bias for 16x8 transpose_conv (TFLite's default)");
    }
    *quantized = true;
  } else {
    EMBER_RETURN_IF_ERROR(CheckConvDtypes(g, n, quantized));
  }
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kInt16 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i8, i16, f32");
  }
  EMBER_RETURN_IF_ERROR(CheckRank(n, in, "input", 4));
  EMBER_RETURN_IF_ERROR(CheckRank(n, f, "filter", 4));
  if (n.attrs.count("dilation")) {
    return NodeError(n, "attribute 'dilation' is not supported",
                     "transpose_conv has no dilation (TFLite TRANSPOSE_CONV has none)");
  }
  EMBER_RETURN_IF_ERROR(ParseWindow(n, /*with_dilation=*/false, /*with_filter=*/false, w));
  std::vector<int64_t> op = {0, 0};
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "output_padding", 2, 0, false, &op));
  *s = {in.shape[0], in.shape[1], in.shape[2], in.shape[3], f.shape[1], f.shape[2], 0, 0, f.shape[0]};
  if (f.shape[3] != s->in_c) {
    return NodeError(n, "filter " + ir::ShapeToString(f.shape) + " has " +
                            std::to_string(f.shape[3]) + " input channels, the input " +
                            ir::ShapeToString(in.shape) + " has " + std::to_string(s->in_c),
                     "the filter must be OHWI [C_out, KH, KW, C_in]; groups are not supported");
  }
  if (op[0] >= w->stride_h || op[1] >= w->stride_w) {
    return NodeError(n, "output_padding " + ir::ShapeToString(op) + " must be below the stride " +
                            ir::ShapeToString({w->stride_h, w->stride_w}));
  }
  constexpr int64_t kMaxDim = int64_t{1} << 24;
  if (s->k_h < 1 || s->k_w < 1 || s->k_h > kMaxDim || s->k_w > kMaxDim || s->in_h > kMaxDim ||
      s->in_w > kMaxDim) {
    return NodeError(n, "filter " + ir::ShapeToString(f.shape) + " or input " +
                            ir::ShapeToString(in.shape) + " has an unsupported spatial size");
  }
  s->out_h = (s->in_h - 1) * w->stride_h + s->k_h - w->pad_top - w->pad_bottom + op[0];
  s->out_w = (s->in_w - 1) * w->stride_w + s->k_w - w->pad_left - w->pad_right + op[1];
  if (s->in_h < 1 || s->in_w < 1 || s->out_h < 1 || s->out_w < 1) {
    return NodeError(n, "input " + ir::ShapeToString(in.shape) + " with pad=" +
                            ir::ShapeToString({w->pad_top, w->pad_left, w->pad_bottom, w->pad_right}) +
                            " gives an empty output (" + std::to_string(s->out_h) + "x" +
                            std::to_string(s->out_w) + ")",
                     "the padding crops more than the transposed convolution produces");
  }
  if (*quantized) EMBER_RETURN_IF_ERROR(CheckConvQuant(g, n, s->out_c, /*filter_axis=*/0));
  if (!*quantized && n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor &&
      g.tensor(n.inputs[2]).num_elements() != s->out_c) {
    return NodeError(n, "bias has shape " + ir::ShapeToString(g.tensor(n.inputs[2]).shape) +
                            ", expected " + std::to_string(s->out_c) + " elements");
  }
  return Status::Ok();
}

namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  Window w;
  TransposeConvGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(ParseTransposeConv(g, n, &w, &s, &quantized));
  return std::vector<TensorType>{
      {g.tensor(n.inputs[0]).dtype, {s.batch, s.out_h, s.out_w, s.out_c}}};
}

// Visits every output element (b, oy, ox, oc) in NHWC order: `mac(acc, x, w)`
// for every input pixel and channel that reaches it, in (iy, ix, ic) order
// (ky = oy + pad_top - iy*stride_h descending), then `finish(acc, oc, index)`.
template <typename T, typename Acc, typename W = T, typename Mac, typename Finish>
void TransposeConvLoop(const TransposeConvGeom& s, const Window& w, const T* in, const W* filter,
                       Mac mac, Finish finish) {
  int64_t out_index = 0;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t oy = 0; oy < s.out_h; ++oy) {
      for (int64_t ox = 0; ox < s.out_w; ++ox) {
        for (int64_t oc = 0; oc < s.out_c; ++oc, ++out_index) {
          Acc acc{};
          for (int64_t ky = s.k_h - 1; ky >= 0; --ky) {
            const int64_t ty = oy + w.pad_top - ky;
            if (ty < 0 || ty % w.stride_h != 0 || ty / w.stride_h >= s.in_h) continue;
            const int64_t iy = ty / w.stride_h;
            for (int64_t kx = s.k_w - 1; kx >= 0; --kx) {
              const int64_t tx = ox + w.pad_left - kx;
              if (tx < 0 || tx % w.stride_w != 0 || tx / w.stride_w >= s.in_w) continue;
              const int64_t ix = tx / w.stride_w;
              const T* px = in + ((b * s.in_h + iy) * s.in_w + ix) * s.in_c;
              const W* pw = filter + ((oc * s.k_h + ky) * s.k_w + kx) * s.in_c;
              for (int64_t ic = 0; ic < s.in_c; ++ic) mac(acc, px[ic], pw[ic]);
            }
          }
          finish(acc, oc, out_index);
        }
      }
    }
  }
}

Status Eval(const EvalArgs& a) {
  Window w;
  TransposeConvGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(ParseTransposeConv(a.graph, a.node, &w, &s, &quantized));
  if (quantized && a.in_tensor(0).dtype == ir::DType::kInt16) {
    return EvalConvLikeInt16(a, s.out_c, [&](auto mac, auto store) {
      TransposeConvLoop<int16_t, uint64_t, int8_t>(s, w, a.in<int16_t>(0), a.in<int8_t>(1), mac, store);
    });
  }
  if (quantized) {
    return EvalConvLikeInt8(a, s.out_c, [&](auto mac, auto store) {
      TransposeConvLoop<int8_t, int32_t>(s, w, a.in<int8_t>(0), a.in<int8_t>(1), mac, store);
    });
  }
  return EvalConvLikeFloat(a, w.act, [&](auto mac, auto store) {
    TransposeConvLoop<float, float>(s, w, a.in<float>(0), a.in<float>(1), mac, store);
  });
}

// Every input element meets every filter tap once: N*H*W*C_in*KH*KW*C_out
// (including the taps cropped by the padding).
int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.size() < 2 || n.inputs[1] == ir::kNoTensor) return 0;
  const ir::Shape& in = g.tensor(n.inputs[0]).shape;
  const ir::Shape& f = g.tensor(n.inputs[1]).shape;
  if (in.size() != 4 || f.size() != 4) return 0;
  return in[0] * in[1] * in[2] * in[3] * f[0] * f[1] * f[2];
}

}  // namespace

extern const OpDef kTransposeConvDef = {ir::OpKind::kTransposeConv, "i8, i16, f32", Infer, Eval, Macs};

}  // namespace ember::ops
