// reshape: a byte copy under a new shape; hand-written cases and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

TEST(Reshape, Float2x3To3x2KeepsRowMajorOrder) {
  OneNode t(ir::OpKind::kReshape);
  t.In<float>({2, 3}, {1.5f, -2, 3, 4, 5, 6.25f})
      .Out(ir::DType::kFloat32, {3, 2})
      .Attr("shape", std::vector<int64_t>{3, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.5f, -2, 3, 4, 5, 6.25f}));
}

TEST(Reshape, Int8QuantizationIsNotCompared) {
  OneNode t(ir::OpKind::kReshape);
  t.In<int8_t>({1, 2, 2, 1}, {-128, 0, 127, 5}, Quant(0.5f, 3))
      .Out(ir::DType::kInt8, {4}, Quant(0.25f, -1))
      .Attr("shape", std::vector<int64_t>{4});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, 0, 127, 5}));
}

TEST(Reshape, ScalarToRank2AndBack) {
  OneNode up(ir::OpKind::kReshape);
  up.In<int32_t>({}, {-7}).Out(ir::DType::kInt32, {1, 1}).Attr("shape", std::vector<int64_t>{1, 1});
  auto r = up.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{-7}));

  OneNode down(ir::OpKind::kReshape);
  down.In<int64_t>({1}, {int64_t{1} << 40})
      .Out(ir::DType::kInt64, {})
      .Attr("shape", std::vector<int64_t>{});
  auto infer = down.Infer();
  ASSERT_TRUE(infer.ok()) << infer.diag().ToString();
  EXPECT_TRUE((*infer)[0].shape.empty());
  auto r2 = down.Run<int64_t>();
  ASSERT_TRUE(r2.ok()) << r2.diag().ToString();
  EXPECT_EQ(*r2, (std::vector<int64_t>{int64_t{1} << 40}));
}

TEST(Reshape, Rank1ToRank3BoolAndUint8) {
  OneNode b(ir::OpKind::kReshape);
  b.InBytes(ir::DType::kBool, {4}, {1, 0, 0, 1})
      .Out(ir::DType::kBool, {2, 1, 2})
      .Attr("shape", std::vector<int64_t>{2, 1, 2});
  auto rb = b.RunBytes();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ((*rb)[0], (std::vector<uint8_t>{1, 0, 0, 1}));

  OneNode u(ir::OpKind::kReshape);
  u.In<uint8_t>({4}, {0, 255, 128, 1})
      .Out(ir::DType::kUInt8, {2, 2})
      .Attr("shape", std::vector<int64_t>{2, 2});
  auto ru = u.Run<uint8_t>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<uint8_t>{0, 255, 128, 1}));
}

TEST(Reshape, EmptyTensor) {
  OneNode t(ir::OpKind::kReshape);
  t.In<int16_t>({0, 3}, {}).Out(ir::DType::kInt16, {3, 0}).Attr("shape", std::vector<int64_t>{3, 0});
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_TRUE(r->empty());
}

TEST(Reshape, InferErrors) {
  auto make = [](std::vector<int64_t> shape) {
    OneNode t(ir::OpKind::kReshape);
    t.In<float>({2, 3}, {1, 2, 3, 4, 5, 6}).Out(ir::DType::kFloat32, {6});
    t.Attr("shape", std::move(shape));
    return t;
  };
  EXPECT_TRUE(make({6}).Infer().ok());
  EXPECT_FALSE(make({4}).Infer().ok());                 // 4 != 6 elements
  EXPECT_FALSE(make({-1, 3}).Infer().ok());             // unresolved -1
  EXPECT_FALSE(make({-2, -3}).Infer().ok());            // negative, product matches
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_FALSE(make({big, big}).Infer().ok());          // overflow
  // Even with a zero dimension, the other dimensions must not overflow.
  auto empty_overflow = make({big, 2, 0}).Infer();
  ASSERT_FALSE(empty_overflow.ok());
  EXPECT_NE(empty_overflow.diag().message.find("overflow"), std::string::npos);
  auto mismatch = make({3, 0}).Infer();
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.diag().message.find("0 elements"), std::string::npos);

  OneNode missing(ir::OpKind::kReshape);
  missing.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
  EXPECT_FALSE(missing.Infer().ok());
  missing.Attr("shape", int64_t{2});  // wrong attribute type
  EXPECT_FALSE(missing.Infer().ok());

  OneNode two_in(ir::OpKind::kReshape);
  two_in.In<float>({2}, {1, 2}).In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
  two_in.Attr("shape", std::vector<int64_t>{2});
  EXPECT_FALSE(two_in.Infer().ok());

  // Declared output shape disagrees with the attribute.
  OneNode decl(ir::OpKind::kReshape);
  decl.In<float>({2, 3}, {1, 2, 3, 4, 5, 6}).Out(ir::DType::kFloat32, {2, 3});
  decl.Attr("shape", std::vector<int64_t>{3, 2});
  EXPECT_FALSE(decl.Check().ok());
}

}  // namespace
}  // namespace ember
