// depthwise_conv2d reference evaluator: hand-computed cases (expected values
// derived by hand from the formulas of docs/numerics.md).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using ir::DType;
using test::OneNode;
using test::Quant;
using test::QuantPerAxis;
using I64s = std::vector<int64_t>;

OneNode Dw(int64_t depth_multiplier) {
  OneNode t(ir::OpKind::kDepthwiseConv2D, "dw");
  t.Attr("stride", I64s{1, 1})
      .Attr("pad", I64s{0, 0, 0, 0})
      .Attr("depth_multiplier", depth_multiplier);
  return t;
}

TEST(DepthwiseConv2D, DepthMultiplier2ChannelOrderAndPerChannelScales) {
  // 2x2 input, 2 channels: pixel values {1,-1} {2,-2} {3,-3} {4,-4}. DM 2, so
  // oc = ic*2 + m. Filter taps (ky,kx) over oc 0..3: (0,0) {1,2,3,4},
  // (0,1) {1,1,1,1}, (1,0) {0,1,0,1}, (1,1) {2,0,2,0}. Scales {1, .5, 1, .5}.
  // oc0 = 1+2+0+8 = 11; oc1 = 2+2+3+0 = 7 -> 3.5 -> 4 (SRDHM tie up);
  // oc2 = -3-2-0-8 = -13; oc3 = -4-2-3-0 = -9 -> -4.5 -> -4 (SRDHM tie up).
  OneNode t = Dw(2);
  t.In<int8_t>({1, 2, 2, 2}, {1, -1, 2, -2, 3, -3, 4, -4}, Quant(1.0f, 0))
      .Const<int8_t>({1, 2, 2, 4}, {1, 2, 3, 4, 1, 1, 1, 1, 0, 1, 0, 1, 2, 0, 2, 0},
                     QuantPerAxis({1.0f, 0.5f, 1.0f, 0.5f}, 3))
      .Absent()
      .Out(DType::kInt8, {1, 1, 1, 4}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{11, 4, -13, -4}));
}

TEST(DepthwiseConv2D, SamePaddingStride2WithZeroPointsAndBias) {
  // 3x3 input with z_in = -1 (values after offset 1..9), 2x2 filter
  // {1,2,3,4}, stride 2, SAME: out 2x2, total pad 1 -> [0,0,1,1] (extra pixel
  // at the end). Sums: 1+4+12+20 = 37, 3+18 = 21, 7+16 = 23, 9; bias -1 ->
  // 36, 20, 22, 8; multiplier 1/4 -> 9, 5, 5.5 -> 6, 2; + z_out -3.
  OneNode t(ir::OpKind::kDepthwiseConv2D);
  t.In<int8_t>({1, 3, 3, 1}, {0, 1, 2, 3, 4, 5, 6, 7, 8}, Quant(1.0f, -1))
      .Const<int8_t>({1, 2, 2, 1}, {1, 2, 3, 4}, Quant(1.0f, 0))
      .Const<int32_t>({1}, {-1})
      .Out(DType::kInt8, {1, 2, 2, 1}, Quant(4.0f, -3))
      .Attr("stride", I64s{2, 2})
      .Attr("pad", I64s{0, 0, 1, 1})
      .Attr("depth_multiplier", int64_t{1});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{6, 2, 3, -1}));
}

TEST(DepthwiseConv2D, Relu6ClampsAfterZeroPoint) {
  // Multiplier 0.5 * 1 / 0.5 = 1; z_out = -128; RELU6 upper bound
  // -128 + round(6 / 0.5) = -116. Accumulators -5, 3, 100 -> -133, -125, -28.
  OneNode t = Dw(1);
  t.In<int8_t>({1, 1, 1, 3}, {-5, 3, 100}, Quant(0.5f, 0))
      .Const<int8_t>({1, 1, 1, 3}, {1, 1, 1}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 1, 1, 3}, Quant(0.5f, -128))
      .Attr("act", std::string("relu6"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, -125, -116}));
}

TEST(DepthwiseConv2D, FloatDilationWithBias) {
  // 1x5 input, 1x2 filter {0.5, -1}, dilation 2: out[x] = 0.5 in[x] - in[x+2] + 0.25.
  OneNode t = Dw(1);
  t.In<float>({1, 1, 5, 1}, {1, 2, 3, 4, 5})
      .Const<float>({1, 1, 2, 1}, {0.5f, -1.0f})
      .Const<float>({1}, {0.25f})
      .Out(DType::kFloat32, {1, 1, 3, 1})
      .Attr("dilation", I64s{1, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{-2.25f, -2.75f, -3.25f}));
}

TEST(DepthwiseConv2D, FloatDepthMultiplierAndRelu) {
  // One input channel {2} and {-3} on two pixels; DM 2 with filter {1, -1}:
  // pixel 0 -> {2, -2}, pixel 1 -> {-3, 3}; relu zeroes the negatives.
  OneNode t = Dw(2);
  t.In<float>({1, 1, 2, 1}, {2.0f, -3.0f})
      .Const<float>({1, 1, 1, 2}, {1.0f, -1.0f})
      .Out(DType::kFloat32, {1, 1, 2, 2})
      .Attr("act", std::string("relu"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{2.0f, 0.0f, 0.0f, 3.0f}));
}

TEST(DepthwiseConv2D, MacsAndShape) {
  OneNode t(ir::OpKind::kDepthwiseConv2D);
  t.In<float>({1, 10, 10, 8}, std::vector<float>(800))
      .Const<float>({1, 3, 3, 8}, std::vector<float>(72))
      .Out(DType::kFloat32, {1, 5, 5, 8})
      .Attr("stride", I64s{2, 2})
      .Attr("pad", I64s{0, 0, 1, 1})
      .Attr("depth_multiplier", int64_t{1});
  auto types = t.Infer();
  ASSERT_TRUE(types.ok()) << types.diag().ToString();
  EXPECT_EQ((*types)[0].shape, (ir::Shape{1, 5, 5, 8}));
  EXPECT_EQ(t.Macs(), 5 * 5 * 8 * 3 * 3);
}

OneNode ValidInt8() {
  OneNode t = Dw(2);
  t.In<int8_t>({1, 2, 2, 2}, std::vector<int8_t>(8), Quant(1.0f, 0))
      .Const<int8_t>({1, 1, 1, 4}, std::vector<int8_t>(4), QuantPerAxis({1, 1, 1, 1}, 3))
      .Const<int32_t>({4}, {0, 0, 0, 0})
      .Out(DType::kInt8, {1, 2, 2, 4}, Quant(1.0f, 0));
  return t;
}

void ExpectInferError(const OneNode& t, const std::string& fragment) {
  auto r = t.Infer();
  ASSERT_FALSE(r.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_NE(r.diag().message.find(fragment), std::string::npos) << r.diag().message;
}

TEST(DepthwiseConv2D, InferErrors) {
  ASSERT_TRUE(ValidInt8().Check().ok()) << ValidInt8().Check().ToString();
  {
    OneNode t = ValidInt8();
    t.node().attrs.erase("depth_multiplier");
    ExpectInferError(t, "'depth_multiplier' is missing");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("depth_multiplier", int64_t{3});
    ExpectInferError(t, "depth_multiplier 3");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("depth_multiplier", int64_t{0});
    ExpectInferError(t, "depth_multiplier=0");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).shape = {2, 1, 1, 2};
    ExpectInferError(t, "expected [1, KH, KW, C*DM]");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).quant->axis = 0;
    ExpectInferError(t, "along axis 0");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("dilation", I64s{1});
    ExpectInferError(t, "'dilation' must be a list of 2");
  }
  {
    OneNode t = ValidInt8();
    t.out_tensor(0).quant->zero_point = {300};
    ExpectInferError(t, "outside the int8 range");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(2).dtype = DType::kFloat32;
    ExpectInferError(t, "f32 bias");
  }
}

}  // namespace
}  // namespace ember
