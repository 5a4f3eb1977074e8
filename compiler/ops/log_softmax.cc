// log_softmax: x − max − log(Σ exp(x − max)) over the last axis; every other
// axis indexes independent rows. TFLite LOG_SOFTMAX, ONNX LogSoftmax (over
// the last axis). docs/numerics.md, "log_softmax".
//
// float32, as TFLite's reference: per row the maximum (a NaN never wins),
// the sum of expf(x − max) in order from 0, then out = (x − max) − logf(sum).
//
// int8, TFLite Micro's fixed-point algorithm (ops/log_softmax_util.h for the
// parameters): differences d = x − max ≥ diff_min, scaled to Q5.26 by
// Mbqm(d, M, shift), exponentiated (Q0.31), rescaled to Q12.19 and summed;
// L = log(sum) in Q5.26 (FixedLogGe1); an element with
// d > max(diff_min − 1, Mbqm(L − 2^31, reverse)) gives
// clamp(Rdbpot(Mbqm(d) − L, 22) + 127), every other one −128. The output is
// quantized with scale 16/256 and zero point 127 (TFLite requires it). Rows
// of more than 4095 elements could overflow the Q12.19 sum and are refused.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/log_softmax_util.h"

namespace ember::ops {
namespace {

using logsoftmax::Int8Params;

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i8, f32");
  }
  if (in.shape.empty()) return NodeError(n, "input is a scalar; log_softmax needs at least one axis");
  if (in.dtype == ir::DType::kInt8) {
    auto p = logsoftmax::PrepareInt8(g, n);
    if (!p.ok()) return p.diag();
    if (in.shape.back() > logsoftmax::kMaxDepth) {
      return NodeError(n, "rows of " + std::to_string(in.shape.back()) +
                              " elements could overflow the int8 kernel's Q12.19 sum (at most 4095)",
                       "keep log_softmax float for rows this long");
    }
  }
  return std::vector<TensorType>{{in.dtype, in.shape}};
}

void RowFloat(const float* x, float* out, int64_t depth) {
  float max_value = std::numeric_limits<float>::lowest();
  for (int64_t c = 0; c < depth; ++c) max_value = x[c] > max_value ? x[c] : max_value;
  float sum = 0.0f;
  for (int64_t c = 0; c < depth; ++c) sum = std::exp(x[c] - max_value) + sum;
  const float log_sum = std::log(sum);
  for (int64_t c = 0; c < depth; ++c) out[c] = (x[c] - max_value) - log_sum;
}

void RowInt8(const Int8Params& p, const int8_t* x, int8_t* out, int64_t depth) {
  using namespace logsoftmax;
  int32_t max_value = -128;
  for (int64_t c = 0; c < depth; ++c) max_value = std::max<int32_t>(max_value, x[c]);
  int32_t sum = 0;  // Q12.19
  for (int64_t c = 0; c < depth; ++c) {
    const int32_t diff = x[c] - max_value;
    if (diff < p.diff_min) continue;
    const int32_t e = ExpOnNegativeValues(Mbqm(diff, p.input), kDiffIntegerBits);
    sum = WrapAdd(sum, Rdbpot(e, kSumIntegerBits));  // Q0.31 -> Q12.19
  }
  const int32_t log_sum = FixedLogGe1(sum, kSumIntegerBits, kDiffIntegerBits);  // Q5.26
  const int32_t shifted = WrapAdd(log_sum, std::numeric_limits<int32_t>::min());
  const int32_t adjusted_diff_min = std::max(p.diff_min - 1, Mbqm(shifted, p.reverse));
  for (int64_t c = 0; c < depth; ++c) {
    const int32_t diff = x[c] - max_value;
    int32_t o = -128;
    if (diff > adjusted_diff_min) {
      const int32_t v = Rdbpot(WrapSub(Mbqm(diff, p.input), log_sum), 31 - kDiffIntegerBits - kOutputIntegerBits);
      o = std::clamp(WrapAdd(v, 127), -128, 127);
    }
    out[c] = static_cast<int8_t>(o);
  }
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& shape = a.in_tensor(0).shape;
  const int64_t depth = shape.back();
  const int64_t rows = depth == 0 ? 0 : ir::NumElements(shape) / depth;
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    for (int64_t r = 0; r < rows; ++r) RowFloat(a.in<float>(0) + r * depth, a.out<float>(0) + r * depth, depth);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, logsoftmax::PrepareInt8(a.graph, a.node));
  for (int64_t r = 0; r < rows; ++r) RowInt8(p, a.in<int8_t>(0) + r * depth, a.out<int8_t>(0) + r * depth, depth);
  return Status::Ok();
}

}  // namespace

extern const OpDef kLogSoftmaxDef = {ir::OpKind::kLogSoftmax, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
