// REDUCE_PROD reference evaluator: float32 in row-major order, wrapping
// int32, keep_dims, and Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(ReduceProd, Float32OverAxes) {
  test::OneNode t(ir::OpKind::kReduceProd);
  t.In<float>({2, 2, 3}, {1, 2, 3, 4, 5, 6, -1, 0.5f, 2, 0, NAN, 1})
      .Out(ir::DType::kFloat32, {2, 1, 3})
      .Attr("axes", std::vector<int64_t>{1})
      .Attr("keep_dims", int64_t{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ((*r)[0], 4.0f);
  EXPECT_EQ((*r)[1], 10.0f);
  EXPECT_EQ((*r)[2], 18.0f);
  EXPECT_EQ((*r)[3], -0.0f);
  EXPECT_TRUE(std::signbit((*r)[3]));  // -1 * 0
  EXPECT_TRUE(std::isnan((*r)[4]));     // NaN propagates
  EXPECT_EQ((*r)[5], 2.0f);
}

TEST(ReduceProd, Float32RoundsAtEachStepInInputOrder) {
  // (2^-149 * 2^-1) rounds to 0 before the 2^100 arrives: the order matters.
  test::OneNode t(ir::OpKind::kReduceProd);
  t.In<float>({3}, {std::ldexp(1.0f, -149), 0.5f, std::ldexp(1.0f, 100)})
      .Out(ir::DType::kFloat32, {})
      .Attr("axes", std::vector<int64_t>{0});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f}));
}

TEST(ReduceProd, Int32Wraps) {
  test::OneNode t(ir::OpKind::kReduceProd);
  t.In<int32_t>({2, 3}, {65536, 65536, 3, -2, 7, 1})
      .Out(ir::DType::kInt32, {2})
      .Attr("axes", std::vector<int64_t>{1});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{0, -14}));
}

TEST(ReduceProd, Errors) {
  {
    test::OneNode t(ir::OpKind::kReduceProd, "p");
    t.In<int8_t>({2, 2}, {1, 2, 3, 4}, Quant(0.1f, 0))
        .Out(ir::DType::kInt8, {2}, Quant(0.1f, 0))
        .Attr("axes", std::vector<int64_t>{1});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'p' (reduce_prod): input type i8"), std::string::npos)
        << r.diag().ToString();
  }
  {
    test::OneNode t(ir::OpKind::kReduceProd);
    t.In<float>({2, 2}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {2}).Attr("axes", std::vector<int64_t>{2});
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
