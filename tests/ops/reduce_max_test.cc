// REDUCE_MAX reference evaluator: float32 and int8 over various axes,
// keep_dims, NaN skipped, empty axes list, and Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(ReduceMax, Float32OverSpatialAxesKeepDims) {
  // [1, 2, 2, 2] over H, W: the global max pool of NHWC.
  test::OneNode t(ir::OpKind::kReduceMax);
  t.In<float>({1, 2, 2, 2}, {1.0f, -8.0f, 3.0f, -2.0f, -5.0f, -1.0f, 2.5f, -7.0f})
      .Out(ir::DType::kFloat32, {1, 1, 1, 2})
      .Attr("axes", std::vector<int64_t>{1, 2})
      .Attr("keep_dims", int64_t{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{3.0f, -1.0f}));
}

TEST(ReduceMax, Float32NanIsSkippedAndLastAxis) {
  test::OneNode t(ir::OpKind::kReduceMax);
  t.In<float>({2, 3}, {NAN, -1.0f, -3.0f, -INFINITY, -INFINITY, -INFINITY})
      .Out(ir::DType::kFloat32, {2})
      .Attr("axes", std::vector<int64_t>{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // in > cur never holds for NaN or -inf against the start value -FLT_MAX.
  EXPECT_EQ(*r, (std::vector<float>{-1.0f, -3.4028234663852886e38f}));
}

TEST(ReduceMax, Int8FirstAxisAndNoAxes) {
  test::OneNode t(ir::OpKind::kReduceMax);
  t.In<int8_t>({3, 2}, {-128, 5, -7, 127, -9, -3}, Quant(0.1f, 4))
      .Out(ir::DType::kInt8, {2}, Quant(0.1f, 4))
      .Attr("axes", std::vector<int64_t>{0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-7, 127}));

  test::OneNode u(ir::OpKind::kReduceMax);
  u.In<int8_t>({2}, {-128, 3}, Quant(0.1f, 4))
      .Out(ir::DType::kInt8, {2}, Quant(0.1f, 4))
      .Attr("axes", std::vector<int64_t>{});
  auto ru = u.Run<int8_t>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<int8_t>{-128, 3}));
}

TEST(ReduceMax, Errors) {
  {
    test::OneNode t(ir::OpKind::kReduceMax, "rm");
    t.In<int8_t>({2, 2}, {1, 2, 3, 4}, Quant(0.1f, 0))
        .Out(ir::DType::kInt8, {2}, Quant(0.2f, 0))
        .Attr("axes", std::vector<int64_t>{1});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'rm' (reduce_max): input quantization"), std::string::npos)
        << r.diag().ToString();
  }
  {
    test::OneNode t(ir::OpKind::kReduceMax);
    t.In<float>({2, 2}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {2}).Attr("axes", std::vector<int64_t>{2});
    EXPECT_FALSE(t.Infer().ok());
  }
  {
    test::OneNode t(ir::OpKind::kReduceMax);
    t.In<float>({2, 0}, {}).Out(ir::DType::kFloat32, {2}).Attr("axes", std::vector<int64_t>{1});
    EXPECT_FALSE(t.Infer().ok());  // max over an empty axis
  }
  {
    test::OneNode t(ir::OpKind::kReduceMax);
    t.In<float>({2, 2}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {2});
    EXPECT_FALSE(t.Infer().ok());  // no axes
  }
}

}  // namespace
}  // namespace ember
