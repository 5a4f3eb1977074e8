// MOD reference evaluator: floor modulo (the divisor's sign, TFLite's
// FloorMod) and truncated modulo (fmod = 1) in float32, int32 and int64,
// with broadcasting, the defined zero and -1 divisors, and Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Mod, Float32FloorAndTruncated) {
  const std::vector<float> a = {7.5f, -7.5f, 7.5f, -7.5f, 6.0f, -6.0f, 1e30f, 0.1f};
  const std::vector<float> b = {2.0f, 2.0f, -2.0f, -2.0f, 3.0f, 3.0f, 3.0f, 0.0f};
  test::OneNode f(ir::OpKind::kMod);
  f.In<float>({8}, a).In<float>({8}, b).Out(ir::DType::kFloat32, {8});
  auto r = f.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->size(), 8u);
  const std::vector<float> floor = {1.5f, 0.5f, -0.5f, -1.5f, 0.0f, 0.0f, std::fmod(1e30f, 3.0f)};
  for (size_t i = 0; i < floor.size(); ++i) EXPECT_EQ((*r)[i], floor[i]) << i;
  EXPECT_TRUE(std::signbit((*r)[5]));  // fmodf(-6, 3) = -0, kept: a zero is not moved
  EXPECT_TRUE(std::isnan((*r)[7]));    // a zero divisor, as fmodf

  test::OneNode t(ir::OpKind::kMod);
  t.In<float>({8}, a).In<float>({8}, b).Out(ir::DType::kFloat32, {8}).Attr("fmod", int64_t{1});
  auto q = t.Run<float>();
  ASSERT_TRUE(q.ok()) << q.diag().ToString();
  const std::vector<float> trunc = {1.5f, -1.5f, 1.5f, -1.5f, 0.0f, -0.0f};
  for (size_t i = 0; i < trunc.size(); ++i) EXPECT_EQ((*q)[i], trunc[i]) << i;
}

TEST(Mod, IntegersBroadcastAndDefineZeroDivisors) {
  const int32_t min = std::numeric_limits<int32_t>::min();
  test::OneNode f(ir::OpKind::kMod);
  f.In<int32_t>({2, 4}, {7, -7, 7, -7, min, 5, 0, -9}).In<int32_t>({2, 4}, {3, 3, -3, -3, -1, 0, 4, 4})
      .Out(ir::DType::kInt32, {2, 4});
  auto r = f.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{1, 2, -2, -1, 0, 0, 0, 3}));

  test::OneNode t(ir::OpKind::kMod);
  t.In<int64_t>({2, 3}, {7, -7, 10, -10, 4, -1}).Const<int64_t>({3}, {3, -3, 0}).Out(ir::DType::kInt64, {2, 3})
      .Attr("fmod", int64_t{1});
  auto q = t.Run<int64_t>();
  ASSERT_TRUE(q.ok()) << q.diag().ToString();
  EXPECT_EQ(*q, (std::vector<int64_t>{1, -1, 0, -1, 1, 0}));

  test::OneNode s(ir::OpKind::kMod);  // ONNX Mod of int16 tensors
  s.In<int16_t>({4}, {-32768, 7, -7, 5}).Const<int16_t>({4}, {-1, -3, 3, 0}).Out(ir::DType::kInt16, {4});
  auto h = s.Run<int16_t>();
  ASSERT_TRUE(h.ok()) << h.diag().ToString();
  EXPECT_EQ(*h, (std::vector<int16_t>{0, -2, 2, 0}));
}

TEST(Mod, RefusesInt8MixedTypesAndBadFmod) {
  test::OneNode t(ir::OpKind::kMod);
  t.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2},
                                                                                          Quant(0.5f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("input type i8 is not supported"), std::string::npos) << r.diag().ToString();
  test::OneNode m(ir::OpKind::kMod);
  m.In<float>({2}, {1, 2}).Const<int32_t>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
  EXPECT_FALSE(m.Run<float>().ok());
  test::OneNode bad(ir::OpKind::kMod);
  bad.In<float>({2}, {1, 2}).In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("fmod", int64_t{2});
  EXPECT_FALSE(bad.Run<float>().ok());
}

}  // namespace
}  // namespace ember
