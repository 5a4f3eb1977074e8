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

// ONNX's Cast to float16 / bfloat16, held in float32: to nearest, ties to
// even; overflow to infinity; float16 subnormals; specials as they are.
TEST(Cast, RoundToFloat16AndBfloat16) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> in{
      1.0f + 0x1p-11f,           // tie between 1 and 1 + 2^-10: to even, 1
      1.0f + 3 * 0x1p-11f,       // tie: to even, 1 + 2^-9
      1.0f + 0x1p-11f + 0x1p-20f,  // past the tie: 1 + 2^-10
      65504.0f, 65519.99f, 65520.0f, -1e6f,  // float16's largest; its rounding limit; beyond
      0x1p-24f, 0x1p-25f, 0x1.8p-25f, 3 * 0x1p-25f,  // subnormals: 2^-24; a tie to 0; past it; a tie to 2^-23
      1e-30f, -0.0f, inf, 3.14159265f};
  test::OneNode h(ir::OpKind::kCast);
  h.In<float>({15}, in).Out(ir::DType::kFloat32, {15}).Attr("round", std::string("float16"));
  auto rh = h.Run<float>();
  ASSERT_TRUE(rh.ok()) << rh.diag().ToString();
  const std::vector<float> want_h{1.0f, 1.0f + 0x1p-9f, 1.0f + 0x1p-10f, 65504.0f, 65504.0f, inf, -inf,
                                  0x1p-24f, 0.0f, 0x1p-24f, 0x1p-23f, 0.0f, -0.0f, inf, 3.140625f};
  EXPECT_EQ(*rh, want_h);
  EXPECT_TRUE(std::signbit((*rh)[12]));
  test::OneNode b(ir::OpKind::kCast);
  b.In<float>({6}, {1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 3.4e38f, 1e-40f, -3.14159265f, -inf})
      .Out(ir::DType::kFloat32, {6})
      .Attr("round", std::string("bfloat16"));
  auto rb = b.Run<float>();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ(*rb, (std::vector<float>{1.0f, 1.0f + 0x1p-6f, inf, 0x1p-133f, -3.140625f, -inf}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode n(ir::OpKind::kCast);
  n.In<float>({1}, {nan}).Out(ir::DType::kFloat32, {1}).Attr("round", std::string("float16"));
  EXPECT_TRUE(std::isnan((*n.Run<float>())[0]));
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
  test::OneNode f(ir::OpKind::kCast);
  f.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("round", std::string("float8"));
  r = f.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("round=\"float8\" is not a format ember rounds to"), std::string::npos)
      << r.diag().message;
  test::OneNode i(ir::OpKind::kCast);
  i.In<int32_t>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("round", std::string("float16"));
  r = i.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("needs an f32 input and output, not i32 to f32"), std::string::npos)
      << r.diag().message;
}

}  // namespace
}  // namespace ember
