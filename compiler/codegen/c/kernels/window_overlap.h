// How far a window kernel's output may overlap its input (Kernel::overlaps),
// computed at compile time from the kernel's access order.
//
// Every window kernel built on EmitPixelLoops (or a row-wise EmitGemm, whose
// rows are pixels) visits the output pixels in raster order (batch, oy, ox)
// and reads, for a pixel, only the in-image taps of its window. If out0
// starts `delta` bytes after in0 (delta < 0: before), the kernel is correct
// when no output byte is written before the last read of the input byte under
// it. Two access orders are modelled:
//   - blocks of B consecutive output pixels, each block's outputs written in
//     any order interleaved with its reads (conv2d, max_pool2d: B = 1; a
//     kernel that computes several pixels together: B = that count). Safe
//     when, for every block, its output ends at or below the lowest input
//     byte read by this block or any later one:
//       delta = min over blocks k of (lowest input byte read by blocks >= k)
//                                     - (end byte of block k's output);
//   - channel steps: for each pixel, for each output channel oc ascending,
//     all taps of input channel oc / depth_multiplier are read, then the one
//     output element is written (the portable depthwise_conv2d and
//     average_pool2d). A step's own reads precede its write, so only later
//     steps count:
//       delta = min over steps s of (lowest input byte read by steps > s)
//                                    - (end byte of step s's output).
// A kernel emitted with PixelLoop::reverse visits the blocks from the last to
// the first: mirroring both buffers turns it into the forward case, and its
// output may then start at or above the input + delta (an upward overlap).
// Both are evaluated by brute force over the pixels (and channels), which is
// exact for the model above; a geometry too large to enumerate cheaply gets
// no overlap (std::nullopt), or the pixel-block answer for channel steps.
#pragma once

#include <cstdint>
#include <optional>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"

namespace ember::codegen::c {

// The largest delta for blocks of `block_pixels` pixels; `elem_bytes` is the
// size of one input and output element. Never more than the input's size
// (an output placed after the whole input does not overlap it).
// `row_blocks`: the blocks restart at each output row (the last block of a
// row may be shorter), else they run on across rows.
std::optional<int64_t> PixelBlockOverlapDelta(const PixelLoop& p, int64_t block_pixels, int64_t elem_bytes,
                                              bool row_blocks = false);

// The largest delta for channel steps (out_c = in_c * depth_multiplier).
std::optional<int64_t> ChannelStepOverlapDelta(const PixelLoop& p, int64_t depth_multiplier, int64_t elem_bytes);

// For a kernel visiting blocks of `block_pixels` pixels in reverse order: the
// smallest delta such that out0 at or above in0 + delta is safe.
std::optional<int64_t> ReversedPixelBlockOverlapDelta(const PixelLoop& p, int64_t block_pixels, int64_t elem_bytes);

// `delta` as the kernel's declaration for input 0 (none when absent).
inline void DeclareOverlap(Kernel* k, std::optional<int64_t> delta, bool upward = false) {
  if (delta) k->overlaps.push_back({0, *delta, upward});
}

}  // namespace ember::codegen::c
