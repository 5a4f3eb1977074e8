// MINIMUM reference evaluator: a < b ? a : b as TFLite Micro's reference
// kernel (NaN cases included), broadcasting, int8 on the stored values with
// one quantization, int32, int64; mismatches are rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Minimum, Float32BroadcastAndNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kMinimum);
  t.In<float>({2, 3}, {1.0f, nan, 3.0f, -0.0f, -5.0f, 7.0f})
      .In<float>({3}, {2.0f, 1.0f, nan})
      .Out(ir::DType::kFloat32, {2, 3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 1.0f);
  EXPECT_EQ((*r)[1], 1.0f);  // a is NaN: a < b is false, b
  EXPECT_TRUE(std::isnan((*r)[2]));
  EXPECT_EQ((*r)[3], -0.0f);
  EXPECT_EQ((*r)[4], -5.0f);
  EXPECT_TRUE(std::isnan((*r)[5]));
}

TEST(Minimum, Int8StoredValues) {
  test::OneNode t(ir::OpKind::kMinimum);
  t.In<int8_t>({2, 2}, {-128, 5, 127, -3}, Quant(0.5f, -3))
      .Const<int8_t>({2, 1}, {0, -10}, Quant(0.5f, -3))
      .Out(ir::DType::kInt8, {2, 2}, Quant(0.5f, -3));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, 0, -10, -10}));
}

TEST(Minimum, Int64BeyondInt32) {
  test::OneNode t(ir::OpKind::kMinimum);
  t.In<int64_t>({4}, {INT64_MAX, 5000000000LL, -5000000000LL, 3}).In<int64_t>({}, {4294967296LL}).Out(ir::DType::kInt64, {4});
  auto r = t.Run<int64_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int64_t>{4294967296LL, 4294967296LL, -5000000000LL, 3}));
}

TEST(Minimum, Int32AndRejects) {
  test::OneNode t(ir::OpKind::kMinimum);
  t.In<int32_t>({3}, {INT32_MIN, 7, -1}).In<int32_t>({}, {0}).Out(ir::DType::kInt32, {3});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{INT32_MIN, 0, -1}));
  test::OneNode q(ir::OpKind::kMinimum);
  q.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).In<int8_t>({2}, {1, 2}, Quant(0.5f, 2)).Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
  auto rq = q.Infer();
  ASSERT_FALSE(rq.ok());
  EXPECT_NE(rq.diag().message.find("different quantization"), std::string::npos) << rq.diag().message;
}

}  // namespace
}  // namespace ember
