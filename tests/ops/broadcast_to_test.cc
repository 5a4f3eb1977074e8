// BROADCAST_TO reference evaluator: float32 and int32 repeated along new and
// size-1 axes (worked by hand), int8 keeping its quantization, a target of
// the input's shape (a copy), and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(BroadcastTo, RepeatsAlongNewAndUnitAxes) {
  test::OneNode t(ir::OpKind::kBroadcastTo);
  t.In<float>({3, 1}, {1, 2, 3}).Attr("shape", std::vector<int64_t>{2, 3, 2}).Out(ir::DType::kFloat32, {2, 3, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  test::OneNode i(ir::OpKind::kBroadcastTo);
  i.In<int32_t>({2}, {7, -8}).Attr("shape", std::vector<int64_t>{3, 2}).Out(ir::DType::kInt32, {3, 2});
  EXPECT_EQ(*i.Run<int32_t>(), (std::vector<int32_t>{7, -8, 7, -8, 7, -8}));
  test::OneNode q(ir::OpKind::kBroadcastTo);
  q.In<int8_t>({1, 2}, {-128, 127}, Quant(0.5f, 3)).Attr("shape", std::vector<int64_t>{2, 2})
      .Out(ir::DType::kInt8, {2, 2}, Quant(0.5f, 3));
  EXPECT_EQ(*q.Run<int8_t>(), (std::vector<int8_t>{-128, 127, -128, 127}));
  test::OneNode same(ir::OpKind::kBroadcastTo);
  same.In<float>({2}, {4, 5}).Attr("shape", std::vector<int64_t>{2}).Out(ir::DType::kFloat32, {2});
  EXPECT_EQ(*same.Run<float>(), (std::vector<float>{4, 5}));
}

TEST(BroadcastTo, RefusesShapesThatDoNotBroadcastAndOtherQuantization) {
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{3, 3}, std::vector<int64_t>{2}}) {
    test::OneNode t(ir::OpKind::kBroadcastTo);
    t.In<float>({2, 1}, {1, 2}).Attr("shape", shape).Out(ir::DType::kFloat32, shape);
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("cannot broadcast"), std::string::npos) << r.diag().ToString();
  }
  test::OneNode q(ir::OpKind::kBroadcastTo);
  q.In<int8_t>({1}, {1}, Quant(0.5f, 3)).Attr("shape", std::vector<int64_t>{2}).Out(ir::DType::kInt8, {2}, Quant(0.25f, 3));
  EXPECT_FALSE(q.Infer().ok());
}

}  // namespace
}  // namespace ember
