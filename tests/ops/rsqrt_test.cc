// RSQRT reference evaluator: float32 as TFLite Micro's kernel (special
// values included); int8 on TFLite Micro's RsqrtInt8 test data (within one
// step of 1/sqrt, as that test checks), the zero point and negative inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

TEST(Rsqrt, Float32) {
  const float inf = std::numeric_limits<float>::infinity();
  test::OneNode t(ir::OpKind::kRsqrt);
  t.In<float>({2, 2}, {4.0f, 2.0f, 0.0f, inf}).Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.5f, 1.0f / std::sqrt(2.0f), inf, 0.0f}));
  test::OneNode m(ir::OpKind::kRsqrt);
  m.In<float>({1}, {-0.0f}).Out(ir::DType::kFloat32, {1});
  EXPECT_EQ((*m.Run<float>())[0], -inf);
}

TEST(Rsqrt, Int8) {
  // TFLite Micro's elementwise_test RsqrtInt8: input scale 142/255, zero
  // point -15; output scale 1/255, zero point -128.
  const float s_in = 142.0f / 255.0f, s_out = 1.0f / 255.0f;
  const std::vector<float> x{15, 46, 78, 142, 1, 17, 49, 113};
  std::vector<int8_t> q;
  for (float v : x) q.push_back(static_cast<int8_t>(std::min<long>(std::lround(v / s_in) - 15, 127)));
  test::OneNode t(ir::OpKind::kRsqrt);
  t.In<int8_t>({2, 1, 4}, q, test::Quant(s_in, -15)).Out(ir::DType::kInt8, {2, 1, 4}, test::Quant(s_out, -128));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  for (size_t i = 0; i < x.size(); ++i) {
    const float real = static_cast<float>(q[i] + 15) * s_in;
    EXPECT_NEAR(((*r)[i] + 128) * s_out, 1.0f / std::sqrt(real), s_out) << i;
  }
  // The zero point itself (and, where TFLite Micro stops with an error,
  // values below it) give the largest output.
  test::OneNode z(ir::OpKind::kRsqrt);
  z.In<int8_t>({3}, {-15, -16, -128}, test::Quant(s_in, -15)).Out(ir::DType::kInt8, {3}, test::Quant(s_out, -128));
  auto rz = z.Run<int8_t>();
  ASSERT_TRUE(rz.ok()) << rz.diag().ToString();
  EXPECT_EQ(*rz, (std::vector<int8_t>{127, 127, 127}));
}

TEST(Rsqrt, RejectsOtherTypes) {
  test::OneNode t(ir::OpKind::kRsqrt);
  t.In<int16_t>({2}, {1, 2}, test::Quant(0.5f, 0)).Out(ir::DType::kInt16, {2}, test::Quant(0.5f, 0));
  EXPECT_EQ(t.Infer().diag().id, "E0301");
}

}  // namespace
}  // namespace ember
