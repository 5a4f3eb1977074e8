// TFLite's input scaling of the int8 softmax and log_softmax kernels
// (PreprocessSoftmaxScaling with 5 integer bits, then CalculateInputRadius),
// shared by both operators' evaluators and C kernels: differences to the row
// maximum are scaled to Q5.26 by M = min(beta · s_in · 2^26, 2^31 − 1)
// (QuantizeMultiplier, a left shift), and differences below
// diff_min = −floor(31 · 2^26 / 2^shift) contribute nothing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ops/quant_math.h"

namespace ember::ops {

struct SoftmaxDiffScaling {
  double real = 0.0;     // beta · s_in · 2^26, capped
  QuantizedMultiplier m;  // of `real`
  int32_t diff_min = 0;
  // TFLite requires a multiplier above one (a left shift of 1 to 31).
  bool valid() const { return real > 1.0 && m.shift >= 1 && m.shift <= 31; }
};

inline SoftmaxDiffScaling GetSoftmaxDiffScaling(double beta_times_scale) {
  SoftmaxDiffScaling s;
  s.real = std::min(beta_times_scale * static_cast<double>(int64_t{1} << 26),
                    static_cast<double>(std::numeric_limits<int32_t>::max()));
  s.m = QuantizeMultiplier(s.real);
  if (s.valid()) {
    s.diff_min = -static_cast<int32_t>(std::floor(31.0 * static_cast<double>(int64_t{1} << 26) /
                                                  static_cast<double>(int64_t{1} << s.m.shift)));
  }
  return s;
}

}  // namespace ember::ops
