// squeeze: drops size-1 axes. A raw byte copy (TFLite SQUEEZE).
//
// Attribute `axes` lists the axes to drop (non-negative, unique); empty or
// absent drops every size-1 axis. Dropping an axis whose size is not 1 is an
// error, as in TFLite.
#include <cstring>
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, in));
  const auto rank = static_cast<int64_t>(in.shape.size());
  std::vector<int64_t> axes;
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "axes", /*required=*/false, &axes));
  std::vector<bool> drop(in.shape.size(), false);
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= rank) {
      return NodeError(n, "squeezes axis " + std::to_string(axis) + " of a rank-" +
                              std::to_string(rank) + " input",
                       "axes must be in [0, rank); the frontend normalizes negative axes");
    }
    const auto d = static_cast<size_t>(axis);
    if (drop[d]) return NodeError(n, "lists axis " + std::to_string(axis) + " twice");
    if (in.shape[d] != 1) {
      return NodeError(n, "cannot squeeze axis " + std::to_string(axis) + " of size " +
                              std::to_string(in.shape[d]) + " in input " +
                              ir::ShapeToString(in.shape),
                       "only size-1 axes can be squeezed");
    }
    drop[d] = true;
  }
  ir::Shape out;
  for (size_t d = 0; d < in.shape.size(); ++d) {
    const bool dropped = axes.empty() ? in.shape[d] == 1 : drop[d];
    if (!dropped) out.push_back(in.shape[d]);
  }
  return std::vector<TensorType>{{in.dtype, out}};
}

Status Eval(const EvalArgs& a) {
  const auto bytes = static_cast<size_t>(a.in_tensor(0).size_bytes());
  if (bytes != 0 && a.outputs[0] != a.inputs[0]) std::memcpy(a.outputs[0], a.inputs[0], bytes);
  return Status::Ok();
}

}  // namespace

extern const OpDef kSqueezeDef = {ir::OpKind::kSqueeze, "i8, u8, i16, i32, i64, f32, bool",
                                  Infer, Eval, nullptr};

}  // namespace ember::ops
