// L2_NORMALIZATION reference evaluator: TFLite Micro's own test vectors
// (l2norm_test.cc: int8 with scale 4/255, zero point -1, and float), the
// zero vector (float: the 1e-6 floor; int8: zero point input), several rows;
// refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

TEST(L2Normalization, Int8AsTfliteMicro) {
  const std::vector<int8_t> row{-71, 37, 44, 76, -46, 5}, want{-70, 38, 45, 77, -45, 6};
  std::vector<int8_t> in, expected;
  for (int i = 0; i < 3; ++i) {
    in.insert(in.end(), row.begin(), row.end());
    expected.insert(expected.end(), want.begin(), want.end());
  }
  test::OneNode t(ir::OpKind::kL2Normalization);
  t.In<int8_t>({3, 6}, in, Quant(4.0f / 255.0f, -1)).Out(ir::DType::kInt8, {3, 6}, Quant(1.0f / 128, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, expected);
  // All at the zero point: the sum 0 gives the multiplier INT32_MAX, times 0.
  test::OneNode z(ir::OpKind::kL2Normalization);
  z.In<int8_t>({1, 1, 1, 6}, {-1, -1, -1, -1, -1, -1}, Quant(4.0f / 255.0f, -1)).Out(ir::DType::kInt8, {1, 1, 1, 6}, Quant(1.0f / 128, 0));
  auto rz = z.Run<int8_t>();
  ASSERT_TRUE(rz.ok()) << rz.diag().ToString();
  EXPECT_EQ(*rz, std::vector<int8_t>(6, 0));
  // One non-zero element: +-1 in units of 1/128 would be 128, clamped to 127.
  test::OneNode o(ir::OpKind::kL2Normalization);
  o.In<int8_t>({2, 2}, {9, 0, 0, -9}, Quant(0.1f, 0)).Out(ir::DType::kInt8, {2, 2}, Quant(1.0f / 128, 0));
  auto ro = o.Run<int8_t>();
  ASSERT_TRUE(ro.ok()) << ro.diag().ToString();
  EXPECT_EQ(*ro, (std::vector<int8_t>{127, 0, 0, -128}));
}

TEST(L2Normalization, Float32) {
  test::OneNode t(ir::OpKind::kL2Normalization);
  t.In<float>({2, 6}, {-1.1f, 0.6f, 0.7f, 1.2f, -0.7f, 0.1f, 0, 0, 0, 0, 0, 0}).Out(ir::DType::kFloat32, {2, 6});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  const std::vector<float> want{-0.55f, 0.3f, 0.35f, 0.6f, -0.35f, 0.05f, 0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR((*r)[i], want[i], 1e-6f) << i;
  test::OneNode e(ir::OpKind::kL2Normalization);  // the 1e-6 floor: 1e-7 / 1e-6
  e.In<float>({1}, {1e-7f}).Out(ir::DType::kFloat32, {1});
  auto re = e.Run<float>();
  ASSERT_TRUE(re.ok()) << re.diag().ToString();
  EXPECT_EQ((*re)[0], 1e-7f / 1e-6f);
}

TEST(L2Normalization, Rejects) {
  test::OneNode r(ir::OpKind::kL2Normalization);
  r.In<float>({1, 1, 1, 1, 2}, {1, 2}).Out(ir::DType::kFloat32, {1, 1, 1, 1, 2});
  EXPECT_EQ(r.Infer().diag().id, "E0301");
  test::OneNode i(ir::OpKind::kL2Normalization);
  i.In<int16_t>({2}, {1, 2}).Out(ir::DType::kInt16, {2});
  EXPECT_FALSE(i.Infer().ok());
}

}  // namespace
}  // namespace ember
