// pad: constant padding with the output zero point (quantized) or 0;
// hand-computed cases and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// [2,2] padded by one row above and two columns on the right; the fill is the
// output zero point -3 (the input's zero point 5 plays no role).
TEST(Pad, Int8AsymmetricFillsOutputZeroPoint) {
  OneNode t(ir::OpKind::kPad);
  t.In<int8_t>({2, 2}, {1, 2, 3, 4}, Quant(0.5f, 5))
      .Out(ir::DType::kInt8, {3, 4}, Quant(0.5f, -3))
      .Attr("pads", std::vector<int64_t>{1, 0, 0, 2});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-3, -3, -3, -3,  //
                                     1, 2, -3, -3,    //
                                     3, 4, -3, -3}));
}

TEST(Pad, FloatNhwcSpatialPadding) {
  OneNode t(ir::OpKind::kPad);
  t.In<float>({1, 1, 2, 1}, {5, -6})
      .Out(ir::DType::kFloat32, {1, 3, 3, 1})
      .Attr("pads", std::vector<int64_t>{0, 0, 1, 1, 0, 1, 0, 0});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0, 0, 0, 5, -6, 0, 0, 0, 0}));
}

TEST(Pad, Uint8AndInt16ZeroPoints) {
  OneNode u(ir::OpKind::kPad);
  u.In<uint8_t>({3}, {10, 20, 30}, Quant(1.f, 128))
      .Out(ir::DType::kUInt8, {6}, Quant(1.f, 128))
      .Attr("pads", std::vector<int64_t>{2, 1});
  auto ru = u.Run<uint8_t>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<uint8_t>{128, 128, 10, 20, 30, 128}));

  OneNode s(ir::OpKind::kPad);
  s.In<int16_t>({1, 1}, {-1000}, Quant(1.f, -300))
      .Out(ir::DType::kInt16, {2, 2}, Quant(1.f, -300))
      .Attr("pads", std::vector<int64_t>{0, 1, 1, 0});
  auto rs = s.Run<int16_t>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<int16_t>{-300, -1000, -300, -300}));
}

TEST(Pad, UnquantizedIntegersAndBoolFillZero) {
  OneNode i(ir::OpKind::kPad);
  i.In<int32_t>({2}, {-7, 7}).Out(ir::DType::kInt32, {4}).Attr("pads", std::vector<int64_t>{1, 1});
  auto ri = i.Run<int32_t>();
  ASSERT_TRUE(ri.ok()) << ri.diag().ToString();
  EXPECT_EQ(*ri, (std::vector<int32_t>{0, -7, 7, 0}));

  OneNode l(ir::OpKind::kPad);
  l.In<int64_t>({1}, {-1}).Out(ir::DType::kInt64, {3}).Attr("pads", std::vector<int64_t>{0, 2});
  auto rl = l.Run<int64_t>();
  ASSERT_TRUE(rl.ok()) << rl.diag().ToString();
  EXPECT_EQ(*rl, (std::vector<int64_t>{-1, 0, 0}));

  OneNode b(ir::OpKind::kPad);
  b.InBytes(ir::DType::kBool, {1}, {1}).Out(ir::DType::kBool, {3});
  b.Attr("pads", std::vector<int64_t>{1, 1});
  auto rb = b.RunBytes();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ((*rb)[0], (std::vector<uint8_t>{0, 1, 0}));
}

// Rank 3 with every axis padded differently: [1,2,1] -> [2,3,3].
TEST(Pad, Rank3AllAxes) {
  OneNode t(ir::OpKind::kPad);
  t.In<int8_t>({1, 2, 1}, {7, 8}, Quant(1.f, 1))
      .Out(ir::DType::kInt8, {2, 3, 3}, Quant(1.f, 1))
      .Attr("pads", std::vector<int64_t>{1, 0, 0, 1, 2, 0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{1, 1, 1, 1, 1, 1, 1, 1, 1,  // batch 0: padding
                                     1, 1, 7, 1, 1, 8, 1, 1, 1}));
}

TEST(Pad, ScalarAndEmptyInput) {
  OneNode s(ir::OpKind::kPad);
  s.In<float>({}, {2.5f}).Out(ir::DType::kFloat32, {}).Attr("pads", std::vector<int64_t>{});
  auto rs = s.Run<float>();
  ASSERT_TRUE(rs.ok()) << rs.diag().ToString();
  EXPECT_EQ(*rs, (std::vector<float>{2.5f}));

  OneNode e(ir::OpKind::kPad);
  e.In<int8_t>({0, 2}, {}, Quant(1.f, 9))
      .Out(ir::DType::kInt8, {1, 2}, Quant(1.f, 9))
      .Attr("pads", std::vector<int64_t>{1, 0, 0, 0});
  auto re = e.Run<int8_t>();
  ASSERT_TRUE(re.ok()) << re.diag().ToString();
  EXPECT_EQ(*re, (std::vector<int8_t>{9, 9}));
}

TEST(Pad, InferErrors) {
  auto make = [](std::vector<int64_t> pads) {
    OneNode t(ir::OpKind::kPad);
    t.In<int8_t>({2, 2}, {1, 2, 3, 4}, Quant(1.f, 0)).Out(ir::DType::kInt8, {2, 2}, Quant(1.f, 0));
    t.Attr("pads", std::move(pads));
    return t;
  };
  EXPECT_TRUE(make({0, 0, 0, 0}).Infer().ok());
  EXPECT_FALSE(make({0, 0, -1, 0}).Infer().ok());
  EXPECT_FALSE(make({0, 0, 0}).Infer().ok());
  EXPECT_FALSE(make({0, 0, 0, 0, 0, 0}).Infer().ok());
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_FALSE(make({big, big, 0, 0}).Infer().ok());
  EXPECT_FALSE(make({0, big, 0, 0}).Infer().ok());
  EXPECT_FALSE(make({1 << 30, 0, 1 << 30, 0}).Infer().ok());  // 2^60 elements
  EXPECT_FALSE(make({INT64_MIN, 0, 0, 0}).Infer().ok());

  auto zp = make({0, 0, 0, 0});
  zp.out_tensor(0).quant = Quant(1.f, 200);  // not an int8 value
  EXPECT_FALSE(zp.Infer().ok());

  OneNode rank6(ir::OpKind::kPad);
  rank6.In<float>({1, 1, 1, 1, 1, 1}, {0}).Out(ir::DType::kFloat32, {1, 1, 1, 1, 1, 1});
  rank6.Attr("pads", std::vector<int64_t>(12, 0));
  EXPECT_FALSE(rank6.Infer().ok());

  OneNode missing(ir::OpKind::kPad);
  missing.In<float>({1}, {0}).Out(ir::DType::kFloat32, {1});
  EXPECT_FALSE(missing.Infer().ok());

  auto decl = make({1, 0, 0, 0});  // computes [3,2], declared [2,2]
  EXPECT_FALSE(decl.Check().ok());
}

// `value` (TFLite PADV2, ONNX constant_value) replaces the zero point: it is
// stored as it is in the output type.
TEST(Pad, ValueAttribute) {
  OneNode f(ir::OpKind::kPad);
  f.In<float>({2}, {1, -1}).Out(ir::DType::kFloat32, {4}).Attr("pads", std::vector<int64_t>{1, 1}).Attr("value", 2.5);
  auto rf = f.Run<float>();
  ASSERT_TRUE(rf.ok()) << rf.diag().ToString();
  EXPECT_EQ(*rf, (std::vector<float>{2.5f, 1, -1, 2.5f}));

  OneNode q(ir::OpKind::kPad);
  q.In<int8_t>({1}, {5}, Quant(0.5f, 3))
      .Out(ir::DType::kInt8, {3}, Quant(0.5f, 3))
      .Attr("pads", std::vector<int64_t>{1, 1})
      .Attr("value", -7.0);
  auto rq = q.Run<int8_t>();
  ASSERT_TRUE(rq.ok()) << rq.diag().ToString();
  EXPECT_EQ(*rq, (std::vector<int8_t>{-7, 5, -7}));

  q.Attr("value", 200.0);  // not an int8
  auto bad = q.Infer();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.diag().message.find("padding value 200"), std::string::npos) << bad.diag().message;
  q.Attr("value", 1.5);  // not an integer
  EXPECT_FALSE(q.Infer().ok());
}

}  // namespace
}  // namespace ember
