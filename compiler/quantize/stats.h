// Per-tensor activation statistics for calibration and the ranges the
// calibration methods pick from them (docs/quantize.md, "Methods").
//
// A tensor is observed in two rounds: first its min/max over every sample
// (ObserveRange), then, for the histogram methods, a histogram of 4096 bins
// over [-A, A] with A = max(|min|, |max|) (ObserveHistogram). ChooseRange
// returns the float range [lo, hi] to quantize to:
//   minmax      [min, max]
//   percentile  the p-th and (100-p)-th percentiles (bin edges), p = 99.99
//   entropy     TensorRT's calibrator: the clipping threshold t of |x| whose
//               quantized distribution (128 levels for signed tensors, 256
//               for non-negative ones) has the smallest KL divergence from
//               the clipped histogram; [max(min, -t), min(max, t)]; a tensor
//               with fewer than kMinEntropyValues values keeps [min, max]
// except that a tensor whose every observed value is an integer, over a span
// (with 0) of at most 255, keeps [min, max] marked `integers` under every
// method: scale 1 holds each of its values exactly (a mask, a count, pixel
// values 0..255), where a span/255 scale would not.
// The caller widens the range to include 0 (QuantParamsFor).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::quantize {

enum class Method { kMinMax, kPercentile, kEntropy };

// "minmax", "percentile", "entropy" -> Method; false for other text.
bool ParseMethod(const std::string& text, Method* out);
const char* MethodName(Method m);

struct Range {
  float lo = 0.0f;
  float hi = 0.0f;
  bool integers = false;  // integer values over a span of at most 255: scale 1
};

class TensorStats {
 public:
  static constexpr int kBins = 4096;  // over [-A, A]; 2048 per side
  static constexpr double kMinEntropyValues = 2.0 * kBins;

  void ObserveRange(const float* x, size_t n);
  // Needs ObserveRange of every sample first (fixes the histogram's range).
  void ObserveHistogram(const float* x, size_t n);
  bool seen() const { return seen_; }
  float min() const { return min_; }
  float max() const { return max_; }
  const std::vector<double>& histogram() const { return hist_; }

  Range ChooseRange(Method method, double percentile = 99.99) const;

 private:
  float Edge(int bin) const;  // lower edge of a bin
  bool seen_ = false;
  bool integral_ = true;  // every finite value observed is an integer
  float min_ = 0.0f, max_ = 0.0f;
  std::vector<double> hist_;
};

// The threshold bin (exclusive end, in [levels, hist.size()]) that
// TensorRT's KL-divergence search picks for a histogram of |x| quantized to
// `levels` levels (exposed for tests).
int EntropyThresholdBin(const std::vector<double>& abs_hist, int levels);

// int8 asymmetric parameters for [lo, hi] widened to include 0:
// scale = (hi - lo) / 255, zero point = round(-128 - lo / scale) (1.0 and
// -128 for an all-zero tensor); for an `integers` range, scale 1 and zero
// point -128 - lo, so that each integer in it is one int8 value.
struct AffineInt8 {
  float scale = 1.0f;
  int32_t zero_point = -128;
};
AffineInt8 QuantParamsFor(Range r);

}  // namespace ember::quantize
