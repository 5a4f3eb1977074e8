// strided_slice: TFLite STRIDED_SLICE (also ONNX Slice after the frontend's
// translation). No arithmetic.
//
// Attributes: `begin`, `end`, `strides` (one entry per input axis),
// `begin_mask`, `end_mask`, `shrink_axis_mask` (bit d refers to axis d; bits
// at or above the rank are ignored, as in TFLite Micro; ellipsis and new-axis
// masks do not exist in the IR). Per axis of size A with stride st != 0, as
// TFLite Micro computes it:
//   start: begin_mask bit -> 0 (st > 0) or A-1 (st < 0); otherwise begin,
//          +A when negative, clamped to [0, A] (st > 0) or [-1, A-1] (st < 0).
//   stop:  shrink bit -> start+1 (start when start >= A); end_mask bit -> A
//          (st > 0) or -1 (st < 0); otherwise end, +A when negative, clamped
//          like start.
//   the axis visits i = start, start+st, ... while i < stop (st > 0) or
//   i > stop (st < 0): max(0, ceil((stop - start) / st)) elements.
// Shrunk axes are dropped from the output shape. A shrunk axis must select
// exactly one element, so a (clamped) index at or past the end or a negative
// stride on a shrunk axis is rejected; TFLite Micro would leave the output
// unwritten there. A negative index below -A clamps to 0, as in TFLite Micro.
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct AxisRange {
  int64_t start = 0;
  int64_t count = 0;  // elements visited
  int64_t stride = 1;
  bool shrink = false;
};

struct SliceAttrs {
  std::vector<int64_t> begin, end, strides;
  int64_t begin_mask = 0, end_mask = 0, shrink_mask = 0;
};

bool Bit(int64_t mask, size_t d) { return d < 63 && ((mask >> d) & 1) != 0; }

int64_t Clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

// TFLite Micro's start/stop rules for one axis (see the file comment).
AxisRange ResolveAxis(const SliceAttrs& s, size_t d, int64_t size) {
  AxisRange r;
  r.stride = s.strides[d];
  r.shrink = Bit(s.shrink_mask, d);
  const bool fwd = r.stride > 0;
  const int64_t lo = fwd ? 0 : -1;
  const int64_t hi = fwd ? size : size - 1;
  int64_t start = s.begin[d];
  if (Bit(s.begin_mask, d)) {
    start = fwd ? 0 : size - 1;
  } else {
    if (start < 0) start += size;
    start = Clamp(start, lo, hi);
  }
  int64_t stop = s.end[d];
  if (r.shrink) {
    stop = start >= size ? start : start + 1;
  } else if (Bit(s.end_mask, d)) {
    stop = fwd ? size : -1;
  } else {
    if (stop < 0) stop += size;
    stop = Clamp(stop, lo, hi);
  }
  // start and stop are in [-1, size], so the span cannot overflow.
  const int64_t span = fwd ? stop - start : start - stop;
  const uint64_t mag = fwd ? static_cast<uint64_t>(r.stride) : 0 - static_cast<uint64_t>(r.stride);
  r.start = start;
  r.count = span <= 0 ? 0 : static_cast<int64_t>((static_cast<uint64_t>(span) - 1) / mag + 1);
  return r;
}

Status ReadAttrs(const ir::Node& n, size_t rank, SliceAttrs* s) {
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "begin", true, &s->begin));
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "end", true, &s->end));
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "strides", true, &s->strides));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "begin_mask", 0, &s->begin_mask));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "end_mask", 0, &s->end_mask));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "shrink_axis_mask", 0, &s->shrink_mask));
  if (s->begin.size() != rank || s->end.size() != rank || s->strides.size() != rank) {
    return NodeError(n, "has begin/end/strides of lengths " + std::to_string(s->begin.size()) +
                            "/" + std::to_string(s->end.size()) + "/" +
                            std::to_string(s->strides.size()) + " for a rank-" +
                            std::to_string(rank) + " input",
                     "give one begin, end and stride per input axis");
  }
  for (int64_t m : {s->begin_mask, s->end_mask, s->shrink_mask}) {
    if (m < INT32_MIN || m > INT32_MAX) {
      return NodeError(n, "has mask " + std::to_string(m) + ", which is not a 32-bit integer");
    }
  }
  for (size_t d = 0; d < rank; ++d) {
    if (s->strides[d] == 0) {
      return NodeError(n, "has stride 0 on axis " + std::to_string(d),
                       "strides must be non-zero");
    }
  }
  return Status::Ok();
}

// Resolves every axis; fails when a shrunk axis does not select one element.
Expected<std::vector<AxisRange>> Resolve(const ir::Graph& g, const ir::Node& n) {
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  SliceAttrs s;
  EMBER_RETURN_IF_ERROR(ReadAttrs(n, in.shape.size(), &s));
  std::vector<AxisRange> axes;
  for (size_t d = 0; d < in.shape.size(); ++d) {
    AxisRange r = ResolveAxis(s, d, in.shape[d]);
    if (r.shrink && r.count != 1) {
      return NodeError(n, "shrinks axis " + std::to_string(d) + " (size " +
                              std::to_string(in.shape[d]) + ") at begin " +
                              std::to_string(s.begin[d]) + " with stride " +
                              std::to_string(s.strides[d]) + ", which selects no element",
                       "a shrunk axis needs an index below the axis size and a positive stride");
    }
    axes.push_back(r);
  }
  return axes;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, g.tensor(n.inputs[0])));
  EMBER_ASSIGN_OR_RETURN(std::vector<AxisRange> axes, Resolve(g, n));
  ir::Shape out;
  for (const AxisRange& r : axes)
    if (!r.shrink) out.push_back(r.count);
  return std::vector<TensorType>{{g.tensor(n.inputs[0]).dtype, out}};
}

// One strided copy over the visited counts (shrunk axes visit one element);
// the output is written contiguously.
Status Eval(const EvalArgs& a) {
  const ir::Tensor& in = a.in_tensor(0);
  EMBER_ASSIGN_OR_RETURN(std::vector<AxisRange> axes, Resolve(a.graph, a.node));
  const std::vector<int64_t> in_strides = RowMajorStrides(in.shape);
  StridedCopy c;
  for (const AxisRange& r : axes) {
    if (r.count == 0) return Status::Ok();  // empty output
    c.shape.push_back(r.count);
  }
  c.dst_step = RowMajorStrides(c.shape);
  for (size_t d = 0; d < axes.size(); ++d) {
    // Here every start is a valid index, and the step of an axis visited more
    // than once is bounded by the input size.
    c.src_base += axes[d].start * in_strides[d];
    c.src_step.push_back(axes[d].count > 1 ? axes[d].stride * in_strides[d] : 0);
  }
  RunStridedCopy(c, ir::DTypeSize(in.dtype), a.inputs[0], a.outputs[0]);
  return Status::Ok();
}

}  // namespace

extern const OpDef kStridedSliceDef = {ir::OpKind::kStridedSlice,
                                       "i8, u8, i16, i32, i64, f32, bool", Infer, Eval, nullptr};

}  // namespace ember::ops
