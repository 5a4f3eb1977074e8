// 16x8 quantization (int16 activations, zero point 0; int8 weights; int32 or
// int64 bias) in the reference evaluators, with values worked out by hand
// from TFLite Micro's int16 kernels: the int64 accumulation path rounds with
// Mbqm64 (15-bit multiplier, ties upward), the int32 path with Mbqm; ADD and
// SUB pre-shift by 15 bits; MUL and the pools are the int8 arithmetic on int16.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember::test {
namespace {

using ir::DType;
using I64s = std::vector<int64_t>;

// 1x1 conv of [1,1,3,1] by one filter tap 1; s_in 0.25, s_w 1, s_out 1:
// multiplier 0.25 = (2^30, shift -1).
OneNode QuarterConv(const std::vector<int16_t>& x) {
  OneNode t(ir::OpKind::kConv2D, "conv");
  t.In<int16_t>({1, 1, 3, 1}, x, Quant(0.25f, 0)).Const<int8_t>({1, 1, 1, 1}, {1}, QuantPerAxis({1.0f}, 0));
  t.Attr("stride", I64s{1, 1}).Attr("pad", I64s{0, 0, 0, 0});
  return t;
}

TEST(Int16Conv2D, Int64BiasRoundsTiesUpward) {
  // acc {-2, 2, 6} * 0.25 = {-0.5, 0.5, 1.5}: Mbqm64 gives floor(v + 0.5).
  OneNode t = QuarterConv({-2, 2, 6});
  t.Const<int64_t>({1}, {0}).Out(DType::kInt16, {1, 1, 3, 1}, Quant(1.0f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{0, 1, 2}));
}

TEST(Int16Conv2D, NoBiasTakesTheInt64Path) {
  OneNode t = QuarterConv({-2, 2, 6});
  t.Absent().Out(DType::kInt16, {1, 1, 3, 1}, Quant(1.0f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{0, 1, 2}));
}

TEST(Int16Conv2D, Int32BiasUsesMbqmWithTiesAwayFromZero) {
  // The same accumulators through Mbqm: -0.5 -> -1 (Rdbpot ties away from zero).
  OneNode t = QuarterConv({-2, 2, 6});
  t.Const<int32_t>({1}, {0}).Out(DType::kInt16, {1, 1, 3, 1}, Quant(1.0f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{-1, 1, 2}));
}

TEST(Int16Conv2D, BiasAndReluAndSaturation) {
  // s_in 1, s_w 1, s_out 1: acc + bias, clamped to [0, 32767] by relu.
  OneNode t(ir::OpKind::kConv2D, "conv");
  t.In<int16_t>({1, 1, 3, 2}, {30000, 30000, -100, 50, 7, 0}, Quant(1.0f, 0))
      .Const<int8_t>({1, 1, 1, 2}, {1, 1}, QuantPerAxis({1.0f}, 0))
      .Const<int64_t>({1}, {-3})
      .Out(DType::kInt16, {1, 1, 3, 1}, Quant(1.0f, 0))
      .Attr("stride", I64s{1, 1})
      .Attr("pad", I64s{0, 0, 0, 0})
      .Attr("act", std::string("relu"));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{32767, 0, 4}));
}

TEST(Int16Conv2D, NonZeroZeroPointIsRefused) {
  OneNode t(ir::OpKind::kConv2D, "conv");
  t.In<int16_t>({1, 1, 1, 1}, {0}, Quant(1.0f, 3))
      .Const<int8_t>({1, 1, 1, 1}, {1}, QuantPerAxis({1.0f}, 0))
      .Const<int64_t>({1}, {0})
      .Out(DType::kInt16, {1, 1, 1, 1}, Quant(1.0f, 0))
      .Attr("stride", I64s{1, 1})
      .Attr("pad", I64s{0, 0, 0, 0});
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("zero point 3"), std::string::npos) << r.diag().message;
}

TEST(Int16DepthwiseConv2D, Int64BiasPerChannel) {
  // Two pixels x two channels, filter taps {1, 1}, multiplier 0.25:
  // {-2, 2, 6, -6} -> {-0.5, 0.5, 1.5, -1.5} -> {0, 1, 2, -1}.
  OneNode t(ir::OpKind::kDepthwiseConv2D, "dw");
  t.In<int16_t>({1, 1, 2, 2}, {-2, 2, 6, -6}, Quant(0.25f, 0))
      .Const<int8_t>({1, 1, 1, 2}, {1, 1}, QuantPerAxis({1.0f, 1.0f}, 3))
      .Const<int64_t>({2}, {0, 0})
      .Out(DType::kInt16, {1, 1, 2, 2}, Quant(1.0f, 0))
      .Attr("stride", I64s{1, 1})
      .Attr("pad", I64s{0, 0, 0, 0})
      .Attr("depth_multiplier", int64_t{1});
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{0, 1, 2, -1}));
}

TEST(Int16DepthwiseConv2D, Int32BiasIsRefused) {
  // TFLite Micro reads a 16x8 depthwise bias as int64 whatever its type.
  OneNode t(ir::OpKind::kDepthwiseConv2D, "dw");
  t.In<int16_t>({1, 1, 1, 1}, {0}, Quant(1.0f, 0))
      .Const<int8_t>({1, 1, 1, 1}, {1}, QuantPerAxis({1.0f}, 3))
      .Const<int32_t>({1}, {0})
      .Out(DType::kInt16, {1, 1, 1, 1}, Quant(1.0f, 0))
      .Attr("stride", I64s{1, 1})
      .Attr("pad", I64s{0, 0, 0, 0})
      .Attr("depth_multiplier", int64_t{1});
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("i64 bias"), std::string::npos) << r.diag().message;
}

TEST(Int16FullyConnected, Int64Bias) {
  // acc0 = 100 - 200 + 300 + 10 = 210, acc1 = 100 + 200 + 600 - 1000 = -100; times 0.5.
  OneNode t(ir::OpKind::kFullyConnected, "fc");
  t.In<int16_t>({1, 3}, {100, -200, 300}, Quant(1.0f, 0))
      .Const<int8_t>({2, 3}, {1, 1, 1, 1, -1, 2}, Quant(1.0f, 0))
      .Const<int64_t>({2}, {10, -1000})
      .Out(DType::kInt16, {1, 2}, Quant(2.0f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{105, -50}));
}

TEST(Int16FullyConnected, MultiplierTooLargeForInt64PathIsRefused) {
  OneNode t(ir::OpKind::kFullyConnected, "fc");
  t.In<int16_t>({1, 1}, {1}, Quant(1.0f, 0))
      .Const<int8_t>({1, 1}, {1}, Quant(1.0f, 0))
      .Const<int64_t>({1}, {0})
      .Out(DType::kInt16, {1, 1}, Quant(0.001f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("int64 accumulation"), std::string::npos) << r.diag().message;
}

TEST(Int16Add, FifteenBitShiftAndSaturation) {
  // Scales 1, 1 -> 2: output multiplier 2 / (2^15 * 2) = 2^-15; 1001 + 0 =
  // 500.5 rounds away from zero (Rdbpot) to 501, -1001 to -501.
  OneNode t(ir::OpKind::kAdd, "add");
  t.In<int16_t>({4}, {1001, -1001, 32767, -32768}, Quant(1.0f, 0))
      .In<int16_t>({4}, {0, 0, 32767, -32768}, Quant(1.0f, 0))
      .Out(DType::kInt16, {4}, Quant(2.0f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{501, -501, 32767, -32768}));
}

TEST(Int16Add, BroadcastAndNonZeroZeroPointRefused) {
  OneNode t(ir::OpKind::kAdd, "add");
  t.In<int16_t>({2, 2}, {1000, -300, 5, 6}, Quant(1.0f, 0))
      .In<int16_t>({2}, {-300, 4}, Quant(1.0f, 0))
      .Out(DType::kInt16, {2, 2}, Quant(1.0f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{700, -296, -295, 10}));
  t.out_tensor(0).quant = Quant(1.0f, 1);
  EXPECT_FALSE(t.Infer().ok());
}

TEST(Int16Sub, FifteenBitShift) {
  OneNode t(ir::OpKind::kSub, "sub");
  t.In<int16_t>({3}, {1000, -32768, 32767}, Quant(1.0f, 0))
      .In<int16_t>({3}, {300, 32767, -32768}, Quant(1.0f, 0))
      .Out(DType::kInt16, {3}, Quant(1.0f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{700, -32768, 32767}));
}

TEST(Int16Mul, ProductRequantizedAndClamped) {
  // s 1/256 each, out 1/256: x * y / 256. (-32768)^2 = 2^30 fits in int32.
  OneNode t(ir::OpKind::kMul, "mul");
  t.In<int16_t>({4}, {512, -3, 32767, -32768}, Quant(1.0f / 256, 0))
      .In<int16_t>({4}, {512, 1, 32767, -32768}, Quant(1.0f / 256, 0))
      .Out(DType::kInt16, {4}, Quant(1.0f / 256, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{1024, 0, 32767, 32767}));
}

TEST(Int16Pools, AverageRoundsHalfAwayAndMaxClamps) {
  {
    OneNode t(ir::OpKind::kAveragePool2D, "avg");
    t.In<int16_t>({1, 2, 4, 1}, {100, 101, -1, -1, -3, 0, -1, 0}, Quant(0.5f, 0))
        .Out(DType::kInt16, {1, 1, 2, 1}, Quant(0.5f, 0))
        .Attr("filter", I64s{2, 2})
        .Attr("stride", I64s{2, 2})
        .Attr("pad", I64s{0, 0, 0, 0});
    auto r = t.Run<int16_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(*r, (std::vector<int16_t>{50, -1}));  // 198 / 4 = 49.5 -> 50; -3 / 4 -> -1
  }
  {
    OneNode t(ir::OpKind::kMaxPool2D, "max");
    t.In<int16_t>({1, 2, 2, 1}, {-30000, 20000, 5, -32768}, Quant(0.001f, 0))
        .Out(DType::kInt16, {1, 1, 1, 1}, Quant(0.001f, 0))
        .Attr("filter", I64s{2, 2})
        .Attr("stride", I64s{1, 1})
        .Attr("pad", I64s{0, 0, 0, 0})
        .Attr("act", std::string("relu6"));
    auto r = t.Run<int16_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(*r, (std::vector<int16_t>{6000}));
  }
}

TEST(Int16LeakyRelu, IdentityAndAlphaMultipliers) {
  // s_in 1, s_out 0.5: identity 2; alpha 0.25 * 2 = 0.5: -3 -> -1.5 -> -1 (Srdhm rounds it up).
  OneNode t(ir::OpKind::kLeakyRelu, "lrelu");
  t.In<int16_t>({4}, {100, -3, 20000, -32768}, Quant(1.0f, 0))
      .Out(DType::kInt16, {4}, Quant(0.5f, 0))
      .Attr("alpha", 0.25);
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{200, -1, 32767, -16384}));
}

}  // namespace
}  // namespace ember::test
