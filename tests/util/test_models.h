// Small deterministic TFLite models for tests, written with ModelBuilder.
//
// Weights come from a fixed xorshift32 sequence, so every call returns the
// same bytes. Quantization parameters are chosen by hand (see test_models.cc)
// and are stated next to each model so tests can check them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::test {

// int8, per-channel conv/depthwise weights, int32 biases:
//   input  i8[1,8,8,1]  (0.05, -3)
//   conv 3x3 SAME stride 1, 4 filters, relu       -> "conv"   i8[1,8,8,4] (0.05, -128)
//   depthwise 3x3 SAME stride 2, dm 1             -> "dw"     i8[1,4,4,4] (0.04, 5)
//   average pool 2x2 VALID stride 2               -> "pool"   i8[1,2,2,4] (0.04, 5)
//   reshape with constant shape [1,-1]            -> "flat"   i8[1,16]    (0.04, 5)
//   fully connected 16 -> 3 (per-tensor weights)  -> "logits" i8[1,3]     (0.1, 2)
//   softmax beta 1                                -> "probs"  i8[1,3]     (1/256, -128)
// Conv filter scales are {0.01, 0.02, 0.015, 0.025} (axis 0), depthwise
// filter scales {0.03, 0.01, 0.02, 0.04} (axis 3), FC weight scale 0.02.
// With `deprecated_op_codes`, operator codes are stored only in
// deprecated_builtin_code (as older converters did).
std::vector<uint8_t> TinyConvModel(bool deprecated_op_codes = false);

// int8: inputs "a" i8[1,4] (0.1, 1) and "b" i8[1,4] (0.2, -2);
// "sum" = add(a, b) i8[1,4] (0.3, 0), no activation. The three tensor
// names may be given.
std::vector<uint8_t> TinyAddModel(const std::string& a = "a", const std::string& b = "b",
                                  const std::string& sum = "sum");

// float32: input f32[1,4,4,2]; conv 3x3 VALID stride 1, 3 filters, bias ->
// "conv" f32[1,2,2,3]; reshape by the new_shape option [1,12] -> "flat";
// fully connected 12 -> 2 with bias, relu -> "out" f32[1,2].
std::vector<uint8_t> TinyFloatModel();

// float32 CNN for quantization tests: input f32[1,12,10,2]; conv 3x3 SAME,
// 8 filters, relu -> "conv"; depthwise 3x3 SAME stride 2, relu6 -> "dw"
// [1,6,5,8]; conv 1x1 -> "pw"; add(pw, dw) relu -> "sum"; max pool 2x2
// VALID stride 1 -> "maxpool" [1,5,4,8]; average pool 2x2 SAME stride 2 ->
// "avgpool" [1,3,2,8]; reshape (shape tensor) [1,48] -> "flat"; fully
// connected 48 -> 10 relu -> "fc1"; 10 -> 4 -> "logits"; softmax -> "probs".
std::vector<uint8_t> FloatCnnModel();

// float32 with a rank-4 output: input "image" f32[1,8,8,3]; conv 3x3 SAME
// stride 2, 6 filters, relu -> "conv" [1,4,4,6]; depthwise 3x3 SAME depth
// multiplier 2 -> "features" [1,4,4,12] (the output).
std::vector<uint8_t> FloatFeatureMapModel();

// Deterministic xorshift32 stream used for the weights above.
class XorShift32 {
 public:
  explicit XorShift32(uint32_t seed = 0x2545F491u) : state_(seed) {}
  uint32_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }
  // Uniform int8 in [lo, hi].
  int8_t Int8(int lo = -127, int hi = 127) {
    return static_cast<int8_t>(lo + static_cast<int>(Next() % static_cast<uint32_t>(hi - lo + 1)));
  }
  // Uniform float in [-1, 1).
  float Float() { return static_cast<float>(Next() >> 8) / 8388608.0f - 1.0f; }

 private:
  uint32_t state_;
};

}  // namespace ember::test
