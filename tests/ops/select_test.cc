// SELECT_V2 reference evaluator: cond ? x : y with broadcasting of all three
// operands, stored values copied (int8 not requantized); refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Select, BroadcastsAllThree) {
  test::OneNode t(ir::OpKind::kSelect);
  t.InBytes(ir::DType::kBool, {2, 1}, {1, 0})
      .In<float>({3}, {1.0f, 2.0f, 3.0f})
      .In<float>({}, {-1.0f})
      .Out(ir::DType::kFloat32, {2, 3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.0f, 2.0f, 3.0f, -1.0f, -1.0f, -1.0f}));
}

TEST(Select, Int8Int16AndUint8StoredValues) {
  test::OneNode t(ir::OpKind::kSelect);
  t.InBytes(ir::DType::kBool, {4}, {1, 0, 0, 1})
      .In<int8_t>({4}, {-128, 1, 2, 127}, Quant(0.5f, 3))
      .Const<int8_t>({4}, {9, 8, 7, 6}, Quant(0.5f, 3))
      .Out(ir::DType::kInt8, {4}, Quant(0.5f, 3));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, 8, 7, 127}));
  test::OneNode s(ir::OpKind::kSelect);
  s.InBytes(ir::DType::kBool, {}, {0}).In<int16_t>({2}, {-300, 300}).In<int16_t>({2}, {5, -5}).Out(ir::DType::kInt16, {2});
  auto rs = s.Run<int16_t>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<int16_t>{5, -5}));
  // uint8 (an ONNX Where of uint8 values): the bytes as they are.
  test::OneNode u(ir::OpKind::kSelect);
  u.InBytes(ir::DType::kBool, {3}, {0, 1, 0})
      .In<uint8_t>({3}, {0, 200, 255})
      .In<uint8_t>({}, {131})
      .Out(ir::DType::kUInt8, {3});
  auto ru = u.Run<uint8_t>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<uint8_t>{131, 200, 131}));
}

TEST(Select, Rejects) {
  test::OneNode c(ir::OpKind::kSelect);
  c.In<int8_t>({2}, {1, 0}).In<float>({2}, {1, 2}).In<float>({2}, {3, 4}).Out(ir::DType::kFloat32, {2});
  EXPECT_EQ(c.Infer().diag().id, "E0301");
  test::OneNode t(ir::OpKind::kSelect);
  t.InBytes(ir::DType::kBool, {2}, {1, 0}).In<float>({2}, {1, 2}).In<int32_t>({2}, {3, 4}).Out(ir::DType::kFloat32, {2});
  EXPECT_FALSE(t.Infer().ok());
  test::OneNode s(ir::OpKind::kSelect);
  s.InBytes(ir::DType::kBool, {3}, {1, 0, 1}).In<float>({2}, {1, 2}).In<float>({2}, {3, 4}).Out(ir::DType::kFloat32, {2});
  EXPECT_FALSE(s.Infer().ok());
}

}  // namespace
}  // namespace ember
