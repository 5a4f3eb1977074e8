// EQUAL reference evaluator (and the comparison helpers shared by all six
// comparisons, ops/compare_util.h): f32 with NaN and signed zeros, i32, i64,
// bool, broadcasting, int8 inputs of different scales compared by their
// rescaled values as TFLite Micro does; refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Equal, Float32NaNSignedZeroAndBroadcast) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kEqual);
  t.In<float>({2, 3}, {1.0f, nan, -0.0f, 2.0f, 3.0f, 1.0f}).In<float>({3}, {1.0f, nan, 0.0f}).Out(ir::DType::kBool, {2, 3});
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{1, 0, 1, 0, 0, 0}));  // NaN == NaN is false, -0 == +0
}

TEST(Equal, IntegersAndBool) {
  test::OneNode t(ir::OpKind::kEqual);
  t.In<int64_t>({3}, {INT64_MIN, 5, -1}).In<int64_t>({}, {5}).Out(ir::DType::kBool, {3});
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{0, 1, 0}));
  test::OneNode b(ir::OpKind::kEqual);
  b.InBytes(ir::DType::kBool, {4}, {0, 1, 0, 1}).InBytes(ir::DType::kBool, {4}, {0, 0, 1, 1}).Out(ir::DType::kBool, {4});
  auto rb = b.Run<uint8_t>();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ(*rb, (std::vector<uint8_t>{1, 0, 0, 1}));
}

TEST(Equal, Int8ComparesRescaledValues) {
  // a: scale 0.5, zero point 0; b: scale 0.25, zero point 0. a = 2 (1.0)
  // equals b = 4 (1.0) although the stored bytes differ; a = 3 (1.5) and
  // b = 6 (1.5) too; a = 1 (0.5) and b = 1 (0.25) differ.
  test::OneNode t(ir::OpKind::kEqual);
  t.In<int8_t>({3}, {2, 3, 1}, Quant(0.5f, 0)).In<int8_t>({3}, {4, 6, 1}, Quant(0.25f, 0)).Out(ir::DType::kBool, {3});
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{1, 1, 0}));
  // Scales so small that (x - z) * 256 rescales to 0 for every value: TFLite
  // Micro's arithmetic then finds all values equal, and so does ember.
  test::OneNode s(ir::OpKind::kEqual);
  s.In<int8_t>({2}, {-128, 127}, Quant(1e-6f, 0)).In<int8_t>({2}, {0, 0}, Quant(1e-6f, 0)).Out(ir::DType::kBool, {2});
  auto rs = s.Run<uint8_t>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<uint8_t>{1, 1}));
}

TEST(Equal, Rejects) {
  test::OneNode m(ir::OpKind::kEqual);
  m.In<float>({2}, {1, 2}).In<int32_t>({2}, {1, 2}).Out(ir::DType::kBool, {2});
  EXPECT_EQ(m.Infer().diag().id, "E0301");
  test::OneNode s(ir::OpKind::kEqual);
  s.In<float>({2}, {1, 2}).In<float>({3}, {1, 2, 3}).Out(ir::DType::kBool, {3});
  EXPECT_FALSE(s.Infer().ok());
  test::OneNode q(ir::OpKind::kEqual);  // TFLite Micro needs scales below 1
  q.In<int8_t>({1}, {1}, Quant(1.5f, 0)).In<int8_t>({1}, {1}, Quant(0.5f, 0)).Out(ir::DType::kBool, {1});
  auto rq = q.Infer();
  ASSERT_FALSE(rq.ok());
  EXPECT_NE(rq.diag().message.find("not below 1"), std::string::npos) << rq.diag().message;
  test::OneNode u(ir::OpKind::kEqual);
  u.In<uint8_t>({1}, {1}).In<uint8_t>({1}, {1}).Out(ir::DType::kBool, {1});
  EXPECT_FALSE(u.Infer().ok());
}

}  // namespace
}  // namespace ember
