// HARD_SIGMOID reference evaluator: float32 (multiply, add, clamp), default
// and explicit alpha/beta, int8 through dequantize -> float -> quantize, and
// Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(HardSigmoid, Float32Defaults) {
  test::OneNode t(ir::OpKind::kHardSigmoid);
  const std::vector<float> x = {-5.0f, -2.5f, 0.0f, 1.0f, 2.5f, 3.0f, NAN};
  t.In<float>({7}, x).Out(ir::DType::kFloat32, {7});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 0.0f);
  EXPECT_EQ((*r)[1], 0.0f);
  EXPECT_EQ((*r)[2], 0.5f);
  EXPECT_EQ((*r)[3], 1.0f * 0.2f + 0.5f);
  EXPECT_EQ((*r)[4], 1.0f);
  EXPECT_EQ((*r)[5], 1.0f);
  EXPECT_TRUE(std::isnan((*r)[6]));
}

TEST(HardSigmoid, Float32AlphaBeta) {
  // alpha = 1/6, beta = 1/2 is the hard_swish factor.
  test::OneNode t(ir::OpKind::kHardSigmoid);
  t.In<float>({4}, {-3.0f, 0.0f, 1.5f, 4.0f})
      .Out(ir::DType::kFloat32, {4})
      .Attr("alpha", 1.0 / 6.0)
      .Attr("beta", 0.5);
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  const float a = static_cast<float>(1.0 / 6.0);
  EXPECT_EQ(*r, (std::vector<float>{-3.0f * a + 0.5f, 0.5f, 1.5f * a + 0.5f, 1.0f}));
}

TEST(HardSigmoid, Int8) {
  // s_in = 0.1: x = 10 is 1.0 -> 0.7 -> 0.7 * 256 = 179.2 -> 179 - 128 = 51.
  test::OneNode t(ir::OpKind::kHardSigmoid);
  t.In<int8_t>({6}, {-128, -25, 0, 10, 25, 127}, Quant(0.1f, 0))
      .Out(ir::DType::kInt8, {6}, Quant(1.0f / 256, -128));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, -128, 0, 51, 127, 127}));
}

TEST(HardSigmoid, Errors) {
  {
    test::OneNode t(ir::OpKind::kHardSigmoid, "hs");
    t.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("alpha", std::string("a"));
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'hs' (hard_sigmoid)"), std::string::npos);
  }
  {
    test::OneNode t(ir::OpKind::kHardSigmoid);
    t.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("beta", 1e300);
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kHardSigmoid);
    t.In<int8_t>({2}, {1, 2}, Quant(0.1f, 0)).Out(ir::DType::kInt8, {2});
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
