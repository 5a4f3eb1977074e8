// Calibration statistics and range selection (contract in stats.h).
#include "quantize/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ember::quantize {

bool ParseMethod(const std::string& text, Method* out) {
  if (text == "minmax") *out = Method::kMinMax;
  else if (text == "percentile") *out = Method::kPercentile;
  else if (text == "entropy") *out = Method::kEntropy;
  else return false;
  return true;
}

const char* MethodName(Method m) {
  switch (m) {
    case Method::kMinMax: return "minmax";
    case Method::kPercentile: return "percentile";
    case Method::kEntropy: return "entropy";
  }
  return "?";
}

void TensorStats::ObserveRange(const float* x, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    const float v = x[k];
    if (!std::isfinite(v)) continue;  // NaN/inf carry no range information
    integral_ = integral_ && v == std::nearbyint(v);
    if (!seen_) {
      min_ = max_ = v;
      seen_ = true;
    }
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
}

namespace {
float AbsMax(float lo, float hi) { return std::max(std::fabs(lo), std::fabs(hi)); }
}  // namespace

float TensorStats::Edge(int bin) const {
  const float a = AbsMax(min_, max_);
  return -a + 2.0f * a * static_cast<float>(bin) / static_cast<float>(kBins);
}

void TensorStats::ObserveHistogram(const float* x, size_t n) {
  if (hist_.empty()) hist_.assign(kBins, 0.0);
  const float a = AbsMax(min_, max_);
  if (!seen_ || a == 0.0f) return;
  const double per = kBins / (2.0 * a);
  for (size_t k = 0; k < n; ++k) {
    if (!std::isfinite(x[k])) continue;
    int b = static_cast<int>((static_cast<double>(x[k]) + a) * per);
    hist_[static_cast<size_t>(std::clamp(b, 0, kBins - 1))] += 1.0;
  }
}

// Steps of TensorRT's entropy calibration, for each candidate end bin i from
// `levels` to the histogram's size:
//   1. P = hist[0, i) with the counts beyond i added to its last bin (clipping);
//   2. Q = hist[0, i) merged into `levels` groups, each group's count spread
//      evenly over its nonzero bins (empty bins stay empty);
//   3. KL(P || Q) of the normalized P and Q; the i with the smallest wins.
// (ChooseRange first replaces the count of the zero bin by its neighbour's.)
// Cost: O(bins^2) per tensor (4M steps for 2048 bins), a fraction of a second.
int EntropyThresholdBin(const std::vector<double>& h, int levels) {
  const int bins = static_cast<int>(h.size());
  if (bins <= levels) return bins;
  std::vector<double> suffix(static_cast<size_t>(bins) + 1, 0.0);
  for (int k = bins; k-- > 0;) suffix[static_cast<size_t>(k)] = suffix[static_cast<size_t>(k) + 1] + h[static_cast<size_t>(k)];
  if (suffix[0] <= 0.0) return bins;
  double best = std::numeric_limits<double>::infinity();
  int best_i = bins;
  std::vector<double> p, q;
  for (int i = levels; i <= bins; ++i) {
    p.assign(h.begin(), h.begin() + i);
    p[static_cast<size_t>(i) - 1] += suffix[static_cast<size_t>(i)];
    q.assign(static_cast<size_t>(i), 0.0);
    const double per = static_cast<double>(i) / levels;
    for (int j = 0; j < levels; ++j) {
      const int start = static_cast<int>(std::floor(j * per));
      const int end = j == levels - 1 ? i : static_cast<int>(std::floor((j + 1) * per));
      double total = 0.0;
      int nonzero = 0;
      for (int k = start; k < end; ++k) {
        total += h[static_cast<size_t>(k)];
        nonzero += h[static_cast<size_t>(k)] != 0.0;
      }
      if (nonzero == 0) continue;
      for (int k = start; k < end; ++k) {
        if (h[static_cast<size_t>(k)] != 0.0) q[static_cast<size_t>(k)] = total / nonzero;
      }
    }
    double ps = 0.0, qs = 0.0;
    for (int k = 0; k < i; ++k) {
      ps += p[static_cast<size_t>(k)];
      qs += q[static_cast<size_t>(k)];
    }
    if (ps <= 0.0 || qs <= 0.0) continue;
    double kl = 0.0;
    for (int k = 0; k < i; ++k) {
      const double pk = p[static_cast<size_t>(k)] / ps;
      if (pk <= 0.0) continue;
      const double qk = std::max(q[static_cast<size_t>(k)] / qs, 1e-12);  // P > 0 where Q = 0: clipping made it so
      kl += pk * std::log(pk / qk);
    }
    if (kl < best) {
      best = kl;
      best_i = i;
    }
  }
  return best_i;
}

Range TensorStats::ChooseRange(Method method, double percentile) const {
  if (!seen_) return {0.0f, 0.0f};
  if (integral_ && std::max(max_, 0.0f) - std::min(min_, 0.0f) <= 255.0f) return {min_, max_, true};
  if (method == Method::kMinMax || hist_.empty() || AbsMax(min_, max_) == 0.0f) return {min_, max_};
  double total = 0.0;
  for (double c : hist_) total += c;
  if (total <= 0.0) return {min_, max_};
  if (method == Method::kPercentile) {
    const double tail = total * (100.0 - percentile) / 100.0;
    int lo_bin = 0, hi_bin = kBins - 1;
    for (double acc = 0.0; lo_bin < kBins - 1 && acc + hist_[static_cast<size_t>(lo_bin)] <= tail; ++lo_bin) {
      acc += hist_[static_cast<size_t>(lo_bin)];
    }
    for (double acc = 0.0; hi_bin > 0 && acc + hist_[static_cast<size_t>(hi_bin)] <= tail; --hi_bin) {
      acc += hist_[static_cast<size_t>(hi_bin)];
    }
    return {std::max(min_, Edge(lo_bin)), std::min(max_, Edge(hi_bin + 1))};
  }
  // Entropy needs a populated histogram: with fewer values than bins (a
  // logits output, a small dense layer on few samples) the divergence search
  // picks arbitrary thresholds, so the tensor keeps its min/max.
  if (total < kMinEntropyValues) return {min_, max_};
  // Entropy: fold the histogram onto |x| (bin k of the upper half and its mirror).
  const int half = kBins / 2;
  std::vector<double> abs_hist(static_cast<size_t>(half), 0.0);
  for (int k = 0; k < half; ++k) {
    abs_hist[static_cast<size_t>(k)] = hist_[static_cast<size_t>(half + k)] + hist_[static_cast<size_t>(half - 1 - k)];
  }
  // The spike of exact zeros (relu outputs, padding) would dominate the
  // divergence; like the reference calibrators, the first bin takes the
  // count of the second.
  abs_hist[0] = abs_hist[1];
  const int levels = min_ < 0.0f ? 128 : 256;
  const int end = EntropyThresholdBin(abs_hist, levels);
  const float t = AbsMax(min_, max_) * static_cast<float>(end) / static_cast<float>(half);
  return {std::max(min_, -t), std::min(max_, t)};
}

AffineInt8 QuantParamsFor(Range r) {
  const float lo = std::min(r.lo, 0.0f), hi = std::max(r.hi, 0.0f);
  AffineInt8 p;
  if (r.integers && hi - lo <= 255.0f && lo == std::nearbyint(lo)) {
    p.zero_point = static_cast<int32_t>(-128.0f - lo);
    return p;  // scale 1
  }
  if (!(hi - lo > 0.0f) || !std::isfinite(hi - lo)) return p;
  p.scale = (hi - lo) / 255.0f;
  const double zp = std::nearbyint(-128.0 - static_cast<double>(lo) / p.scale);
  p.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  return p;
}

}  // namespace ember::quantize
