// DIV reference evaluator: float32 with broadcasting, fused activations and
// IEEE special cases; int8 is rejected with a diagnostic naming the node.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Div, Float32Broadcast) {
  test::OneNode t(ir::OpKind::kDiv);
  t.In<float>({2, 3}, {1.0f, 2.0f, 3.0f, -4.0f, 5.0f, 6.0f})
      .In<float>({3}, {2.0f, -4.0f, 0.5f})
      .Out(ir::DType::kFloat32, {2, 3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.5f, -0.5f, 6.0f, -2.0f, -1.25f, 12.0f}));
}

TEST(Div, Float32RoundsAsIeeeDivision) {
  test::OneNode t(ir::OpKind::kDiv);
  t.In<float>({2}, {1.0f, 2.0f}).In<float>({2}, {3.0f, 3.0f}).Out(ir::DType::kFloat32, {2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  volatile float one = 1.0f, two = 2.0f, three = 3.0f;
  EXPECT_EQ((*r)[0], one / three);
  EXPECT_EQ((*r)[1], two / three);
}

TEST(Div, Float32ByZeroAndActivation) {
  test::OneNode t(ir::OpKind::kDiv);
  t.In<float>({4}, {1.0f, -1.0f, 0.0f, 3.0f})
      .In<float>({4}, {0.0f, 0.0f, 0.0f, -1.0f})
      .Out(ir::DType::kFloat32, {4});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // The activation range of "none" is [lowest, max], as TFLite's.
  EXPECT_EQ((*r)[0], FLT_MAX);
  EXPECT_EQ((*r)[1], -FLT_MAX);
  EXPECT_TRUE(std::isnan((*r)[2]));
  EXPECT_EQ((*r)[3], -3.0f);

  test::OneNode u(ir::OpKind::kDiv);
  u.In<float>({3}, {1.0f, -1.0f, 50.0f})
      .In<float>({}, {0.5f})
      .Out(ir::DType::kFloat32, {3})
      .Attr("act", std::string("relu6"));
  auto ru = u.Run<float>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<float>{2.0f, 0.0f, 6.0f}));
}

TEST(Div, Int8IsRejected) {
  test::OneNode t(ir::OpKind::kDiv, "ratio");
  t.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0))
      .In<int8_t>({2}, {1, 2}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0301");
  EXPECT_NE(r.diag().message.find("node 'ratio' (div): int8 division is not supported"),
            std::string::npos)
      << r.diag().ToString();
  EXPECT_NE(r.diag().hint.find("keep the division in float"), std::string::npos);
}

TEST(Div, ShapeErrors) {
  test::OneNode t(ir::OpKind::kDiv);
  t.In<float>({2, 3}, {1, 2, 3, 4, 5, 6}).In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2, 3});
  EXPECT_FALSE(t.Infer().ok());
  test::OneNode u(ir::OpKind::kDiv);
  u.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
  EXPECT_FALSE(u.Infer().ok());
}

}  // namespace
}  // namespace ember
