// POW reference evaluator: float32 with C's special values and broadcasting,
// int32 by squaring with wrap-around and the defined negative exponents,
// and Infer errors (int8 and mixed types refused).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Pow, Float32ExactPowersAndSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kPow);
  t.In<float>({8}, {2.0f, 3.0f, 4.0f, -2.0f, 0.0f, 1.0f, nan, -8.0f})
      .In<float>({8}, {10.0f, -2.0f, 0.5f, 3.0f, -1.0f, nan, 0.0f, 1.0f / 3.0f})
      .Out(ir::DType::kFloat32, {8});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  const std::vector<float>& v = *r;
  EXPECT_EQ(v[0], 1024.0f);
  EXPECT_EQ(v[1], 1.0f / 9.0f);
  EXPECT_EQ(v[2], 2.0f);
  EXPECT_EQ(v[3], -8.0f);
  EXPECT_EQ(v[4], inf);  // pow(+0, -1) = +inf
  EXPECT_EQ(v[5], 1.0f);  // pow(1, NaN) = 1
  EXPECT_EQ(v[6], 1.0f);  // pow(NaN, 0) = 1
  EXPECT_TRUE(std::isnan(v[7]));  // a negative base to a non-integer power
}

TEST(Pow, Float32Broadcasts) {
  test::OneNode t(ir::OpKind::kPow);
  t.In<float>({2, 3}, {1, 2, 3, 4, 5, 6}).Const<float>({3}, {0.0f, 1.0f, 2.0f}).Out(ir::DType::kFloat32, {2, 3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 2, 9, 1, 5, 36}));
}

TEST(Pow, Int32WrapsAndDefinesNegativeExponents) {
  test::OneNode t(ir::OpKind::kPow);
  t.In<int32_t>({10}, {2, -3, 2, 3, 0, 1, -1, -1, 5, 0})
      .In<int32_t>({10}, {10, 3, 31, 21, 0, -7, -3, -4, -1, -2})
      .Out(ir::DType::kInt32, {10});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // 2^31 wraps to INT32_MIN; 3^21 = 10460353203 = 2 * 2^32 + 1870418611.
  EXPECT_EQ(*r, (std::vector<int32_t>{1024, -27, std::numeric_limits<int32_t>::min(), 1870418611, 1, 1, -1, 1, 0, 0}));
}

TEST(Pow, Int64WrapsModulo2To64) {
  test::OneNode t(ir::OpKind::kPow);
  t.In<int64_t>({4}, {2, 3, -1, 7}).In<int64_t>({4}, {63, 41, -5, -1}).Out(ir::DType::kInt64, {4});
  auto r = t.Run<int64_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // 2^63 wraps to INT64_MIN; 3^41 = 36472996377170786403 = 2^64 + 18026252303461234787,
  // which is -420491770248316829 in two's complement.
  EXPECT_EQ(*r, (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), -420491770248316829LL, -1, 0}));
}

TEST(Pow, RefusesInt8AndMixedTypes) {
  test::OneNode t(ir::OpKind::kPow);
  t.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2},
                                                                                          Quant(0.5f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("input type i8 is not supported"), std::string::npos) << r.diag().ToString();
  EXPECT_NE(r.diag().hint.find("float32"), std::string::npos);
  test::OneNode m(ir::OpKind::kPow);
  m.In<float>({2}, {1, 2}).Const<int32_t>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
  EXPECT_FALSE(m.Run<float>().ok());
}

}  // namespace
}  // namespace ember
