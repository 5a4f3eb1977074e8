// broadcast_to: the input repeated along numpy broadcasting to the attribute
// `shape` (TFLite BROADCAST_TO, ONNX Expand): out[i] = in[j] where j is i
// with every axis the input has as size 1 (or lacks, counted from the
// right) taken as 0. A raw element copy of any type; an int8 output keeps the
// input's quantization (the values are the same).
#include <cstring>
#include <string>
#include <vector>

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
  int64_t count = 0;
  ir::Shape out;
  if (!CheckedNumElements(shape, &count) || !BroadcastShapes(in.shape, shape, &out) || out != shape) {
    return NodeError(n, "cannot broadcast " + ir::ShapeToString(in.shape) + " to " + ir::ShapeToString(shape),
                     "each input dimension must equal the target's or be 1, and the target may not have fewer axes");
  }
  if (in.dtype == ir::DType::kInt8) {
    const ir::Tensor& o = g.tensor(n.outputs[0]);
    if (in.quant && o.quant && in.quant != o.quant) {
      return NodeError(n, "the output's quantization differs from the input's",
                       "broadcast_to copies the stored values: give the output the input's quantization");
    }
  }
  return std::vector<TensorType>{{in.dtype, shape}};
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& in = a.in_tensor(0).shape;
  const ir::Shape& out = a.out_tensor(0).shape;
  const size_t es = ir::DTypeSize(a.in_tensor(0).dtype);
  const uint8_t* x = a.inputs[0];
  uint8_t* y = a.outputs[0];
  const int64_t count = ir::NumElements(out);
  for (int64_t i = 0; i < count; ++i) {
    std::memcpy(y + static_cast<size_t>(i) * es, x + static_cast<size_t>(BroadcastIndex(in, out, i)) * es, es);
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kBroadcastToDef = {ir::OpKind::kBroadcastTo, "i8, u8, i16, i32, i64, f32, bool", Infer, Eval,
                                      nullptr};

}  // namespace ember::ops
