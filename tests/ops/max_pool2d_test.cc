// max_pool2d reference evaluator: hand-computed cases.
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
using I64s = std::vector<int64_t>;

OneNode Pool(I64s filter, I64s stride, I64s pad) {
  OneNode t(ir::OpKind::kMaxPool2D, "max");
  t.Attr("filter", std::move(filter)).Attr("stride", std::move(stride)).Attr("pad", std::move(pad));
  return t;
}

TEST(MaxPool2D, PaddedTapsAreSkipped) {
  // All-negative 3x3 input, 2x2 window, stride 2, SAME pad [0,0,1,1]: if the
  // padding were read as 0 (or as the zero point) the maxima would be 0.
  OneNode t = Pool({2, 2}, {2, 2}, {0, 0, 1, 1});
  t.In<int8_t>({1, 3, 3, 1}, {-1, -2, -3, -4, -5, -6, -7, -8, -9}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 2, 2, 1}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-1, -3, -7, -9}));
}

TEST(MaxPool2D, ReluClampsAtZeroPoint) {
  // Same windows with z = -5: RELU lower bound is -5.
  OneNode t = Pool({2, 2}, {2, 2}, {0, 0, 1, 1});
  t.In<int8_t>({1, 3, 3, 1}, {-1, -2, -3, -4, -5, -6, -7, -8, -9}, Quant(1.0f, -5))
      .Out(DType::kInt8, {1, 2, 2, 1}, Quant(1.0f, -5))
      .Attr("act", std::string("relu"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-1, -3, -5, -5}));
}

TEST(MaxPool2D, LeadingPaddingAndStride1Channels) {
  // 2x2 input with 2 channels, 2x2 window, pad top/left 1: window (0,0) sees
  // only pixel (0,0); (0,1) row 0; (1,0) column 0; (1,1) everything.
  OneNode t = Pool({2, 2}, {1, 1}, {1, 1, 0, 0});
  t.In<int8_t>({1, 2, 2, 2}, {-1, 10, 7, -10, 3, 20, 2, -20}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 2, 2, 2}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-1, 10, 7, 10, 3, 20, 7, 20}));
}

TEST(MaxPool2D, FloatWithRelu6) {
  // As above, one channel {-1, 7, 3, 2.5}: maxima -1, 7, 3, 7 -> relu6 -> 0, 6, 3, 6.
  OneNode t = Pool({2, 2}, {1, 1}, {1, 1, 0, 0});
  t.In<float>({1, 2, 2, 1}, {-1.0f, 7.0f, 3.0f, 2.5f})
      .Out(DType::kFloat32, {1, 2, 2, 1})
      .Attr("act", std::string("relu6"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f, 6.0f, 3.0f, 6.0f}));
}

TEST(MaxPool2D, FloatNegativeValuesWithoutActivation) {
  OneNode t = Pool({1, 2}, {1, 2}, {0, 0, 0, 0});
  t.In<float>({1, 1, 4, 1}, {-3.5f, -2.25f, -1e30f, -2e30f}).Out(DType::kFloat32, {1, 1, 2, 1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{-2.25f, -1e30f}));
}

void ExpectInferError(const OneNode& t, const std::string& fragment) {
  auto r = t.Infer();
  ASSERT_FALSE(r.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_NE(r.diag().message.find(fragment), std::string::npos) << r.diag().message;
}

OneNode ValidInt8() {
  OneNode t = Pool({3, 3}, {1, 1}, {1, 1, 1, 1});
  t.In<int8_t>({1, 4, 4, 1}, std::vector<int8_t>(16), Quant(0.5f, 0))
      .Out(DType::kInt8, {1, 4, 4, 1}, Quant(0.5f, 0));
  return t;
}

TEST(MaxPool2D, InferErrors) {
  ASSERT_TRUE(ValidInt8().Check().ok());
  {
    OneNode t = ValidInt8();
    t.out_tensor(0).quant = Quant(0.5f, 1);
    ExpectInferError(t, "differs from the output's");
  }
  {
    OneNode t = ValidInt8();
    t.out_tensor(0).quant.reset();
    ExpectInferError(t, "no quantization");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("stride", std::string("2"));
    ExpectInferError(t, "'stride' must be a list of 2");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("pad", I64s{-1, 0, 0, 0});
    ExpectInferError(t, "below 0");
  }
  {
    OneNode t = ValidInt8();
    t.node().outputs.clear();
    ExpectInferError(t, "outputs");
  }
}

}  // namespace
}  // namespace ember
