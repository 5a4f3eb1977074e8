// softmax: exp(beta * x) / sum over the last axis; every other axis indexes
// independent rows. Attribute `beta` (real, default 1).
//
// int8 -> int8 is TFLite Micro's gemmlowp fixed-point algorithm, not a lookup
// table (docs/numerics.md, "softmax"): differences to the row maximum are
// scaled to Q5.26, exponentiated with ExpOnNegativeValues, summed in Q12.19,
// and each exponential is multiplied by the fixed-point reciprocal of the sum.
// The output must be quantized with zero point -128 and scale exactly 1/256.
// A row whose exponential sum reaches 512.0 (e.g. 512 tied maxima) makes
// TFLite Micro abort; we return a diagnostic instead.
//
// float32: per row, the maximum is subtracted, e = expf((x - max) * beta),
// the sum is accumulated in order, and out = e / sum.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

constexpr int kScaledDiffIntegerBits = 5;   // differences in Q5.26
constexpr int kAccumulationIntegerBits = 12;  // exponential sum in Q12.19

Status GetBeta(const ir::Node& n, double* beta) {
  if (n.HasAttr("beta") && !std::holds_alternative<double>(n.attrs.at("beta")) &&
      !std::holds_alternative<int64_t>(n.attrs.at("beta"))) {
    return NodeError(n, "attribute 'beta' must be a real number");
  }
  *beta = n.GetReal("beta", 1.0);
  if (!std::isfinite(*beta)) return NodeError(n, "attribute 'beta' is not finite");
  return Status::Ok();
}

struct Int8Params {
  int32_t input_zero_point = 0;  // unused by the arithmetic (differences cancel it)
  QuantizedMultiplier m;         // beta * s_in * 2^26, shift >= 0
  int32_t diff_min = 0;          // differences below this contribute nothing
};

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float s_in = 0, s_out = 0;
  int32_t z_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &p.input_zero_point));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &z_out));
  if (z_out != -128 || s_out != 1.0f / 256.0f) {
    return NodeError(n,
                     "int8 output is quantized with scale " + FormatReal(s_out) + " and zero point " +
                         std::to_string(z_out) + "; the reference kernel requires 1/256 and -128",
                     "re-quantize the model so that the softmax output has scale 1/256 and "
                     "zero point -128");
  }
  double beta = 1.0;
  EMBER_RETURN_IF_ERROR(GetBeta(n, &beta));
  const double max_real = static_cast<double>(std::numeric_limits<int32_t>::max());
  const double real = std::min(
      beta * static_cast<double>(s_in) * static_cast<double>(int64_t{1} << (31 - kScaledDiffIntegerBits)),
      max_real);
  p.m = QuantizeMultiplier(real);
  if (!(real > 1.0) || p.m.shift < 0 || p.m.shift > 31) {
    return NodeError(n, "beta * input scale = " + FormatReal(beta * static_cast<double>(s_in)) +
                            " is too small for the int8 kernel (needs beta * scale * 2^26 > 1)",
                     "check the input quantization and beta");
  }
  // diff_min = -floor(31 * 2^26 / 2^shift): the input radius of the Q5.26 range.
  const double radius = 31.0 * static_cast<double>(int64_t{1} << 26) /
                        static_cast<double>(int64_t{1} << p.m.shift);
  p.diff_min = -static_cast<int32_t>(std::floor(radius));
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) +
                            " is not supported; supported: i8, f32");
  }
  if (in.shape.empty()) return NodeError(n, "input is a scalar; softmax needs at least one axis");
  double beta = 1.0;
  EMBER_RETURN_IF_ERROR(GetBeta(n, &beta));
  if (in.dtype == ir::DType::kInt8) {
    auto p = PrepareInt8(g, n);
    if (!p.ok()) return p.diag();
  }
  return std::vector<TensorType>{{in.dtype, in.shape}};
}

// One int8 row of `depth` values. Returns false when TFLite Micro would abort
// on it (the exponential sum reaches 512.0, so the final shift exceeds 31).
bool SoftmaxRowInt8(const Int8Params& p, const int8_t* x, int8_t* out, int64_t depth) {
  int32_t max_value = -128;
  for (int64_t c = 0; c < depth; ++c) max_value = std::max<int32_t>(max_value, x[c]);

  int64_t sum = 0;  // Q12.19 raw; kept in 64 bits to detect the abort case
  for (int64_t c = 0; c < depth; ++c) {
    const int32_t diff = x[c] - max_value;
    if (diff < p.diff_min) continue;
    const int32_t scaled = Srdhm(WrapShl(diff, p.m.shift), p.m.multiplier);  // Q5.26
    const int32_t e = ExpOnNegativeValues(scaled, kScaledDiffIntegerBits);
    sum += Rdbpot(e, kAccumulationIntegerBits);  // Q0.31 -> Q12.19
  }
  // The sum is at least 2^19 (the maximum contributes exp(0) = 1.0); the
  // reference kernel checks 0 <= exponent <= 31, i.e. sum < 2^28.
  if (sum >= (int64_t{1} << 28)) return false;

  // Reciprocal: normalise the sum to [1, 2), take 1/(1 + fraction) in Q0.
  const uint32_t sum32 = static_cast<uint32_t>(sum);
  const int headroom_plus_one = std::countl_zero(sum32);
  const int bits_over_unit = kAccumulationIntegerBits - headroom_plus_one;
  const int32_t fraction =
      static_cast<int32_t>((sum32 << headroom_plus_one) - (uint32_t{1} << 31));
  const int32_t reciprocal = OneOverOnePlusX(fraction);
  const int exponent = bits_over_unit + 31 - 8;

  for (int64_t c = 0; c < depth; ++c) {
    const int32_t diff = x[c] - max_value;
    int32_t o = -128;
    if (diff >= p.diff_min) {
      const int32_t scaled = Srdhm(WrapShl(diff, p.m.shift), p.m.multiplier);
      const int32_t e = ExpOnNegativeValues(scaled, kScaledDiffIntegerBits);
      o = std::min(std::max(Rdbpot(Srdhm(reciprocal, e), exponent) - 128, -128), 127);
    }
    out[c] = static_cast<int8_t>(o);
  }
  return true;
}

void SoftmaxRowFloat(float beta, const float* x, float* out, int64_t depth) {
  float max_value = std::numeric_limits<float>::lowest();
  for (int64_t c = 0; c < depth; ++c) max_value = std::max(max_value, x[c]);
  float sum = 0.0f;
  for (int64_t c = 0; c < depth; ++c) {
    out[c] = std::exp((x[c] - max_value) * beta);
    sum += out[c];
  }
  for (int64_t c = 0; c < depth; ++c) out[c] = out[c] / sum;
}

Status Eval(const EvalArgs& a) {
  const ir::Shape& shape = a.in_tensor(0).shape;
  const int64_t depth = shape.back();
  const int64_t rows = depth == 0 ? 0 : ir::NumElements(shape) / depth;
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    double beta = 1.0;
    EMBER_RETURN_IF_ERROR(GetBeta(a.node, &beta));
    for (int64_t r = 0; r < rows; ++r) {
      SoftmaxRowFloat(static_cast<float>(beta), a.in<float>(0) + r * depth,
                      a.out<float>(0) + r * depth, depth);
    }
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  for (int64_t r = 0; r < rows; ++r) {
    if (!SoftmaxRowInt8(p, a.in<int8_t>(0) + r * depth, a.out<int8_t>(0) + r * depth, depth)) {
      return NodeError(a.node,
                       "row " + std::to_string(r) + " has an exponential sum of 512 or more "
                       "(e.g. 512 or more values tied at the maximum); TFLite Micro aborts on it",
                       "use fewer classes per row or a larger beta * input scale");
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kSoftmaxDef = {ir::OpKind::kSoftmax, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
