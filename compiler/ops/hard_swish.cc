// hard_swish: x * relu6(x + 3) / 6 elementwise.
//
// int8 follows TFLite Micro's reference kernel (docs/numerics.md,
// "hard_swish"), which works in 16-bit fixed point: the input difference is
// moved to a "high-resolution" scale s_in/128, multiplied by a 16-bit output
// multiplier, and by a "relu-ish" factor in [0, 1] that represents
// relu6(x + 3) / 6 (the input on a scale where 3.0 is 32768, saturated, then
// mapped from [-1, 1] to [0, 1]). The final product truncates (no rounding).
// Both multipliers come from float32 divisions rounded to 16 bits.
//
// float32: x * min(6, max(0, x + 3)) / 6 (multiply, then divide).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

struct Int8Params {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int16_t output_multiplier = 0;  // (s_in/128) / s_out as 16-bit fixed point
  int output_exponent = 0;        // <= 0
  int16_t reluish_multiplier = 0;  // (s_in/128) / (3/32768)
  int reluish_exponent = 0;
};

Status CheckQuant(const ir::Node& n, const char* what, float scale, int32_t zero_point) {
  if (!(scale > 0.0f) || !std::isfinite(scale) || zero_point < -128 || zero_point > 127) {
    return NodeError(n, std::string(what) + " has scale " + FormatReal(scale) + " and zero point " +
                            std::to_string(zero_point) +
                            "; int8 needs a positive scale and a zero point in [-128, 127]");
  }
  return Status::Ok();
}

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float s_in = 0, s_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &p.input_zero_point));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &p.output_zero_point));
  EMBER_RETURN_IF_ERROR(CheckQuant(n, "input", s_in, p.input_zero_point));
  EMBER_RETURN_IF_ERROR(CheckQuant(n, "output", s_out, p.output_zero_point));
  // All in float32, as the reference kernel's Prepare.
  const float hires_input_scale = (1.0f / 128.0f) * s_in;
  const float reluish_scale = 3.0f / 32768.0f;
  const QuantizedMultiplier out_m =
      QuantizeMultiplier(static_cast<double>(hires_input_scale / s_out));
  const QuantizedMultiplier relu_m =
      QuantizeMultiplier(static_cast<double>(hires_input_scale / reluish_scale));
  if (out_m.shift > 0 || out_m.shift < -31) {
    return NodeError(n, "the output rescale factor (s_in/128)/s_out = " +
                            FormatReal(static_cast<double>(hires_input_scale / s_out)) +
                            " is outside the kernel's range (2^-32, 1)",
                     "check the input and output scales");
  }
  if (relu_m.shift > 31 || relu_m.shift < -31) {
    return NodeError(n, "input scale " + FormatReal(s_in) + " is outside the kernel's range");
  }
  p.output_multiplier = DownscaleMultiplierToInt16(out_m.multiplier);
  p.output_exponent = out_m.shift;
  p.reluish_multiplier = DownscaleMultiplierToInt16(relu_m.multiplier);
  p.reluish_exponent = relu_m.shift;
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferUnaryI8F32(g, n, PrepareInt8);
}

int8_t HardSwishInt8(const Int8Params& p, int8_t x) {
  // |x - z_in| <= 255, so the value times 128 fits in int16.
  const int16_t hires = static_cast<int16_t>((x - p.input_zero_point) * 128);
  const int16_t preshift_output = Srdhm16(hires, p.output_multiplier);
  // The relu-ish factor: hires * reluish multiplier, where 3.0 maps to 32768.
  // A left shift is split so that saturation happens only in the last step.
  int16_t reluish = hires;
  if (p.reluish_exponent > 0) reluish = SatShl16(reluish, p.reluish_exponent - 1);
  reluish = Srdhm16(reluish, p.reluish_multiplier);
  if (p.reluish_exponent > 0) reluish = SatShl16(reluish, 1);
  if (p.reluish_exponent < 0) reluish = Rdbpot16(reluish, -p.reluish_exponent);
  // [-1, 1] -> [0, 1] in Q0.15.
  reluish = static_cast<int16_t>((int32_t{reluish} + 32768) >> 1);
  const int16_t preshift = Sdhm16(reluish, preshift_output);  // truncating on purpose
  int16_t o = Rdbpot16(preshift, -p.output_exponent);
  o = static_cast<int16_t>(o + p.output_zero_point);  // 16-bit arithmetic, as the reference
  return static_cast<int8_t>(std::min<int16_t>(std::max<int16_t>(o, -128), 127));
}

float HardSwishFloat(float x) {
  return x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f;
}

Status Eval(const EvalArgs& a) {
  const int64_t count = a.in_tensor(0).num_elements();
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    for (int64_t i = 0; i < count; ++i) a.out<float>(0)[i] = HardSwishFloat(a.in<float>(0)[i]);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  for (int64_t i = 0; i < count; ++i) a.out<int8_t>(0)[i] = HardSwishInt8(p, a.in<int8_t>(0)[i]);
  return Status::Ok();
}

}  // namespace

extern const OpDef kHardSwishDef = {ir::OpKind::kHardSwish, "i8, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
