// Requantization arithmetic of TFLite's quantization spec (double rounding
// build, TFLite Micro's default). docs/numerics.md gives each formula.
#include "ops/quant_math.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "ops/op_util.h"  // FormatReal

namespace ember::ops {

int32_t Srdhm(int32_t a, int32_t b) {
  if (a == std::numeric_limits<int32_t>::min() && b == std::numeric_limits<int32_t>::min())
    return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  // floor((ab + 2^30) / 2^31): ties toward +infinity. ab + 2^30 cannot overflow
  // int64 because |ab| <= 2^62.
  const int64_t sum = ab + (int64_t{1} << 30);
  return static_cast<int32_t>(sum >> 31);  // arithmetic shift = floor
}

int32_t Rdbpot(int32_t x, int e) {
  if (e == 0) return x;
  const int32_t mask = static_cast<int32_t>((uint32_t{1} << e) - 1);
  const int32_t rem = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > threshold ? 1 : 0);
}

int32_t SatShl(int32_t x, int e) {
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - e)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return WrapShl(x, e);
}

QuantizedMultiplier QuantizeMultiplier(double d) {
  // A non-finite d has no representation (TFLite would hit undefined
  // behaviour); callers validate scales, this only keeps the function total.
  if (d == 0.0 || !std::isfinite(d)) return {0, 0};
  int e = 0;
  const double q = std::frexp(d, &e);
  int64_t qf = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (qf == (int64_t{1} << 31)) {
    qf /= 2;
    ++e;
  }
  if (e < -31) return {0, 0};
  return {static_cast<int32_t>(qf), e};
}

// Precondition: -31 <= shift <= 31 (QuantizeMultiplier gives shift >= -31;
// callers reject larger shifts, which overflow in TFLite too).
QuantizedMultiplier DivideMultiplierByCount(QuantizedMultiplier m, int64_t count) {
  int k = 63 - std::countl_zero(static_cast<uint64_t>(count));
  k = std::min(k, 32);
  k = std::min(k, 31 + m.shift);
  const int64_t scaled = (int64_t{m.multiplier} << k) / count;  // truncating division
  return {static_cast<int32_t>(scaled), m.shift - k};
}

int32_t Mbqm(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return Rdbpot(Srdhm(WrapShl(x, left), multiplier), right);
}

const Activation Activation::kNone{Activation::Kind::kNone};
const Activation Activation::kRelu{Activation::Kind::kRelu};
const Activation Activation::kRelu6{Activation::Kind::kRelu6};
const Activation Activation::kReluN1To1{Activation::Kind::kReluN1To1};

bool ParseActivation(const std::string& s, Activation* out) {
  if (s.empty() || s == "none") *out = Activation::kNone;
  else if (s == "relu") *out = Activation::kRelu;
  else if (s == "relu6") *out = Activation::kRelu6;
  else if (s == "relu_n1_to_1") *out = Activation::kReluN1To1;
  else return false;
  return true;
}

const char* ActivationName(Activation a) {
  switch (a.kind) {
    case Activation::Kind::kNone: return "none";
    case Activation::Kind::kRelu: return "relu";
    case Activation::Kind::kRelu6: return "relu6";
    case Activation::Kind::kReluN1To1: return "relu_n1_to_1";
    case Activation::Kind::kClip: return "clip";
  }
  return "none";
}

std::string DescribeActivation(Activation a) {
  if (a.kind != Activation::Kind::kClip) return ActivationName(a);
  return "clip[" + FormatReal(a.min) + ", " + FormatReal(a.max) + "]";
}

bool ParseInt8Semantics(const std::string& s, Int8Semantics* out) {
  if (s == "tflite") *out = Int8Semantics::kTflite;
  else if (s == "onnxruntime") *out = Int8Semantics::kOnnxRuntime;
  else return false;
  return true;
}

const char* Int8SemanticsName(Int8Semantics s) {
  return s == Int8Semantics::kOnnxRuntime ? "onnxruntime" : "tflite";
}

int32_t Mbqm64(int64_t x, int32_t multiplier, int shift) {
  const int64_t reduced = multiplier < 0x7FFF0000 ? (int64_t{multiplier} + (1 << 15)) >> 16 : 0x7FFF;
  const int total = std::clamp(15 - shift, 1, 63);
  const uint64_t prod = static_cast<uint64_t>(x) * static_cast<uint64_t>(reduced) + (uint64_t{1} << (total - 1));
  // Arithmetic right shift of the two's-complement value, then truncation to 32 bits.
  const int64_t shifted = static_cast<int64_t>(prod) >> total;
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(shifted)));
}

namespace {

// CalculateActivationRangeQuantized for an output of range [qmin, qmax].
Int32Range ActivationRangeQuantized(Activation act, float out_scale, int32_t out_zero_point,
                                    int32_t qmin, int32_t qmax) {
  // z_out + round_half_away(f / s_out) with a float32 division, as TFLite.
  // TFLite rejects a rounded value outside int32; here it saturates (and
  // NaN maps to the zero point) so that the result is always defined.
  auto quantize = [&](float f) {
    const float scaled = std::round(f / out_scale);
    int64_t v = 0;
    if (scaled >= 2147483648.0f) v = std::numeric_limits<int32_t>::max();
    else if (scaled < -2147483648.0f) v = std::numeric_limits<int32_t>::min();
    else if (scaled == scaled) v = static_cast<int64_t>(scaled);
    v += out_zero_point;
    return static_cast<int32_t>(std::clamp<int64_t>(v, std::numeric_limits<int32_t>::min(),
                                                    std::numeric_limits<int32_t>::max()));
  };
  // A clip bound beyond +-1e30 is beyond every integer range; keep the float
  // conversion defined.
  auto quantize_bound = [&](double b) { return quantize(static_cast<float>(std::clamp(b, -1e30, 1e30))); };
  switch (act.kind) {
    case Activation::Kind::kNone: return {qmin, qmax};
    case Activation::Kind::kRelu: return {std::max(qmin, out_zero_point), qmax};
    case Activation::Kind::kRelu6: return {std::max(qmin, out_zero_point), std::min(qmax, quantize(6.0f))};
    case Activation::Kind::kReluN1To1:
      return {std::max(qmin, quantize(-1.0f)), std::min(qmax, quantize(1.0f))};
    case Activation::Kind::kClip:
      return {std::max(qmin, quantize_bound(act.min)), std::min(qmax, quantize_bound(act.max))};
  }
  return {qmin, qmax};
}

}  // namespace

Int32Range ActivationRangeInt8(Activation act, float out_scale, int32_t out_zero_point) {
  return ActivationRangeQuantized(act, out_scale, out_zero_point, -128, 127);
}

Int32Range ActivationRangeInt16(Activation act, float out_scale, int32_t out_zero_point) {
  return ActivationRangeQuantized(act, out_scale, out_zero_point, -32768, 32767);
}

FloatRange ActivationRangeFloat(Activation act) {
  constexpr float kLowest = std::numeric_limits<float>::lowest(), kMax = std::numeric_limits<float>::max();
  switch (act.kind) {
    case Activation::Kind::kNone: return {kLowest, kMax};
    case Activation::Kind::kRelu: return {0.0f, kMax};
    case Activation::Kind::kRelu6: return {0.0f, 6.0f};
    case Activation::Kind::kReluN1To1: return {-1.0f, 1.0f};
    case Activation::Kind::kClip:
      // Bounds beyond the float range are no bound.
      return {act.min <= static_cast<double>(kLowest) ? kLowest : static_cast<float>(act.min),
              act.max >= static_cast<double>(kMax) ? kMax : static_cast<float>(act.max)};
  }
  return {kLowest, kMax};
}

}  // namespace ember::ops
