// select: out = cond ? x : y elementwise with numpy broadcasting of all three
// operands (TFLite SELECT_V2, ONNX Where). cond is bool; x, y and the output
// share one type (f32, i8, u8, i16, i32, i64, bool). As TFLite Micro's reference
// kernel the stored values are copied: int8 is not requantized (the
// converter gives x, y and the output one quantization).
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 3, 3, 1));
  const ir::Tensor& c = g.tensor(n.inputs[0]);
  const ir::Tensor& x = g.tensor(n.inputs[1]);
  const ir::Tensor& y = g.tensor(n.inputs[2]);
  if (c.dtype != ir::DType::kBool) {
    return NodeError(n, std::string("the condition has type ") + ir::DTypeName(c.dtype) + "; bool is expected");
  }
  if (x.dtype != y.dtype) {
    return NodeError(n, std::string("the two value inputs have different types ") + ir::DTypeName(x.dtype) +
                            " and " + ir::DTypeName(y.dtype));
  }
  ir::Shape xy, shape;
  if (!BroadcastShapes(x.shape, y.shape, &xy) || !BroadcastShapes(c.shape, xy, &shape)) {
    return NodeError(n, "input shapes " + ir::ShapeToString(c.shape) + ", " + ir::ShapeToString(x.shape) + " and " +
                            ir::ShapeToString(y.shape) + " do not broadcast");
  }
  return std::vector<TensorType>{{x.dtype, shape}};
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& so = a.out_tensor(0).shape;
  const size_t w = ir::DTypeSize(a.out_tensor(0).dtype);
  const int64_t count = ir::NumElements(so);
  const uint8_t* c = a.in<uint8_t>(0);
  for (int64_t i = 0; i < count; ++i) {
    const bool take_x = c[BroadcastIndex(a.in_tensor(0).shape, so, i)] != 0;
    const size_t k = take_x ? 1 : 2;
    const int64_t j = BroadcastIndex(a.in_tensor(k).shape, so, i);
    const uint8_t* src = a.in<uint8_t>(k) + static_cast<size_t>(j) * w;
    std::copy(src, src + w, a.out<uint8_t>(0) + static_cast<size_t>(i) * w);
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kSelectDef = {ir::OpKind::kSelect, "bool ? (i8, u8, i16, i32, i64, f32, bool)", Infer, Eval,
                                  nullptr};

}  // namespace ember::ops
