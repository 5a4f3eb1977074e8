// lookup_table reference evaluator: out[i] = table[x[i] + 128], and what
// Infer refuses.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

// Entry k holds 100 - k: the result for input v is 100 - (v + 128) = -28 - v,
// wrapped to int8 as the table stores it.
std::vector<int8_t> Descending() {
  std::vector<int8_t> t(256);
  for (int k = 0; k < 256; ++k) t[static_cast<size_t>(k)] = static_cast<int8_t>(static_cast<uint8_t>(100 - k));
  return t;
}

TEST(LookupTable, ReadsTheEntryOfEachValue) {
  test::OneNode t(ir::OpKind::kLookupTable);
  t.In<int8_t>({2, 3}, {-128, -1, 0, 1, 127, -28}, Quant(0.1f, 3))
      .Const<int8_t>({256}, Descending())
      .Out(ir::DType::kInt8, {2, 3}, Quant(0.2f, -5))
      .Attr("function", std::string("neg"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // 100 - 0 = 100; 100 - 127 = -27; 100 - 128 = -28; 100 - 129 = -29;
  // 100 - 255 = -155 -> 101; 100 - 100 = 0.
  EXPECT_EQ(*r, (std::vector<int8_t>{100, -27, -28, -29, 101, 0}));
}

// A table per channel: row c for the elements of channel c of `axis`.
TEST(LookupTable, PerChannelRowsFollowTheAxis) {
  std::vector<int8_t> rows(3 * 256);
  for (int c = 0; c < 3; ++c)
    for (int k = 0; k < 256; ++k) rows[static_cast<size_t>(c * 256 + k)] = static_cast<int8_t>(c * 10 + (k & 7));
  test::OneNode t(ir::OpKind::kLookupTable);
  // x [2, 3, 2]: channel c of axis 1 is element (i / 2) % 3.
  t.In<int8_t>({2, 3, 2}, {-128, -127, 0, 1, 2, 3, 4, 5, 6, 7, -1, -2}, Quant(0.1f, 3))
      .Const<int8_t>({3, 256}, rows)
      .Out(ir::DType::kInt8, {2, 3, 2}, Quant(0.2f, -5))
      .Attr("axis", int64_t{1});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // Entry k = x + 128; row c adds 10 c to k & 7.
  EXPECT_EQ(*r, (std::vector<int8_t>{0, 1, 10, 11, 22, 23, 4, 5, 16, 17, 27, 26}));
  test::OneNode bad(ir::OpKind::kLookupTable);
  bad.In<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6}, Quant(0.1f, 0))
      .Const<int8_t>({2, 256}, std::vector<int8_t>(512, 1))
      .Out(ir::DType::kInt8, {2, 3}, Quant(0.1f, 0))
      .Attr("axis", int64_t{1});
  const auto e = bad.Infer();
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.diag().ToString().find("[C, 256]"), std::string::npos) << e.diag().ToString();
}

TEST(LookupTable, Rejects) {
  {  // float input
    test::OneNode t(ir::OpKind::kLookupTable);
    t.In<float>({2}, {1.0f, 2.0f}).Const<int8_t>({256}, Descending()).Out(ir::DType::kInt8, {2}, Quant(0.1f, 0));
    EXPECT_FALSE(t.Infer().ok());
  }
  {  // a table that is not 256 entries
    test::OneNode t(ir::OpKind::kLookupTable);
    t.In<int8_t>({2}, {1, 2}, Quant(0.1f, 0))
        .Const<int8_t>({255}, std::vector<int8_t>(255, 1))
        .Out(ir::DType::kInt8, {2}, Quant(0.1f, 0));
    const auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().ToString().find("256 entries"), std::string::npos) << r.diag().ToString();
  }
  {  // a table that is a run-time input
    test::OneNode t(ir::OpKind::kLookupTable);
    t.In<int8_t>({2}, {1, 2}, Quant(0.1f, 0))
        .In<int8_t>({256}, Descending())
        .Out(ir::DType::kInt8, {2}, Quant(0.1f, 0));
    EXPECT_FALSE(t.Infer().ok());
  }
  {  // a function attribute that is not a string
    test::OneNode t(ir::OpKind::kLookupTable);
    t.In<int8_t>({2}, {1, 2}, Quant(0.1f, 0))
        .Const<int8_t>({256}, Descending())
        .Out(ir::DType::kInt8, {2}, Quant(0.1f, 0))
        .Attr("function", int64_t{3});
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
