// GREATER reference evaluator: a > b on f32 (NaN compares false), i32 and
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

TEST(Greater, Float32Int32Int8) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kGreater);
  t.In<float>({2, 3}, {1.0f, nan, -0.0f, 2.0f, 3.0f, -1.0f}).In<float>({3}, {1.0f, 1.0f, 0.0f}).Out(ir::DType::kBool, {2, 3});
  auto r = t.Run<uint8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<uint8_t>{0, 0, 0, 1, 1, 0}));
  test::OneNode i(ir::OpKind::kGreater);
  i.In<int32_t>({3}, {-7, 0, 7}).Const<int32_t>({1}, {0}).Out(ir::DType::kBool, {3});
  auto ri = i.Run<uint8_t>();
  ASSERT_TRUE(ri.ok()) << ri.diag().ToString();
  EXPECT_EQ(*ri, (std::vector<uint8_t>{0, 0, 1}));
  // a (scale 0.5, zero point -9): 0.5, 1.0, 1.5; b (scale 0.25, zero point 3): 1.0 each.
  test::OneNode q(ir::OpKind::kGreater);
  q.In<int8_t>({3}, {-8, -7, -6}, Quant(0.5f, -9)).In<int8_t>({1}, {7}, Quant(0.25f, 3)).Out(ir::DType::kBool, {3});
  auto rq = q.Run<uint8_t>();
  ASSERT_TRUE(rq.ok()) << rq.diag().ToString();
  EXPECT_EQ(*rq, (std::vector<uint8_t>{0, 0, 1}));
}

TEST(Greater, RejectsBool) {
  test::OneNode b(ir::OpKind::kGreater);
  b.InBytes(ir::DType::kBool, {1}, {1}).InBytes(ir::DType::kBool, {1}, {0}).Out(ir::DType::kBool, {1});
  EXPECT_EQ(b.Infer().diag().id, "E0301");
}

// int16: TFLite Micro's GREATER (its only int16 comparison) rescales with
// parameters it never prepares, so ember refuses with the reason.
TEST(Greater, RejectsInt16WithTheReason) {
  for (ir::OpKind op : {ir::OpKind::kGreater, ir::OpKind::kLess, ir::OpKind::kEqual}) {
    test::OneNode t(op);
    t.In<int16_t>({2}, {1, 2}, Quant(0.5f, 0)).In<int16_t>({2}, {2, 1}, Quant(0.5f, 0)).Out(ir::DType::kBool, {2});
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.diag().id, "E0301");
    EXPECT_NE(r.diag().message.find("int16 comparisons are not supported"), std::string::npos) << r.diag().ToString();
  }
}

}  // namespace
}  // namespace ember
