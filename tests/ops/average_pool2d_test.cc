// average_pool2d reference evaluator: hand-computed cases (expected values
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
using I64s = std::vector<int64_t>;

OneNode Pool(I64s filter, I64s stride, I64s pad) {
  OneNode t(ir::OpKind::kAveragePool2D, "avg");
  t.Attr("filter", std::move(filter)).Attr("stride", std::move(stride)).Attr("pad", std::move(pad));
  return t;
}

TEST(AveragePool2D, TiesRoundHalfAwayFromZero) {
  // 1x2 windows: (-2, -3) -> -2.5 -> -3; (7, 8) -> 7.5 -> 8; (-1, 1) -> 0.
  OneNode t = Pool({1, 2}, {1, 2}, {0, 0, 0, 0});
  t.In<int8_t>({1, 1, 6, 1}, {-2, -3, 7, 8, -1, 1}, Quant(0.5f, 0))
      .Out(DType::kInt8, {1, 1, 3, 1}, Quant(0.5f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-3, 8, 0}));
}

TEST(AveragePool2D, PaddingIsNotCountedInTheDivisor) {
  // 3x3 input -1..-9, 2x2 window, stride 2, SAME pad [0,0,1,1]:
  // (-1-2-4-5)/4 = -3; (-3-6)/2 = -4.5 -> -5; (-7-8)/2 = -7.5 -> -8; -9/1 = -9.
  OneNode t = Pool({2, 2}, {2, 2}, {0, 0, 1, 1});
  t.In<int8_t>({1, 3, 3, 1}, {-1, -2, -3, -4, -5, -6, -7, -8, -9}, Quant(1.0f, 0))
      .Out(DType::kInt8, {1, 2, 2, 1}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-3, -5, -8, -9}));
}

TEST(AveragePool2D, AveragesRawValuesNotZeroPointShifted) {
  // z = 5: raw (4, 5) averages to 4.5 -> 5. Averaging x - z = (-1, 0) would
  // give -0.5 -> -1 -> 4 after adding z back.
  OneNode t = Pool({1, 2}, {1, 1}, {0, 0, 0, 0});
  t.In<int8_t>({1, 1, 2, 1}, {4, 5}, Quant(0.25f, 5))
      .Out(DType::kInt8, {1, 1, 1, 1}, Quant(0.25f, 5));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{5}));
}

TEST(AveragePool2D, Relu6Clamp) {
  // s 0.5, z -128: RELU6 range [-128, -128 + 12 = -116]. Averages -124, -95.
  OneNode t = Pool({1, 2}, {1, 2}, {0, 0, 0, 0});
  t.In<int8_t>({1, 1, 4, 1}, {-128, -120, -100, -90}, Quant(0.5f, -128))
      .Out(DType::kInt8, {1, 1, 2, 1}, Quant(0.5f, -128))
      .Attr("act", std::string("relu6"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-124, -116}));
}

TEST(AveragePool2D, ChannelsAndBatchesAreIndependent) {
  // 2 batches x 2 channels, one 1x2 window each: channel c averages its own pair.
  OneNode t = Pool({1, 2}, {1, 1}, {0, 0, 0, 0});
  t.In<int8_t>({2, 1, 2, 2}, {10, -10, 20, -20, 1, 2, 3, 4}, Quant(1.0f, 0))
      .Out(DType::kInt8, {2, 1, 1, 2}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{15, -15, 2, 3}));  // 2.0, 3.0 exactly
}

TEST(AveragePool2D, Float) {
  // Window (1, 2, 4) -> 7 / 3 in float; window with padding (8) alone -> 8.
  OneNode t = Pool({1, 3}, {1, 3}, {0, 0, 0, 2});
  t.In<float>({1, 1, 4, 1}, {1, 2, 4, 8}).Out(DType::kFloat32, {1, 1, 2, 1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{7.0f / 3.0f, 8.0f}));
}

void ExpectInferError(const OneNode& t, const std::string& fragment) {
  auto r = t.Infer();
  ASSERT_FALSE(r.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_NE(r.diag().message.find(fragment), std::string::npos) << r.diag().message;
}

OneNode ValidInt8() {
  OneNode t = Pool({2, 2}, {2, 2}, {0, 0, 0, 0});
  t.In<int8_t>({1, 4, 4, 2}, std::vector<int8_t>(32), Quant(0.5f, 3))
      .Out(DType::kInt8, {1, 2, 2, 2}, Quant(0.5f, 3));
  return t;
}

TEST(AveragePool2D, InferErrors) {
  ASSERT_TRUE(ValidInt8().Check().ok());
  {
    OneNode t = ValidInt8();
    t.out_tensor(0).quant = Quant(0.25f, 3);
    ExpectInferError(t, "differs from the output's");
    auto r = t.Run<int8_t>();  // rejected before evaluation as well
    EXPECT_FALSE(r.ok());
  }
  {
    OneNode t = ValidInt8();
    t.out_tensor(0).quant = Quant(0.5f, 4);
    ExpectInferError(t, "differs from the output's");
  }
  {
    OneNode t = ValidInt8();
    t.node().attrs.erase("filter");
    ExpectInferError(t, "'filter' is missing");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("pad", I64s{2, 0, 0, 0});
    ExpectInferError(t, "not smaller than the filter");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("filter", I64s{5, 1});
    ExpectInferError(t, "does not fit");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(0).dtype = DType::kInt32;
    ExpectInferError(t, "i32 input");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(0).shape = {4, 4, 2};
    ExpectInferError(t, "expected rank 4");
  }
}

}  // namespace
}  // namespace ember
