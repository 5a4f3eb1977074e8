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
// int8 -> int16 is the same algorithm with 16-bit output steps: zero point
// -32768 and scale 1/65536 (within 0.1%, as TFLite Micro checks); a row whose
// sum reaches 4096.0 overflows TFLite Micro's int32 sum and is refused.
//
// int16 -> int16 (16x8 quantization) is TFLite Micro's table algorithm
// (docs/numerics.md, "int16 softmax, logistic and tanh"): zero points 0,
// output scale 1/32768 (within 0.1%); differences to the row maximum are
// rescaled so that [-65535, 0] means [-10, 0] (multiplier beta * s_in /
// (10 / 65535)), looked up in the interpolated exp table (Q0.15), summed in
// int32; the sum's reciprocal comes from the 1/(1 + x) table and each
// exponential times it is the output. Rows longer than 65537 would overflow
// the int32 sum and are refused.
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

#include "ops/int16_activation.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"
#include "ops/softmax_scaling.h"

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
  QuantizedMultiplier m;         // beta * s_in * 2^26, shift >= 1
  int32_t diff_min = 0;          // differences below this contribute nothing
};

// |s - want| <= 0.001 * want in float32, TFLite Micro's TF_LITE_ENSURE_NEAR.
bool ScaleNear(float s, float want) {
  const float delta = s > want ? s - want : want - s;
  return !(delta > 0.001f * want);
}

// int8 input; the output is int8 or int16.
Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float s_in = 0, s_out = 0;
  int32_t z_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &p.input_zero_point));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &z_out));
  if (g.tensor(n.outputs[0]).dtype == ir::DType::kInt16) {
    if (z_out != -32768 || !ScaleNear(s_out, 1.0f / 65536.0f)) {
      return NodeError(n,
                       "int16 output is quantized with scale " + FormatReal(s_out) + " and zero point " +
                           std::to_string(z_out) + "; the reference kernel requires 1/65536 and -32768",
                       "re-quantize the model so that the softmax output has scale 1/65536 and "
                       "zero point -32768");
    }
  } else if (z_out != -128 || s_out != 1.0f / 256.0f) {
    return NodeError(n,
                     "int8 output is quantized with scale " + FormatReal(s_out) + " and zero point " +
                         std::to_string(z_out) + "; the reference kernel requires 1/256 and -128",
                     "re-quantize the model so that the softmax output has scale 1/256 and "
                     "zero point -128");
  }
  double beta = 1.0;
  EMBER_RETURN_IF_ERROR(GetBeta(n, &beta));
  const SoftmaxDiffScaling s = GetSoftmaxDiffScaling(beta * static_cast<double>(s_in));
  if (!s.valid()) {
    return NodeError(n, "beta * input scale = " + FormatReal(beta * static_cast<double>(s_in)) +
                            " is too small for the int8 kernel (needs beta * scale * 2^26 > 1)",
                     "check the input quantization and beta");
  }
  p.m = s.m;
  p.diff_min = s.diff_min;
  return p;
}

struct Int16Params {
  QuantizedMultiplier m;  // beta * s_in / (10 / 65535)
};

constexpr int64_t kMaxInt16Row = 65537;  // 65537 * 32767 < 2^31

Expected<Int16Params> PrepareInt16(const ir::Graph& g, const ir::Node& n) {
  float s_in = 0, s_out = 0;
  int32_t z_in = 0, z_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &z_in));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &z_out));
  if (z_in != 0 || z_out != 0 || !ScaleNear(s_out, 1.0f / 32768.0f)) {
    return NodeError(n,
                     "int16 input zero point " + std::to_string(z_in) + ", output scale " + FormatReal(s_out) +
                         " and zero point " + std::to_string(z_out) +
                         "; the reference kernel requires zero points 0 and an output scale of 1/32768",
                     "re-quantize the model symmetrically with a softmax output scale of 1/32768");
  }
  double beta = 1.0;
  EMBER_RETURN_IF_ERROR(GetBeta(n, &beta));
  Int16Params p;
  p.m = QuantizeMultiplier(static_cast<double>(s_in) * beta / (10.0 / 65535.0));
  if (!(s_in > 0.0f) || !(beta > 0.0) || p.m.multiplier == 0 || p.m.shift > 30) {
    return NodeError(n, "beta * input scale = " + FormatReal(beta * static_cast<double>(s_in)) +
                            " is outside the range of the int16 kernel",
                     "check the input quantization and beta");
  }
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kInt16 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) +
                            " is not supported; supported: i8, i16, f32");
  }
  if (in.shape.empty()) return NodeError(n, "input is a scalar; softmax needs at least one axis");
  double beta = 1.0;
  EMBER_RETURN_IF_ERROR(GetBeta(n, &beta));
  ir::DType out_dtype = in.dtype;
  if (in.dtype == ir::DType::kInt8) {
    // int8 in, int16 out is TFLite's other quantized softmax.
    if (g.tensor(n.outputs[0]).dtype == ir::DType::kInt16) out_dtype = ir::DType::kInt16;
    auto p = PrepareInt8(g, n);
    if (!p.ok()) return p.diag();
  }
  if (in.dtype == ir::DType::kInt16) {
    auto p = PrepareInt16(g, n);
    if (!p.ok()) return p.diag();
    if (in.shape.back() > kMaxInt16Row) {
      return NodeError(n, "rows of " + std::to_string(in.shape.back()) +
                              " elements overflow the int16 kernel's int32 sum (at most 65537)");
    }
  }
  return std::vector<TensorType>{{out_dtype, in.shape}};
}

// One int8 row of `depth` values into int8 or int16 outputs. Returns false
// where TFLite Micro would fail on it: an int8 output needs the exponential
// sum below 512.0 (else the final shift exceeds 31 and it aborts), an int16
// output below 4096.0 (else its int32 sum overflows).
template <typename OutT>
bool SoftmaxRowInt8(const Int8Params& p, const int8_t* x, OutT* out, int64_t depth) {
  constexpr int kOutBits = 8 * sizeof(OutT);
  constexpr int32_t kOutMin = std::numeric_limits<OutT>::min(), kOutMax = std::numeric_limits<OutT>::max();
  int32_t max_value = -128;
  for (int64_t c = 0; c < depth; ++c) max_value = std::max<int32_t>(max_value, x[c]);

  int64_t sum = 0;  // Q12.19 raw; kept in 64 bits to detect the failing cases
  for (int64_t c = 0; c < depth; ++c) {
    const int32_t diff = x[c] - max_value;
    if (diff < p.diff_min) continue;
    const int32_t scaled = Srdhm(WrapShl(diff, p.m.shift), p.m.multiplier);  // Q5.26
    const int32_t e = ExpOnNegativeValues(scaled, kScaledDiffIntegerBits);
    sum += Rdbpot(e, kAccumulationIntegerBits);  // Q0.31 -> Q12.19
  }
  // The sum is at least 2^19 (the maximum contributes exp(0) = 1.0); the
  // reference kernel checks 0 <= exponent <= 31, i.e. sum < 2^28 for int8.
  if (sum >= (int64_t{1} << (kOutBits == 8 ? 28 : 31))) return false;

  // Reciprocal: normalise the sum to [1, 2), take 1/(1 + fraction) in Q0.
  const uint32_t sum32 = static_cast<uint32_t>(sum);
  const int headroom_plus_one = std::countl_zero(sum32);
  const int bits_over_unit = kAccumulationIntegerBits - headroom_plus_one;
  const int32_t fraction =
      static_cast<int32_t>((sum32 << headroom_plus_one) - (uint32_t{1} << 31));
  const int32_t reciprocal = OneOverOnePlusX(fraction);
  const int exponent = bits_over_unit + 31 - kOutBits;

  for (int64_t c = 0; c < depth; ++c) {
    const int32_t diff = x[c] - max_value;
    int32_t o = kOutMin;
    if (diff >= p.diff_min) {
      const int32_t scaled = Srdhm(WrapShl(diff, p.m.shift), p.m.multiplier);
      const int32_t e = ExpOnNegativeValues(scaled, kScaledDiffIntegerBits);
      o = std::min(std::max(Rdbpot(Srdhm(reciprocal, e), exponent) + kOutMin, kOutMin), kOutMax);
    }
    out[c] = static_cast<OutT>(o);
  }
  return true;
}

// One int16 row (the table algorithm). The exponentials are kept in `out`
// until the reciprocal of their sum is known, as TFLite Micro does.
void SoftmaxRowInt16(const Int16Params& p, const int16_t* x, int16_t* out, int64_t depth) {
  const int16_t* exp_lut = SoftmaxInt16ExpLut().data();
  const int16_t* reciprocal_lut = SoftmaxInt16ReciprocalLut().data();
  int32_t max_value = -32768;
  for (int64_t c = 0; c < depth; ++c) max_value = std::max<int32_t>(max_value, x[c]);
  int32_t sum = 0;  // Q16.15; at most 65537 * 32767 (Infer bounds the rows)
  for (int64_t c = 0; c < depth; ++c) {
    // [-65535, 0] means [-10, 0]; recentred to the table's [-32768, 32767].
    const int32_t scaled = WrapAdd(Mbqm(x[c] - max_value, p.m), 32767);
    out[c] = Int16LutLookup(exp_lut, static_cast<int16_t>(std::min(std::max(scaled, -32768), 32767)));
    sum += out[c];
  }
  // The sum normalised to Q1.14 in [1, 2), minus 1, recentred: 1/(1 + x).
  const int headroom_plus_one = std::countl_zero(static_cast<uint32_t>(sum));
  const int32_t shifted = static_cast<int32_t>(
      ((static_cast<int64_t>(sum) << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
  const int32_t x_centred = shifted - ((1 << 15) + (1 << 16));
  const int32_t reciprocal = Int16LutLookup(
      reciprocal_lut, static_cast<int16_t>(std::min(std::max(x_centred, -32768), 32767)));
  const int right_shift = 31 - headroom_plus_one;
  const int64_t round = int64_t{1} << (right_shift - 1);
  for (int64_t c = 0; c < depth; ++c) {
    const int64_t r = (static_cast<int64_t>(out[c]) * reciprocal + round) >> right_shift;
    out[c] = static_cast<int16_t>(std::min<int64_t>(std::max<int64_t>(r, 0), 32767));
  }
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
  if (a.in_tensor(0).dtype == ir::DType::kInt16) {
    EMBER_ASSIGN_OR_RETURN(const Int16Params p, PrepareInt16(a.graph, a.node));
    for (int64_t r = 0; r < rows; ++r) {
      SoftmaxRowInt16(p, a.in<int16_t>(0) + r * depth, a.out<int16_t>(0) + r * depth, depth);
    }
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  const bool out16 = a.graph.tensor(a.node.outputs[0]).dtype == ir::DType::kInt16;
  for (int64_t r = 0; r < rows; ++r) {
    const int8_t* x = a.in<int8_t>(0) + r * depth;
    const bool ok = out16 ? SoftmaxRowInt8(p, x, a.out<int16_t>(0) + r * depth, depth)
                          : SoftmaxRowInt8(p, x, a.out<int8_t>(0) + r * depth, depth);
    if (!ok) {
      return NodeError(a.node,
                       "row " + std::to_string(r) + " has an exponential sum of " + (out16 ? "4096" : "512") +
                           " or more (e.g. as many values tied at the maximum); TFLite Micro " +
                           (out16 ? "overflows" : "aborts") + " on it",
                       "use fewer classes per row or a larger beta * input scale");
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kSoftmaxDef = {ir::OpKind::kSoftmax, "i8, i8->i16, i16, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
