// strided_slice: TFLite Micro's start/stop rules worked by hand (negative
// indices, clamping, negative strides, masks, shrink) and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

using Ints = std::vector<int64_t>;

struct Slice {
  Ints begin, end, strides;
  int64_t begin_mask = 0, end_mask = 0, shrink = 0;
};

// A slice of the f32 tensor 0, 1, 2, ... of `in_shape`; `out_shape` is the
// declared (hand-computed) output shape.
OneNode MakeFloat(const ir::Shape& in_shape, const ir::Shape& out_shape, const Slice& s) {
  std::vector<float> values(static_cast<size_t>(ir::NumElements(in_shape)));
  std::iota(values.begin(), values.end(), 0.f);
  OneNode t(ir::OpKind::kStridedSlice);
  t.In<float>(in_shape, values).Out(ir::DType::kFloat32, out_shape);
  t.Attr("begin", s.begin).Attr("end", s.end).Attr("strides", s.strides);
  t.Attr("begin_mask", s.begin_mask).Attr("end_mask", s.end_mask);
  t.Attr("shrink_axis_mask", s.shrink);
  return t;
}

std::vector<float> RunFloat(const ir::Shape& in_shape, const ir::Shape& out_shape,
                            const Slice& s) {
  auto r = MakeFloat(in_shape, out_shape, s).Run<float>();
  EXPECT_TRUE(r.ok()) << r.diag().ToString();
  return r.ok() ? *r : std::vector<float>{-999};
}

TEST(StridedSlice, Rank1Basics) {
  // [1, 6) step 2.
  EXPECT_EQ(RunFloat({8}, {3}, {{1}, {6}, {2}}), (std::vector<float>{1, 3, 5}));
  // Negative begin/end count from the end: [-3, -1) = [5, 7).
  EXPECT_EQ(RunFloat({8}, {2}, {{-3}, {-1}, {1}}), (std::vector<float>{5, 6}));
  // Out-of-range indices are clamped to [0, 4].
  EXPECT_EQ(RunFloat({4}, {4}, {{-100}, {100}, {1}}), (std::vector<float>{0, 1, 2, 3}));
  // begin >= end with a positive stride: empty.
  EXPECT_EQ(RunFloat({8}, {0}, {{5}, {2}, {1}}), (std::vector<float>{}));
}

TEST(StridedSlice, NegativeStrides) {
  // From 7 down to (not including) 0.
  EXPECT_EQ(RunFloat({8}, {7}, {{-1}, {0}, {-1}}), (std::vector<float>{7, 6, 5, 4, 3, 2, 1}));
  // end_mask with a negative stride runs through index 0.
  Slice all_rev{{-1}, {0}, {-1}};
  all_rev.end_mask = 1;
  EXPECT_EQ(RunFloat({5}, {5}, all_rev), (std::vector<float>{4, 3, 2, 1, 0}));
  // begin_mask with a negative stride starts at A-1; stride -3: 7, 4, 1.
  Slice step3{{0}, {0}, {-3}};
  step3.begin_mask = 1;
  step3.end_mask = 1;
  EXPECT_EQ(RunFloat({8}, {3}, step3), (std::vector<float>{7, 4, 1}));
  // Clamping for negative strides is to [-1, A-1]: begin 100 -> 2, end -100 -> -1.
  EXPECT_EQ(RunFloat({3}, {3}, {{100}, {-100}, {-1}}), (std::vector<float>{2, 1, 0}));
  // begin <= end with a negative stride: empty.
  EXPECT_EQ(RunFloat({8}, {0}, {{2}, {5}, {-1}}), (std::vector<float>{}));
}

// Input [3,4] holds 0..11 (row r, column c = 4r + c).
TEST(StridedSlice, Rank2WithMasks) {
  EXPECT_EQ(RunFloat({3, 4}, {2, 2}, {{1, 0}, {3, 4}, {1, 2}}),
            (std::vector<float>{4, 6, 8, 10}));
  // Masked axis 0 ignores begin 5 / end -7: all rows; columns [1, 3).
  Slice m{{5, 1}, {-7, 3}, {1, 1}};
  m.begin_mask = 1;
  m.end_mask = 1;
  EXPECT_EQ(RunFloat({3, 4}, {3, 2}, m), (std::vector<float>{1, 2, 5, 6, 9, 10}));
  // Rows reversed, columns from -2 to the end.
  Slice rev{{-1, -2}, {0, 0}, {-1, 1}};
  rev.end_mask = 3;
  EXPECT_EQ(RunFloat({3, 4}, {3, 2}, rev), (std::vector<float>{10, 11, 6, 7, 2, 3}));
}

TEST(StridedSlice, ShrinkAxes) {
  // Shrink axis 0 at row 1: a [4] row.
  Slice row{{1, 0}, {2, 4}, {1, 1}};
  row.shrink = 1;
  EXPECT_EQ(RunFloat({3, 4}, {4}, row), (std::vector<float>{4, 5, 6, 7}));
  // Negative index on a shrunk axis (row -1 = 2); end is ignored there.
  Slice last{{-1, 0}, {0, 0}, {1, 1}};
  last.shrink = 1;
  last.end_mask = 2;
  EXPECT_EQ(RunFloat({3, 4}, {4}, last), (std::vector<float>{8, 9, 10, 11}));
  // TFLite Micro clamps a shrunk index before it shrinks: -5 + 3 -> 0.
  Slice clamped{{-5, 0}, {0, 4}, {1, 1}};
  clamped.shrink = 1;
  EXPECT_EQ(RunFloat({3, 4}, {4}, clamped), (std::vector<float>{0, 1, 2, 3}));
  // Shrink the column axis with a strided row range: column 3 of rows 0, 2.
  Slice col{{0, 3}, {3, 0}, {2, 1}};
  col.shrink = 2;
  EXPECT_EQ(RunFloat({3, 4}, {2}, col), (std::vector<float>{3, 11}));
  // Both shrunk: a scalar.
  Slice both{{2, -1}, {0, 0}, {1, 1}};
  both.shrink = 3;
  EXPECT_EQ(RunFloat({3, 4}, {}, both), (std::vector<float>{11}));
}

// NHWC crop [1,4,4,2] -> [1,2,2,2] with stride 2 over H and W, int8.
TEST(StridedSlice, Int8Rank4) {
  std::vector<int8_t> in(32);
  std::iota(in.begin(), in.end(), int8_t{-16});
  OneNode t(ir::OpKind::kStridedSlice);
  t.In<int8_t>({1, 4, 4, 2}, in, Quant(0.5f, 3)).Out(ir::DType::kInt8, {1, 2, 2, 2}, Quant(0.5f, 3));
  t.Attr("begin", Ints{0, 1, 0, 0}).Attr("end", Ints{1, 4, 4, 2}).Attr("strides", Ints{1, 2, 2, 1});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // Element (h, w, c) = -16 + 8h + 2w + c; h in {1, 3}, w in {0, 2}.
  EXPECT_EQ(*r, (std::vector<int8_t>{-8, -7, -4, -3, 8, 9, 12, 13}));
}

TEST(StridedSlice, OtherTypes) {
  OneNode l(ir::OpKind::kStridedSlice);
  l.In<int64_t>({3}, {int64_t{1} << 50, -2, 3}).Out(ir::DType::kInt64, {2});
  l.Attr("begin", Ints{0}).Attr("end", Ints{3}).Attr("strides", Ints{2});
  auto rl = l.Run<int64_t>();
  ASSERT_TRUE(rl.ok()) << rl.diag().ToString();
  EXPECT_EQ(*rl, (std::vector<int64_t>{int64_t{1} << 50, 3}));

  OneNode b(ir::OpKind::kStridedSlice);
  b.InBytes(ir::DType::kBool, {4}, {1, 0, 0, 1}).Out(ir::DType::kBool, {3});
  b.Attr("begin", Ints{2}).Attr("end", Ints{-5}).Attr("strides", Ints{-1});
  auto rb = b.RunBytes();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ((*rb)[0], (std::vector<uint8_t>{0, 0, 1}));
}

TEST(StridedSlice, InferErrors) {
  auto fails = [](const ir::Shape& in, const Slice& s) {
    return !MakeFloat(in, {1}, s).Infer().ok();
  };
  EXPECT_FALSE(fails({4}, {{0}, {1}, {1}}));
  EXPECT_TRUE(fails({4}, {{0}, {1}, {0}}));            // stride 0
  EXPECT_TRUE(fails({4, 1}, {{0}, {1}, {1}}));         // one entry for rank 2
  EXPECT_TRUE(fails({4}, {{0, 0}, {1}, {1}}));         // lengths differ
  Slice oob{{4}, {0}, {1}};
  oob.shrink = 1;
  EXPECT_TRUE(fails({4}, oob));                        // shrink index past the end
  Slice neg{{1}, {0}, {-1}};
  neg.shrink = 1;
  EXPECT_TRUE(fails({4}, neg));                        // shrink with a negative stride
  Slice huge_mask{{0}, {1}, {1}};
  huge_mask.begin_mask = int64_t{1} << 40;
  EXPECT_TRUE(fails({4}, huge_mask));

  OneNode missing(ir::OpKind::kStridedSlice);
  missing.In<float>({2}, {0, 1}).Out(ir::DType::kFloat32, {2});
  missing.Attr("begin", Ints{0}).Attr("end", Ints{2});
  EXPECT_FALSE(missing.Infer().ok());

  // Declared shape disagrees with the slice: [1, 6) step 2 has 3 elements.
  EXPECT_FALSE(MakeFloat({8}, {2}, {{1}, {6}, {2}}).Check().ok());
}

TEST(StridedSlice, ExtremeValuesResolveByClamping) {
  const int64_t big = INT64_MAX;
  // begin clamps to 0, one step of 2^63-1 visits index 0 only.
  EXPECT_EQ(RunFloat({4}, {1}, {{INT64_MIN}, {big}, {big}}), (std::vector<float>{0}));
  // begin clamps to 3, end to -1, stride INT64_MIN visits index 3 only.
  EXPECT_EQ(RunFloat({4}, {1}, {{big}, {INT64_MIN}, {INT64_MIN}}), (std::vector<float>{3}));
}

}  // namespace
}  // namespace ember
