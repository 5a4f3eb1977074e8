// TANH reference evaluator: the verified int8 vector of TFLite Micro's
// fixed-point kernel (semantics notes §13), the unchecked output
// quantization, float32 and Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

const std::vector<int8_t> kInputs = {-128, -100, -50, -1, 0, 1, 50, 100, 127};
const std::vector<int8_t> kExpected = {-128, -128, -128, -13, 0, 13, 127, 127, 127};

TEST(Tanh, Int8VerifiedVector) {
  test::OneNode t(ir::OpKind::kTanh);
  t.In<int8_t>({9}, kInputs, Quant(0.1f, 0)).Out(ir::DType::kInt8, {9}, Quant(1.0f / 128, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, kExpected);
}

TEST(Tanh, Int8OutputQuantizationIsIgnored) {
  // TFLite Micro assumes 1/128 and zero point 0 without reading the output.
  test::OneNode t(ir::OpKind::kTanh);
  t.In<int8_t>({9}, kInputs, Quant(0.1f, 0)).Out(ir::DType::kInt8, {9}, Quant(0.3f, 7));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, kExpected);
}

TEST(Tanh, Int8InputZeroPoint) {
  test::OneNode t(ir::OpKind::kTanh);
  t.In<int8_t>({3}, {-21, -20, -19}, Quant(0.1f, -20)).Out(ir::DType::kInt8, {3},
                                                           Quant(1.0f / 128, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-13, 0, 13}));
}

TEST(Tanh, Float32) {
  test::OneNode t(ir::OpKind::kTanh);
  t.In<float>({3}, {0.0f, 1.0f, -2.0f}).Out(ir::DType::kFloat32, {3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 0.0f);
  EXPECT_NEAR((*r)[1], 0.7615941560f, 1e-7);
  EXPECT_NEAR((*r)[2], -0.9640275801f, 1e-7);
}

TEST(Tanh, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kTanh);
    t.In<int8_t>({2}, {0, 0}).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // input without quantization
  }
  {
    test::OneNode t(ir::OpKind::kTanh);
    t.In<uint8_t>({2}, {0, 0}, Quant(0.1f, 0)).Out(ir::DType::kUInt8, {2});
    EXPECT_FALSE(t.Infer().ok());  // dtype
  }
  {
    test::OneNode t(ir::OpKind::kTanh);
    t.Out(ir::DType::kFloat32, {2});
    EXPECT_FALSE(t.Infer().ok());  // no input
  }
}

}  // namespace
}  // namespace ember
