// The per-axis tables of resize_linear (ONNX Runtime's linear Resize),
// shared by the reference evaluator (ops/resize_linear.cc) and the C emitter,
// which emits them as constant arrays. For each output position o along an
// axis: the original coordinate x in float32 for the coordinate mode and
// scale s,
//   half_pixel          (o + 0.5) / s - 0.5
//   pytorch_half_pixel  the same; 0 when the output has one pixel
//   asymmetric          o / s
//   align_corners       o * (I - 1) / (O - 1); 0 when the output has one pixel
// clamped to [0, I - 1]; the neighbours i1 = trunc(x), i2 = min(i1 + 1, I - 1);
// the distances d1 = |x - i1|, d2 = |x - i2|, both 0.5 where i1 = i2.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ember::ops::linear {

enum class Mode { kHalfPixel, kPytorchHalfPixel, kAsymmetric, kAlignCorners };

inline std::optional<Mode> ParseMode(const std::string& s) {
  if (s == "half_pixel") return Mode::kHalfPixel;
  if (s == "pytorch_half_pixel") return Mode::kPytorchHalfPixel;
  if (s == "asymmetric") return Mode::kAsymmetric;
  if (s == "align_corners") return Mode::kAlignCorners;
  return std::nullopt;
}

struct Axis {
  std::vector<int32_t> i1, i2;  // source indices
  std::vector<float> d1, d2;    // distances to them
};

inline Axis MakeAxis(int32_t in, int32_t out, float scale, Mode mode) {
  Axis a;
  for (int32_t o = 0; o < out; ++o) {
    const float fo = static_cast<float>(o);
    float x = 0.0f;
    switch (mode) {
      case Mode::kHalfPixel: x = (fo + 0.5f) / scale - 0.5f; break;
      case Mode::kPytorchHalfPixel: x = out > 1 ? (fo + 0.5f) / scale - 0.5f : 0.0f; break;
      case Mode::kAsymmetric: x = fo / scale; break;
      case Mode::kAlignCorners:
        x = out == 1 ? 0.0f : fo * static_cast<float>(in - 1) / static_cast<float>(out - 1);
        break;
    }
    x = std::max(0.0f, std::min(x, static_cast<float>(in - 1)));
    const int32_t i1 = std::min(static_cast<int32_t>(x), in - 1);
    const int32_t i2 = std::min(i1 + 1, in - 1);
    float d1 = std::fabs(x - static_cast<float>(i1));
    float d2 = std::fabs(x - static_cast<float>(i2));
    if (i1 == i2) d1 = d2 = 0.5f;
    a.i1.push_back(i1);
    a.i2.push_back(i2);
    a.d1.push_back(d1);
    a.d2.push_back(d2);
  }
  return a;
}

// One output from the four neighbours X11 (y1, x1), X21 (y1, x2), X12
// (y2, x1), X22 (y2, x2), in ONNX Runtime's operation order.
inline float Pixel(float x11, float x21, float x12, float x22, float dx1, float dx2, float dy1, float dy2) {
  float v = dx2 * dy2 * x11 + dx1 * dy2 * x21;
  v = v + dx2 * dy1 * x12;
  return v + dx1 * dy1 * x22;
}

}  // namespace ember::ops::linear
