// split: cuts the input along one axis into consecutive pieces, one per
// output (TFLite SPLIT and SPLIT_V, ONNX Split; UNPACK is a split into pieces
// of size 1 followed by reshapes). No arithmetic: every output element is an
// input element, bytes unchanged, so any dtype works and quantized outputs
// keep the input's values (TFLite Micro does not requantize).
//
// Attributes: `axis` (non-negative, below the rank), `sizes` (one
// non-negative size per output, summing to the input's size along `axis`).
// Output k has the input's shape with sizes[k] along `axis`.
//
// Eval, as TFLite Micro's SplitImpl: for each outer index (product of the
// dims before `axis`), each output in turn receives its next
// sizes[k] * inner contiguous input elements.
#include <cstring>
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  std::vector<int64_t> sizes;
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "sizes", /*required=*/true, &sizes));
  if (sizes.empty()) return NodeError(n, "has no outputs", "give one size per output in `sizes`");
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, sizes.size()));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, in));
  int64_t axis = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "axis", -1, &axis));
  const auto rank = static_cast<int64_t>(in.shape.size());
  if (axis < 0 || axis >= rank) {
    return NodeError(n, "splits axis " + std::to_string(axis) + " of a rank-" +
                            std::to_string(rank) + " input",
                     "axis must be in [0, rank); the frontend normalizes negative axes");
  }
  int64_t sum = 0;
  for (int64_t s : sizes) {
    if (s < 0 || !CheckedDimAdd(sum, s, &sum)) {
      return NodeError(n, "has sizes " + ir::ShapeToString(sizes) + "; sizes must be non-negative");
    }
  }
  const int64_t dim = in.shape[static_cast<size_t>(axis)];
  if (sum != dim) {
    return NodeError(n, "has sizes " + ir::ShapeToString(sizes) + " summing to " +
                            std::to_string(sum) + ", but axis " + std::to_string(axis) +
                            " of input " + ir::ShapeToString(in.shape) + " has size " +
                            std::to_string(dim));
  }
  std::vector<TensorType> out;
  for (int64_t s : sizes) {
    ir::Shape shape = in.shape;
    shape[static_cast<size_t>(axis)] = s;
    out.push_back({in.dtype, shape});
  }
  return out;
}

Status Eval(const EvalArgs& a) {
  const ir::Tensor& in = a.in_tensor(0);
  const std::vector<int64_t> sizes = a.node.GetInts("sizes");
  const auto axis = static_cast<size_t>(a.node.GetInt("axis"));
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= in.shape[d];
  for (size_t d = axis + 1; d < in.shape.size(); ++d) inner *= in.shape[d];
  const auto esz = static_cast<int64_t>(ir::DTypeSize(in.dtype));
  const uint8_t* src = a.inputs[0];
  for (int64_t k = 0; k < outer; ++k) {
    for (size_t i = 0; i < sizes.size(); ++i) {
      const int64_t bytes = sizes[i] * inner * esz;
      if (bytes > 0) std::memcpy(a.outputs[i] + k * bytes, src, static_cast<size_t>(bytes));
      src += bytes;
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kSplitDef = {ir::OpKind::kSplit, "i8, u8, i16, i32, i64, f32, bool", Infer, Eval,
                                nullptr};

}  // namespace ember::ops
