// reduce_prod: product over `axes` (non-negative, ascending, unique; may be
// empty), keeping them as size-1 axes when `keep_dims` = 1. TFLite
// REDUCE_PROD, ONNX ReduceProd.
//
// As TFLite's reference reducer: each output starts at 1 and takes
// cur * in over its inputs in row-major input order (float32: rounded at
// each step; int32: wrapping). int8 is not supported (TFLite's quantized
// product needs its own requantization); the frontends keep it float.
#include <algorithm>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt32 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i32, f32",
                     "dequantize an int8 input: ember computes the product in float32");
  }
  EMBER_ASSIGN_OR_RETURN(const Reduction r, GetReductionAttrs(g, n));
  return std::vector<TensorType>{{in.dtype, r.out_shape}};
}

template <typename T, typename Mul>
void Reduce(const EvalArgs& a, const std::vector<int64_t>& map, size_t outputs, Mul mul) {
  T* out = a.out<T>(0);
  std::fill(out, out + outputs, T{1});
  const T* x = a.in<T>(0);
  for (size_t i = 0; i < map.size(); ++i) {
    T& cur = out[static_cast<size_t>(map[i])];
    cur = mul(cur, x[i]);
  }
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const Reduction r, GetReductionAttrs(a.graph, a.node));
  const std::vector<int64_t> map = ReductionOutputIndexMap(a.in_tensor(0).shape, r);
  const size_t outputs = static_cast<size_t>(ir::NumElements(r.out_shape));
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    Reduce<float>(a, map, outputs, [](float c, float v) { return c * v; });
  } else {
    Reduce<int32_t>(a, map, outputs, [](int32_t c, int32_t v) { return WrapMul(c, v); });
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kReduceProdDef = {ir::OpKind::kReduceProd, "i32, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
