// reduce_sum: sum over `axes` (non-negative, ascending, unique; may be
// empty), keeping them as size-1 axes when `keep_dims` = 1 (TFLite SUM).
//
// As TFLite Micro's reference (reduce_common.cc, EvalSumHelper):
// float32: each output starts at 0.0f and adds its inputs in row-major input
//   order (the same order as mean).
// int8, int16: the raw values are summed in wrapping int32; the
//   zero-point-corrected sum (sum - z_in * N, wrapped to int32) is requantized
//   with Mbqm by QuantizeMultiplier(s_in / s_out) (double), plus z_out,
//   clamped to the type's range. Unlike mean there is no division by N.
#include <algorithm>
#include <limits>
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
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kInt16 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i8, i16, f32");
  }
  EMBER_ASSIGN_OR_RETURN(const Reduction r, GetReductionAttrs(g, n));
  if (in.dtype != ir::DType::kFloat32) {
    auto p = GetReductionRescale(g, n);
    if (!p.ok()) return p.diag();
  }
  return std::vector<TensorType>{{in.dtype, r.out_shape}};
}

template <typename T>
void EvalInt(const EvalArgs& a, const std::vector<int64_t>& map, size_t outputs, int64_t count,
             const ReductionRescale& p) {
  const std::vector<int32_t> sum = WrappedSums(a.in<T>(0), map, outputs);
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  const int32_t zn = WrapMul(p.z_in, static_cast<int32_t>(count));
  for (size_t o = 0; o < outputs; ++o) {
    const int32_t v = WrapAdd(Mbqm(WrapSub(sum[o], zn), p.m), p.z_out);
    a.out<T>(0)[o] = static_cast<T>(std::min(std::max(v, lo), hi));
  }
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const Reduction r, GetReductionAttrs(a.graph, a.node));
  const std::vector<int64_t> map = ReductionOutputIndexMap(a.in_tensor(0).shape, r);
  const size_t outputs = static_cast<size_t>(ir::NumElements(r.out_shape));
  if (outputs == 0) return Status::Ok();
  const ir::DType t = a.in_tensor(0).dtype;
  if (t == ir::DType::kFloat32) {
    float* out = a.out<float>(0);
    std::fill(out, out + outputs, 0.0f);
    for (size_t i = 0; i < map.size(); ++i) {
      float& s = out[static_cast<size_t>(map[i])];
      s = a.in<float>(0)[i] + s;
    }
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const ReductionRescale p, GetReductionRescale(a.graph, a.node));
  if (t == ir::DType::kInt8) EvalInt<int8_t>(a, map, outputs, r.count, p);
  else EvalInt<int16_t>(a, map, outputs, r.count, p);
  return Status::Ok();
}

}  // namespace

extern const OpDef kReduceSumDef = {ir::OpKind::kReduceSum, "i8, i16, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
