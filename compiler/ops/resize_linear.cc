// resize_linear: ONNX Runtime's linear Resize over H and W of an NHWC tensor
// [N, H, W, C] -> [N, size[0], size[1], C] (ONNX Resize, mode "linear").
// Attributes: `size=[h,w]`; `scale=[sh,sw]`, the scales the coordinates are
// mapped with (ONNX's `scales`, or O/I for `sizes`); `coordinate_mode`:
// half_pixel, pytorch_half_pixel, asymmetric or align_corners. The tables
// (neighbours and distances per output row and column) are in
// ops/resize_linear_util.h; each output is, in float32 and in this order,
// ((d2x d2y) X11 + (d1x d2y) X21) + (d2x d1y) X12 + (d1x d1y) X22.
//
// float32: that value. int8, two forms (docs/numerics.md, "resize_linear"):
//   - `integers` = 1: ONNX Resize of an integer tensor (a QOperator model
//     resizes the quantized tensor itself): the stored values plus
//     `value_offset` (128 for a uint8 tensor held as int8, else 0) are
//     interpolated, the result truncated toward zero, the offset taken off;
//     no requantization;
//   - `integers` = 0 (the default): DequantizeLinear -> Resize ->
//     QuantizeLinear of a QDQ model as ONNX Runtime runs it (unfused):
//     X = s_in * float(q - z_in), the value above, then x / s_out clamped to
//     [-128 - z_out, 127 - z_out], rounded half to even, plus z_out.
#include <cmath>
#include <string>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"
#include "ops/resize_linear_util.h"

namespace ember::ops {
namespace {

constexpr int64_t kMaxSize = int64_t{1} << 20;  // per spatial axis

struct Params {
  linear::Mode mode = linear::Mode::kHalfPixel;
  float scale_h = 1.0f, scale_w = 1.0f;
  bool integers = false;
  int32_t offset = 0;
};

Expected<Params> Parse(const ir::Graph& g, const ir::Node& n) {
  Params p;
  const auto mode = linear::ParseMode(n.GetString("coordinate_mode"));
  if (!mode) {
    return NodeError(n, "coordinate_mode \"" + n.GetString("coordinate_mode") + "\" is not one resize_linear has",
                     "use half_pixel, pytorch_half_pixel, asymmetric or align_corners");
  }
  p.mode = *mode;
  const std::vector<double> scale = n.GetReals("scale");
  if (scale.size() != 2 || !(scale[0] > 0.0) || !(scale[1] > 0.0) || !std::isfinite(scale[0]) ||
      !std::isfinite(scale[1])) {
    return NodeError(n, "attribute 'scale' is not two positive finite reals", "give scale=[sh, sw]");
  }
  p.scale_h = static_cast<float>(scale[0]);
  p.scale_w = static_cast<float>(scale[1]);
  int64_t integers = 0, offset = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "integers", 0, 1, false, 0, &integers));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "value_offset", 0, 128, false, 0, &offset));
  if (offset != 0 && offset != 128) return NodeError(n, "value_offset is " + std::to_string(offset) + ", not 0 or 128");
  p.integers = integers == 1;
  p.offset = static_cast<int32_t>(offset);
  const ir::DType dt = g.tensor(n.inputs[0]).dtype;
  if ((p.integers || p.offset != 0) && dt != ir::DType::kInt8) {
    return NodeError(n, "integers and value_offset apply to an i8 input", "remove them");
  }
  if (p.offset != 0 && !p.integers) return NodeError(n, "value_offset needs integers=1");
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i8, f32");
  }
  if (in.shape.size() != 4)
    return NodeError(n, "input has shape " + ir::ShapeToString(in.shape) + "; a 4-D NHWC tensor is expected");
  EMBER_ASSIGN_OR_RETURN(Params p, Parse(g, n));
  if (in.dtype == ir::DType::kInt8 && !p.integers) EMBER_RETURN_IF_ERROR(GetInOutInt8Quant(g, n).status());
  std::vector<int64_t> size;
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "size", 2, 1, true, &size));
  if (size[0] > kMaxSize || size[1] > kMaxSize || in.shape[1] > kMaxSize || in.shape[2] > kMaxSize)
    return NodeError(n, "sizes above 2^20 are not supported");
  if (in.shape[1] < 1 || in.shape[2] < 1)
    return NodeError(n, "input " + ir::ShapeToString(in.shape) + " has an empty spatial axis");
  return std::vector<TensorType>{{in.dtype, {in.shape[0], size[0], size[1], in.shape[3]}}};
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(Params p, Parse(a.graph, a.node));
  const ir::Shape& in = a.in_tensor(0).shape;
  const ir::Shape& out = a.out_tensor(0).shape;
  const auto ys = linear::MakeAxis(static_cast<int32_t>(in[1]), static_cast<int32_t>(out[1]), p.scale_h, p.mode);
  const auto xs = linear::MakeAxis(static_cast<int32_t>(in[2]), static_cast<int32_t>(out[2]), p.scale_w, p.mode);
  const bool is_float = a.in_tensor(0).dtype == ir::DType::kFloat32;
  InOutInt8Quant q;
  if (!is_float && !p.integers) {
    EMBER_ASSIGN_OR_RETURN(q, GetInOutInt8Quant(a.graph, a.node));
  }
  // The value of an input element as the interpolation reads it.
  auto value = [&](int64_t i) {
    if (is_float) return a.in<float>(0)[i];
    const int32_t v = a.in<int8_t>(0)[i];
    return p.integers ? static_cast<float>(v + p.offset) : q.s_in * static_cast<float>(v - q.z_in);
  };
  const int64_t c_n = in[3];
  for (int64_t b = 0; b < out[0]; ++b) {
    for (size_t oy = 0; oy < ys.i1.size(); ++oy) {
      for (size_t ox = 0; ox < xs.i1.size(); ++ox) {
        const int64_t r1 = (b * in[1] + ys.i1[oy]) * in[2], r2 = (b * in[1] + ys.i2[oy]) * in[2];
        const int64_t o = ((b * out[1] + static_cast<int64_t>(oy)) * out[2] + static_cast<int64_t>(ox)) * c_n;
        for (int64_t ch = 0; ch < c_n; ++ch) {
          const float v = linear::Pixel(value((r1 + xs.i1[ox]) * c_n + ch), value((r1 + xs.i2[ox]) * c_n + ch),
                                        value((r2 + xs.i1[ox]) * c_n + ch), value((r2 + xs.i2[ox]) * c_n + ch),
                                        xs.d1[ox], xs.d2[ox], ys.d1[oy], ys.d2[oy]);
          if (is_float) {
            a.out<float>(0)[o + ch] = v;
          } else if (p.integers) {
            // Truncated toward zero as a C cast does; a convex combination of
            // int8 (or uint8) values stays in range.
            a.out<int8_t>(0)[o + ch] = static_cast<int8_t>(static_cast<int32_t>(v) - p.offset);
          } else {
            a.out<int8_t>(0)[o + ch] = static_cast<int8_t>(OrtQuantize(v, q.s_out, q.z_out, -128, 127));
          }
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kResizeLinearDef = {ir::OpKind::kResizeLinear, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
