// transpose: hand-computed permutations and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// NHWC [1,2,3,2] -> NCHW [1,2,2,3]. Input value = h*6 + w*2 + c, so output
// element (c, h, w) must be h*6 + w*2 + c.
TEST(Transpose, NhwcToNchwInt8) {
  OneNode t(ir::OpKind::kTranspose);
  t.In<int8_t>({1, 2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Quant(0.5f, -4))
      .Out(ir::DType::kInt8, {1, 2, 2, 3}, Quant(0.5f, -4))
      .Attr("perm", std::vector<int64_t>{0, 3, 1, 2});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11}));
}

TEST(Transpose, MatrixInt32) {
  OneNode t(ir::OpKind::kTranspose);
  t.In<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Out(ir::DType::kInt32, {3, 2})
      .Attr("perm", std::vector<int64_t>{1, 0});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{1, 4, 2, 5, 3, 6}));
}

// in[i][j][k] = 100i + 10j + k with shape [2,2,3]; perm [2,0,1] gives
// out[k][i][j] = in[i][j][k], shape [3,2,2].
TEST(Transpose, Rank3RotateInt16) {
  std::vector<int16_t> in;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 3; ++k) in.push_back(static_cast<int16_t>(100 * i + 10 * j + k));
  OneNode t(ir::OpKind::kTranspose);
  t.In<int16_t>({2, 2, 3}, in).Out(ir::DType::kInt16, {3, 2, 2});
  t.Attr("perm", std::vector<int64_t>{2, 0, 1});
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112}));
}

TEST(Transpose, Rank6ReversesAxes) {
  OneNode t(ir::OpKind::kTranspose);
  t.In<float>({1, 1, 1, 1, 2, 2}, {1, 2, 3, 4})
      .Out(ir::DType::kFloat32, {2, 2, 1, 1, 1, 1})
      .Attr("perm", std::vector<int64_t>{5, 4, 3, 2, 1, 0});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 3, 2, 4}));
}

TEST(Transpose, IdentityScalarAndOtherTypes) {
  OneNode s(ir::OpKind::kTranspose);
  s.In<int64_t>({}, {-42}).Out(ir::DType::kInt64, {}).Attr("perm", std::vector<int64_t>{});
  auto rs = s.Run<int64_t>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<int64_t>{-42}));

  OneNode u(ir::OpKind::kTranspose);
  u.In<uint8_t>({1, 3}, {7, 8, 255}).Out(ir::DType::kUInt8, {3, 1});
  u.Attr("perm", std::vector<int64_t>{1, 0});
  auto ru = u.Run<uint8_t>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<uint8_t>{7, 8, 255}));

  OneNode b(ir::OpKind::kTranspose);
  b.InBytes(ir::DType::kBool, {2, 2}, {1, 1, 0, 0}).Out(ir::DType::kBool, {2, 2});
  b.Attr("perm", std::vector<int64_t>{1, 0});
  auto rb = b.RunBytes();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ((*rb)[0], (std::vector<uint8_t>{1, 0, 1, 0}));
}

TEST(Transpose, EmptyTensor) {
  OneNode t(ir::OpKind::kTranspose);
  t.In<float>({0, 2}, {}).Out(ir::DType::kFloat32, {2, 0}).Attr("perm", std::vector<int64_t>{1, 0});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_TRUE(r->empty());
}

TEST(Transpose, InferErrors) {
  auto make = [](std::vector<int64_t> perm) {
    OneNode t(ir::OpKind::kTranspose);
    t.In<float>({2, 3, 4}, std::vector<float>(24, 0.f)).Out(ir::DType::kFloat32, {4, 2, 3});
    t.Attr("perm", std::move(perm));
    return t;
  };
  EXPECT_TRUE(make({2, 0, 1}).Infer().ok());
  EXPECT_FALSE(make({0, 0, 1}).Infer().ok());   // duplicate
  EXPECT_FALSE(make({0, 1, 3}).Infer().ok());   // out of range
  EXPECT_FALSE(make({0, -1, 1}).Infer().ok());  // negative
  EXPECT_FALSE(make({0, 1}).Infer().ok());      // too short
  EXPECT_FALSE(make({0, 1, 2, 3}).Infer().ok());
  EXPECT_FALSE(make({INT64_MIN, INT64_MAX, 0}).Infer().ok());

  OneNode rank7(ir::OpKind::kTranspose);
  rank7.In<float>({1, 1, 1, 1, 1, 1, 1}, {0}).Out(ir::DType::kFloat32, {1, 1, 1, 1, 1, 1, 1});
  rank7.Attr("perm", std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6});
  EXPECT_FALSE(rank7.Infer().ok());

  // Empty, but the other dimensions would overflow the strides.
  OneNode huge(ir::OpKind::kTranspose);
  const int64_t g = int64_t{1} << 40;
  huge.In<float>({0, g, g}, {}).Out(ir::DType::kFloat32, {g, g, 0});
  huge.Attr("perm", std::vector<int64_t>{1, 2, 0});
  EXPECT_FALSE(huge.Infer().ok());

  OneNode missing(ir::OpKind::kTranspose);
  missing.In<float>({2}, {0, 1}).Out(ir::DType::kFloat32, {2});
  EXPECT_FALSE(missing.Infer().ok());

  auto wrong_decl = make({2, 0, 1});
  wrong_decl.out_tensor(0).shape = {2, 3, 4};
  EXPECT_FALSE(wrong_decl.Check().ok());
}

}  // namespace
}  // namespace ember
