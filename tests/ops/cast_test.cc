// CAST reference evaluator: static_cast of the stored values as TFLite
// Micro's kernel, with the conversions C++ leaves undefined defined as on
// Cortex-M (float truncates, saturates to int32, NaN -> 0, then wraps).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Cast, FloatToIntegers) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> in{1.9f, -1.9f, 300.0f, -129.5f, 3e9f, -3e9f, nan, 65535.0f};
  test::OneNode t(ir::OpKind::kCast);
  t.In<float>({8}, in).Out(ir::DType::kInt32, {8});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{1, -1, 300, -129, INT32_MAX, INT32_MIN, 0, 65535}));
  test::OneNode b(ir::OpKind::kCast);
  b.In<float>({8}, in).Out(ir::DType::kInt8, {8});
  auto rb = b.Run<int8_t>();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  // 300 wraps to 44, -129 to 127, INT32_MAX to -1, INT32_MIN to 0, 65535 to -1.
  EXPECT_EQ(*rb, (std::vector<int8_t>{1, -1, 44, 127, -1, 0, 0, -1}));
  test::OneNode h(ir::OpKind::kCast);
  h.In<float>({8}, in).Out(ir::DType::kInt16, {8});
  auto rh = h.Run<int16_t>();
  ASSERT_TRUE(rh.ok()) << rh.diag().ToString();
  EXPECT_EQ(*rh, (std::vector<int16_t>{1, -1, 300, -129, -1, 0, 0, -1}));
  test::OneNode u(ir::OpKind::kCast);
  u.In<float>({8}, in).Out(ir::DType::kUInt8, {8});
  auto ru = u.Run<uint8_t>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<uint8_t>{1, 255, 44, 127, 255, 0, 0, 255}));
  test::OneNode l(ir::OpKind::kCast);
  l.In<float>({4}, {1e19f, -1e19f, nan, -2.5e9f}).Out(ir::DType::kInt64, {4});
  EXPECT_EQ(*l.Run<int64_t>(), (std::vector<int64_t>{INT64_MAX, INT64_MIN, 0, -2500000000LL}));
  test::OneNode s(ir::OpKind::kCast);
  s.In<int32_t>({2}, {INT32_MIN, 7}).Out(ir::DType::kInt64, {2});
  EXPECT_EQ(*s.Run<int64_t>(), (std::vector<int64_t>{INT32_MIN, 7}));
}

TEST(Cast, IntegersAndBoolToFloatAndBetweenIntegers) {
  test::OneNode t(ir::OpKind::kCast);
  t.In<int32_t>({3}, {16777217, -5, INT32_MIN}).Out(ir::DType::kFloat32, {3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{16777216.0f, -5.0f, -2147483648.0f}));
  test::OneNode b(ir::OpKind::kCast);
  b.InBytes(ir::DType::kBool, {3}, {1, 0, 1}).Out(ir::DType::kInt32, {3});
  EXPECT_EQ(*b.Run<int32_t>(), (std::vector<int32_t>{1, 0, 1}));
  // Quantization is ignored: the stored values convert.
  test::OneNode q(ir::OpKind::kCast);
  q.In<int8_t>({3}, {-128, 0, 127}, Quant(0.5f, 3)).Out(ir::DType::kInt16, {3});
  EXPECT_EQ(*q.Run<int16_t>(), (std::vector<int16_t>{-128, 0, 127}));
  test::OneNode z(ir::OpKind::kCast);
  z.In<uint8_t>({3}, {0, 200, 255}).Out(ir::DType::kInt32, {3});
  EXPECT_EQ(*z.Run<int32_t>(), (std::vector<int32_t>{0, 200, 255}));  // zero-extended
  test::OneNode w(ir::OpKind::kCast);
  w.In<int16_t>({3}, {200, -200, 32767}).Out(ir::DType::kInt8, {3});
  EXPECT_EQ(*w.Run<int8_t>(), (std::vector<int8_t>{-56, 56, -1}));
}

TEST(Cast, Rejects) {
  test::OneNode t(ir::OpKind::kCast);
  t.In<float>({2}, {1, 2}).Out(ir::DType::kBool, {2});
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("casting f32 to bool is not supported"), std::string::npos) << r.diag().message;
  test::OneNode u(ir::OpKind::kCast);
  u.In<uint8_t>({2}, {1, 2}).Out(ir::DType::kBool, {2});
  EXPECT_FALSE(u.Infer().ok());
}

}  // namespace
}  // namespace ember
