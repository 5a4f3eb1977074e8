// split: hand-computed cases (TFLite SPLIT/SPLIT_V, ONNX Split) and refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// [2,3] along axis 1 into sizes 1 and 2: each row contributes to both outputs.
TEST(Split, Int8InnerAxisUnequalPieces) {
  OneNode t(ir::OpKind::kSplit);
  t.In<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6}, Quant(0.5f, -1))
      .Out(ir::DType::kInt8, {2, 1}, Quant(0.5f, -1))
      .Out(ir::DType::kInt8, {2, 2}, Quant(0.5f, -1))
      .Attr("axis", int64_t{1})
      .Attr("sizes", std::vector<int64_t>{1, 2});
  auto r = t.RunBytes();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(test::FromBytes<int8_t>((*r)[0]), (std::vector<int8_t>{1, 4}));
  EXPECT_EQ(test::FromBytes<int8_t>((*r)[1]), (std::vector<int8_t>{2, 3, 5, 6}));
}

TEST(Split, FloatOuterAxisThreeEqualPieces) {
  OneNode t(ir::OpKind::kSplit);
  t.In<float>({3, 2}, {1.5f, -2, 0.25f, -0.0f, 7, 8})
      .Out(ir::DType::kFloat32, {1, 2})
      .Out(ir::DType::kFloat32, {1, 2})
      .Out(ir::DType::kFloat32, {1, 2})
      .Attr("axis", int64_t{0})
      .Attr("sizes", std::vector<int64_t>{1, 1, 1});
  auto r = t.RunBytes();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(test::FromBytes<float>((*r)[0]), (std::vector<float>{1.5f, -2}));
  EXPECT_EQ(test::FromBytes<float>((*r)[2]), (std::vector<float>{7, 8}));
  EXPECT_TRUE(std::signbit(test::FromBytes<float>((*r)[1])[1]));  // -0 kept bit for bit
}

TEST(Split, Int16AndInt32AndEmptyPiece) {
  OneNode s(ir::OpKind::kSplit);
  s.In<int16_t>({1, 4}, {-30000, 2, 3, 30000})
      .Out(ir::DType::kInt16, {1, 0})
      .Out(ir::DType::kInt16, {1, 4})
      .Attr("axis", int64_t{1})
      .Attr("sizes", std::vector<int64_t>{0, 4});
  auto rs = s.RunBytes();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_TRUE((*rs)[0].empty());
  EXPECT_EQ(test::FromBytes<int16_t>((*rs)[1]), (std::vector<int16_t>{-30000, 2, 3, 30000}));

  OneNode i(ir::OpKind::kSplit);
  i.In<int32_t>({4}, {-1, 1 << 30, 3, 4})
      .Out(ir::DType::kInt32, {3})
      .Out(ir::DType::kInt32, {1})
      .Attr("axis", int64_t{0})
      .Attr("sizes", std::vector<int64_t>{3, 1});
  auto ri = i.Run<int32_t>(1);
  ASSERT_TRUE(ri.ok()) << ri.diag().ToString();
  EXPECT_EQ(*ri, (std::vector<int32_t>{4}));
}

TEST(Split, RefusesSizesThatDoNotSumToTheAxis) {
  OneNode t(ir::OpKind::kSplit);
  t.In<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Out(ir::DType::kInt8, {2, 1})
      .Out(ir::DType::kInt8, {2, 1})
      .Attr("axis", int64_t{1})
      .Attr("sizes", std::vector<int64_t>{1, 1});
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0301");
  EXPECT_NE(r.diag().message.find("summing to 2"), std::string::npos) << r.diag().message;
}

TEST(Split, RefusesBadAxisAndOutputCount) {
  OneNode t(ir::OpKind::kSplit);
  t.In<int8_t>({2}, {1, 2}).Out(ir::DType::kInt8, {2}).Attr("axis", int64_t{1}).Attr("sizes", std::vector<int64_t>{2});
  EXPECT_FALSE(t.Infer().ok());
  OneNode u(ir::OpKind::kSplit);
  u.In<int8_t>({2}, {1, 2}).Out(ir::DType::kInt8, {2}).Attr("axis", int64_t{0}).Attr("sizes", std::vector<int64_t>{1, 1});
  auto r = u.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("outputs"), std::string::npos) << r.diag().message;
}

}  // namespace
}  // namespace ember
