// gather_elements: picks one element per index along an axis (ONNX
// GatherElements, PyTorch's torch.gather). No arithmetic: bytes are copied
// unchanged, so any dtype works and a quantized output keeps the input's
// values.
//
// Operands: params (any dtype), indices (int32, constant or computed at run
// time) of the same rank, each dimension other than `axis` at most params'.
// Attribute `axis` (non-negative, below the rank). Output shape: the
// indices' shape;
//   out[i0..., ia, ...] = params[i0..., indices[i0..., ia, ...], ...].
// Every index must lie in [-size, size), size = params.shape[axis]; a
// negative one counts from the end. Constant indices are checked by Infer,
// run-time ones by Eval, which refuses the node with a diagnostic; the
// generated C maps a negative index the same way and clamps what is still
// outside the axis into it.
#include <cstring>
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  const ir::Tensor& p = g.tensor(n.inputs[0]);
  const ir::Tensor& idx = g.tensor(n.inputs[1]);
  EMBER_RETURN_IF_ERROR(CheckGatherOperands(n, p, idx));
  int64_t axis = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "axis", -1, &axis));
  const auto rank = static_cast<int64_t>(p.shape.size());
  if (axis < 0 || axis >= rank) {
    return NodeError(n, "gathers along axis " + std::to_string(axis) + " of a rank-" + std::to_string(rank) + " input",
                     "axis must be in [0, rank); the frontend normalizes negative axes");
  }
  bool fits = idx.shape.size() == p.shape.size();
  for (size_t d = 0; fits && d < p.shape.size(); ++d) {
    fits = static_cast<int64_t>(d) == axis || idx.shape[d] <= p.shape[d];
  }
  if (!fits) {
    return NodeError(n, "has indices " + ir::ShapeToString(idx.shape) + " for params " + ir::ShapeToString(p.shape),
                     "the indices have the params' rank and, off the axis, no larger dimensions");
  }
  if (idx.is_const()) {
    const int64_t dim = p.shape[static_cast<size_t>(axis)];
    const auto* v = reinterpret_cast<const int32_t*>(idx.data->data());
    EMBER_RETURN_IF_ERROR(CheckGatherIndices(n, v, idx.num_elements(), dim));
  }
  return std::vector<TensorType>{{p.dtype, idx.shape}};
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& ps = a.in_tensor(0).shape;
  const ir::Shape& is = a.in_tensor(1).shape;
  const auto axis = static_cast<size_t>(a.node.GetInt("axis"));
  const int64_t size = ps[axis], count = ir::NumElements(is);
  const int32_t* idx = a.in<int32_t>(1);
  EMBER_RETURN_IF_ERROR(CheckGatherIndices(a.node, idx, count, size));
  const std::vector<int64_t> pstride = RowMajorStrides(ps);
  const auto esz = static_cast<int64_t>(ir::DTypeSize(a.in_tensor(0).dtype));
  std::vector<int64_t> coord(is.size(), 0);
  for (int64_t o = 0; o < count; ++o) {
    int64_t src = 0;
    for (size_t d = 0; d < is.size(); ++d) {
      const int64_t c = d == axis ? (idx[o] < 0 ? idx[o] + size : idx[o]) : coord[d];
      src += c * pstride[d];
    }
    std::memcpy(a.outputs[0] + o * esz, a.inputs[0] + src * esz, static_cast<size_t>(esz));
    for (size_t d = is.size(); d-- > 0;) {  // next coordinate, row-major
      if (++coord[d] < is[d]) break;
      coord[d] = 0;
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kGatherElementsDef = {ir::OpKind::kGatherElements, "i8, u8, i16, i32, i64, f32, bool", Infer, Eval,
                                         nullptr};

}  // namespace ember::ops
