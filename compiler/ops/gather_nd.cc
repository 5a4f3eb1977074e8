// gather_nd: picks slices of the input by index tuples (TFLite GATHER_ND,
// ONNX GatherND). No arithmetic: bytes are copied unchanged, so any dtype
// works and a quantized output keeps the input's values.
//
// Operands: params (any dtype), indices (int32, constant or computed at run
// time) of shape [..., K]. Attribute `batch_dims` b (default 0): the first b
// dimensions of params and indices agree and are matched one to one (ONNX;
// TFLite has none). 1 <= K <= rank(params) - b. Output shape:
//   indices.shape[:-1] + params.shape[b + K:],
// out[i..., :] = params[batch, indices[i..., 0], ..., indices[i..., K-1], :].
// Every index must lie in [-size, size) of its axis; a negative one counts
// from the end (ONNX; TFLite Micro refuses it). Constant indices are checked
// by Infer, run-time ones by Eval, which refuses the node with a diagnostic
// (TFLite Micro stops with an error); the generated C maps a negative index
// the same way and clamps what is still outside its axis into it.
#include <algorithm>
#include <cstring>
#include <string>

#include "ops/conv_util.h"
#include "ops/gather_nd_util.h"
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
  const auto rank = static_cast<int64_t>(p.shape.size());
  const auto irank = static_cast<int64_t>(idx.shape.size());
  int64_t bd = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "batch_dims", 0, std::max<int64_t>(irank - 1, 0), false, 0, &bd));
  const int64_t depth = irank == 0 ? 0 : idx.shape.back();
  if (irank == 0 || depth < 1 || depth > rank - bd) {
    return NodeError(n, "has indices " + ir::ShapeToString(idx.shape) + " for params " + ir::ShapeToString(p.shape) +
                            " and batch_dims " + std::to_string(bd),
                     "the last indices dimension K must satisfy 1 <= K <= params rank - batch_dims");
  }
  for (size_t i = 0; i < static_cast<size_t>(bd); ++i) {
    if (p.shape[i] != idx.shape[i]) {
      return NodeError(n, "has params " + ir::ShapeToString(p.shape) + " and indices " + ir::ShapeToString(idx.shape) +
                              " that differ in batch dimension " + std::to_string(i));
    }
  }
  ir::Shape out(idx.shape.begin(), idx.shape.end() - 1);
  out.insert(out.end(), p.shape.begin() + bd + depth, p.shape.end());
  int64_t count = 0;
  if (!CheckedNumElements(out, &count)) {
    return NodeError(n, "gathers to a shape " + ir::ShapeToString(out) + " that is too large");
  }
  if (idx.is_const()) {
    const GatherNdDims d = GetGatherNdDims(g, n);
    const auto* v = reinterpret_cast<const int32_t*>(idx.data->data());
    const auto bad = FirstBadTuple(d, v);
    if (bad.first >= 0) return BadTuple(n, d, v, bad);
  }
  return std::vector<TensorType>{{p.dtype, out}};
}

Status Eval(const EvalArgs& a) {
  const GatherNdDims d = GetGatherNdDims(a.graph, a.node);
  const int32_t* idx = a.in<int32_t>(1);
  const auto bad = FirstBadTuple(d, idx);
  if (bad.first >= 0) return BadTuple(a.node, d, idx, bad);
  const auto esz = static_cast<int64_t>(ir::DTypeSize(a.in_tensor(0).dtype));
  const int64_t slab = d.slice * esz;
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t t = 0; t < d.tuples; ++t) {
      const int64_t row = TupleRow(d, idx, b * d.tuples + t);
      const int64_t src = (b * d.rows + row) * slab, dst = (b * d.tuples + t) * slab;
      if (slab > 0) std::memcpy(a.outputs[0] + dst, a.inputs[0] + src, static_cast<size_t>(slab));
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kGatherNdDef = {ir::OpKind::kGatherNd, "i8, u8, i16, i32, i64, f32, bool", Infer, Eval, nullptr};

}  // namespace ember::ops
