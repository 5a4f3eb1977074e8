// SUM reference evaluator: float sums in row-major input order from 0.0f,
// int8/int16 as TFLite Micro (raw int32 sum, zero-point correction, Mbqm by
// s_in / s_out, saturation); keep_dims; refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(ReduceSum, Float32OrderAndKeepDims) {
  test::OneNode t(ir::OpKind::kReduceSum);
  // ((0 + 1e8) + 1) + -1e8 is 0 in float (1e8 + 1 rounds to 1e8); another
  // order would give 1.
  t.In<float>({2, 3}, {1e8f, 1.0f, -1e8f, 1.5f, 2.5f, -0.5f})
      .Out(ir::DType::kFloat32, {2, 1})
      .Attr("axes", std::vector<int64_t>{1})
      .Attr("keep_dims", int64_t{1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0.0f, 3.5f}));
  test::OneNode c(ir::OpKind::kReduceSum);
  c.In<float>({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}).Out(ir::DType::kFloat32, {2}).Attr("axes", std::vector<int64_t>{0, 1});
  auto rc = c.Run<float>();
  ASSERT_TRUE(rc.ok()) << rc.diag().ToString();
  EXPECT_EQ(*rc, (std::vector<float>{16.0f, 20.0f}));
}

TEST(ReduceSum, Int8RequantizesAndSaturates) {
  // sum 3 + 5 - 1 + 127 = 134, minus z_in * N = 4: 130; * 0.5 / 1.0 = 65; + (-2) = 63.
  test::OneNode t(ir::OpKind::kReduceSum);
  t.In<int8_t>({1, 4}, {3, 5, -1, 127}, Quant(0.5f, 1))
      .Out(ir::DType::kInt8, {1}, Quant(1.0f, -2))
      .Attr("axes", std::vector<int64_t>{1});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{63}));
  test::OneNode s(ir::OpKind::kReduceSum);
  s.In<int8_t>({2, 2}, {100, 100, -100, -100}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {2}, Quant(0.5f, 0))
      .Attr("axes", std::vector<int64_t>{1});
  auto rs = s.Run<int8_t>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<int8_t>{127, -128}));
  // Mbqm's doubling high multiply rounds ties up: 5 * 0.5 = 2.5 -> 3, -2.5 -> -2.
  test::OneNode h(ir::OpKind::kReduceSum);
  h.In<int8_t>({2, 1}, {5, -5}, Quant(0.25f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.5f, 0)).Attr("axes", std::vector<int64_t>{1});
  auto rh = h.Run<int8_t>();
  ASSERT_TRUE(rh.ok()) << rh.diag().ToString();
  EXPECT_EQ(*rh, (std::vector<int8_t>{3, -2}));
}

TEST(ReduceSum, Int16) {
  test::OneNode t(ir::OpKind::kReduceSum);
  t.In<int16_t>({3}, {30000, 30000, -1000}, Quant(1.0f, 0)).Out(ir::DType::kInt16, {}, Quant(2.0f, 0)).Attr("axes", std::vector<int64_t>{0});
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{29500}));
}

TEST(ReduceSum, Rejects) {
  test::OneNode t(ir::OpKind::kReduceSum);
  t.In<int32_t>({2}, {1, 2}).Out(ir::DType::kInt32, {}).Attr("axes", std::vector<int64_t>{0});
  EXPECT_EQ(t.Infer().diag().id, "E0301");
  test::OneNode q(ir::OpKind::kReduceSum);
  q.In<int8_t>({2}, {1, 2}).Out(ir::DType::kInt8, {}).Attr("axes", std::vector<int64_t>{0});
  EXPECT_FALSE(q.Infer().ok());  // int8 without quantization
  test::OneNode a(ir::OpKind::kReduceSum);
  a.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {}).Attr("axes", std::vector<int64_t>{1});
  EXPECT_FALSE(a.Infer().ok());
}

}  // namespace
}  // namespace ember
