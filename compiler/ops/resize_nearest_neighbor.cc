// resize_nearest_neighbor: NHWC input [N, H, W, C] to [N, size[0], size[1], C],
// each output pixel a copy of one input pixel. Attributes `size=[h,w]`,
// `align_corners` and `half_pixel_centers` (0/1, default 0).
//
// As TFLite's RESIZE_NEAREST_NEIGHBOR (docs/numerics.md,
// "resize_nearest_neighbor"): per axis with input size I and output size O,
// scale = (align_corners && O > 1) ? (I - 1) / float(O - 1) : I / float(O)
// (float32), offset = half_pixel_centers ? 0.5 : 0, and output index o reads
// i = min(align_corners ? round((o + offset) * scale) : floor((o + offset) * scale),
// I - 1), then max(i, 0) when half_pixel_centers. int8 copies raw values (no
// requantization; the output quantization must equal the input's, as TFLite
// Micro's kernel assumes). ONNX Resize in nearest mode maps onto this as
// docs/operators.md describes.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/resize_util.h"

namespace ember::ops {

std::vector<int64_t> NearestNeighborIndices(int64_t in_size, int64_t out_size, bool align_corners,
                                            bool half_pixel_centers) {
  std::vector<int64_t> idx(static_cast<size_t>(std::max<int64_t>(out_size, 0)));
  if (out_size <= 0 || in_size <= 0) return idx;  // nothing to read (and no division by 0)
  const float scale = (align_corners && out_size > 1)
                          ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1)
                          : static_cast<float>(in_size) / static_cast<float>(out_size);
  const float offset = half_pixel_centers ? 0.5f : 0.0f;
  for (int64_t o = 0; o < out_size; ++o) {
    const float v = (static_cast<float>(o) + offset) * scale;
    int64_t i = static_cast<int64_t>(align_corners ? std::round(v) : std::floor(v));
    i = std::min(i, in_size - 1);
    if (half_pixel_centers) i = std::max<int64_t>(i, 0);
    idx[static_cast<size_t>(o)] = i;
  }
  return idx;
}

namespace {

constexpr int64_t kMaxSize = int64_t{1} << 20;  // per spatial axis

Status GetFlag(const ir::Node& n, const char* key, bool* out) {
  auto it = n.attrs.find(key);
  *out = false;
  if (it == n.attrs.end()) return Status::Ok();
  const auto* v = std::get_if<int64_t>(&it->second);
  if (v == nullptr || (*v != 0 && *v != 1))
    return NodeError(n, std::string("attribute '") + key + "' must be 0 or 1");
  *out = *v == 1;
  return Status::Ok();
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) +
                            " is not supported; supported: i8, f32");
  }
  if (in.shape.size() != 4)
    return NodeError(n, "input has shape " + ir::ShapeToString(in.shape) + "; a 4-D NHWC tensor is expected");
  bool align = false, half = false;
  EMBER_RETURN_IF_ERROR(GetFlag(n, "align_corners", &align));
  EMBER_RETURN_IF_ERROR(GetFlag(n, "half_pixel_centers", &half));
  auto it = n.attrs.find("size");
  const auto* size = it == n.attrs.end() ? nullptr : std::get_if<std::vector<int64_t>>(&it->second);
  if (size == nullptr || size->size() != 2 || (*size)[0] < 0 || (*size)[1] < 0 ||
      (*size)[0] > kMaxSize || (*size)[1] > kMaxSize) {
    return NodeError(n, "attribute 'size' must be [height, width] with values in [0, 2^20]");
  }
  const ir::Shape out = {in.shape[0], (*size)[0], (*size)[1], in.shape[3]};
  if (ir::NumElements(out) > 0 && (in.shape[1] == 0 || in.shape[2] == 0))
    return NodeError(n, "input " + ir::ShapeToString(in.shape) + " has an empty spatial axis");
  if (in.dtype == ir::DType::kInt8) {
    float si = 0, so = 0;
    int32_t zi = 0, zo = 0;
    EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &si, &zi));
    EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &so, &zo));
    if (si != so || zi != zo) {
      return NodeError(n, "output quantization differs from the input's",
                       "int8 resize copies values; give the output the input's scale and zero point");
    }
  }
  return std::vector<TensorType>{{in.dtype, out}};
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& in = a.in_tensor(0).shape;
  const ir::Shape& out = a.out_tensor(0).shape;
  const bool align = a.node.GetInt("align_corners") == 1;
  const bool half = a.node.GetInt("half_pixel_centers") == 1;
  const std::vector<int64_t> rows = NearestNeighborIndices(in[1], out[1], align, half);
  const std::vector<int64_t> cols = NearestNeighborIndices(in[2], out[2], align, half);
  const size_t elem = ir::DTypeSize(a.in_tensor(0).dtype);
  const size_t pixel = static_cast<size_t>(in[3]) * elem;
  const uint8_t* x = a.inputs[0];
  uint8_t* y = a.outputs[0];
  for (int64_t b = 0; b < out[0]; ++b) {
    for (int64_t oy = 0; oy < out[1]; ++oy) {
      for (int64_t ox = 0; ox < out[2]; ++ox) {
        const int64_t src = (b * in[1] + rows[static_cast<size_t>(oy)]) * in[2] + cols[static_cast<size_t>(ox)];
        const int64_t dst = (b * out[1] + oy) * out[2] + ox;
        std::copy_n(x + static_cast<size_t>(src) * pixel, pixel, y + static_cast<size_t>(dst) * pixel);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kResizeNearestNeighborDef = {ir::OpKind::kResizeNearestNeighbor, "i8, f32",
                                                Infer, Eval, nullptr};

}  // namespace ember::ops
