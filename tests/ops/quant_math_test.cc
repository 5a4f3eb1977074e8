// Requantization primitives against the verified vectors of TFLite Micro's
// arithmetic (QuantizeMultiplier table, MBQM double rounding, tie rules).
#include "ops/quant_math.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace ember::ops {
namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

struct QmCase {
  double d;
  int32_t multiplier;
  int shift;
};

TEST(QuantizeMultiplier, VerifiedTable) {
  const std::vector<QmCase> cases = {
      {0.5, 1073741824, 0},      {1.0, 1073741824, 1},   {0.3, 1288490189, -1},
      {1e-4, 1759218604, -13},   {2.5, 1342177280, 2},   {1.0 / 256, 1073741824, -7},
      {1e5, 1638400000, 17},     {3e-10, 1383505806, -31}, {1e-10, 0, 0},
      {0.99999999999, 1073741824, 1}, {0.0, 0, 0},
  };
  for (const QmCase& c : cases) {
    const QuantizedMultiplier q = QuantizeMultiplier(c.d);
    EXPECT_EQ(q.multiplier, c.multiplier) << "d=" << c.d;
    EXPECT_EQ(q.shift, c.shift) << "d=" << c.d;
  }
}

TEST(QuantizeMultiplier, ShiftAboveThirtyIsNotClamped) {
  // The double-rounding build keeps shift 32 for 3e9 (1500000000 * 2^(32-31)).
  const QuantizedMultiplier q = QuantizeMultiplier(3e9);
  EXPECT_EQ(q.multiplier, 1500000000);
  EXPECT_EQ(q.shift, 32);
}

TEST(QuantizeMultiplier, ConvAndFcFormulasDiffer) {
  // s_in = 0.0235, s_w = 0.0031, s_out = 0.0412: the FC per-tensor formula rounds
  // the scale product to float first.
  const float s_in = 0.0235f, s_w = 0.0031f, s_out = 0.0412f;
  const QuantizedMultiplier fc =
      QuantizeMultiplier(static_cast<double>(s_in * s_w) / static_cast<double>(s_out));
  const QuantizedMultiplier conv = QuantizeMultiplier(
      static_cast<double>(s_in) * static_cast<double>(s_w) / static_cast<double>(s_out));
  EXPECT_EQ(fc.multiplier, 1944160739);
  EXPECT_EQ(conv.multiplier, 1944160682);
  EXPECT_EQ(fc.shift, -9);
  EXPECT_EQ(conv.shift, -9);
}

TEST(Mbqm, PointThreeRow) {
  const QuantizedMultiplier q = QuantizeMultiplier(0.3);
  const std::vector<int32_t> x = {-10, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 10};
  const std::vector<int32_t> want = {-3, -2, -1, -1, -1, -1, 0, 1, 1, 1, 1, 2, 3};
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(Mbqm(x[i], q), want[i]) << "x=" << x[i];
}

TEST(Mbqm, DoubleRoundingExamples) {
  const QuantizedMultiplier half = QuantizeMultiplier(0.5);
  const QuantizedMultiplier quarter = QuantizeMultiplier(0.25);
  EXPECT_EQ(Mbqm(-1, half), 0);
  EXPECT_EQ(Mbqm(1, half), 1);
  EXPECT_EQ(Mbqm(-5, half), -2);
  EXPECT_EQ(Mbqm(-2, quarter), -1);
  EXPECT_EQ(Mbqm(-10, quarter), -3);
}

TEST(Mbqm, LeftShiftForMultipliersAboveOne) {
  // 2.5 = 1342177280 * 2^(2-31): 7 * 2.5 = 17.5, x << 2 = 28, SRDHM(28, 0.625*2^31) = 17.5 -> 18.
  EXPECT_EQ(Mbqm(7, QuantizeMultiplier(2.5)), 18);
  EXPECT_EQ(Mbqm(-7, QuantizeMultiplier(2.5)), -17);  // -17.5: SRDHM tie toward +inf
  EXPECT_EQ(Mbqm(100, QuantizeMultiplier(1.0)), 100);
}

TEST(Srdhm, TiesGoTowardPlusInfinity) {
  // b = 2^30 is one half: a * b / 2^31 = a / 2.
  EXPECT_EQ(Srdhm(1, 1 << 30), 1);    // 0.5 -> 1
  EXPECT_EQ(Srdhm(-1, 1 << 30), 0);   // -0.5 -> 0
  EXPECT_EQ(Srdhm(-3, 1 << 30), -1);  // -1.5 -> -1
  EXPECT_EQ(Srdhm(3, 1 << 30), 2);    // 1.5 -> 2
  EXPECT_EQ(Srdhm(-4, 1 << 30), -2);
  EXPECT_EQ(Srdhm(kMin, kMin), kMax);  // the only saturating case
  EXPECT_EQ(Srdhm(kMax, kMax), kMax - 1);
  EXPECT_EQ(Srdhm(kMin, kMax), -kMax);
}

TEST(Rdbpot, TiesGoAwayFromZero) {
  EXPECT_EQ(Rdbpot(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(Rdbpot(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(Rdbpot(-1, 1), -1);  // -0.5 -> -1
  EXPECT_EQ(Rdbpot(1, 1), 1);    // 0.5 -> 1
  EXPECT_EQ(Rdbpot(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(Rdbpot(-5, 2), -1);  // -1.25 -> -1
  EXPECT_EQ(Rdbpot(7, 2), 2);    // 1.75 -> 2
  EXPECT_EQ(Rdbpot(12345, 0), 12345);
  EXPECT_EQ(Rdbpot(kMin, 31), -1);
  EXPECT_EQ(Rdbpot(kMax, 31), 1);  // 0.99999... -> 1
}

TEST(SatShl, SaturatesBothWays) {
  EXPECT_EQ(SatShl(3, 2), 12);
  EXPECT_EQ(SatShl(-3, 2), -12);
  EXPECT_EQ(SatShl(1 << 29, 2), kMax);  // threshold 2^29 - 1
  EXPECT_EQ(SatShl((1 << 29) - 1, 2), ((1 << 29) - 1) * 4);
  EXPECT_EQ(SatShl(-(1 << 29), 2), kMin);
  EXPECT_EQ(SatShl(-((1 << 29) - 1), 2), -((1 << 29) - 1) * 4);
}

TEST(WrapArithmetic, WrapsWithoutUb) {
  EXPECT_EQ(WrapAdd(kMax, 1), kMin);
  EXPECT_EQ(WrapSub(kMin, 1), kMax);
  EXPECT_EQ(WrapMul(65536, 65536), 0);
  EXPECT_EQ(WrapShl(3, 31), kMin);
}

TEST(ActivationRangeInt8, FusedCodes) {
  // s_out = 0.05, z_out = -10: Q(6) = -10 + round(120) = 110; Q(1) = 10; Q(-1) = -30.
  Int32Range r = ActivationRangeInt8(Activation::kNone, 0.05f, -10);
  EXPECT_EQ(r.min, -128);
  EXPECT_EQ(r.max, 127);
  r = ActivationRangeInt8(Activation::kRelu, 0.05f, -10);
  EXPECT_EQ(r.min, -10);
  EXPECT_EQ(r.max, 127);
  r = ActivationRangeInt8(Activation::kRelu6, 0.05f, -10);
  EXPECT_EQ(r.min, -10);
  EXPECT_EQ(r.max, 110);
  r = ActivationRangeInt8(Activation::kReluN1To1, 0.05f, -10);
  EXPECT_EQ(r.min, -30);
  EXPECT_EQ(r.max, 10);
  // Upper bound is clamped to the int8 range; the lower bound to -128.
  r = ActivationRangeInt8(Activation::kRelu6, 0.01f, -128);
  EXPECT_EQ(r.min, -128);
  EXPECT_EQ(r.max, 127);
  // 6 / 0.4f rounds (in float) to 15; 6 / 0.25 = 24, + z_out 3.
  EXPECT_EQ(ActivationRangeInt8(Activation::kRelu6, 0.4f, 0).max, 15);
  EXPECT_EQ(ActivationRangeInt8(Activation::kRelu6, 0.25f, 3).max, 27);
  // 1 / 0.4f rounds (in float) to exactly 2.5: ties go away from zero, to +-3.
  r = ActivationRangeInt8(Activation::kReluN1To1, 0.4f, 0);
  EXPECT_EQ(r.min, -3);
  EXPECT_EQ(r.max, 3);
}

TEST(ActivationRangeInt8, ClipQuantizesItsBounds) {
  // s_out = 0.05, z_out = -10: Q(-0.35) = -17, Q(2.5) = 40; ties away from zero
  // (1 / 0.4f is exactly 2.5: +-3); bounds beyond the range clamp to it.
  Int32Range r = ActivationRangeInt8(Activation::Clip(-0.35, 2.5), 0.05f, -10);
  EXPECT_EQ(r.min, -17);
  EXPECT_EQ(r.max, 40);
  r = ActivationRangeInt8(Activation::Clip(-1.0, 1.0), 0.4f, 0);
  EXPECT_EQ(r.min, -3);
  EXPECT_EQ(r.max, 3);
  r = ActivationRangeInt8(Activation::Clip(-1e300, 1e300), 0.05f, -10);
  EXPECT_EQ(r.min, -128);
  EXPECT_EQ(r.max, 127);
  r = ActivationRangeInt8(Activation::Clip(-std::numeric_limits<double>::infinity(), 0.0), 0.05f, -10);
  EXPECT_EQ(r.min, -128);
  EXPECT_EQ(r.max, -10);
  const FloatRange f = ActivationRangeFloat(Activation::Clip(-0.35, 1e300));
  EXPECT_EQ(f.min, -0.35f);
  EXPECT_EQ(f.max, std::numeric_limits<float>::max());
  EXPECT_EQ(DescribeActivation(Activation::Clip(-0.35, 2.5)), "clip[-0.35, 2.5]");
  EXPECT_EQ(DescribeActivation(Activation::kRelu6), "relu6");
}

TEST(ActivationRangeInt8, HugeRatiosSaturateInsteadOfOverflowing) {
  // 6 / 1e-30 does not fit int32; the bound must still be a sane int8 limit.
  const Int32Range r = ActivationRangeInt8(Activation::kRelu6, 1e-30f, 0);
  EXPECT_EQ(r.min, 0);
  EXPECT_EQ(r.max, 127);
  const Int32Range n = ActivationRangeInt8(Activation::kReluN1To1, 1e-30f, 0);
  EXPECT_EQ(n.min, -128);
  EXPECT_EQ(n.max, 127);
}

TEST(Mbqm64, RoundsTheMultiplierToFifteenBitsAndTiesUpward) {
  // 0.5 = 2^30 * 2^-31: m' = (2^30 + 2^15) >> 16 = 2^14, shift 15.
  const QuantizedMultiplier half = QuantizeMultiplier(0.5);
  EXPECT_EQ(Mbqm64(3, half), 2);
  EXPECT_EQ(Mbqm64(-3, half), -1);  // -1.5 rounds up
  EXPECT_EQ(Mbqm64(-5, half), -2);
  EXPECT_EQ(Mbqm64(int64_t{1} << 40, half.multiplier, -10), 536870912);  // 2^40 * 2^-11
  // A multiplier at or above 0x7FFF0000 becomes 0x7FFF.
  EXPECT_EQ(Mbqm64(int64_t{1} << 20, 0x7FFFFFFF, 0), 1048544);
  EXPECT_EQ(Mbqm64(int64_t{1} << 20, 0x7FFF0000, 0), 1048544);
  EXPECT_EQ(Mbqm64(int64_t{1} << 20, 0x7FFEFFFF, 0), 1048544);  // (m + 2^15) >> 16 = 0x7FFF too
  EXPECT_EQ(Mbqm64(int64_t{1} << 20, 0x7FFE7FFF, 0), 1048512);  // 0x7FFE
  // A result beyond int32 is truncated to its low 32 bits, as TFLite's cast.
  EXPECT_EQ(Mbqm64(int64_t{1} << 46, half.multiplier, 7), 0);
  EXPECT_EQ(Mbqm64(-(int64_t{1} << 47), half.multiplier, -31), -32768);
}

TEST(ActivationRangeInt16, FullRangeAndClamps) {
  const Int32Range none = ActivationRangeInt16(Activation::kNone, 1e-4f, 0);
  EXPECT_EQ(none.min, -32768);
  EXPECT_EQ(none.max, 32767);
  const Int32Range relu = ActivationRangeInt16(Activation::kRelu, 1e-4f, 0);
  EXPECT_EQ(relu.min, 0);
  EXPECT_EQ(relu.max, 32767);
  const Int32Range relu6 = ActivationRangeInt16(Activation::kRelu6, 1.0f / 1024, 0);
  EXPECT_EQ(relu6.min, 0);
  EXPECT_EQ(relu6.max, 6144);
  const Int32Range n1 = ActivationRangeInt16(Activation::kReluN1To1, 1.0f / 4096, 0);
  EXPECT_EQ(n1.min, -4096);
  EXPECT_EQ(n1.max, 4096);
}

TEST(ActivationRangeFloat, Bounds) {
  EXPECT_EQ(ActivationRangeFloat(Activation::kNone).min, std::numeric_limits<float>::lowest());
  EXPECT_EQ(ActivationRangeFloat(Activation::kNone).max, std::numeric_limits<float>::max());
  EXPECT_EQ(ActivationRangeFloat(Activation::kRelu).min, 0.0f);
  EXPECT_EQ(ActivationRangeFloat(Activation::kRelu6).max, 6.0f);
  EXPECT_EQ(ActivationRangeFloat(Activation::kReluN1To1).min, -1.0f);
  EXPECT_EQ(ActivationRangeFloat(Activation::kReluN1To1).max, 1.0f);
}

TEST(ParseActivation, NamesRoundTrip) {
  for (Activation a : {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                       Activation::kReluN1To1}) {
    Activation back = Activation::kNone;
    ASSERT_TRUE(ParseActivation(ActivationName(a), &back));
    EXPECT_EQ(back, a);
  }
  Activation a = Activation::kRelu;
  EXPECT_TRUE(ParseActivation("", &a));
  EXPECT_EQ(a, Activation::kNone);
  EXPECT_FALSE(ParseActivation("tanh", &a));
}

}  // namespace
}  // namespace ember::ops
