// The values of IEEE half-precision (float16) and bfloat16 bit patterns,
// as the frontends read float16 weights (ONNX initializers, TFLite's
// float16-quantized models) into float32, and values rounded to float16 or
// bfloat16 (constant casts, the reference of the IR cast's `round`).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace ember {

// float16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits;
// exponent 0 is zero or subnormal (fraction · 2^-24), 31 infinity or NaN.
inline double Float16Value(uint16_t bits) {
  const int exp = (bits >> 10) & 0x1F;
  const int frac = bits & 0x3FF;
  const double v = exp == 0    ? std::ldexp(frac, -24)
                   : exp == 31 ? (frac ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity())
                               : std::ldexp(1024 + frac, exp - 25);
  return (bits & 0x8000) ? -v : v;
}

// bfloat16: the high 16 bits of a float32.
inline double Bfloat16Value(uint16_t bits) {
  const uint32_t f32 = uint32_t{bits} << 16;
  float v;
  std::memcpy(&v, &f32, sizeof v);
  return v;
}

// `v` rounded to the nearest value of a binary floating-point format with
// `frac_bits` fraction bits and `min_exp` the exponent of its smallest
// normal value (below it, multiples of 2^(min_exp - frac_bits)): ties to
// even; beyond `max_finite`, infinity; zero, infinity and NaN as they are.
inline double RoundToBinaryFormat(double v, int frac_bits, int min_exp, double max_finite) {
  if (!std::isfinite(v) || v == 0.0) return v;
  int e = 0;
  std::frexp(std::fabs(v), &e);  // |v| in [2^(e-1), 2^e)
  const double quantum = std::ldexp(1.0, (e - 1 > min_exp ? e - 1 : min_exp) - frac_bits);
  double r = std::nearbyint(std::fabs(v) / quantum) * quantum;  // the default rounding: to nearest, ties to even
  if (r > max_finite) r = std::numeric_limits<double>::infinity();
  return std::copysign(r, v);
}
inline double RoundToFloat16(double v) { return RoundToBinaryFormat(v, 10, -14, 65504.0); }
inline double RoundToBfloat16(double v) { return RoundToBinaryFormat(v, 7, -126, std::ldexp(255.0, 120)); }

// The float16 bit pattern nearest to `v` (ties to even; beyond the largest
// finite value, 65504, infinity; NaN stays NaN): RoundToFloat16's value,
// encoded.
inline uint16_t Float16Bits(float v) {
  const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  if (std::isnan(v)) return 0x7E00;
  const double r = std::fabs(RoundToFloat16(v));
  if (std::isinf(r)) return sign | 0x7C00;
  if (r < std::ldexp(1.0, -14)) return sign | static_cast<uint16_t>(std::ldexp(r, 24));  // subnormal: steps of 2^-24
  int e = 0;
  std::frexp(r, &e);  // r in [2^(e-1), 2^e)
  const auto fraction = static_cast<int>(std::ldexp(r, 11 - e)) - 1024;  // exact: r has 11 significant bits
  return sign | static_cast<uint16_t>(((e - 1 + 15) << 10) | fraction);
}

}  // namespace ember
