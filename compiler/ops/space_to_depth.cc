// space_to_depth: moves block_size x block_size spatial blocks into channels
// (TFLite SPACE_TO_DEPTH, ONNX SpaceToDepth after the frontend's transposes
// to NHWC); the inverse of depth_to_space in DCR order. No arithmetic.
//
// Input [N, H, W, C] with H and W divisible by block_size; output
// [N, H / b, W / b, C * b^2]. Attribute `block_size` (>= 1). As TFLite
// Micro's reference:
//   out[n][h / b][w / b][((h % b) * b + w % b) * C + c] = in[n][h][w][c]
#include <cstring>
#include <string>

#include "ops/depth_space_util.h"
#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, in));
  int64_t b = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "block_size", 0, &b));
  if (in.shape.size() != 4) {
    return NodeError(n, "has input " + ir::ShapeToString(in.shape) + "; a 4-D NHWC tensor is expected");
  }
  if (b < 1 || b > 65535 || in.shape[1] % b != 0 || in.shape[2] % b != 0) {
    return NodeError(n, "has block_size " + std::to_string(b) + " for input " + ir::ShapeToString(in.shape),
                     "block_size must be at least 1 and divide the height and the width");
  }
  ir::Shape out = {in.shape[0], in.shape[1] / b, in.shape[2] / b, in.shape[3] * b * b};
  int64_t count = 0;
  if (!CheckedNumElements(out, &count)) return NodeError(n, "gives a shape that is too large");
  return std::vector<TensorType>{{in.dtype, out}};
}

Status Eval(const EvalArgs& a) {
  DepthSpaceCopy(a.in_tensor(0).shape, a.node.GetInt("block_size"), false, ir::DTypeSize(a.in_tensor(0).dtype), false,
                 a.inputs[0], a.outputs[0]);
  return Status::Ok();
}

}  // namespace

extern const OpDef kSpaceToDepthDef = {ir::OpKind::kSpaceToDepth, "i8, u8, i16, i32, i64, f32, bool",
                                       Infer, Eval, nullptr};

}  // namespace ember::ops
