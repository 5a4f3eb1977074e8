// pad: constant padding (TFLite PAD, ONNX Pad mode=constant). No arithmetic:
// the input is copied unchanged into the interior of the output and the rest
// is filled with one value.
//
// Attribute `pads` = [before_0, after_0, before_1, after_1, ...], one pair per
// input axis, all non-negative; out.shape[d] = before_d + in.shape[d] + after_d.
// Fill: the real attribute `value` when present (TFLite PADV2's
// constant_values, ONNX Pad's constant_value), stored as it is in the output
// dtype: an integer in the dtype's range for integer outputs (for int8 the
// quantized value itself, as TFLite Micro uses it), 0 or 1 for bool, any
// float for f32. Without it, the output zero point when the output is
// quantized (TFLite PAD int8), otherwise 0 (0.0f, false). Input quantization is not compared with the
// output's (TFLite does not requantize the copied data). Rank <= 5 as in
// TFLite Micro.
#include <cmath>
#include <cstring>
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

constexpr size_t kMaxRank = 5;

// The range of an integer dtype.
void IntRange(ir::DType t, int64_t* lo, int64_t* hi) {
  switch (t) {
    case ir::DType::kInt8: *lo = INT8_MIN; *hi = INT8_MAX; break;
    case ir::DType::kUInt8: *lo = 0; *hi = UINT8_MAX; break;
    case ir::DType::kInt16: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case ir::DType::kInt32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
  }
}

// The fill value as an integer: the output zero point, or 0. Fails for a
// zero point that the dtype cannot hold, a float/bool output with a non-zero
// zero point, or per-axis zero points that differ.
Status ZeroPointFill(const ir::Node& n, const ir::Tensor& out, int64_t* fill) {
  *fill = 0;
  if (!out.quant || out.quant->zero_point.empty()) return Status::Ok();
  const int64_t zp = out.quant->zero_point[0];
  for (int64_t z : out.quant->zero_point) {
    if (z != zp) return NodeError(n, "has an output with differing per-axis zero points");
  }
  int64_t lo = 0, hi = 0;  // float and bool: only 0
  if (out.dtype != ir::DType::kFloat32 && out.dtype != ir::DType::kBool) IntRange(out.dtype, &lo, &hi);
  if (zp < lo || zp > hi) {
    return NodeError(n, "has output zero point " + std::to_string(zp) + ", outside [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "] for " +
                            ir::DTypeName(out.dtype),
                     "the padding value is the output zero point; fix the quantization");
  }
  *fill = zp;
  return Status::Ok();
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  std::vector<int64_t> pads;
  EMBER_ASSIGN_OR_RETURN(ir::Shape out, PaddedShape(n, in, &pads));
  if (g.tensor(n.outputs[0]).dtype == in.dtype) {
    std::vector<uint8_t> elem;
    EMBER_RETURN_IF_ERROR(PadFillElement(n, g.tensor(n.outputs[0]), &elem));
  }
  return std::vector<TensorType>{{in.dtype, out}};
}

// Fills the whole output, then copies the input into the box that starts at
// `before_d` on every axis.
Status Eval(const EvalArgs& a) {
  const ir::Tensor& in = a.in_tensor(0);
  const ir::Tensor& out = a.out_tensor(0);
  std::vector<uint8_t> elem;
  EMBER_RETURN_IF_ERROR(PadFillElement(a.node, out, &elem));
  for (int64_t i = 0; i < out.num_elements(); ++i)
    std::memcpy(a.outputs[0] + static_cast<size_t>(i) * elem.size(), elem.data(), elem.size());
  const std::vector<int64_t> pads = a.node.GetInts("pads");
  StridedCopy c;
  c.shape = in.shape;
  c.src_step = RowMajorStrides(in.shape);
  c.dst_step = RowMajorStrides(out.shape);
  for (size_t d = 0; d < in.shape.size(); ++d) c.dst_base += pads[2 * d] * c.dst_step[d];
  RunStridedCopy(c, ir::DTypeSize(in.dtype), a.inputs[0], a.outputs[0]);
  return Status::Ok();
}

}  // namespace

Expected<ir::Shape> PaddedShape(const ir::Node& n, const ir::Tensor& in, std::vector<int64_t>* pads_out) {
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, in));
  std::vector<int64_t> pads;
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "pads", /*required=*/true, &pads));
  const size_t rank = in.shape.size();
  if (rank > kMaxRank) {
    return NodeError(n, "has a rank-" + std::to_string(rank) + " input " +
                            ir::ShapeToString(in.shape) + ", above the supported rank 5");
  }
  if (pads.size() != 2 * rank) {
    return NodeError(n, "has " + std::to_string(pads.size()) + " pads for a rank-" +
                            std::to_string(rank) + " input; expected " +
                            std::to_string(2 * rank),
                     "give pads=[before0, after0, before1, after1, ...]");
  }
  ir::Shape out(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t before = pads[2 * d];
    const int64_t after = pads[2 * d + 1];
    if (before < 0 || after < 0) {
      return NodeError(n, "has negative padding " + std::to_string(before) + "/" +
                              std::to_string(after) + " on axis " + std::to_string(d),
                       "negative pads crop; use strided_slice instead");
    }
    int64_t sum = 0;
    if (!CheckedDimAdd(before, after, &sum) || !CheckedDimAdd(sum, in.shape[d], &out[d])) {
      return NodeError(n, "has padding on axis " + std::to_string(d) + " that is too large");
    }
  }
  int64_t count = 0;
  if (!CheckedNumElements(out, &count)) {
    return NodeError(n, "pads to a shape " + ir::ShapeToString(out) + " that is too large");
  }
  *pads_out = std::move(pads);
  return out;
}

Status PadFillElement(const ir::Node& n, const ir::Tensor& out, std::vector<uint8_t>* elem) {
  const size_t esz = ir::DTypeSize(out.dtype);
  elem->assign(esz, 0);
  if (!n.HasAttr("value")) {
    int64_t fill = 0;
    EMBER_RETURN_IF_ERROR(ZeroPointFill(n, out, &fill));
    // Integers are little-endian two's complement; float and bool fill with 0.
    if (out.dtype != ir::DType::kFloat32 && out.dtype != ir::DType::kBool) {
      for (size_t b = 0; b < esz; ++b) (*elem)[b] = static_cast<uint8_t>(static_cast<uint64_t>(fill) >> (8 * b));
    }
    return Status::Ok();
  }
  double v = 0;
  EMBER_RETURN_IF_ERROR(GetRealAttr(n, "value", true, 0.0, &v));
  if (out.dtype == ir::DType::kFloat32) {
    const auto f = static_cast<float>(v);
    std::memcpy(elem->data(), &f, sizeof f);
    return Status::Ok();
  }
  int64_t lo = 0, hi = 1;
  if (out.dtype != ir::DType::kBool) IntRange(out.dtype, &lo, &hi);
  // Doubles hold every integer up to 2^53 exactly; larger int64 values are refused.
  if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi) ||
      std::fabs(v) > 9007199254740992.0) {
    return NodeError(n, "has padding value " + FormatReal(v) + ", which " +
                            ir::DTypeName(out.dtype) + " cannot hold",
                     "the padding value is stored in the output type (quantized for int8)");
  }
  const auto fill = static_cast<int64_t>(v);
  for (size_t b = 0; b < esz; ++b) (*elem)[b] = static_cast<uint8_t>(static_cast<uint64_t>(fill) >> (8 * b));
  return Status::Ok();
}

extern const OpDef kPadDef = {ir::OpKind::kPad, "i8, u8, i16, i32, i64, f32, bool", Infer, Eval,
                              nullptr};

}  // namespace ember::ops
