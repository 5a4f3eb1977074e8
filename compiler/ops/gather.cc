// gather: picks slices of the input along one axis by index (TFLite GATHER,
// ONNX Gather). No arithmetic: bytes are copied unchanged, so any dtype works
// and a quantized output keeps the input's values.
//
// Operands: params (any dtype), indices (int32; constant or computed at run
// time). Attributes: `axis` (non-negative, below the params rank),
// `batch_dims` (default 0; non-negative, at most `axis` and the indices rank;
// the first batch_dims dimensions of params and indices must agree).
// Output shape, as TFLite Micro's GatherPrepare:
//   params[:axis] + indices[batch_dims:] + params[axis+1:].
// Eval, as TFLite Micro's Gather: for batch b, outer o (the params axes from
// batch_dims to axis) and index position c,
//   out[b][o][c][...] = params[b][o][indices[b][c]][...].
// Every index must lie in [-size, size), size = params.shape[axis]; a
// negative one counts from the end (ONNX Gather; TFLite Micro has none):
// constant indices are checked by Infer, run-time ones by Eval, which refuses
// the node with a diagnostic (TFLite Micro only DCHECKs them). The generated
// C maps a negative run-time index the same way and clamps what is still
// outside [0, size) into it (docs/numerics.md, "gather").
#include <cstring>
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct GatherDims {
  int64_t batch = 1, outer = 1, axis_size = 0, coords = 1, inner = 1;
};

GatherDims Dims(const ir::Graph& g, const ir::Node& n) {
  const ir::Shape& p = g.tensor(n.inputs[0]).shape;
  const ir::Shape& idx = g.tensor(n.inputs[1]).shape;
  const auto axis = static_cast<size_t>(n.GetInt("axis"));
  const auto bd = static_cast<size_t>(n.GetInt("batch_dims", 0));
  GatherDims d;
  for (size_t i = 0; i < bd; ++i) d.batch *= p[i];
  for (size_t i = bd; i < axis; ++i) d.outer *= p[i];
  d.axis_size = p[axis];
  for (size_t i = bd; i < idx.size(); ++i) d.coords *= idx[i];
  for (size_t i = axis + 1; i < p.size(); ++i) d.inner *= p[i];
  return d;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  const ir::Tensor& p = g.tensor(n.inputs[0]);
  const ir::Tensor& idx = g.tensor(n.inputs[1]);
  EMBER_RETURN_IF_ERROR(CheckGatherOperands(n, p, idx));
  int64_t axis = 0, bd = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "axis", -1, &axis));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "batch_dims", 0, &bd));
  const auto rank = static_cast<int64_t>(p.shape.size());
  const auto irank = static_cast<int64_t>(idx.shape.size());
  if (axis < 0 || axis >= rank) {
    return NodeError(n, "gathers along axis " + std::to_string(axis) + " of a rank-" +
                            std::to_string(rank) + " input",
                     "axis must be in [0, rank); the frontend normalizes negative axes");
  }
  if (bd < 0 || bd > axis || bd > irank) {
    return NodeError(n, "has batch_dims " + std::to_string(bd) + " for axis " +
                            std::to_string(axis) + " and rank-" + std::to_string(irank) +
                            " indices",
                     "batch_dims must be in [0, min(axis, indices rank)]");
  }
  for (size_t i = 0; i < static_cast<size_t>(bd); ++i) {
    if (p.shape[i] != idx.shape[i]) {
      return NodeError(n, "has params " + ir::ShapeToString(p.shape) + " and indices " +
                              ir::ShapeToString(idx.shape) + " that differ in batch dimension " +
                              std::to_string(i));
    }
  }
  ir::Shape out(p.shape.begin(), p.shape.begin() + axis);
  out.insert(out.end(), idx.shape.begin() + bd, idx.shape.end());
  out.insert(out.end(), p.shape.begin() + axis + 1, p.shape.end());
  int64_t count = 0;
  if (!CheckedNumElements(out, &count)) {
    return NodeError(n, "gathers to a shape " + ir::ShapeToString(out) + " that is too large");
  }
  if (idx.is_const()) {
    const int64_t dim = p.shape[static_cast<size_t>(axis)];
    const auto* v = reinterpret_cast<const int32_t*>(idx.data->data());
    EMBER_RETURN_IF_ERROR(CheckGatherIndices(n, v, idx.num_elements(), dim));
  }
  return std::vector<TensorType>{{p.dtype, out}};
}

Status Eval(const EvalArgs& a) {
  const GatherDims d = Dims(a.graph, a.node);
  const int32_t* idx = a.in<int32_t>(1);
  EMBER_RETURN_IF_ERROR(CheckGatherIndices(a.node, idx, d.batch * d.coords, d.axis_size));
  const auto esz = static_cast<int64_t>(ir::DTypeSize(a.in_tensor(0).dtype));
  const int64_t slab = d.inner * esz;
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t o = 0; o < d.outer; ++o) {
      for (int64_t c = 0; c < d.coords; ++c) {
        const int64_t dst = ((b * d.outer + o) * d.coords + c) * slab;
        const int64_t j = idx[b * d.coords + c] < 0 ? idx[b * d.coords + c] + d.axis_size : idx[b * d.coords + c];
        const int64_t src = ((b * d.outer + o) * d.axis_size + j) * slab;
        if (slab > 0) std::memcpy(a.outputs[0] + dst, a.inputs[0] + src, static_cast<size_t>(slab));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kGatherDef = {ir::OpKind::kGather, "i8, u8, i16, i32, i64, f32, bool", Infer,
                                 Eval, nullptr};

}  // namespace ember::ops
