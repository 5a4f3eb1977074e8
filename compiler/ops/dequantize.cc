// dequantize: integer (i8, u8, i16, i32; per-tensor) -> float32.
//
// y = float(double(s) * (x - z)) as TFLite Micro's reference kernel
// (docs/numerics.md, "dequantize"). The product is exact in double, so y is
// the correctly rounded float32 of s * (x - z). For i32 the difference wraps
// like the reference's int32 subtraction.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

bool IsSupportedInput(ir::DType t) {
  return t == ir::DType::kInt8 || t == ir::DType::kUInt8 || t == ir::DType::kInt16 ||
         t == ir::DType::kInt32;
}

Status GetQuant(const ir::Graph& g, const ir::Node& n, float* scale, int32_t* zero_point) {
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], scale, zero_point));
  if (!std::isfinite(*scale)) return NodeError(n, "input scale is not finite");
  return Status::Ok();
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (!IsSupportedInput(in.dtype)) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) +
                            " is not supported; supported: i8, u8, i16, i32");
  }
  float scale = 0;
  int32_t zero_point = 0;
  EMBER_RETURN_IF_ERROR(GetQuant(g, n, &scale, &zero_point));
  return std::vector<TensorType>{{ir::DType::kFloat32, in.shape}};
}

int32_t LoadInt(const uint8_t* base, ir::DType t, int64_t i) {
  switch (t) {
    case ir::DType::kInt8: return reinterpret_cast<const int8_t*>(base)[i];
    case ir::DType::kUInt8: return base[i];
    case ir::DType::kInt16: {
      int16_t v;
      std::memcpy(&v, base + i * 2, 2);
      return v;
    }
    default: {
      int32_t v;
      std::memcpy(&v, base + i * 4, 4);
      return v;
    }
  }
}

Status Eval(const EvalArgs& a) {
  float scale = 0;
  int32_t zero_point = 0;
  EMBER_RETURN_IF_ERROR(GetQuant(a.graph, a.node, &scale, &zero_point));
  const ir::DType t = a.in_tensor(0).dtype;
  const int64_t count = a.in_tensor(0).num_elements();
  float* out = a.out<float>(0);
  for (int64_t i = 0; i < count; ++i) {
    const int32_t diff = WrapSub(LoadInt(a.inputs[0], t, i), zero_point);
    out[i] = static_cast<float>(static_cast<double>(scale) * static_cast<double>(diff));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kDequantizeDef = {ir::OpKind::kDequantize, "i8/u8/i16/i32->f32", Infer, Eval,
                                     nullptr};

}  // namespace ember::ops
