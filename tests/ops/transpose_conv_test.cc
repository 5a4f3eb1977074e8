// TRANSPOSE_CONV reference evaluator: float32 hand-computed scatters (stride
// 1 and 2, cropping pads, output_padding, bias, activation), int8 with zero
// points and bias, 16x8 with an int64 or int16 bias, and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

const std::vector<float> kX = {1, 2, 3, 4};         // 1x2x2x1
const std::vector<float> kW = {1, 10, 100, 1000};  // 1x2x2x1 (OHWI)

test::OneNode FloatCase(int64_t stride, std::vector<int64_t> pad, ir::Shape out) {
  test::OneNode t(ir::OpKind::kTransposeConv, "up");
  t.In<float>({1, 2, 2, 1}, kX)
      .Const<float>({1, 2, 2, 1}, kW)
      .Out(ir::DType::kFloat32, std::move(out))
      .Attr("stride", std::vector<int64_t>{stride, stride})
      .Attr("pad", std::move(pad));
  return t;
}

TEST(TransposeConv, Float32Stride2ScattersBlocks) {
  auto r = FloatCase(2, {0, 0, 0, 0}, {1, 4, 4, 1}).Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000,
                                    400, 4000}));
}

TEST(TransposeConv, Float32Stride1Overlaps) {
  auto r = FloatCase(1, {0, 0, 0, 0}, {1, 3, 3, 1}).Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 12, 20, 103, 1234, 2040, 300, 3400, 4000}));
  // pad crops one pixel on every side: the centre.
  auto c = FloatCase(1, {1, 1, 1, 1}, {1, 1, 1, 1}).Run<float>();
  ASSERT_TRUE(c.ok()) << c.diag().ToString();
  EXPECT_EQ(*c, (std::vector<float>{1234}));
  // Asymmetric crop: top 1, left 0, bottom 0, right 2.
  auto a = FloatCase(1, {1, 0, 0, 2}, {1, 2, 1, 1}).Run<float>();
  ASSERT_TRUE(a.ok()) << a.diag().ToString();
  EXPECT_EQ(*a, (std::vector<float>{103, 300}));
}

TEST(TransposeConv, Float32OutputPaddingBiasAndRelu) {
  auto t = FloatCase(2, {0, 0, 0, 0}, {1, 5, 5, 1});
  t.Attr("output_padding", std::vector<int64_t>{1, 1}).Attr("act", std::string("relu6"));
  test::OneNode u(ir::OpKind::kTransposeConv);
  u.In<float>({1, 1, 2, 1}, {1, -1})
      .Const<float>({1, 1, 2, 1}, {2, 3})
      .Const<float>({1}, {0.5f})
      .Out(ir::DType::kFloat32, {1, 2, 5, 1})
      .Attr("stride", std::vector<int64_t>{1, 2})
      .Attr("pad", std::vector<int64_t>{0, 0, 0, 0})
      .Attr("output_padding", std::vector<int64_t>{0, 1})
      .Attr("act", std::string("relu"));
  // A declared output of 2 rows is refused: (1 - 1) * 1 + 1 = 1 row.
  auto r = u.Run<float>();
  ASSERT_FALSE(r.ok());
  u.out_tensor(0).shape = {1, 1, 5, 1};
  r = u.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // 1 * [2, 3] at columns 0-1, -1 * [2, 3] at columns 2-3, column 4 bias only.
  EXPECT_EQ(*r, (std::vector<float>{2.5f, 3.5f, 0.0f, 0.0f, 0.5f}));
  auto s = t.Run<float>();
  ASSERT_TRUE(s.ok()) << s.diag().ToString();
  EXPECT_EQ((*s)[4], 0.0f);   // the added column
  EXPECT_EQ((*s)[5], 6.0f);   // 100 clamped by relu6
}

TEST(TransposeConv, Int8ZeroPointsAndBias) {
  // x - z_in = 2, 4, 6, 8; weights 1..4 (scale 1); multiplier 0.5 * 1 / 1;
  // bias 2 adds 1 after the rescale; z_out = -3.
  test::OneNode t(ir::OpKind::kTransposeConv);
  t.In<int8_t>({1, 2, 2, 1}, {3, 5, 7, 9}, Quant(0.5f, 1))
      .Const<int8_t>({1, 2, 2, 1}, {1, 2, 3, 4}, test::QuantPerAxis({1.0f}, 0))
      .Const<int32_t>({1}, {2})
      .Out(ir::DType::kInt8, {1, 4, 4, 1}, Quant(1.0f, -3))
      .Attr("stride", std::vector<int64_t>{2, 2})
      .Attr("pad", std::vector<int64_t>{0, 0, 0, 0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-1, 0, 0, 2, 1, 2, 4, 6, 1, 4, 2, 6, 7, 10, 10, 14}));
  EXPECT_EQ(t.Macs(), 4 * 4);
}

TEST(TransposeConv, Int16WithInt64AndInt16Bias) {
  // 16x8: no zero points; x = 100, -200, 300, 400 (scale 1), weights 1..4
  // (scale 1), output scale 2: acc = w * x (one tap each, stride 2), + bias
  // 3, then TFLite's int64 MultiplyByQuantizedMultiplier by 0.5, which rounds
  // halves up: floor((acc + 1) / 2), so -197 -> -98.
  for (bool int16_bias : {false, true}) {
    test::OneNode t(ir::OpKind::kTransposeConv);
    t.In<int16_t>({1, 2, 2, 1}, {100, -200, 300, 400}, Quant(1.0f, 0))
        .Const<int8_t>({1, 2, 2, 1}, {1, 2, 3, 4}, test::QuantPerAxis({1.0f}, 0));
    if (int16_bias) {
      t.Const<int16_t>({1}, {3});
    } else {
      t.Const<int64_t>({1}, {3});
    }
    t.Out(ir::DType::kInt16, {1, 4, 4, 1}, Quant(2.0f, 0))
        .Attr("stride", std::vector<int64_t>{2, 2})
        .Attr("pad", std::vector<int64_t>{0, 0, 0, 0});
    auto r = t.Run<int16_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(*r, (std::vector<int16_t>{52, 102, -98, -198, 152, 202, -298, -398, 152, 302, 202, 402, 452,
                                        602, 602, 802}));
  }
  {
    // An int32 bias with int16 activations: TFLite Micro reads it as int64.
    test::OneNode t(ir::OpKind::kTransposeConv, "up");
    t.In<int16_t>({1, 2, 2, 1}, {1, 2, 3, 4}, Quant(1.0f, 0))
        .Const<int8_t>({1, 2, 2, 1}, {1, 2, 3, 4}, test::QuantPerAxis({1.0f}, 0))
        .Const<int32_t>({1}, {3})
        .Out(ir::DType::kInt16, {1, 4, 4, 1}, Quant(2.0f, 0))
        .Attr("stride", std::vector<int64_t>{2, 2})
        .Attr("pad", std::vector<int64_t>{0, 0, 0, 0});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("16x8 transpose_conv has a i32 bias; supported: i64 or i16"), std::string::npos)
        << r.diag().ToString();
  }
}

TEST(TransposeConv, Errors) {
  {
    auto t = FloatCase(2, {0, 0, 0, 0}, {1, 4, 4, 1});
    t.Attr("output_padding", std::vector<int64_t>{2, 0});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'up' (transpose_conv): output_padding [2,0] must be below"),
              std::string::npos)
        << r.diag().ToString();
  }
  {
    auto t = FloatCase(1, {2, 0, 2, 0}, {1, 1, 3, 1});
    EXPECT_FALSE(t.Infer().ok());  // the crop leaves nothing
  }
  {
    auto t = FloatCase(1, {0, 0, 0, 0}, {1, 3, 3, 1});
    t.Attr("dilation", std::vector<int64_t>{2, 2});
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kTransposeConv);
    t.In<float>({1, 2, 2, 3}, std::vector<float>(12, 1.0f))
        .Const<float>({1, 2, 2, 2}, std::vector<float>(8, 1.0f))
        .Out(ir::DType::kFloat32, {1, 3, 3, 1})
        .Attr("stride", std::vector<int64_t>{1, 1})
        .Attr("pad", std::vector<int64_t>{0, 0, 0, 0});
    EXPECT_FALSE(t.Infer().ok());  // filter C_in 2 != input channels 3
  }
  {
    test::OneNode t(ir::OpKind::kTransposeConv);
    t.In<float>({1, 2, 2, 1}, kX)
        .Const<float>({1, 2, 2, 1}, kW)
        .Out(ir::DType::kFloat32, {1, 3, 3, 1})
        .Attr("pad", std::vector<int64_t>{0, 0, 0, 0});
    EXPECT_FALSE(t.Infer().ok());  // stride missing
  }
}

}  // namespace
}  // namespace ember
