// MAXIMUM reference evaluator: a > b ? a : b as TFLite Micro's reference
// kernel (NaN cases included), broadcasting, int8 on the stored values with
// one quantization, int16, int32, int64; mismatches are rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(Maximum, Float32BroadcastAndNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::OneNode t(ir::OpKind::kMaximum);
  t.In<float>({2, 3}, {1.0f, nan, 3.0f, -0.0f, -5.0f, 7.0f})
      .In<float>({3}, {2.0f, 1.0f, nan})
      .Out(ir::DType::kFloat32, {2, 3});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], 2.0f);
  EXPECT_EQ((*r)[1], 1.0f);  // a is NaN: a > b is false, b
  EXPECT_TRUE(std::isnan((*r)[2]));  // b is NaN: b
  EXPECT_EQ((*r)[3], 2.0f);
  EXPECT_EQ((*r)[4], 1.0f);
  EXPECT_TRUE(std::isnan((*r)[5]));
  // -0 and +0 compare equal: the second operand is taken.
  test::OneNode z(ir::OpKind::kMaximum);
  z.In<float>({1}, {-0.0f}).In<float>({1}, {0.0f}).Out(ir::DType::kFloat32, {1});
  auto rz = z.Run<float>();
  ASSERT_TRUE(rz.ok());
  EXPECT_FALSE(std::signbit((*rz)[0]));
}

TEST(Maximum, Int8StoredValues) {
  test::OneNode t(ir::OpKind::kMaximum);
  t.In<int8_t>({2, 2}, {-128, 5, 127, -3}, Quant(0.5f, -3))
      .Const<int8_t>({2, 1}, {0, -10}, Quant(0.5f, -3))
      .Out(ir::DType::kInt8, {2, 2}, Quant(0.5f, -3));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{0, 5, 127, -3}));
}

TEST(Maximum, Int32) {
  test::OneNode t(ir::OpKind::kMaximum);
  t.In<int32_t>({3}, {INT32_MIN, 7, -1}).In<int32_t>({}, {0}).Out(ir::DType::kInt32, {3});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{0, 7, 0}));
}

TEST(Maximum, Int64BeyondInt32) {
  test::OneNode t(ir::OpKind::kMaximum);
  t.In<int64_t>({4}, {INT64_MIN, 5000000000LL, -5000000000LL, 3}).In<int64_t>({}, {-4294967296LL}).Out(ir::DType::kInt64, {4});
  auto r = t.Run<int64_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int64_t>{-4294967296LL, 5000000000LL, -4294967296LL, 3}));
}

TEST(Maximum, Int16) {  // ONNX Max of int16 tensors
  test::OneNode t(ir::OpKind::kMaximum);
  t.In<int16_t>({4}, {INT16_MIN, 300, -2, INT16_MAX}).In<int16_t>({}, {-1}).Out(ir::DType::kInt16, {4});
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{-1, 300, -1, INT16_MAX}));
}

TEST(Maximum, Rejects) {
  test::OneNode q(ir::OpKind::kMaximum);
  q.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).In<int8_t>({2}, {1, 2}, Quant(0.25f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
  auto rq = q.Infer();
  ASSERT_FALSE(rq.ok());
  EXPECT_EQ(rq.diag().id, "E0301");
  EXPECT_NE(rq.diag().message.find("different quantization"), std::string::npos) << rq.diag().message;
  test::OneNode o(ir::OpKind::kMaximum);
  o.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.5f, 1));
  EXPECT_FALSE(o.Infer().ok());
  test::OneNode m(ir::OpKind::kMaximum);
  m.In<float>({2}, {1, 2}).In<int32_t>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
  EXPECT_FALSE(m.Infer().ok());
  test::OneNode s(ir::OpKind::kMaximum);
  s.In<float>({2}, {1, 2}).In<float>({3}, {1, 2, 3}).Out(ir::DType::kFloat32, {3});
  EXPECT_FALSE(s.Infer().ok());
  test::OneNode u(ir::OpKind::kMaximum);
  u.In<uint8_t>({2}, {1, 2}).In<uint8_t>({2}, {1, 2}).Out(ir::DType::kUInt8, {2});
  EXPECT_FALSE(u.Infer().ok());
}

}  // namespace
}  // namespace ember
