// resize_bilinear: NHWC input [N, H, W, C] to [N, size[0], size[1], C], each
// output value interpolated between the four nearest input pixels
// (TFLite RESIZE_BILINEAR). Attributes `size=[h,w]`, `align_corners` and
// `half_pixel_centers` (0/1, default 0; not both).
//
// As TFLite Micro's reference kernels (docs/numerics.md, "resize_bilinear";
// the per-axis tables in ops/resize_bilinear_util.h): float32 interpolates in
// float with the reference's operation order; int8 interpolates the stored
// values with 10-bit integer weights, rounds half away from zero and casts to
// int8, without requantization (the output has the input's units, as in
// TFLite Micro, whatever its own quantization says).
#include <string>
#include <type_traits>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/resize_bilinear_util.h"

namespace ember::ops {
namespace {

constexpr int64_t kMaxSize = int64_t{1} << 20;  // per spatial axis

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i8, f32");
  }
  if (in.shape.size() != 4)
    return NodeError(n, "input has shape " + ir::ShapeToString(in.shape) + "; a 4-D NHWC tensor is expected");
  int64_t align = 0, half = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "align_corners", 0, 1, false, 0, &align));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "half_pixel_centers", 0, 1, false, 0, &half));
  if (align && half) return NodeError(n, "align_corners and half_pixel_centers are both set; at most one may be");
  std::vector<int64_t> size;
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "size", 2, 0, true, &size));
  if (size[0] > kMaxSize || size[1] > kMaxSize || in.shape[1] > kMaxSize || in.shape[2] > kMaxSize)
    return NodeError(n, "sizes above 2^20 are not supported");
  const ir::Shape out = {in.shape[0], size[0], size[1], in.shape[3]};
  if (ir::NumElements(out) > 0) {
    if (in.shape[1] == 0 || in.shape[2] == 0)
      return NodeError(n, "input " + ir::ShapeToString(in.shape) + " has an empty spatial axis");
    for (int axis = 1; axis <= 2; ++axis) {
      const auto i = static_cast<int32_t>(in.shape[static_cast<size_t>(axis)]);
      const auto o = static_cast<int32_t>(out[static_cast<size_t>(axis)]);
      const bilinear::Axis t = in.dtype == ir::DType::kFloat32 ? bilinear::FloatAxis(i, o, align, half)
                                                                : bilinear::IntegerAxis(i, o, align, half);
      if (!t.in_range) {
        return NodeError(n, "resizing " + std::to_string(i) + " to " + std::to_string(o) +
                                " pixels makes TFLite's integer coordinates fall outside the input");
      }
    }
  }
  return std::vector<TensorType>{{in.dtype, out}};
}

template <typename T>
void Interpolate(const EvalArgs& a, const bilinear::Axis& ys, const bilinear::Axis& xs) {
  const ir::Shape& in = a.in_tensor(0).shape;
  const ir::Shape& out = a.out_tensor(0).shape;
  const T* x = a.in<T>(0);
  T* y = a.out<T>(0);
  const int64_t c_n = in[3];
  auto at = [&](int64_t b, int64_t r, int64_t c, int64_t ch) { return x[((b * in[1] + r) * in[2] + c) * c_n + ch]; };
  for (int64_t b = 0; b < out[0]; ++b) {
    for (size_t oy = 0; oy < ys.lo.size(); ++oy) {
      for (size_t ox = 0; ox < xs.lo.size(); ++ox) {
        T* dst = y + ((b * out[1] + static_cast<int64_t>(oy)) * out[2] + static_cast<int64_t>(ox)) * c_n;
        const int32_t y0 = ys.lo[oy], y1 = ys.hi[oy], x0 = xs.lo[ox], x1 = xs.hi[ox];
        for (int64_t ch = 0; ch < c_n; ++ch) {
          if constexpr (std::is_same_v<T, float>) {
            dst[ch] = bilinear::FloatPixel(at(b, y0, x0, ch), at(b, y1, x0, ch), at(b, y0, x1, ch), at(b, y1, x1, ch),
                                           ys.d[oy], xs.d[ox]);
          } else {
            dst[ch] = bilinear::IntegerPixel(at(b, y0, x0, ch), at(b, y1, x0, ch), at(b, y0, x1, ch),
                                             at(b, y1, x1, ch), ys.w[oy], xs.w[ox]);
          }
        }
      }
    }
  }
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& in = a.in_tensor(0).shape;
  const ir::Shape& out = a.out_tensor(0).shape;
  if (ir::NumElements(out) == 0) return Status::Ok();
  const bool align = a.node.GetInt("align_corners") == 1;
  const bool half = a.node.GetInt("half_pixel_centers") == 1;
  const auto ih = static_cast<int32_t>(in[1]), iw = static_cast<int32_t>(in[2]);
  const auto oh = static_cast<int32_t>(out[1]), ow = static_cast<int32_t>(out[2]);
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    Interpolate<float>(a, bilinear::FloatAxis(ih, oh, align, half), bilinear::FloatAxis(iw, ow, align, half));
  } else {
    Interpolate<int8_t>(a, bilinear::IntegerAxis(ih, oh, align, half), bilinear::IntegerAxis(iw, ow, align, half));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kResizeBilinearDef = {ir::OpKind::kResizeBilinear, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
