// BATCH_MATMUL reference evaluator: float with adj_x / adj_y and batch
// broadcasting, int8 requantized as TFLite Micro (zero points of both
// operands, Mbqm by s_lhs * s_rhs / s_out), int16 (int64 sums, Mbqm64);
// refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(BatchMatmul, Float32AdjointsAndBroadcast) {
  const std::vector<float> want{58, 64, 139, 154};
  test::OneNode t(ir::OpKind::kBatchMatmul);
  t.In<float>({2, 3}, {1, 2, 3, 4, 5, 6}).Const<float>({3, 2}, {7, 8, 9, 10, 11, 12}).Out(ir::DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, want);
  test::OneNode a(ir::OpKind::kBatchMatmul);
  a.In<float>({3, 2}, {1, 4, 2, 5, 3, 6}).In<float>({2, 3}, {7, 9, 11, 8, 10, 12}).Out(ir::DType::kFloat32, {2, 2});
  a.Attr("adj_x", int64_t{1}).Attr("adj_y", int64_t{1});
  auto ra = a.Run<float>();
  ASSERT_TRUE(ra.ok()) << ra.diag().ToString();
  EXPECT_EQ(*ra, want);
  // lhs batches [2, 1] against rhs batches [3]: output batches [2, 3].
  test::OneNode b(ir::OpKind::kBatchMatmul);
  b.In<float>({2, 1, 1, 2}, {1, 2, 3, 4}).In<float>({3, 2, 1}, {1, 0, 0, 1, 1, 1}).Out(ir::DType::kFloat32, {2, 3, 1, 1});
  auto rb = b.Run<float>();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ(*rb, (std::vector<float>{1, 2, 3, 3, 4, 7}));
}

TEST(BatchMatmul, Int8) {
  // (l - 1) * (r + 1): [[0,1,2],[3,4,5]] x [[8,9],[10,11],[12,13]] = [[34,37],[124,136]];
  // times 0.5 * 0.25 / 1.0 = 4.25, 4.625, 15.5, 17 -> 4, 5, 16, 17; + 3.
  test::OneNode t(ir::OpKind::kBatchMatmul);
  t.In<int8_t>({1, 2, 3}, {1, 2, 3, 4, 5, 6}, Quant(0.5f, 1))
      .Const<int8_t>({3, 2}, {7, 8, 9, 10, 11, 12}, Quant(0.25f, -1))
      .Out(ir::DType::kInt8, {1, 2, 2}, Quant(1.0f, 3));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{7, 8, 19, 20}));
  EXPECT_EQ(t.Macs(), 12);
  test::OneNode s(ir::OpKind::kBatchMatmul);  // saturation
  s.In<int8_t>({1, 2}, {127, 127}, Quant(1.0f, 0)).In<int8_t>({2, 1}, {127, 127}, Quant(1.0f, 0)).Out(ir::DType::kInt8, {1, 1}, Quant(1.0f, 0));
  auto rs = s.Run<int8_t>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<int8_t>{127}));
}

TEST(BatchMatmul, Int8WithOnnxRuntimeArithmetic) {
  // The sums [[36, 20], [-20, 12]] times the float32 scale 0.5 * 0.25 / 1 =
  // 0.125: 4.5, 2.5, -2.5, 1.5. ONNX Runtime (QLinearMatMul) rounds half to
  // even: 4, 2, -2, 2; TFLite's MBQM half away from zero: 5, 3, -3, 2.
  for (const bool ort : {true, false}) {
    test::OneNode t(ir::OpKind::kBatchMatmul);
    t.In<int8_t>({2, 3}, {1, 0, 0, 0, 1, 0}, Quant(0.5f, 0))
        .Const<int8_t>({3, 2}, {36, 20, -20, 12, 0, 0}, Quant(0.25f, 0))
        .Out(ir::DType::kInt8, {2, 2}, Quant(1.0f, 3));
    if (ort) t.Attr("int8_semantics", std::string("onnxruntime"));
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(*r, ort ? (std::vector<int8_t>{7, 5, 1, 5}) : (std::vector<int8_t>{8, 6, 0, 5}));
  }
  // int16 has no ONNX Runtime form.
  test::OneNode z(ir::OpKind::kBatchMatmul);
  z.In<int16_t>({1, 1}, {1}, Quant(1.0f, 0)).In<int16_t>({1, 1}, {1}, Quant(1.0f, 0)).Out(ir::DType::kInt16, {1, 1}, Quant(1.0f, 0))
      .Attr("int8_semantics", std::string("onnxruntime"));
  EXPECT_FALSE(z.Infer().ok());
}

TEST(BatchMatmul, Int16) {
  // 16x8 (TFLite Micro's BatchMatMul<int16_t, int64_t>): zero points 0, the
  // sums exact in int64, then MBQM64 by 0.5 * 0.25 / 1 = 2^-3, which rounds
  // ties up: floor((v + 4) / 8). Rows [1000, -2000, 3], [4, 5, 6] times
  // [[7, 8], [9, 10], [11, 12]] = [[-10967, -11964], [139, 154]].
  test::OneNode t(ir::OpKind::kBatchMatmul);
  t.In<int16_t>({1, 2, 3}, {1000, -2000, 3, 4, 5, 6}, Quant(0.5f, 0))
      .Const<int16_t>({3, 2}, {7, 8, 9, 10, 11, 12}, Quant(0.25f, 0))
      .Out(ir::DType::kInt16, {1, 2, 2}, Quant(1.0f, 0));
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{-1371, -1495, 17, 19}));
  test::OneNode s(ir::OpKind::kBatchMatmul);  // 2 * 32767^2 does not wrap; saturates
  s.In<int16_t>({1, 2}, {32767, 32767}, Quant(1.0f, 0))
      .In<int16_t>({2, 1}, {32767, 32767}, Quant(1.0f, 0))
      .Out(ir::DType::kInt16, {1, 1}, Quant(1.0f, 0));
  auto rs = s.Run<int16_t>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<int16_t>{32767}));
  test::OneNode z(ir::OpKind::kBatchMatmul);  // int16 is symmetric
  z.In<int16_t>({1, 1}, {1}, Quant(1.0f, 3)).In<int16_t>({1, 1}, {1}, Quant(1.0f, 0)).Out(ir::DType::kInt16, {1, 1}, Quant(1.0f, 0));
  EXPECT_FALSE(z.Infer().ok());
  test::OneNode big(ir::OpKind::kBatchMatmul);  // 2^9 is beyond MBQM64's shift limit of 7
  big.In<int16_t>({1, 1}, {1}, Quant(1.0f, 0)).In<int16_t>({1, 1}, {1}, Quant(1.0f, 0))
      .Out(ir::DType::kInt16, {1, 1}, Quant(1.0f / 512, 0));
  auto rb = big.Infer();
  ASSERT_FALSE(rb.ok());
  EXPECT_NE(rb.diag().message.find("too large for the int64 accumulation"), std::string::npos) << rb.diag().ToString();
}

TEST(BatchMatmul, Rejects) {
  test::OneNode k(ir::OpKind::kBatchMatmul);
  k.In<float>({2, 3}, {1, 2, 3, 4, 5, 6}).In<float>({2, 2}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {2, 2});
  EXPECT_EQ(k.Infer().diag().id, "E0301");
  test::OneNode b(ir::OpKind::kBatchMatmul);
  b.In<float>({2, 1, 2}, {1, 2, 3, 4}).In<float>({3, 2, 1}, {1, 2, 3, 4, 5, 6}).Out(ir::DType::kFloat32, {2, 1, 1});
  EXPECT_FALSE(b.Infer().ok());
  test::OneNode r(ir::OpKind::kBatchMatmul);
  r.In<float>({2}, {1, 2}).In<float>({2, 1}, {1, 2}).Out(ir::DType::kFloat32, {1});
  EXPECT_FALSE(r.Infer().ok());
  test::OneNode m(ir::OpKind::kBatchMatmul);
  m.In<int8_t>({1, 1}, {1}, Quant(1.0f, 0)).In<float>({1, 1}, {1}).Out(ir::DType::kFloat32, {1, 1});
  EXPECT_FALSE(m.Infer().ok());
}

}  // namespace
}  // namespace ember
