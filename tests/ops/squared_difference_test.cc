// SQUARED_DIFFERENCE reference evaluator: float32 (a - b)^2 without a clamp,
// broadcasting; int8 against values computed by hand from TFLite Micro's
// formula.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/quant_math.h"

namespace ember {
namespace {

using test::Quant;

TEST(SquaredDifference, Float32Broadcast) {
  test::OneNode t(ir::OpKind::kSquaredDifference);
  t.In<float>({2, 2}, {1.0f, -2.0f, 3e20f, 0.5f}).In<float>({2}, {3.0f, 1.0f}).Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 4.0f);
  EXPECT_EQ((*r)[1], 9.0f);
  EXPECT_EQ((*r)[2], std::numeric_limits<float>::infinity());  // no clamp to FLT_MAX
  EXPECT_EQ((*r)[3], 0.25f);
}

TEST(SquaredDifference, Int8) {
  // s_a = s_b = 0.5, s_o = 1: t = 1, M_a = M_b = 0.5, M_o = 1 / 2^14.
  // a = 6, b = 2 (zero points 0): a' = 384, b' = 128, d = 256, d^2 = 65536,
  // out = 65536 / 16384 = 4 = (3 - 1)^2.
  test::OneNode t(ir::OpKind::kSquaredDifference);
  t.In<int8_t>({4}, {6, -6, 127, 0}, Quant(0.5f, 0))
      .In<int8_t>({4}, {2, 2, -128, 1}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {4}, Quant(1.0f, -128));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // 4 - 128, 16 - 128, 127.5^2 saturates, (0.5)^2 = 0.25 rounds to 0.
  EXPECT_EQ(*r, (std::vector<int8_t>{-124, -112, 127, -128}));
}

TEST(SquaredDifference, Int8DifferentScalesFollowTheFormula) {
  const float sa = 0.03f, sb = 0.07f, so = 0.2f;
  const int32_t za = 3, zb = -4, zo = -100;
  test::OneNode t(ir::OpKind::kSquaredDifference);
  std::vector<int8_t> a, b;
  for (int i = -128; i < 128; i += 5) {
    a.push_back(static_cast<int8_t>(i));
    b.push_back(static_cast<int8_t>(-i / 2));
  }
  const auto n = static_cast<int64_t>(a.size());
  t.In<int8_t>({n}, a, Quant(sa, za)).In<int8_t>({n}, b, Quant(sb, zb)).Out(ir::DType::kInt8, {n}, Quant(so, zo));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  const double tw = 2.0 * static_cast<double>(sb);
  const auto ma = ops::QuantizeMultiplier(static_cast<double>(sa) / tw);
  const auto mb = ops::QuantizeMultiplier(static_cast<double>(sb) / tw);
  const auto mo = ops::QuantizeMultiplier(tw * tw / static_cast<double>(16384.0f * so));
  for (size_t i = 0; i < a.size(); ++i) {
    const int32_t d = ops::Mbqm((a[i] - za) * 128, ma) - ops::Mbqm((b[i] - zb) * 128, mb);
    const int32_t o = std::min(127, std::max(-128, ops::Mbqm(d * d, mo) + zo));
    EXPECT_EQ((*r)[i], o) << i;
    // Close to the real squared difference.
    const double real = std::pow(sa * (a[i] - za) - sb * (b[i] - zb), 2) / so + zo;
    if (real < 126) {
      EXPECT_NEAR((*r)[i], real, 1.01) << i;
    }
  }
}

TEST(SquaredDifference, Rejects) {
  test::OneNode t(ir::OpKind::kSquaredDifference);
  t.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).In<float>({2}, {1, 2}).Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
  EXPECT_FALSE(t.Infer().ok());
  test::OneNode s(ir::OpKind::kSquaredDifference);
  s.In<float>({2}, {1, 2}).In<float>({3}, {1, 2, 3}).Out(ir::DType::kFloat32, {3});
  EXPECT_FALSE(s.Infer().ok());
}

}  // namespace
}  // namespace ember
