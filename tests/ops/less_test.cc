// LESS reference evaluator: a < b on f32 (NaN compares false), i32 and
// int8 inputs of different scales (compared after TFLite Micro's rescale);
// bool inputs are refused. Shared semantics are tested in equal_test.cc.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Less, Float32Int32Int8) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kLess);
  t.In<float>({2, 3}, {1.0f, nan, -0.0f, 2.0f, 3.0f, -1.0f}).In<float>({3}, {1.0f, 1.0f, 0.0f}).Out(ir::DType::kBool, {2, 3});
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{0, 0, 0, 0, 0, 1}));
  test::OneNode i(ir::OpKind::kLess);
  i.In<int32_t>({3}, {-7, 0, 7}).Const<int32_t>({1}, {0}).Out(ir::DType::kBool, {3});
  auto ri = i.Run<uint8_t>();
  ASSERT_TRUE(ri.ok()) << ri.diag().ToString();
  EXPECT_EQ(*ri, (std::vector<uint8_t>{1, 0, 0}));
  // a (scale 0.5, zero point -9): 0.5, 1.0, 1.5; b (scale 0.25, zero point 3): 1.0 each.
  test::OneNode q(ir::OpKind::kLess);
  q.In<int8_t>({3}, {-8, -7, -6}, Quant(0.5f, -9)).In<int8_t>({1}, {7}, Quant(0.25f, 3)).Out(ir::DType::kBool, {3});
  auto rq = q.Run<uint8_t>();
  ASSERT_TRUE(rq.ok()) << rq.diag().ToString();
  EXPECT_EQ(*rq, (std::vector<uint8_t>{1, 0, 0}));
}

TEST(Less, RejectsBool) {
  test::OneNode b(ir::OpKind::kLess);
  b.InBytes(ir::DType::kBool, {1}, {1}).InBytes(ir::DType::kBool, {1}, {0}).Out(ir::DType::kBool, {1});
  EXPECT_EQ(b.Infer().diag().id, "E0301");
}

}  // namespace
}  // namespace ember
