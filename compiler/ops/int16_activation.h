// The int16 arithmetic of TFLite Micro's 16-bit activations (16x8
// quantization) for SOFTMAX, LOGISTIC and TANH, shared by the reference
// evaluators (ops/) and the C emitters (which put the same tables into the
// generated code as constant arrays). docs/numerics.md, "int16 softmax,
// logistic and tanh", states each algorithm.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::ops {

// A 513-entry int16 table of f over the whole int16 input range, built as
// TFLite's LUTPopulate<int16_t> builds it in float32: 512 samples, each biased
// by half the error of linear interpolation at the middle of its segment,
// plus the last point. Input x maps to in_scale * (x - in_zero_point), f's
// value v to round(v / out_scale) + out_zero_point (saturated to int16).
inline constexpr int kInt16LutSize = 513;
std::vector<int16_t> BuildInt16Lut(float in_scale, int32_t in_zero_point, float out_scale,
                                   int32_t out_zero_point, float (*f)(float));
// The table's interpolated value at x (TFLite's LUTLookup for int16):
// lut[256 + (x >> 7)] plus the rounded slope times the low 7 bits.
int16_t Int16LutLookup(const int16_t* lut, int16_t x);

// The two tables of the int16 SOFTMAX. They depend on no model parameter:
// exp(v) for v in [-10, 0] (input -32768..32767, Q0.15 output) and
// 1 / (1 + v) for v in [0, 1] (the same scales).
const std::vector<int16_t>& SoftmaxInt16ExpLut();
const std::vector<int16_t>& SoftmaxInt16ReciprocalLut();

// TFLite's 256-entry table of sigmoid(i / 24) in unsigned Q0.16 that the int16
// LOGISTIC and TANH interpolate (values as TFLite ships them, not recomputed:
// 42 of them differ by one or two from the correctly rounded value).
extern const uint16_t kSigmoidTableU16[256];

// The input rescaling of the int16 LOGISTIC and TANH (TFLite Micro's
// Prepare), normalised so that the kernels need no branch on it: the input x
// becomes (x * multiplier + round) >> shift, a value in units of 1/(3 * 4096)
// (TFLite's table covers [-10.7, 10.7]). Needs zero points 0 and an output
// scale of 2^-15; a NodeError otherwise.
struct Int16SigmoidInput {
  int32_t multiplier = 0;  // at most 32767
  int shift = 0;           // right shift, 0..31
  int32_t round = 0;       // 2^(shift - 1), or 0 when shift == 0
};
Expected<Int16SigmoidInput> PrepareInt16SigmoidInput(const ir::Graph& g, const ir::Node& n,
                                                     bool is_tanh);
// TFLite's reference_integer_ops::Logistic and Tanh on one int16 value.
int16_t LogisticInt16(const Int16SigmoidInput& p, int16_t x);
int16_t TanhInt16(const Int16SigmoidInput& p, int16_t x);

}  // namespace ember::ops
