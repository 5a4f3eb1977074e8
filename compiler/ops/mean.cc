// mean: average over `axes` (non-negative, ascending, unique; may be empty),
// keeping them as size-1 axes when `keep_dims` = 1.
//
// int8 follows TFLite Micro's single integer path (docs/numerics.md, "mean"):
// the raw int8 values are summed in wrapping int32; the multiplier
// s_in/s_out (double) is divided by N = number of reduced elements after
// scaling it up by 2^k, k = floor(log2 N) (bounded by 32 and by 31 + shift),
// and the zero-point-corrected sum is requantized with MBQM. Ties therefore
// follow MBQM: mean(-2, -3) at equal scales is -2.
//
// float32: each output is the float sum of its inputs in row-major input
// order, divided by float(N).
#include <algorithm>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

}  // namespace

// ONNX Runtime's QLinearGlobalAveragePool scale: s_in / (s_out * float(N)) in float32.
float OrtMeanScale(const ir::Graph& g, const ir::Node& n, int64_t count) {
  const float s_in = g.tensor(n.inputs[0]).quant->scale[0];
  const float s_out = g.tensor(n.outputs[0]).quant->scale[0];
  const float denom = s_out * static_cast<float>(count);
  return s_in / denom;
}

namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) +
                            " is not supported; supported: i8, f32");
  }
  EMBER_ASSIGN_OR_RETURN(const Reduction r, GetReductionAttrs(g, n));
  if (in.dtype == ir::DType::kInt8) {
    auto p = GetReductionRescale(g, n);
    if (!p.ok()) return p.diag();
    Int8Semantics sem = Int8Semantics::kTflite;
    EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(n, &sem));
  }
  return std::vector<TensorType>{{in.dtype, r.out_shape}};
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const Reduction r, GetReductionAttrs(a.graph, a.node));
  const ir::Shape& in_shape = a.in_tensor(0).shape;
  const std::vector<int64_t> map = ReductionOutputIndexMap(in_shape, r);
  const size_t outputs = static_cast<size_t>(ir::NumElements(r.out_shape));
  if (outputs == 0) return Status::Ok();
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    std::vector<float> sum(outputs, 0.0f);
    for (size_t i = 0; i < map.size(); ++i) sum[static_cast<size_t>(map[i])] += a.in<float>(0)[i];
    for (size_t o = 0; o < outputs; ++o)
      a.out<float>(0)[o] = sum[o] / static_cast<float>(r.count);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const ReductionRescale p, GetReductionRescale(a.graph, a.node));
  const std::vector<int32_t> sum = WrappedSums(a.in<int8_t>(0), map, outputs);
  Int8Semantics sem = Int8Semantics::kTflite;
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(a.node, &sem));
  if (sem == Int8Semantics::kOnnxRuntime) {
    const float scale = OrtMeanScale(a.graph, a.node, r.count);
    const int32_t bias = WrapMul(-p.z_in, static_cast<int32_t>(r.count));
    for (size_t o = 0; o < outputs; ++o)
      a.out<int8_t>(0)[o] = static_cast<int8_t>(OrtRequantize(WrapAdd(sum[o], bias), scale, p.z_out, -128, 127));
    return Status::Ok();
  }
  const QuantizedMultiplier m = DivideMultiplierByCount(p.m, r.count);
  for (size_t o = 0; o < outputs; ++o) {
    const int64_t corrected = int64_t{sum[o]} - int64_t{p.z_in} * r.count;
    const int32_t v = WrapAdd(Mbqm(static_cast<int32_t>(corrected), m), p.z_out);
    a.out<int8_t>(0)[o] = static_cast<int8_t>(std::min(std::max(v, -128), 127));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kMeanDef = {ir::OpKind::kMean, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
