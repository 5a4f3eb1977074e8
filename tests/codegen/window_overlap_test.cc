// Overlap deltas of the window kernels (codegen/c/kernels/window_overlap.h):
// figures worked out by hand for the MLPerf Tiny shapes, and what the portable
// emitters declare. That every declared delta is safe is checked by every
// kernel test: kernel_harness.cc also runs each kernel with its output at the
// declared limit inside one buffer with its input.
#include "codegen/c/kernels/window_overlap.h"

#include <gtest/gtest.h>

namespace ember::codegen::c {
namespace {

// kws: 25x5x64, 3x3 depthwise, stride 1, SAME padding.
PixelLoop KwsDepthwise() { return {"int8_t", 1, 64, 64, {25, 3, 1, 1, 1, 25}, {5, 3, 1, 1, 1, 5}}; }

TEST(WindowOverlap, DepthwiseChannelStepsShiftByOneRowAndOnePixel) {
  // Output (p, c) is written while input pixel p - W - 1 still has channel
  // c + 1 to be read: the output must start (W + 1) * C bytes lower.
  EXPECT_EQ(ChannelStepOverlapDelta(KwsDepthwise(), 1, 1), -(5 + 1) * 64);
  // Float elements scale the bytes.
  PixelLoop f = KwsDepthwise();
  f.ctype = "float";
  EXPECT_EQ(ChannelStepOverlapDelta(f, 1, 4), -(5 + 1) * 64 * 4);
}

TEST(WindowOverlap, PixelBlocksAreMoreConservative) {
  // Whole pixels: one more pixel than channel steps; blocks of 4 pixels: the
  // block's first pixel's reads bound 4 pixels of output.
  EXPECT_EQ(PixelBlockOverlapDelta(KwsDepthwise(), 1, 1), -(5 + 2) * 64);
  EXPECT_EQ(PixelBlockOverlapDelta(KwsDepthwise(), 4, 1), -(5 + 1 + 4) * 64);
}

TEST(WindowOverlap, PointwiseRows) {
  // 1x1: row r reads input row r only; out row r must end at or below it.
  const PixelLoop same{"int8_t", 1, 64, 64, {25, 1, 1, 1, 0, 25}, {5, 1, 1, 1, 0, 5}};
  EXPECT_EQ(PixelBlockOverlapDelta(same, 1, 1), -64);
  // Expansion 8 -> 16 over 10 pixels: the last row decides.
  const PixelLoop expand{"int8_t", 1, 8, 16, {1, 1, 1, 1, 0, 1}, {10, 1, 1, 1, 0, 10}};
  EXPECT_EQ(PixelBlockOverlapDelta(expand, 1, 1), 9 * 8 - 10 * 16);
}

TEST(WindowOverlap, ReversedOrderAllowsTheOutputAbove) {
  // Mirror image of the pixel blocks: the output starts (W + 2) * C higher.
  EXPECT_EQ(ReversedPixelBlockOverlapDelta(KwsDepthwise(), 1, 1), (5 + 2) * 64);
}

TEST(WindowOverlap, StridedConvolutionOverlapsAlmostEntirely) {
  // vww's first layer: 96x96x3 -> 48x48x8, 3x3 stride 2, pad bottom/right.
  const PixelLoop conv{"int8_t", 1, 3, 8, {96, 3, 2, 1, 0, 48}, {96, 3, 2, 1, 0, 48}};
  const auto d = PixelBlockOverlapDelta(conv, 1, 1);
  ASSERT_TRUE(d.has_value());
  EXPECT_LT(*d, 0);
  EXPECT_GT(*d, -400);  // the output starts less than one output row below the input
}

TEST(WindowOverlap, WindowsReadingNothingAndHugeTensors) {
  // A pixel whose window is entirely in the padding reads nothing.
  const PixelLoop pad{"int8_t", 1, 4, 4, {1, 1, 1, 1, 1, 3}, {1, 1, 1, 1, 0, 1}};
  EXPECT_TRUE(PixelBlockOverlapDelta(pad, 1, 1).has_value());
  const PixelLoop huge{"int8_t", 1, 1, 1, {8192, 1, 1, 1, 0, 8192}, {4096, 1, 1, 1, 0, 4096}};
  EXPECT_FALSE(PixelBlockOverlapDelta(huge, 1, 1).has_value());  // 2^25 pixels: not enumerated
}

}  // namespace
}  // namespace ember::codegen::c
