// Calibration statistics: minmax, percentile and entropy ranges on known
// data, and the int8 parameters of a range.
#include "quantize/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace ember::quantize {
namespace {

TensorStats Observe(const std::vector<float>& v, bool histogram) {
  TensorStats s;
  s.ObserveRange(v.data(), v.size());
  if (histogram) s.ObserveHistogram(v.data(), v.size());
  return s;
}

TEST(QuantizeStats, MinMaxIsTheObservedRangeOverSamples) {
  TensorStats s;
  const std::vector<float> a = {-1.5f, 0.25f, 2.0f}, b = {3.5f, NAN, -0.5f};
  s.ObserveRange(a.data(), a.size());
  s.ObserveRange(b.data(), b.size());
  const Range r = s.ChooseRange(Method::kMinMax);
  EXPECT_EQ(r.lo, -1.5f);
  EXPECT_EQ(r.hi, 3.5f);  // NaN ignored
}

TEST(QuantizeStats, PercentileClipsRareOutliers) {
  // 100000 values uniform in [-1, 1] plus 3 outliers at +-100: 99.99 % drops them.
  std::vector<float> v;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int k = 0; k < 100000; ++k) v.push_back(u(rng));
  v.push_back(100.0f);
  v.push_back(-100.0f);
  v.push_back(90.0f);
  const TensorStats s = Observe(v, true);
  const Range mm = s.ChooseRange(Method::kMinMax);
  EXPECT_EQ(mm.hi, 100.0f);
  const Range p = s.ChooseRange(Method::kPercentile, 99.99);
  // Bins are 200/4096 wide: the edges land within one bin of +-1.
  const float bin = 200.0f / 4096.0f;
  EXPECT_NEAR(p.hi, 1.0f, 1.5f * bin);
  EXPECT_NEAR(p.lo, -1.0f, 1.5f * bin);
}

TEST(QuantizeStats, PercentileOfAnOutlierFreeTensorIsItsRange) {
  std::vector<float> v;
  for (int k = 0; k <= 1000; ++k) v.push_back(static_cast<float>(k) / 1000.0f);
  const Range p = Observe(v, true).ChooseRange(Method::kPercentile, 99.99);
  EXPECT_EQ(p.lo, 0.0f);
  EXPECT_EQ(p.hi, 1.0f);
}

TEST(QuantizeStats, EntropyClipsTheLongTailOfAGaussian) {
  // Gaussian (sigma 1) with one far outlier at 40: min/max would waste most
  // of the 256 levels; the KL threshold lands a few sigma out.
  std::vector<float> v;
  std::mt19937 rng(2);
  std::normal_distribution<float> n(0.0f, 1.0f);
  for (int k = 0; k < 200000; ++k) v.push_back(n(rng));
  v.push_back(40.0f);
  const Range r = Observe(v, true).ChooseRange(Method::kEntropy);
  EXPECT_GT(r.hi, 2.0f);
  EXPECT_LT(r.hi, 10.0f);
  EXPECT_NEAR(r.lo, -r.hi, 1e-5f);  // symmetric threshold t, inside [min, max]
}

TEST(QuantizeStats, EntropyKeepsAUniformDistributionWhole) {
  // Clipping a uniform distribution only loses information: the threshold
  // is at (or next to) the last bin.
  std::vector<double> h(2048, 10.0);
  EXPECT_GE(EntropyThresholdBin(h, 128), 2040);
}

TEST(QuantizeStats, EntropyThresholdCutsAnExponentialTail) {
  // |x| exponential with scale 100 bins, counts rounded (the tail empties
  // out) plus a few outliers at the far end: the threshold clips them and
  // keeps the bulk (several scale lengths).
  std::vector<double> h(2048, 0.0);
  for (int k = 0; k < 2048; ++k) h[static_cast<size_t>(k)] = std::floor(1e6 * std::exp(-k / 100.0));
  h[2040] = 3.0;
  const int t = EntropyThresholdBin(h, 128);
  EXPECT_GT(t, 300);
  EXPECT_LT(t, 2040);
}

TEST(QuantizeStats, NonNegativeTensorsGetAOneSidedEntropyRange) {
  std::vector<float> v;
  std::mt19937 rng(3);
  std::exponential_distribution<float> e(1.0f);
  for (int k = 0; k < 100000; ++k) v.push_back(e(rng));
  const Range r = Observe(v, true).ChooseRange(Method::kEntropy);
  EXPECT_GE(r.lo, 0.0f);
  EXPECT_GT(r.hi, 3.0f);
}

TEST(QuantizeStats, EntropyKeepsTheSaturationOfRelu6) {
  // relu6 outputs: many zeros, a spread, and values saturated at 6 whose
  // clipping would move a large mass: the range stays [0, 6].
  std::vector<float> v;
  std::mt19937 rng(4);
  std::normal_distribution<float> n(1.0f, 3.0f);
  for (int k = 0; k < 100000; ++k) v.push_back(std::clamp(n(rng), 0.0f, 6.0f));
  const Range r = Observe(v, true).ChooseRange(Method::kEntropy);
  EXPECT_EQ(r.lo, 0.0f);
  EXPECT_GT(r.hi, 5.9f);
}

TEST(QuantizeStats, EntropyOfFewValuesKeepsMinMax) {
  std::vector<float> v;
  for (int k = 0; k < 1000; ++k) v.push_back(static_cast<float>(k % 10) - (k == 0 ? 50.0f : 0.0f));
  const Range r = Observe(v, true).ChooseRange(Method::kEntropy);
  EXPECT_EQ(r.lo, -50.0f);
  EXPECT_EQ(r.hi, 9.0f);
}

TEST(QuantizeStats, ParamsIncludeZeroAndMatchOnnxRuntimeFormula) {
  AffineInt8 p = QuantParamsFor({-1.0f, 3.0f});
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point, static_cast<int32_t>(std::nearbyint(-128.0 + 1.0 / (4.0 / 255.0))));
  p = QuantParamsFor({0.5f, 2.0f});  // widened to [0, 2]
  EXPECT_FLOAT_EQ(p.scale, 2.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -128);
  p = QuantParamsFor({-2.0f, -1.0f});  // widened to [-2, 0]
  EXPECT_EQ(p.zero_point, 127);
  p = QuantParamsFor({0.0f, 0.0f});  // all zero: scale 1
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, -128);
}

TEST(QuantizeStats, IntegerValuedTensorsGetScaleOne) {
  // A count in [1, 12] over samples: every method keeps it whole, at scale 1.
  TensorStats s;
  const std::vector<float> a = {3, 1, 12}, b = {7, 5, 2};
  s.ObserveRange(a.data(), a.size());
  s.ObserveRange(b.data(), b.size());
  s.ObserveHistogram(a.data(), a.size());
  s.ObserveHistogram(b.data(), b.size());
  for (Method m : {Method::kMinMax, Method::kPercentile, Method::kEntropy}) {
    const Range r = s.ChooseRange(m);
    EXPECT_TRUE(r.integers) << MethodName(m);
    EXPECT_EQ(r.lo, 1.0f);
    EXPECT_EQ(r.hi, 12.0f);
    const AffineInt8 p = QuantParamsFor(r);
    EXPECT_EQ(p.scale, 1.0f);
    EXPECT_EQ(p.zero_point, -128);  // widened to [0, 12]: 0 -> -128, 12 -> -116
  }
  // Signed integers: [-5, 3] -> zero point -123, so -5 -> -128 and 3 -> -120.
  EXPECT_EQ(QuantParamsFor(Observe({-5, 3, 0}, false).ChooseRange(Method::kMinMax)).zero_point, -123);
  // A span over 255 or a fraction anywhere: the span/255 scale.
  EXPECT_FALSE(Observe({0, 300}, false).ChooseRange(Method::kMinMax).integers);
  EXPECT_FALSE(Observe({0, 2, 0.5f}, false).ChooseRange(Method::kMinMax).integers);
  EXPECT_FLOAT_EQ(QuantParamsFor(Observe({0, 2, 0.5f}, false).ChooseRange(Method::kMinMax)).scale, 2.0f / 255.0f);
}

TEST(QuantizeStats, MethodNames) {
  Method m;
  EXPECT_TRUE(ParseMethod("entropy", &m));
  EXPECT_EQ(m, Method::kEntropy);
  EXPECT_STREQ(MethodName(Method::kPercentile), "percentile");
  EXPECT_FALSE(ParseMethod("kl", &m));
}

}  // namespace
}  // namespace ember::quantize
