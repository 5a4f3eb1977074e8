// LOGISTIC reference evaluator: the verified int8 vector of TFLite Micro's
// fixed-point kernel (semantics notes §13), the output zero-point check,
// float32 thresholds and Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

const std::vector<int8_t> kInputs = {-128, -100, -50, -1, 0, 1, 50, 100, 127};

TEST(Logistic, Int8VerifiedVector) {
  // s_in = 0.1: multiplier 1717986944, left shift 24, radius 120.
  test::OneNode t(ir::OpKind::kLogistic);
  t.In<int8_t>({9}, kInputs, Quant(0.1f, 0)).Out(ir::DType::kInt8, {9}, Quant(1.0f / 256, -128));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, -128, -126, -6, 0, 6, 126, 127, 127}));
}

TEST(Logistic, Int8InputZeroPointIsSubtracted) {
  test::OneNode t(ir::OpKind::kLogistic);
  t.In<int8_t>({3}, {9, 10, 11}, Quant(0.1f, 10)).Out(ir::DType::kInt8, {3}, Quant(1.0f / 256, -128));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-6, 0, 6}));
}

TEST(Logistic, Int8OutputScaleIsNotChecked) {
  // TFLite Micro only checks the zero point; 1/256 is assumed.
  test::OneNode t(ir::OpKind::kLogistic);
  t.In<int8_t>({2}, {-1, 1}, Quant(0.1f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.5f, -128));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-6, 6}));
}

TEST(Logistic, Int8RejectsOutputZeroPoint) {
  test::OneNode t(ir::OpKind::kLogistic);
  t.In<int8_t>({2}, {-1, 1}, Quant(0.1f, 0)).Out(ir::DType::kInt8, {2}, Quant(1.0f / 256, 0));
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("-128"), std::string::npos) << r.diag().message;
}

TEST(Logistic, Float32Thresholds) {
  test::OneNode t(ir::OpKind::kLogistic);
  t.In<float>({5}, {0.0f, 20.0f, -10.0f, 1.0f, -1.0f}).Out(ir::DType::kFloat32, {5});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 0.5f);
  EXPECT_EQ((*r)[1], 1.0f);                          // above 16.619...: exactly 1
  EXPECT_NEAR((*r)[2], 4.539993e-5f, 1e-10);         // below -9: exp(x)
  EXPECT_NEAR((*r)[3], 0.7310585786f, 1e-7);
  EXPECT_NEAR((*r)[4], 0.2689414214f, 1e-7);
}

TEST(Logistic, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kLogistic);
    t.In<int8_t>({2}, {0, 0}).Out(ir::DType::kInt8, {2}, Quant(1.0f / 256, -128));
    EXPECT_FALSE(t.Infer().ok());  // input without quantization
  }
  {
    test::OneNode t(ir::OpKind::kLogistic);
    t.In<int32_t>({2}, {0, 0}, Quant(1, 0)).Out(ir::DType::kInt32, {2}, Quant(1, 0));
    EXPECT_FALSE(t.Infer().ok());  // dtype
  }
  {
    test::OneNode t(ir::OpKind::kLogistic);
    t.In<float>({2}, {0, 0}).Out(ir::DType::kFloat32, {2}).Out(ir::DType::kFloat32, {2});
    EXPECT_FALSE(t.Infer().ok());  // two outputs
  }
}

}  // namespace
}  // namespace ember
