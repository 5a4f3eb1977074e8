// l2_normalization: each vector along the last axis divided by its L2 norm
// (TFLite L2_NORMALIZATION), as TFLite Micro's reference kernels:
// float32: s = sum of x*x in float from 0.0f in axis order, n = sqrtf(s),
//   n = max(n, 1e-6f) (a NaN norm stays NaN), out = x / n;
// int8: acc = sum (x - z_in)^2 in wrapping int32, (M, s) =
//   InvSqrtQuantizedMultiplier(acc) (TFLite's GetInvSqrtQuantizedMultiplierExp),
//   out = clamp(Mbqm(x - z_in, M, s + 7), -128, 127): the output is in units
//   of 1/128 with zero point 0 whatever the output tensor's quantization
//   says (the converter writes scale 1/128, zero point 0).
// TFLite Micro accepts inputs of rank at most 4 and no fused activation.
#include <algorithm>
#include <cmath>
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
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i8, f32");
  }
  if (in.shape.empty() || in.shape.size() > 4) {
    return NodeError(n, "input shape " + ir::ShapeToString(in.shape) + " is not of rank 1 to 4");
  }
  if (in.dtype == ir::DType::kInt8) {
    float s = 0;
    int32_t z = 0;
    EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &s, &z));
  }
  return std::vector<TensorType>{{in.dtype, in.shape}};
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& shape = a.in_tensor(0).shape;
  const int64_t depth = shape.back();
  const int64_t rows = depth == 0 ? 0 : ir::NumElements(shape) / depth;
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    const float* x = a.in<float>(0);
    float* out = a.out<float>(0);
    for (int64_t r = 0; r < rows; ++r) {
      const float* v = x + r * depth;
      float sum = 0.0f;
      for (int64_t c = 0; c < depth; ++c) sum += v[c] * v[c];
      float norm = std::sqrt(sum);
      norm = norm < 1e-6f ? 1e-6f : norm;
      for (int64_t c = 0; c < depth; ++c) out[r * depth + c] = v[c] / norm;
    }
    return Status::Ok();
  }
  const int32_t z = a.in_tensor(0).quant->zero_point[0];
  const int8_t* x = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  for (int64_t r = 0; r < rows; ++r) {
    const int8_t* v = x + r * depth;
    int32_t acc = 0;
    for (int64_t c = 0; c < depth; ++c) acc = WrapAdd(acc, (v[c] - z) * (v[c] - z));
    const QuantizedMultiplier m = InvSqrtQuantizedMultiplier(acc);
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t o = Mbqm(v[c] - z, m.multiplier, m.shift + 7);
      out[r * depth + c] = static_cast<int8_t>(std::min(std::max(o, -128), 127));
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kL2NormalizationDef = {ir::OpKind::kL2Normalization, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
