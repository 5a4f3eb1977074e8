// NOT_EQUAL reference evaluator: a != b on f32 (NaN != NaN is true), i32,
// bool and int8 of different scales (after TFLite Micro's rescale).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(NotEqual, AllTypes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kNotEqual);
  t.In<float>({4}, {1.0f, nan, -0.0f, 2.0f}).In<float>({4}, {1.0f, nan, 0.0f, 3.0f}).Out(ir::DType::kBool, {4});
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{0, 1, 0, 1}));
  test::OneNode b(ir::OpKind::kNotEqual);
  b.InBytes(ir::DType::kBool, {2, 1}, {0, 1}).InBytes(ir::DType::kBool, {2}, {0, 1}).Out(ir::DType::kBool, {2, 2});
  auto rb = b.Run<uint8_t>();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ(*rb, (std::vector<uint8_t>{0, 1, 1, 0}));
  test::OneNode q(ir::OpKind::kNotEqual);
  q.In<int8_t>({3}, {-8, -7, -6}, Quant(0.5f, -9)).In<int8_t>({1}, {7}, Quant(0.25f, 3)).Out(ir::DType::kBool, {3});
  auto rq = q.Run<uint8_t>();
  ASSERT_TRUE(rq.ok()) << rq.diag().ToString();
  EXPECT_EQ(*rq, (std::vector<uint8_t>{1, 0, 1}));
}

}  // namespace
}  // namespace ember
