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

TEST(WindowOverlap, BlocksRestartingAtEachRow) {
  // Blocks of two that restart at each output row (the DSP conv2d's ring on
  // an odd width): the same as blocks running on across rows where the
  // width is even. Where it is odd, no block joins a row's last pixel to the
  // next row's first (which reads lower), so the output may lie as low or
  // higher: the delta is the same or higher, never lower.
  int higher = 0;
  for (int64_t w = 3; w <= 12; ++w) {
    for (int64_t s = 1; s <= 2; ++s) {
      for (int64_t pad = 0; pad <= 1; ++pad) {
        const int64_t ow = (w + 2 * pad - 3) / s + 1, oh = (6 + 2 * pad - 3) / s + 1;
        const PixelLoop p{"int8_t", 2, 4, 8, {6, 3, s, 1, pad, oh}, {w, 3, s, 1, pad, ow}};
        const auto rows = PixelBlockOverlapDelta(p, 2, 1, true), runs = PixelBlockOverlapDelta(p, 2, 1, false);
        ASSERT_TRUE(rows.has_value() && runs.has_value());
        if (ow % 2 == 0) {
          EXPECT_EQ(*rows, *runs) << w << " " << s << " " << pad;
        }
        EXPECT_GE(*rows, *runs) << w << " " << s << " " << pad;
        higher += *rows > *runs;
      }
    }
  }
  EXPECT_GT(higher, 0);  // some odd width decides by the row's ends
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
