// reshape: same elements, new shape. A raw byte copy (TFLite RESHAPE; the
// quantization parameters of input and output are not compared, as in TFLite).
//
// Attribute `shape` is the fully resolved output shape (the frontend resolves
// -1 and the legacy `[0]`-means-scalar form); `[]` is a scalar.
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
  ir::Shape shape;
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "shape", /*required=*/true, &shape));
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) {
      return NodeError(n, "has shape " + ir::ShapeToString(shape) + " with negative dimension " +
                              std::to_string(d),
                       "the frontend must resolve -1 before building the node");
    }
  }
  int64_t in_count = 0;
  int64_t out_count = 0;
  if (!CheckedNumElements(in.shape, &in_count)) {
    return NodeError(n, "has input shape " + ir::ShapeToString(in.shape) +
                            " whose element count overflows");
  }
  if (!CheckedNumElements(shape, &out_count)) {
    return NodeError(n, "has shape " + ir::ShapeToString(shape) + " whose element count overflows",
                     "the shape attribute is corrupt; re-export the model");
  }
  if (in_count != out_count) {
    return NodeError(n, "cannot reshape " + ir::ShapeToString(in.shape) + " (" +
                            std::to_string(in_count) + " elements) to " +
                            ir::ShapeToString(shape) + " (" + std::to_string(out_count) +
                            " elements)",
                     "the new shape must hold the same number of elements");
  }
  return std::vector<TensorType>{{in.dtype, shape}};
}

Status Eval(const EvalArgs& a) {
  const auto bytes = static_cast<size_t>(a.in_tensor(0).size_bytes());
  if (bytes != 0 && a.outputs[0] != a.inputs[0]) std::memcpy(a.outputs[0], a.inputs[0], bytes);
  return Status::Ok();
}

}  // namespace

extern const OpDef kReshapeDef = {ir::OpKind::kReshape, "i8, u8, i16, i32, i64, f32, bool",
                                  Infer, Eval, nullptr};

}  // namespace ember::ops
