// depth_to_space: moves channels into block_size x block_size spatial blocks
// (TFLite DEPTH_TO_SPACE, ONNX DepthToSpace after the frontend's transposes to
// NHWC). No arithmetic: bytes are copied unchanged.
//
// Input [N, H, W, C] with C divisible by block_size^2; output
// [N, H * b, W * b, C / b^2]. Attributes `block_size` (>= 1), `mode`: "DCR"
// (default; TFLite's only order and ONNX's default) or "CRD" (ONNX). As TFLite
// Micro's reference for DCR:
//   out[n][h][w][c] = in[n][h / b][w / b][((h % b) * b + w % b) * C_out + c]
// and for CRD the input channel is c * b^2 + (h % b) * b + w % b.
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
  const std::string mode = n.GetString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") return NodeError(n, "has mode '" + mode + "'", "mode is DCR or CRD");
  if (in.shape.size() != 4) {
    return NodeError(n, "has input " + ir::ShapeToString(in.shape) + "; a 4-D NHWC tensor is expected");
  }
  if (b < 1 || b > 65535 || in.shape[3] % (b * b) != 0) {
    return NodeError(n, "has block_size " + std::to_string(b) + " for input " + ir::ShapeToString(in.shape),
                     "block_size must be at least 1 and its square must divide the channels");
  }
  ir::Shape out = {in.shape[0], in.shape[1] * b, in.shape[2] * b, in.shape[3] / (b * b)};
  int64_t count = 0;
  if (!CheckedNumElements(out, &count)) return NodeError(n, "gives a shape that is too large");
  return std::vector<TensorType>{{in.dtype, out}};
}

Status Eval(const EvalArgs& a) {
  DepthSpaceCopy(a.out_tensor(0).shape, a.node.GetInt("block_size"), a.node.GetString("mode", "DCR") == "CRD", ir::DTypeSize(a.in_tensor(0).dtype), true,
                 a.inputs[0], a.outputs[0]);
  return Status::Ok();
}

}  // namespace

extern const OpDef kDepthToSpaceDef = {ir::OpKind::kDepthToSpace, "i8, u8, i16, i32, i64, f32, bool",
                                       Infer, Eval, nullptr};

}  // namespace ember::ops
