// The int8 parameters of log_softmax (compiler/ops/log_softmax.cc and its C
// kernel), as TFLite Micro's LOG_SOFTMAX prepares them: softmax's input
// scaling with beta 1 (ops/softmax_scaling.h: M = s_in · 2^26 and diff_min),
// and the reverse divisor 2^(31 − shift) / M as a multiplier below one (a
// right shift).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"
#include "ops/softmax_scaling.h"

namespace ember::ops::logsoftmax {

constexpr int kDiffIntegerBits = 5;     // differences in Q5.26
constexpr int kSumIntegerBits = 12;     // the sum of exponentials in Q12.19
constexpr int kOutputIntegerBits = 4;   // outputs step 1/16
constexpr int64_t kMaxDepth = 4095;     // a Q12.19 sum of that many ones stays below 2^12
constexpr float kOutputScale = 16.0f / 256.0f;
constexpr int32_t kOutputZeroPoint = 127;

struct Int8Params {
  QuantizedMultiplier input;    // shift >= 1
  QuantizedMultiplier reverse;  // shift <= 0
  int32_t diff_min = 0;
};

inline Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  float s_in = 0, s_out = 0;
  int32_t z_in = 0, z_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &z_in));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &z_out));
  if (s_out != kOutputScale || z_out != kOutputZeroPoint) {
    return NodeError(n,
                     "int8 output is quantized with scale " + FormatReal(s_out) + " and zero point " +
                         std::to_string(z_out) + "; TFLite's kernel requires 16/256 and 127",
                     "re-quantize the model so that the log_softmax output has scale 0.0625 and zero point 127");
  }
  Int8Params p;
  const SoftmaxDiffScaling s = GetSoftmaxDiffScaling(static_cast<double>(s_in));  // beta 1
  const double reverse = s.valid() ? static_cast<double>(int64_t{1} << (31 - s.m.shift)) /
                                         static_cast<double>(s.m.multiplier)
                                   : 0.0;
  p.input = s.m;
  p.reverse = QuantizeMultiplier(reverse);
  p.diff_min = s.diff_min;
  if (!s.valid() || !(reverse < 1.0) || p.reverse.shift > 0) {
    return NodeError(n, "input scale " + FormatReal(s_in) + " is too small for the int8 kernel (needs scale > 2^-26)",
                     "check the input quantization");
  }
  return p;
}

}  // namespace ember::ops::logsoftmax
