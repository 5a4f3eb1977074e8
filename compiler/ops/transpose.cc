// transpose: permutes axes (TFLite TRANSPOSE, ONNX Transpose). No arithmetic.
//
// Attribute `perm` is a permutation of [0, rank). out.shape[k] =
// in.shape[perm[k]], and output element (i_0, ..., i_{n-1}) is the input
// element whose coordinate along input axis perm[k] is i_k, for every k.
// TFLite Micro accepts rank <= 5; we accept rank <= 6.
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

constexpr size_t kMaxRank = 6;

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, in));
  std::vector<int64_t> perm;
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "perm", /*required=*/true, &perm));
  const size_t rank = in.shape.size();
  if (rank > kMaxRank) {
    return NodeError(n, "has a rank-" + std::to_string(rank) + " input " +
                            ir::ShapeToString(in.shape) + ", above the supported rank 6",
                     "reshape to fold adjacent axes that keep their order");
  }
  if (perm.size() != rank) {
    return NodeError(n, "has perm " + ir::ShapeToString(perm) + " of length " +
                            std::to_string(perm.size()) + " for a rank-" + std::to_string(rank) +
                            " input",
                     "perm must list every input axis exactly once");
  }
  std::vector<bool> seen(rank, false);
  ir::Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t p = perm[k];
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)]) {
      return NodeError(n, "has perm " + ir::ShapeToString(perm) +
                              ", which is not a permutation of [0, " + std::to_string(rank) + ")",
                       "perm must list every input axis exactly once");
    }
    seen[static_cast<size_t>(p)] = true;
    out[k] = in.shape[static_cast<size_t>(p)];
  }
  return std::vector<TensorType>{{in.dtype, out}};
}

// Walks the output in row-major order; the input step of output axis k is the
// input stride of axis perm[k].
Status Eval(const EvalArgs& a) {
  const ir::Tensor& in = a.in_tensor(0);
  const std::vector<int64_t> perm = a.node.GetInts("perm");
  const std::vector<int64_t> in_strides = RowMajorStrides(in.shape);
  StridedCopy c;
  c.shape = a.out_tensor(0).shape;
  c.dst_step = RowMajorStrides(c.shape);
  for (int64_t p : perm) c.src_step.push_back(in_strides[static_cast<size_t>(p)]);
  RunStridedCopy(c, ir::DTypeSize(in.dtype), a.inputs[0], a.outputs[0]);
  return Status::Ok();
}

}  // namespace

extern const OpDef kTransposeDef = {ir::OpKind::kTranspose, "i8, u8, i16, i32, i64, f32, bool",
                                    Infer, Eval, nullptr};

}  // namespace ember::ops
