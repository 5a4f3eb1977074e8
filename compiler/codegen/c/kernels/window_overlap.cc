#include "codegen/c/kernels/window_overlap.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace ember::codegen::c {
namespace {

constexpr int64_t kNone = std::numeric_limits<int64_t>::max();  // reads nothing
constexpr int64_t kMaxPixels = int64_t{1} << 24;
constexpr int64_t kMaxSteps = int64_t{1} << 24;

// The first in-image input coordinate output position `o` reads along `a`,
// or -1 when its window has no tap inside the image.
int64_t FirstTap(const Axis& a, int64_t o) {
  const int64_t v = o * a.stride - a.pad;
  const int64_t k = v >= 0 ? 0 : (-v + a.dil - 1) / a.dil;
  if (k >= a.k || v + k * a.dil >= a.in) return -1;
  return v + k * a.dil;
}

// Per output pixel (raster order over batch, oy, ox): the element index of
// the lowest input element it reads (channel 0 of its first in-image tap), or
// kNone.
std::vector<int64_t> LowestReads(const PixelLoop& p) {
  std::vector<int64_t> low;
  low.reserve(static_cast<size_t>(p.batch * p.y.out * p.x.out));
  std::vector<int64_t> row(static_cast<size_t>(p.y.out)), col(static_cast<size_t>(p.x.out));
  for (int64_t oy = 0; oy < p.y.out; ++oy) row[static_cast<size_t>(oy)] = FirstTap(p.y, oy);
  for (int64_t ox = 0; ox < p.x.out; ++ox) col[static_cast<size_t>(ox)] = FirstTap(p.x, ox);
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t oy = 0; oy < p.y.out; ++oy) {
      for (int64_t ox = 0; ox < p.x.out; ++ox) {
        const int64_t r = row[static_cast<size_t>(oy)], c = col[static_cast<size_t>(ox)];
        low.push_back(r < 0 || c < 0 ? kNone : ((b * p.y.in + r) * p.x.in + c) * p.in_c);
      }
    }
  }
  return low;
}

int64_t InputBytes(const PixelLoop& p, int64_t elem_bytes) {
  return p.batch * p.y.in * p.x.in * p.in_c * elem_bytes;
}

}  // namespace

std::optional<int64_t> PixelBlockOverlapDelta(const PixelLoop& p, int64_t block_pixels, int64_t elem_bytes,
                                              bool row_blocks) {
  const int64_t pixels = p.batch * p.y.out * p.x.out;
  if (block_pixels < 1 || pixels > kMaxPixels || elem_bytes < 1) return std::nullopt;
  const std::vector<int64_t> low = LowestReads(p);
  // The blocks' first pixels: every block_pixels, restarting at each output row with row_blocks.
  std::vector<int64_t> starts;
  const int64_t span = row_blocks ? p.x.out : pixels;
  for (int64_t r = 0; r < pixels; r += span)
    for (int64_t q = r; q < std::min(r + span, pixels); q += block_pixels) starts.push_back(q);
  int64_t delta = InputBytes(p, elem_bytes);
  int64_t later = kNone;  // lowest element read by this block or a later one
  int64_t end_pixel = pixels;
  for (auto k = starts.rbegin(); k != starts.rend(); ++k) {
    for (int64_t q = *k; q < end_pixel; ++q) later = std::min(later, low[static_cast<size_t>(q)]);
    if (later != kNone) delta = std::min(delta, (later - end_pixel * p.out_c) * elem_bytes);
    end_pixel = *k;
  }
  return delta;
}

// The same window on mirrored buffers (element e of n becomes n - 1 - e):
// output position o' = out - 1 - o reads what o read, mirrored.
Axis Mirror(const Axis& a) {
  return {a.in, a.k, a.stride, a.dil, (a.out - 1) * a.stride + (a.k - 1) * a.dil - (a.in - 1) - a.pad, a.out};
}

std::optional<int64_t> ReversedPixelBlockOverlapDelta(const PixelLoop& p, int64_t block_pixels, int64_t elem_bytes) {
  PixelLoop m = p;
  m.y = Mirror(p.y);
  m.x = Mirror(p.x);
  m.reverse = false;
  const std::optional<int64_t> d = PixelBlockOverlapDelta(m, block_pixels, elem_bytes);
  if (!d) return std::nullopt;
  // Mirrored, out' <= in' + d with in' = -(in + in_bytes), out' = -(out +
  // out_bytes): out >= in + in_bytes - out_bytes - d.
  const int64_t out_bytes = p.batch * p.y.out * p.x.out * p.out_c * elem_bytes;
  return InputBytes(p, elem_bytes) - out_bytes - *d;
}

std::optional<int64_t> ChannelStepOverlapDelta(const PixelLoop& p, int64_t depth_multiplier, int64_t elem_bytes) {
  const int64_t pixels = p.batch * p.y.out * p.x.out;
  if (depth_multiplier < 1 || p.out_c != p.in_c * depth_multiplier) return std::nullopt;
  if (pixels * p.out_c > kMaxSteps) return PixelBlockOverlapDelta(p, 1, elem_bytes);
  const std::vector<int64_t> low = LowestReads(p);
  int64_t delta = InputBytes(p, elem_bytes);
  int64_t later = kNone;  // lowest element read by a later step
  for (int64_t q = pixels - 1; q >= 0; --q) {
    for (int64_t oc = p.out_c - 1; oc >= 0; --oc) {
      const int64_t end = q * p.out_c + oc + 1;
      if (later != kNone) delta = std::min(delta, (later - end) * elem_bytes);
      const int64_t l = low[static_cast<size_t>(q)];
      if (l != kNone) later = std::min(later, l + oc / depth_multiplier);
    }
  }
  return delta;
}

}  // namespace ember::codegen::c
