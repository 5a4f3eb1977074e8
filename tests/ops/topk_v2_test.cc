// topk_v2: hand-computed cases: the k largest and smallest along the last
// axis, ties by the lower index, NaN last, int8 and int32 inputs, i32 and
// i64 indices, and the checks of k, largest and the quantization.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// ONNX's test_top_k: k 3 of each row of [3,4], largest first.
TEST(TopkV2, LargestOfEachRow) {
  OneNode t(ir::OpKind::kTopkV2);
  t.In<float>({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 11, 10, 9, 8})
      .Out(ir::DType::kFloat32, {3, 3})
      .Out(ir::DType::kInt64, {3, 3})
      .Attr("k", int64_t{3});
  auto v = t.Run<float>(0);
  auto i = t.Run<int64_t>(1);
  ASSERT_TRUE(v.ok()) << v.diag().ToString();
  ASSERT_TRUE(i.ok()) << i.diag().ToString();
  EXPECT_EQ(*v, (std::vector<float>{3, 2, 1, 7, 6, 5, 11, 10, 9}));
  EXPECT_EQ(*i, (std::vector<int64_t>{3, 2, 1, 3, 2, 1, 0, 1, 2}));
}

// Equal values come in index order, in both directions; a NaN comes last.
TEST(TopkV2, TiesByLowerIndexAndNanLast) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int64_t largest : {1, 0}) {
    OneNode t(ir::OpKind::kTopkV2);
    t.In<float>({1, 6}, {2, nan, 5, 2, 5, -1})
        .Out(ir::DType::kFloat32, {1, 6})
        .Out(ir::DType::kInt32, {1, 6})
        .Attr("k", int64_t{6})
        .Attr("largest", largest);
    auto i = t.Run<int32_t>(1);
    ASSERT_TRUE(i.ok()) << i.diag().ToString();
    EXPECT_EQ(*i, largest ? std::vector<int32_t>({2, 4, 0, 3, 5, 1}) : std::vector<int32_t>({5, 0, 3, 2, 4, 1}))
        << "largest " << largest;
    auto v = t.Run<float>(0);
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(std::isnan((*v)[5]));
  }
}

// int8 keeps the stored values (and their quantization); smallest first.
TEST(TopkV2, Int8Smallest) {
  OneNode t(ir::OpKind::kTopkV2);
  t.In<int8_t>({2, 3}, {-128, 127, 0, 5, 5, -7}, Quant(0.25f, -3))
      .Out(ir::DType::kInt8, {2, 2}, Quant(0.25f, -3))
      .Out(ir::DType::kInt32, {2, 2})
      .Attr("k", int64_t{2})
      .Attr("largest", int64_t{0});
  auto v = t.Run<int8_t>(0);
  auto i = t.Run<int32_t>(1);
  ASSERT_TRUE(v.ok()) << v.diag().ToString();
  EXPECT_EQ(*v, (std::vector<int8_t>{-128, 0, -7, 5}));
  EXPECT_EQ(*i, (std::vector<int32_t>{0, 2, 2, 0}));
}

TEST(TopkV2, Int32) {
  OneNode t(ir::OpKind::kTopkV2);
  t.In<int32_t>({5}, {7, -2147483647 - 1, 2147483647, 7, 0})
      .Out(ir::DType::kInt32, {2})
      .Out(ir::DType::kInt64, {2})
      .Attr("k", int64_t{2});
  auto v = t.Run<int32_t>(0);
  auto i = t.Run<int64_t>(1);
  ASSERT_TRUE(v.ok()) << v.diag().ToString();
  EXPECT_EQ(*v, (std::vector<int32_t>{2147483647, 7}));
  EXPECT_EQ(*i, (std::vector<int64_t>{2, 0}));
}

TEST(TopkV2, RefusesBadAttributesAndQuantization) {
  for (int64_t k : {0, 5}) {
    OneNode t(ir::OpKind::kTopkV2);
    t.In<float>({4}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {k}).Out(ir::DType::kInt32, {k}).Attr("k", k);
    auto r = t.Run<float>();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("for a last axis of 4 elements"), std::string::npos) << r.diag().ToString();
  }
  OneNode l(ir::OpKind::kTopkV2);
  l.In<float>({4}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {2}).Out(ir::DType::kInt32, {2}).Attr("k", int64_t{2})
      .Attr("largest", int64_t{2});
  EXPECT_FALSE(l.Run<float>().ok());
  OneNode q(ir::OpKind::kTopkV2);
  q.In<int8_t>({4}, {1, 2, 3, 4}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.25f, 0))
      .Out(ir::DType::kInt32, {2}).Attr("k", int64_t{2});
  auto rq = q.Run<int8_t>();
  ASSERT_FALSE(rq.ok());
  EXPECT_NE(rq.diag().message.find("quantization differs"), std::string::npos);
  OneNode s(ir::OpKind::kTopkV2);
  s.In<float>({4}, {1, 2, 3, 4}).Out(ir::DType::kFloat32, {2}).Out(ir::DType::kInt8, {2}).Attr("k", int64_t{2});
  EXPECT_FALSE(s.Run<float>().ok());
}

}  // namespace
}  // namespace ember
