// gemmlowp fixed-point helpers against the raw values verified on TFLite
// Micro's own headers (semantics notes §13) and hand-computed int16 cases.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "ops/quant_math.h"

namespace ember::ops {
namespace {

constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

TEST(FixedPoint, ExpOnNegativeValuesQ5VerifiedRaws) {
  EXPECT_EQ(ExpOnNegativeValues(0, 5), 2147483647);
  EXPECT_EQ(ExpOnNegativeValues(-1, 5), 2147483124);
  EXPECT_EQ(ExpOnNegativeValues(-(1 << 24), 5), 1672462419);    // exp(-1/4)
  EXPECT_EQ(ExpOnNegativeValues(-(1 << 26), 5), 790015308);     // exp(-1)
  EXPECT_EQ(ExpOnNegativeValues(-3 * (1 << 26), 5), 106916946); // exp(-3)
  EXPECT_EQ(ExpOnNegativeValues(-16 * (1 << 26), 5), 242);      // exp(-16)
  EXPECT_EQ(ExpOnNegativeValues(-31 * (1 << 26), 5), 0);
}

TEST(FixedPoint, ExpOnNegativeValuesIsMonotoneAndBounded) {
  int32_t prev = kMax;
  for (int32_t a = 0; a > -(31 << 26); a -= 1 << 22) {
    const int32_t e = ExpOnNegativeValues(a, 5);
    EXPECT_LE(e, prev) << "a=" << a;
    EXPECT_GE(e, 0) << "a=" << a;
    prev = e;
  }
}

TEST(FixedPoint, ExpOnNegativeValuesUnderflowsBelowMinus32) {
  // Only formats with more than 5 integer bits can express -33.
  EXPECT_EQ(ExpOnNegativeValues(-33 * (1 << 25), 6), 0);
}

TEST(FixedPoint, OneOverOnePlusXVerifiedRaws) {
  EXPECT_EQ(OneOverOnePlusX(0), 2147483647);
  EXPECT_EQ(OneOverOnePlusX(1 << 30), 1431655762);  // 1/(1+0.5) = 2/3
  EXPECT_EQ(OneOverOnePlusX(kMax), 1073741820);     // ~1/2
}

TEST(FixedPoint, OneMinusXOverOnePlusXEndpoints) {
  // (1-0)/(1+0) = 1 saturates to the Q0 maximum; (1-1)/(1+1) ~ 0.
  EXPECT_EQ(OneMinusXOverOnePlusX(0), kMax);
  EXPECT_NEAR(OneMinusXOverOnePlusX(kMax), 0, 64);
  // (1-0.5)/(1+0.5) = 1/3 ~ 715827883 in Q0.
  EXPECT_NEAR(OneMinusXOverOnePlusX(1 << 30), 715827883, 64);
}

TEST(FixedPoint, LogisticAndTanhAtZero) {
  EXPECT_EQ(FixedLogistic(0, 4), 1 << 30);
  EXPECT_EQ(FixedTanh(0, 4), 0);
}

TEST(FixedPoint, LogisticSymmetry) {
  // logistic(-a) = 1 - logistic(a) exactly, with Q0 one = 2^31 - 1.
  for (int32_t a : {1, 1000, 1 << 20, 3 << 27, 15 << 27}) {
    EXPECT_EQ(FixedLogistic(-a, 4), kMax - FixedLogistic(a, 4)) << "a=" << a;
  }
  // logistic(1) = 0.7310585786 -> 1569936343 in Q0.31 (within the helper's error).
  EXPECT_NEAR(FixedLogistic(1 << 27, 4), 1569936343, 1 << 8);
}

TEST(FixedPoint, TanhIsOdd) {
  for (int32_t a : {1, 1000, 1 << 20, 3 << 27, 15 << 27}) {
    EXPECT_EQ(FixedTanh(-a, 4), -FixedTanh(a, 4)) << "a=" << a;
  }
  // tanh(1) = 0.7615941560 -> 1635510996 in Q0.31.
  EXPECT_NEAR(FixedTanh(1 << 27, 4), 1635510996, 1 << 8);
}

TEST(FixedPoint, RoundingHalfSumTiesAwayFromZero) {
  EXPECT_EQ(RoundingHalfSum(1, 2), 2);
  EXPECT_EQ(RoundingHalfSum(-1, -2), -2);
  EXPECT_EQ(RoundingHalfSum(kMax, kMax), kMax);
  EXPECT_EQ(RoundingHalfSum(0, kMax), 1 << 30);
}

TEST(FixedPoint, Int16Primitives) {
  // Srdhm16: floor((a*b + 2^14) / 2^15).
  EXPECT_EQ(Srdhm16(16384, 16384), 8192);
  EXPECT_EQ(Srdhm16(-1, 16384), 0);   // -0.5 -> 0 (ties toward +inf)
  EXPECT_EQ(Srdhm16(1, 16384), 1);    // +0.5 -> 1
  EXPECT_EQ(Srdhm16(-3, 16384), -1);  // -1.5 -> -1
  EXPECT_EQ(Srdhm16(-32768, -32768), 32767);
  // Sdhm16 truncates toward zero.
  EXPECT_EQ(Sdhm16(3, 16384), 1);     // 1.5 -> 1
  EXPECT_EQ(Sdhm16(-3, 16384), -1);   // -1.5 -> -1
  EXPECT_EQ(Sdhm16(-1, 16384), 0);
  EXPECT_EQ(Sdhm16(-32768, -32768), 32767);
  // Rdbpot16: ties away from zero.
  EXPECT_EQ(Rdbpot16(5, 1), 3);
  EXPECT_EQ(Rdbpot16(-5, 1), -3);
  EXPECT_EQ(Rdbpot16(-6, 2), -2);
  EXPECT_EQ(Rdbpot16(7, 0), 7);
  // SatShl16 saturates.
  EXPECT_EQ(SatShl16(100, 3), 800);
  EXPECT_EQ(SatShl16(20000, 1), 32767);
  EXPECT_EQ(SatShl16(-20000, 1), -32768);
}

TEST(FixedPoint, DownscaleMultiplierToInt16) {
  EXPECT_EQ(DownscaleMultiplierToInt16(1073741824), 16384);
  EXPECT_EQ(DownscaleMultiplierToInt16((1 << 30) + (1 << 15)), 16385);   // tie rounds up
  EXPECT_EQ(DownscaleMultiplierToInt16((1 << 30) + (1 << 15) - 1), 16384);
  EXPECT_EQ(DownscaleMultiplierToInt16(kMax - (1 << 15)), 32767);
  EXPECT_EQ(DownscaleMultiplierToInt16(kMax), 32767);
}

}  // namespace
}  // namespace ember::ops
