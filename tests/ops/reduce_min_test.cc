// REDUCE_MIN reference evaluator: float32 and int8 over various axes,
// keep_dims, NaN skipped, and Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(ReduceMin, Float32OverSpatialAxesKeepDims) {
  test::OneNode t(ir::OpKind::kReduceMin);
  t.In<float>({1, 2, 2, 2}, {1.0f, -8.0f, 3.0f, -2.0f, -5.0f, -1.0f, 2.5f, -7.0f})
      .Out(ir::DType::kFloat32, {1, 1, 1, 2})
      .Attr("axes", std::vector<int64_t>{1, 2})
      .Attr("keep_dims", int64_t{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{-5.0f, -8.0f}));
}

TEST(ReduceMin, Float32NanIsSkippedAndInfinity) {
  test::OneNode t(ir::OpKind::kReduceMin);
  t.In<float>({2, 3}, {NAN, 1.0f, 3.0f, INFINITY, INFINITY, NAN})
      .Out(ir::DType::kFloat32, {2})
      .Attr("axes", std::vector<int64_t>{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // in < cur never holds for NaN or +inf against the start value FLT_MAX.
  EXPECT_EQ(*r, (std::vector<float>{1.0f, 3.4028234663852886e38f}));
}

TEST(ReduceMin, Int8FirstAxis) {
  test::OneNode t(ir::OpKind::kReduceMin);
  t.In<int8_t>({3, 2}, {-128, 5, -7, 127, 9, 3}, Quant(0.1f, 4))
      .Out(ir::DType::kInt8, {2}, Quant(0.1f, 4))
      .Attr("axes", std::vector<int64_t>{0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, 3}));
}

TEST(ReduceMin, Errors) {
  {
    test::OneNode t(ir::OpKind::kReduceMin, "rm");
    t.In<int8_t>({2, 2}, {1, 2, 3, 4}, Quant(0.1f, 0))
        .Out(ir::DType::kInt8, {2}, Quant(0.1f, 1))
        .Attr("axes", std::vector<int64_t>{1});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'rm' (reduce_min): input quantization"), std::string::npos)
        << r.diag().ToString();
  }
  {
    test::OneNode t(ir::OpKind::kReduceMin);
    t.In<int32_t>({2, 2}, {1, 2, 3, 4}).Out(ir::DType::kInt32, {2}).Attr("axes", std::vector<int64_t>{1});
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
