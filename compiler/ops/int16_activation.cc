// The int16 arithmetic of TFLite Micro's SOFTMAX, LOGISTIC and TANH with
// 16-bit activations (int16_activation.h, docs/numerics.md).
#include "ops/int16_activation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "ops/op_util.h"

namespace ember::ops {

// Every step in float32 as TFLite does it (also on a device: the result is
// the same with fused multiply-adds and newlib's expf, which the tables'
// test checks by their checksums).
std::vector<int16_t> BuildInt16Lut(float in_scale, int32_t in_zero_point, float out_scale,
                                   int32_t out_zero_point, float (*f)(float)) {
  const float in_min = in_scale * static_cast<float>(-32768 - in_zero_point);
  const float in_max = in_scale * static_cast<float>(32767 - in_zero_point);
  const float out_min = out_scale * static_cast<float>(-32768 - out_zero_point);
  const float out_max = out_scale * static_cast<float>(32767 - out_zero_point);
  constexpr int kSteps = kInt16LutSize - 1;
  const float step = (in_max - in_min) / static_cast<float>(kSteps);
  const float half_step = step / 2.0f;
  const float to_out = 65536.0f / (out_max - out_min);
  auto saturate = [](float v) { return static_cast<int16_t>(std::min(std::max(v, -32768.0f), 32767.0f)); };
  std::vector<int16_t> lut(kInt16LutSize);
  for (int i = 0; i < kSteps; ++i) {
    const float at = in_min + static_cast<float>(i) * step;
    const float v = f(at);
    const float v_mid = f(at + half_step);
    const float v_next = f(in_min + static_cast<float>(i + 1) * step);
    const float sample = std::round(v * to_out);
    const float mid_interpolated = std::round((v_next * to_out + sample) / 2.0f);
    const float mid_exact = std::round(v_mid * to_out);
    const float bias = std::round((mid_interpolated - mid_exact) / 2.0f);
    lut[static_cast<size_t>(i)] = saturate(sample - bias);
  }
  lut[kSteps] = saturate(std::round(f(in_max) * to_out));
  return lut;
}

int16_t Int16LutLookup(const int16_t* lut, int16_t x) {
  const int index = 256 + (x >> 7);  // arithmetic shift: 0..511
  const int offset = x & 0x7f;
  const int slope = lut[index + 1] - lut[index];
  const int delta = (slope * offset + 64) >> 7;
  return static_cast<int16_t>(lut[index] + delta);
}

namespace {

float ExpF(float v) { return std::exp(v); }
float OneOverOnePlusF(float v) { return 1.0f / (1.0f + v); }

}  // namespace

const std::vector<int16_t>& SoftmaxInt16ExpLut() {
  // Inputs -32768..32767 cover [-10, 0]; outputs are Q0.15.
  static const std::vector<int16_t> lut = BuildInt16Lut(10.0f / 65535.0f, 32767, 2.0f / 65535.0f, 0, ExpF);
  return lut;
}

const std::vector<int16_t>& SoftmaxInt16ReciprocalLut() {
  // Inputs -32768..32767 cover [0, 1]; outputs are Q0.15.
  static const std::vector<int16_t> lut =
      BuildInt16Lut(1.0f / 65535.0f, -32768, 2.0f / 65535.0f, 0, OneOverOnePlusF);
  return lut;
}

const uint16_t kSigmoidTableU16[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794,
    41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443,
    48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374,
    54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544,
    58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279,
    61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990,
    63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030,
    64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652,
    64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019,
    65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
    65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360,
    65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476,
    65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498, 65500, 65501,
    65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516,
    65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529,
    65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532,
    65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65534, 65534,
    65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535};

namespace {

// TFLite's CheckedLog2 in float32: whether x is within 1e-3 (in the
// exponent) of a power of two, and that power.
bool CheckedLog2(float x, int* log2_rounded) {
  const float l = std::log(x) * (1.0f / std::log(2.0f));
  const float r = std::round(l);
  *log2_rounded = static_cast<int>(r);
  return std::abs(l - r) < 1e-3f;
}

}  // namespace

Expected<Int16SigmoidInput> PrepareInt16SigmoidInput(const ir::Graph& g, const ir::Node& n,
                                                     bool is_tanh) {
  float s_in = 0, s_out = 0;
  int32_t z_in = 0, z_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &z_in));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &z_out));
  if (z_in != 0 || z_out != 0) {
    return NodeError(n, "int16 input and output have zero points " + std::to_string(z_in) + " and " +
                            std::to_string(z_out) + "; the reference kernel requires 0",
                     "16-bit activations are quantized symmetrically (zero point 0)");
  }
  int out_log2 = 0;
  if (!(s_out > 0.0f) || !CheckedLog2(s_out, &out_log2) || out_log2 != -15) {
    return NodeError(n, "int16 output scale " + FormatReal(s_out) +
                            " is not 2^-15; the reference kernel requires it",
                     "re-quantize the model so that the output scale is 1/32768");
  }
  if (!(s_in > 0.0f) || !std::isfinite(s_in)) {
    return NodeError(n, "int16 input scale " + FormatReal(s_in) + " is not a positive number");
  }
  Int16SigmoidInput p;
  int in_log2 = 0;
  const bool pot = CheckedLog2(s_in, &in_log2);
  const int pot_shift = 12 + in_log2;  // the input in Q3.12 needs no rescaling
  if (pot && (pot_shift == 0 || (is_tanh && pot_shift == 1))) {
    // A power-of-two scale 2^-12 (or 2^-11 for tanh): x * 3 * 2^shift.
    p.multiplier = 3 << pot_shift;
    return p;
  }
  // Any other scale: the multiplier s_in * 3 * 4096 doubled until it is
  // above 32767 / 2 (at most 31 times), truncated.
  double m = static_cast<double>(s_in) * 4096.0 * 3.0;
  while (m <= 32767.0 / 2.0 && p.shift <= 30) {
    ++p.shift;
    m *= 2.0;
  }
  if (m > 32767.0) {
    return NodeError(n, "int16 input scale " + FormatReal(s_in) +
                            " is too large for the reference kernel (at most 32767 / 12288)",
                     "re-quantize the model with a smaller input scale");
  }
  p.multiplier = static_cast<int32_t>(m);
  p.round = p.shift > 0 ? int32_t{1} << (p.shift - 1) : 0;
  return p;
}

namespace {

// The input in units of 1/(3 * 4096): |x * multiplier| < 2^30 and round <=
// 2^30, so the int32 sum cannot overflow.
int32_t RescaleSigmoidInput(const Int16SigmoidInput& p, int16_t x) {
  return (x * p.multiplier + p.round) >> p.shift;
}

}  // namespace

namespace {

// The sigmoid table at a / 2^bits (a >= 0) with `bits` fraction bits kept,
// linearly interpolated; `saturated` from index 255 on.
uint32_t InterpolateSigmoid(uint32_t a, int bits, uint32_t saturated) {
  const uint32_t j = a >> bits;
  if (j >= 255) return saturated;
  const uint32_t lo = kSigmoidTableU16[j], hi = kSigmoidTableU16[j + 1];
  return (lo << bits) + (a & ((uint32_t{1} << bits) - 1)) * (hi - lo);
}

}  // namespace

int16_t LogisticInt16(const Int16SigmoidInput& p, int16_t x) {
  const int32_t v = RescaleSigmoidInput(p, x);
  // Table steps of 1/24 are 2^9 input units; Q0.25 result.
  uint32_t r = InterpolateSigmoid(static_cast<uint32_t>(std::abs(v)), 9, 0x7FFFu << 10);
  // sigmoid(-v) = 1 - sigmoid(v); back to Q0.15 with rounding.
  r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
  return static_cast<int16_t>(r >> 10);
}

int16_t TanhInt16(const Int16SigmoidInput& p, int16_t x) {
  const int32_t v = RescaleSigmoidInput(p, x);
  // tanh(v) = 2 sigmoid(2v) - 1: half the step, Q0.24 sigmoid.
  int32_t r = static_cast<int32_t>(InterpolateSigmoid(static_cast<uint32_t>(std::abs(v)), 8, 0xFFFFu << 8));
  // 2 * sigmoid - 1 in Q0.23, odd in v, rounded to Q0.15 (arithmetic shift).
  r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return static_cast<int16_t>(r >> 8);
}

}  // namespace ember::ops
