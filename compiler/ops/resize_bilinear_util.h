// The per-axis interpolation tables of resize_bilinear, shared by the
// reference evaluator (ops/resize_bilinear.cc) and the C emitter, which emits
// them as constant arrays: for each output row (column) the two source rows
// (columns) and the weights, computed exactly as TFLite's reference
// ComputeInterpolationValues (float32) and ComputeInterpolationValuesInteger
// (int8, 10 fractional bits) compute them per pixel.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ember::ops::bilinear {

struct Axis {
  std::vector<int32_t> lo, hi;  // source indices, lo <= hi
  std::vector<float> d;         // f32: input coordinate - lo
  std::vector<int32_t> w;       // int8: input coordinate * 2^10 - lo * 2^10
  bool in_range = true;         // false: lo exceeds the input (TFLite would read outside it)
};

// Float32 weights: scale = I / float(O) or, with align_corners and O > 1,
// (I - 1) / float(O - 1); v = half_pixel_centers ? (o + 0.5f) * scale - 0.5f
// : o * scale; lo = max(floor(v), 0), hi = min(ceil(v), I - 1), d = v - lo.
inline Axis FloatAxis(int32_t in, int32_t out, bool align, bool half) {
  Axis a;
  float scale = static_cast<float>(in) / static_cast<float>(out);
  if (align && out > 1) scale = static_cast<float>(in - 1) / static_cast<float>(out - 1);
  for (int32_t o = 0; o < out; ++o) {
    const float v = half ? (static_cast<float>(o) + 0.5f) * scale - 0.5f : static_cast<float>(o) * scale;
    const int32_t lo = std::max(static_cast<int32_t>(std::floor(v)), int32_t{0});
    const int32_t hi = std::min(static_cast<int32_t>(std::ceil(v)), in - 1);
    if (lo > in - 1) a.in_range = false;
    a.lo.push_back(lo);
    a.hi.push_back(hi);
    a.d.push_back(v - static_cast<float>(lo));
  }
  return a;
}

// Integer weights: scale10 = (2^10 I + O / 2) / O or, with align_corners and
// O > 1, (2^10 (I - 1) + (O - 1) / 2) / (O - 1); v = half_pixel_centers ?
// o * scale10 + scale10 / 2 - 2^9 : o * scale10; lo = max(v / 2^10, 0)
// (C division), hi = min((v + 2^10 - 1) / 2^10, I - 1), w = v - 2^10 lo.
inline Axis IntegerAxis(int32_t in, int32_t out, bool align, bool half) {
  Axis a;
  int32_t scale = ((1 << 10) * in + out / 2) / out;
  if (align && out > 1) scale = ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
  for (int32_t o = 0; o < out; ++o) {
    const int32_t v = half ? o * scale + scale / 2 - (1 << 9) : o * scale;
    const int32_t lo = std::max(v / (1 << 10), int32_t{0});
    const int32_t hi = std::min((v + (1 << 10) - 1) / (1 << 10), in - 1);
    if (lo > in - 1) a.in_range = false;
    a.lo.push_back(lo);
    a.hi.push_back(hi);
    a.w.push_back(v - (1 << 10) * lo);
  }
  return a;
}

// One output value of the float32 kernel from the four corners, in the
// reference's operation order (the trailing + 0.0f turns -0 into +0 as
// TFLite's rounding offset does).
inline float FloatPixel(float v00, float v10, float v01, float v11, float dy, float dx) {
  return v00 * (1 - dy) * (1 - dx) + v10 * dy * (1 - dx) + v01 * (1 - dy) * dx + v11 * dy * dx + 0.0f;
}

// One output value of the int8 kernel: the 2^20-scaled sum, rounded half
// away from zero (TFLite's double-rounding build), cast to int8 (wrapping).
inline int8_t IntegerPixel(int32_t v00, int32_t v10, int32_t v01, int32_t v11, int32_t wy, int32_t wx) {
  const int64_t sum = int64_t{v00} * ((1 << 10) - wy) * ((1 << 10) - wx) + int64_t{v10} * wy * ((1 << 10) - wx) +
                      int64_t{v01} * ((1 << 10) - wy) * wx + int64_t{v11} * wy * wx;
  const int64_t round = sum > 0 ? (1 << 19) : -(1 << 19);
  return static_cast<int8_t>((sum + round) / (1 << 20));
}

}  // namespace ember::ops::bilinear
