// concatenation: joins inputs along one axis (TFLite CONCATENATION, ONNX Concat).
//
// Operands: one or more inputs of equal dtype and rank whose dimensions agree
// except along `axis` (non-negative, < rank). Attribute `act` (fused
// activation) may only be set for f32, where it clamps like other float ops;
// TFLite Micro rejects it for every other type. Quantized inputs (i8, u8,
// i16) must carry exactly the output's quantization parameters: the kernel
// is a byte copy and TFLite Micro rejects int8 inputs with other parameters.
//
// Eval: for each outer index (product of the dims before `axis`), append each
// input's slab (its dims from `axis` on) in input order.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

bool IsQuantizedType(ir::DType t) {
  return t == ir::DType::kInt8 || t == ir::DType::kUInt8 || t == ir::DType::kInt16;
}

std::string QuantToString(const std::optional<ir::QuantParams>& q) {
  if (!q) return "none";
  std::string s;
  for (size_t i = 0; i < q->scale.size() && i < q->zero_point.size(); ++i) {
    if (i) s += ", ";
    s += "scale " + std::to_string(q->scale[i]) + " zero point " + std::to_string(q->zero_point[i]);
  }
  return s;
}

// Activation and quantization rules (see the file comment).
Status CheckTypes(const ir::Graph& g, const ir::Node& n, ir::DType dtype, Activation* act) {
  EMBER_RETURN_IF_ERROR(GetActivationAttr(n, act));
  if (*act != Activation::kNone && dtype != ir::DType::kFloat32) {
    return NodeError(n, "has fused activation '" + DescribeActivation(*act) + "' on " + ir::DTypeName(dtype) +
                            " data, which TFLite Micro does not support",
                     "apply the activation as a separate operator");
  }
  if (!IsQuantizedType(dtype)) return Status::Ok();
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ir::Tensor& t = g.tensor(n.inputs[i]);
    if (t.quant != out.quant) {
      return NodeError(n, "input " + std::to_string(i) + " '" + t.name + "' has quantization " +
                              QuantToString(t.quant) + " but the output has " +
                              QuantToString(out.quant),
                       "quantized concatenation needs every input quantized exactly like the "
                       "output; insert a requantizing quantize op");
    }
  }
  return Status::Ok();
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  const size_t num_in = std::max<size_t>(n.inputs.size(), 1);
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, num_in, num_in, 1));
  const ir::Tensor& first = g.tensor(n.inputs[0]);
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, first));
  const size_t rank = first.shape.size();
  int64_t axis = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "axis", 0, &axis));
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) {
    return NodeError(n, "has axis " + std::to_string(axis) + " for rank-" +
                            std::to_string(rank) + " inputs",
                     "axis must be in [0, rank); the frontend normalizes negative axes");
  }
  const auto ax = static_cast<size_t>(axis);
  ir::Shape out = first.shape;
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    const ir::Tensor& t = g.tensor(n.inputs[i]);
    EMBER_RETURN_IF_ERROR(CheckTensorSize(n, t));
    if (t.dtype != first.dtype) {
      return NodeError(n, "input " + std::to_string(i) + " is " + ir::DTypeName(t.dtype) +
                              " but input 0 is " + ir::DTypeName(first.dtype));
    }
    bool same = t.shape.size() == rank;
    for (size_t d = 0; same && d < rank; ++d) same = d == ax || t.shape[d] == first.shape[d];
    if (!same) {
      return NodeError(n, "input " + std::to_string(i) + " has shape " +
                              ir::ShapeToString(t.shape) + ", incompatible with input 0 " +
                              ir::ShapeToString(first.shape) + " along axis " +
                              std::to_string(axis),
                       "all dimensions but the concatenation axis must be equal");
    }
    if (!CheckedDimAdd(out[ax], t.shape[ax], &out[ax])) {
      return NodeError(n, "concatenates to an axis that is too large");
    }
  }
  int64_t count = 0;
  if (!CheckedNumElements(out, &count)) {
    return NodeError(n, "concatenates to a shape " + ir::ShapeToString(out) + " that is too large");
  }
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(CheckTypes(g, n, first.dtype, &act));
  return std::vector<TensorType>{{first.dtype, out}};
}

Status Eval(const EvalArgs& a) {
  const ir::Tensor& out = a.out_tensor(0);
  const auto axis = static_cast<size_t>(a.node.GetInt("axis"));
  const size_t esz = ir::DTypeSize(out.dtype);
  int64_t outer = 1;
  for (size_t d = 0; d < axis; ++d) outer *= out.shape[d];
  int64_t inner = 1;
  for (size_t d = axis + 1; d < out.shape.size(); ++d) inner *= out.shape[d];
  uint8_t* dst = a.outputs[0];
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < a.inputs.size(); ++i) {
      const auto slab = static_cast<size_t>(a.in_tensor(i).shape[axis] * inner) * esz;
      if (slab == 0) continue;
      std::memcpy(dst, a.inputs[i] + static_cast<size_t>(o) * slab, slab);
      dst += slab;
    }
  }
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(a.node, &act));
  if (act != Activation::kNone && out.dtype == ir::DType::kFloat32) {
    // Clamp = min(max(v, lo), hi), as every float kernel with a fused activation.
    const FloatRange r = ActivationRangeFloat(act);
    float* v = a.out<float>(0);
    for (int64_t k = 0; k < out.num_elements(); ++k) v[k] = std::min(std::max(v[k], r.min), r.max);
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kConcatenationDef = {ir::OpKind::kConcatenation,
                                        "i8, u8, i16, i32, i64, f32, bool", Infer, Eval, nullptr};

}  // namespace ember::ops
