// float16 and bfloat16 bit patterns: values (zero, subnormals, normals, the
// largest finite, infinities, NaN) and the nearest float16 of a float.
#include "support/float16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace ember {
namespace {

TEST(Float16, Values) {
  EXPECT_EQ(Float16Value(0x0000), 0.0);
  EXPECT_TRUE(std::signbit(Float16Value(0x8000)));
  EXPECT_EQ(Float16Value(0x0001), std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_EQ(Float16Value(0x03FF), std::ldexp(1023.0, -24));
  EXPECT_EQ(Float16Value(0x0400), std::ldexp(1.0, -14));  // smallest normal
  EXPECT_EQ(Float16Value(0x3C00), 1.0);
  EXPECT_EQ(Float16Value(0x3555), 0.333251953125);
  EXPECT_EQ(Float16Value(0xC000), -2.0);
  EXPECT_EQ(Float16Value(0x7BFF), 65504.0);
  EXPECT_EQ(Float16Value(0x7C00), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Float16Value(0xFC00), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(Float16Value(0x7E00)));
  EXPECT_EQ(Bfloat16Value(0x3F80), 1.0);
  EXPECT_EQ(Bfloat16Value(0xC2F7), -123.5);
  EXPECT_EQ(Bfloat16Value(0x7F80), std::numeric_limits<double>::infinity());
}

TEST(Float16, NearestBitsRoundTripAndRoundToEven) {
  // Every finite pattern comes back from its value.
  for (uint32_t b = 0; b < 0x10000; ++b) {
    if ((b & 0x7C00) == 0x7C00) continue;  // infinities and NaNs below
    const auto bits = static_cast<uint16_t>(b);
    EXPECT_EQ(Float16Bits(static_cast<float>(Float16Value(bits))), bits) << std::hex << b;
  }
  EXPECT_EQ(Float16Bits(2049.0f), 0x6800);  // halfway between 2048 and 2050: even
  EXPECT_EQ(Float16Bits(2051.0f), 0x6802);  // halfway between 2050 and 2052: even
  EXPECT_EQ(Float16Bits(65519.0f), 0x7BFF);
  EXPECT_EQ(Float16Bits(65520.0f), 0x7C00);  // rounds beyond the largest finite
  EXPECT_EQ(Float16Bits(-1e9f), 0xFC00);
  EXPECT_EQ(Float16Bits(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(Float16Bits(std::ldexp(1.0f, -25)), 0x0000);     // half the smallest subnormal: even (0)
  EXPECT_EQ(Float16Bits(std::ldexp(3.0f, -25)), 0x0002);     // 1.5 subnormal steps: even (2)
  EXPECT_EQ(Float16Bits(std::ldexp(2047.5f, -25)), 0x0400);  // rounds up to the smallest normal
  EXPECT_TRUE(std::isnan(Float16Value(Float16Bits(std::numeric_limits<float>::quiet_NaN()))));
}

}  // namespace
}  // namespace ember
