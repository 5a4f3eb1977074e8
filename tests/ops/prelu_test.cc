// PRELU reference evaluator: int8 hand-computed from TFLite Micro's formula
// (v * (alpha - z_alpha) rescaled by s_in*s_alpha/s_out), per-channel
// broadcasting, float32 and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Prelu, Int8PerChannelAlpha) {
  // s_in = s_out = 0.5, z_in = -1, z_out = 2; alpha scale 1/64 so the alpha
  // multiplier is 1/64 exactly. Channels' alphas 16 (0.25) and 32 (0.5).
  // v = -8 (a 16): -128/64 = -2 -> 0; v = -1 (a 32): -0.5 -> -1 (ties away
  // from zero) -> 1; v = 0 -> 2; v = -16 (a 32): -8 -> -6; v = 6 -> 8.
  test::OneNode t(ir::OpKind::kPrelu);
  t.In<int8_t>({1, 5, 2}, {-9, -2, -1, -17, 5, 5, -128, 127, 0, 0}, Quant(0.5f, -1))
      .Const<int8_t>({2}, {16, 32}, Quant(1.0f / 64, 0))
      .Out(ir::DType::kInt8, {1, 5, 2}, Quant(0.5f, 2));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // -128: v = -127, * 16 / 64 = -31.75 -> -32 + 2 = -30; 127: v = 128 -> 127 (clamped)
  EXPECT_EQ(*r, (std::vector<int8_t>{0, 1, 2, -6, 8, 8, -30, 127, 3, 3}));
}

TEST(Prelu, Int8AlphaZeroPoint) {
  // alpha raw 10 with zero point 6 is 4 * 0.125 = 0.5.
  test::OneNode t(ir::OpKind::kPrelu);
  t.In<int8_t>({3}, {-10, 0, 10}, Quant(1.0f, 0))
      .Const<int8_t>({1}, {10}, Quant(0.125f, 6))
      .Out(ir::DType::kInt8, {3}, Quant(1.0f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-5, 0, 10}));
}

TEST(Prelu, Float32Broadcast) {
  test::OneNode t(ir::OpKind::kPrelu);
  t.In<float>({2, 2}, {-2.0f, -2.0f, 3.0f, -0.0f})
      .Const<float>({2}, {0.5f, -1.0f})
      .Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{-1.0f, 2.0f, 3.0f, 0.0f}));
}

TEST(Prelu, Errors) {
  {
    test::OneNode t(ir::OpKind::kPrelu, "p");
    t.In<float>({2, 3}, {1, 2, 3, 4, 5, 6}).Const<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2, 3});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'p' (prelu)"), std::string::npos);
  }
  {
    test::OneNode t(ir::OpKind::kPrelu);
    t.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0))
        .Const<int8_t>({2}, {1, 2}, test::QuantPerAxis({0.1f, 0.2f}, 0))
        .Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
    EXPECT_FALSE(t.Infer().ok());  // per-axis alpha quantization
  }
  {
    test::OneNode t(ir::OpKind::kPrelu);
    t.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
