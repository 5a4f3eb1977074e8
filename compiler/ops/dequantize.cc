// dequantize: integer (i8, u8, i16, i32; per tensor, or per axis with one
// scale and zero point per index of the quantized axis, as ONNX's
// DequantizeLinear of per-channel weights) -> float32.
//
// y = float(double(s) * (x - z)) as TFLite Micro's reference kernel
// (docs/numerics.md, "dequantize"). The product is exact in double, so y is
// the correctly rounded float32 of s * (x - z). For i32 the difference wraps
// like the reference's int32 subtraction.
#include <algorithm>
#include <climits>
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

// Scale and zero point per index of the quantized axis (one of each when
// per tensor), and the number of elements per axis index step (`inner`).
struct AxisQuant {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int64_t inner = 1;
};

Expected<AxisQuant> GetQuant(const ir::Graph& g, const ir::Node& n) {
  const ir::Tensor& t = g.tensor(n.inputs[0]);
  AxisQuant q;
  if (t.quant && t.quant->per_axis()) {
    const ir::QuantParams& p = *t.quant;
    if (p.axis < 0 || static_cast<size_t>(p.axis) >= t.shape.size() ||
        t.shape[static_cast<size_t>(p.axis)] != static_cast<int64_t>(p.scale.size()) ||
        p.zero_point.size() != p.scale.size()) {
      return NodeError(n, "tensor '" + t.name + "' has " + std::to_string(p.scale.size()) +
                              " scales for axis " + std::to_string(p.axis) + " of shape " + ir::ShapeToString(t.shape));
    }
    for (size_t k = static_cast<size_t>(p.axis) + 1; k < t.shape.size(); ++k) q.inner *= t.shape[k];
    q.scale = p.scale;
    for (int64_t z : p.zero_point) {
      if (z < INT32_MIN || z > INT32_MAX) return NodeError(n, "tensor '" + t.name + "' has a zero point out of range");
      q.zero_point.push_back(static_cast<int32_t>(z));
    }
  } else {
    float scale = 0;
    int32_t zero_point = 0;
    EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &scale, &zero_point));
    q.scale = {scale};
    q.zero_point = {zero_point};
    q.inner = std::max<int64_t>(t.num_elements(), 1);
  }
  for (float s : q.scale) {
    if (!std::isfinite(s)) return NodeError(n, "input scale is not finite");
  }
  return q;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (!IsSupportedInput(in.dtype)) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) +
                            " is not supported; supported: i8, u8, i16, i32");
  }
  EMBER_RETURN_IF_ERROR(GetQuant(g, n).status());
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
  EMBER_ASSIGN_OR_RETURN(const AxisQuant q, GetQuant(a.graph, a.node));
  const ir::DType t = a.in_tensor(0).dtype;
  const int64_t count = a.in_tensor(0).num_elements();
  const int64_t channels = static_cast<int64_t>(q.scale.size());
  float* out = a.out<float>(0);
  for (int64_t i = 0; i < count; ++i) {
    const size_t c = static_cast<size_t>((i / q.inner) % channels);
    const int32_t diff = WrapSub(LoadInt(a.inputs[0], t, i), q.zero_point[c]);
    out[i] = static_cast<float>(static_cast<double>(q.scale[c]) * static_cast<double>(diff));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kDequantizeDef = {ir::OpKind::kDequantize, "i8/u8/i16/i32->f32", Infer, Eval,
                                     nullptr};

}  // namespace ember::ops
