// conv2d reference evaluator: hand-computed cases (expected values derived by
// hand from the formulas of docs/numerics.md, never by running ember).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using ir::DType;
using test::OneNode;
using test::Quant;
using test::QuantPerAxis;
using I64s = std::vector<int64_t>;

// A conv node with stride [1,1], pad 0 and no dilation attribute.
OneNode Conv() {
  OneNode t(ir::OpKind::kConv2D, "conv");
  t.Attr("stride", I64s{1, 1}).Attr("pad", I64s{0, 0, 0, 0});
  return t;
}

TEST(Conv2D, PerChannelMultipliersAndNegativeTies) {
  // 1x1 conv, s_in 0.5 (z 1), filter scales {0.5, 0.25}, s_out 0.5 (z -1):
  // multipliers 0.5 and 0.25. x - z_in = {-5, 1, 5}; filter {1, 2}.
  // ch0 acc {-5, 1, 5} * 0.5: SRDHM ties go up: -2.5 -> -2, 0.5 -> 1, 2.5 -> 3.
  // ch1 acc {-10, 2, 10} * 0.25 (= SRDHM by 0.5, then RDBPOT by 1, ties away):
  // -10 -> -5 -> -2.5 -> -3; 2 -> 1 -> 0.5 -> 1; 10 -> 5 -> 2.5 -> 3. Then + z_out.
  OneNode t = Conv();
  t.In<int8_t>({1, 1, 3, 1}, {-4, 2, 6}, Quant(0.5f, 1))
      .Const<int8_t>({2, 1, 1, 1}, {1, 2}, QuantPerAxis({0.5f, 0.25f}, 0))
      .Absent()
      .Out(DType::kInt8, {1, 1, 3, 2}, Quant(0.5f, -1));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-3, -4, 0, 0, 2, 2}));
}

TEST(Conv2D, SamePaddingStride2OddPixelGoesBottomRight) {
  // 4x4 input, 3x3 ones filter, stride 2, SAME: out 2x2, total pad 1 -> [0,0,1,1].
  // Values after subtracting z_in = 1 are 1..16 row-major; padded taps are
  // skipped (not read as z_in). Window sums 54, 45, 72, 54; + bias 10 ->
  // 64, 55, 82, 64; multiplier 1*1/2 = 0.5 -> 32, 27.5 -> 28, 41, 32.
  std::vector<int8_t> in;
  for (int8_t v = 2; v <= 17; ++v) in.push_back(v);
  OneNode t(ir::OpKind::kConv2D);
  t.In<int8_t>({1, 4, 4, 1}, in, Quant(1.0f, 1))
      .Const<int8_t>({1, 3, 3, 1}, std::vector<int8_t>(9, 1), Quant(1.0f, 0))
      .Const<int32_t>({1}, {10})
      .Out(DType::kInt8, {1, 2, 2, 1}, Quant(2.0f, 0))
      .Attr("stride", I64s{2, 2})
      .Attr("pad", I64s{0, 0, 1, 1});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{32, 28, 41, 32}));
}

TEST(Conv2D, Dilation) {
  // 1x5 input, 1x2 filter {1, -2} with dilation 2 (effective width 3), VALID:
  // out[x] = in[x] - 2 in[x+2] = {1-6, 2-8, 3-10}. Unit multiplier.
  OneNode t = Conv();
  t.In<int8_t>({1, 1, 5, 1}, {1, 2, 3, 4, 5}, Quant(1.0f, 0))
      .Const<int8_t>({1, 1, 2, 1}, {1, -2}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 1, 3, 1}, Quant(1.0f, 0))
      .Attr("dilation", I64s{1, 2});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-5, -6, -7}));
}

TEST(Conv2D, FusedReluAndRelu6Clamp) {
  // Unit multiplier (1 * 0.25 / 0.25); z_out = -3, so x -> x - 3. RELU clamps
  // below at z_out = -3; RELU6 also above at -3 + round(6 / 0.25) = 21.
  for (const char* act : {"relu", "relu6"}) {
    OneNode t = Conv();
    t.In<int8_t>({1, 1, 5, 1}, {-10, -1, 0, 5, 30}, Quant(1.0f, 0))
        .Const<int8_t>({1, 1, 1, 1}, {1}, Quant(0.25f, 0))
        .Out(DType::kInt8, {1, 1, 5, 1}, Quant(0.25f, -3))
        .Attr("act", std::string(act));
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    const int8_t top = std::string(act) == "relu" ? 27 : 21;
    EXPECT_EQ(*r, (std::vector<int8_t>{-3, -3, -3, 2, top})) << act;
  }
}

TEST(Conv2D, ConvMultiplierIsComputedInDouble) {
  // s_in 0.3f, s_w 0.031f, s_out 0.013f: acc -65 * 0.7153846... = -46.50000013.
  // The double formula gives M = 1536276768 (shift 0) -> -47; the float-product
  // formula used by fully_connected would give -46 (see that test).
  OneNode t = Conv();
  t.In<int8_t>({1, 1, 1, 1}, {-13}, Quant(0.3f, 0))
      .Const<int8_t>({1, 1, 1, 1}, {5}, Quant(0.031f, 0))
      .Out(DType::kInt8, {1, 1, 1, 1}, Quant(0.013f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-47}));
}

TEST(Conv2D, FilterZeroPointIsIgnored) {
  // The per-channel kernel never subtracts the filter zero point: 3 * 4 = 12.
  OneNode t = Conv();
  t.In<int8_t>({1, 1, 1, 1}, {4}, Quant(1.0f, 0))
      .Const<int8_t>({1, 1, 1, 1}, {3}, Quant(1.0f, 2))
      .Out(DType::kInt8, {1, 1, 1, 1}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{12}));
}

TEST(Conv2D, GroupedConvolution) {
  // 4 input channels, filter [2,1,1,2]: 2 groups. Output channel 0 reads
  // channels 0-1 ({1,1} . {1,2} = 3), channel 1 reads 2-3 ({2,-1} . {3,4} = 2).
  OneNode t = Conv();
  t.In<int8_t>({1, 1, 1, 4}, {1, 2, 3, 4}, Quant(1.0f, 0))
      .Const<int8_t>({2, 1, 1, 2}, {1, 1, 2, -1}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 1, 1, 2}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{3, 2}));
}

TEST(Conv2D, FloatSamePaddingWithBias) {
  // The SAME/stride-2 case in float: inputs 0.5..8 (step 0.5), ones filter,
  // bias 0.25: window sums 27, 22.5, 36, 27 (all exact) + 0.25.
  std::vector<float> in;
  for (int i = 1; i <= 16; ++i) in.push_back(0.5f * static_cast<float>(i));
  OneNode t(ir::OpKind::kConv2D);
  t.In<float>({1, 4, 4, 1}, in)
      .Const<float>({1, 3, 3, 1}, std::vector<float>(9, 1.0f))
      .Const<float>({1}, {0.25f})
      .Out(DType::kFloat32, {1, 2, 2, 1})
      .Attr("stride", I64s{2, 2})
      .Attr("pad", I64s{0, 0, 1, 1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{27.25f, 22.75f, 36.25f, 27.25f}));
}

TEST(Conv2D, FloatAccumulatesKyKxThenChannel) {
  // 1x2 filter of ones over 2 channels; taps in order (kx0,c0) (kx0,c1)
  // (kx1,c0) (kx1,c1) = 1e8, 1, -1e8, 1: ((1e8 + 1) - 1e8) + 1 = 1 in float
  // (1e8 + 1 rounds to 1e8). Channel-major order would give 2.
  OneNode t = Conv();
  t.In<float>({1, 1, 2, 2}, {1e8f, 1.0f, -1e8f, 1.0f})
      .Const<float>({1, 1, 2, 2}, {1.0f, 1.0f, 1.0f, 1.0f})
      .Out(DType::kFloat32, {1, 1, 1, 1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.0f}));
}

TEST(Conv2D, FloatReluN1To1) {
  OneNode t = Conv();
  t.In<float>({1, 1, 3, 1}, {-3.0f, 0.5f, 2.0f})
      .Const<float>({1, 1, 1, 1}, {1.0f})
      .Out(DType::kFloat32, {1, 1, 3, 1})
      .Attr("act", std::string("relu_n1_to_1"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{-1.0f, 0.5f, 1.0f}));
}

TEST(Conv2D, InferShapeAndMacs) {
  OneNode t(ir::OpKind::kConv2D);
  t.In<float>({2, 5, 7, 3}, std::vector<float>(2 * 5 * 7 * 3))
      .Const<float>({4, 3, 3, 3}, std::vector<float>(4 * 27))
      .Out(DType::kFloat32, {2, 3, 4, 4})
      .Attr("stride", I64s{2, 2})
      .Attr("pad", I64s{1, 1, 1, 1});
  auto types = t.Infer();
  ASSERT_TRUE(types.ok()) << types.diag().ToString();
  // H: (5 + 2 - 3) / 2 + 1 = 3; W: (7 + 2 - 3) / 2 + 1 = 4.
  EXPECT_EQ((*types)[0].shape, (ir::Shape{2, 3, 4, 4}));
  EXPECT_EQ((*types)[0].dtype, DType::kFloat32);
  EXPECT_EQ(t.Macs(), 2 * 3 * 4 * 4 * 3 * 3 * 3);
}

// A valid int8 1x1 conv on a [1,2,2,4] input with 2 output channels.
OneNode ValidInt8() {
  OneNode t = Conv();
  t.In<int8_t>({1, 2, 2, 4}, std::vector<int8_t>(16), Quant(1.0f, 0))
      .Const<int8_t>({2, 1, 1, 4}, std::vector<int8_t>(8), QuantPerAxis({1.0f, 0.5f}, 0))
      .Const<int32_t>({2}, {0, 0})
      .Out(DType::kInt8, {1, 2, 2, 2}, Quant(1.0f, 0));
  return t;
}

void ExpectInferError(const OneNode& t, const std::string& fragment) {
  auto r = t.Infer();
  ASSERT_FALSE(r.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_EQ(r.diag().id, "E0301");
  EXPECT_NE(r.diag().message.find(fragment), std::string::npos) << r.diag().message;
}

TEST(Conv2D, InferErrors) {
  ASSERT_TRUE(ValidInt8().Infer().ok());
  {
    OneNode t = ValidInt8();
    t.node().attrs.erase("stride");
    ExpectInferError(t, "'stride' is missing");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("stride", I64s{0, 1});
    ExpectInferError(t, "stride=[0,1]");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("pad", I64s{0, 0});
    ExpectInferError(t, "'pad' must be a list of 4");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("act", std::string("tanh"));
    ExpectInferError(t, "fused activation");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).quant = QuantPerAxis({1.0f, 1.0f, 1.0f}, 0);
    ExpectInferError(t, "3 scales, expected 1 or 2");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).quant->axis = 3;
    ExpectInferError(t, "along axis 3");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(0).quant.reset();
    ExpectInferError(t, "no quantization");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(2).shape = {3};
    ExpectInferError(t, "bias");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).dtype = DType::kFloat32;
    ExpectInferError(t, "i8 input, f32 filter");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(0).shape = {2, 2, 4};
    ExpectInferError(t, "expected rank 4");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).shape = {2, 1, 1, 3};  // 4 input channels, not a multiple of 3
    ExpectInferError(t, "not a multiple");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).shape = {2, 3, 3, 4};  // 3x3 window on a 2x2 input, no padding
    ExpectInferError(t, "does not fit");
  }
  {
    OneNode t = ValidInt8();
    t.node().inputs.resize(1);
    ExpectInferError(t, "inputs");
  }
}

TEST(Conv2D, OversizedMultiplierIsADiagnostic) {
  // 1 * 1 / 1e-10 = 1e10 >= 2^30 cannot be represented by MBQM.
  OneNode t = ValidInt8();
  t.out_tensor(0).quant = Quant(1e-10f, 0);
  auto r = t.Run<int8_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("too large"), std::string::npos) << r.diag().message;
}

}  // namespace
}  // namespace ember
