// concatenation: hand-computed joins along first, middle and last axes;
// quantization and activation rules; Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

TEST(Concatenation, FloatAxis0ThreeInputs) {
  OneNode t(ir::OpKind::kConcatenation);
  t.In<float>({1, 2}, {1, 2})
      .In<float>({2, 2}, {3, 4, 5, 6})
      .In<float>({1, 2}, {7, 8})
      .Out(ir::DType::kFloat32, {4, 2})
      .Attr("axis", int64_t{0});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
}

// Last axis: each output row is row o of a, then of b, then of c.
TEST(Concatenation, Int8LastAxisThreeInputs) {
  const auto q = Quant(0.25f, -2);
  OneNode t(ir::OpKind::kConcatenation);
  t.In<int8_t>({2, 1}, {1, 2}, q)
      .In<int8_t>({2, 2}, {3, 4, 5, 6}, q)
      .In<int8_t>({2, 1}, {-128, 127}, q)
      .Out(ir::DType::kInt8, {2, 4}, q)
      .Attr("axis", int64_t{1})
      .Attr("act", std::string("none"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{1, 3, 4, -128, 2, 5, 6, 127}));
}

// [2,1,2] ++ [2,2,2] along axis 1 -> [2,3,2].
TEST(Concatenation, Int16MiddleAxis) {
  OneNode t(ir::OpKind::kConcatenation);
  t.In<int16_t>({2, 1, 2}, {1, 2, 3, 4})
      .In<int16_t>({2, 2, 2}, {10, 11, 12, 13, 20, 21, 22, 23})
      .Out(ir::DType::kInt16, {2, 3, 2})
      .Attr("axis", int64_t{1});
  auto r = t.Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23}));
}

TEST(Concatenation, SingleInputAndEmptyInput) {
  OneNode t(ir::OpKind::kConcatenation);
  t.In<int64_t>({3}, {-1, 0, 1}).Out(ir::DType::kInt64, {3}).Attr("axis", int64_t{0});
  auto r = t.Run<int64_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int64_t>{-1, 0, 1}));

  OneNode e(ir::OpKind::kConcatenation);
  e.In<int32_t>({2, 0}, {}).In<int32_t>({2, 1}, {5, 6}).Out(ir::DType::kInt32, {2, 1});
  e.Attr("axis", int64_t{1});
  auto re = e.Run<int32_t>();
  ASSERT_TRUE(re.ok()) << re.diag().ToString();
  EXPECT_EQ(*re, (std::vector<int32_t>{5, 6}));
}

TEST(Concatenation, BoolAndUint8) {
  OneNode b(ir::OpKind::kConcatenation);
  b.InBytes(ir::DType::kBool, {1, 2}, {1, 0})
      .InBytes(ir::DType::kBool, {1, 1}, {1})
      .Out(ir::DType::kBool, {1, 3})
      .Attr("axis", int64_t{1});
  auto rb = b.RunBytes();
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  EXPECT_EQ((*rb)[0], (std::vector<uint8_t>{1, 0, 1}));

  OneNode u(ir::OpKind::kConcatenation);
  u.In<uint8_t>({1}, {200}, Quant(1.f, 128))
      .In<uint8_t>({2}, {0, 255}, Quant(1.f, 128))
      .Out(ir::DType::kUInt8, {3}, Quant(1.f, 128))
      .Attr("axis", int64_t{0});
  auto ru = u.Run<uint8_t>();
  ASSERT_TRUE(ru.ok()) << ru.diag().ToString();
  EXPECT_EQ(*ru, (std::vector<uint8_t>{200, 0, 255}));
}

// A fused activation is applied to float data: clamp to [0, 6].
TEST(Concatenation, FloatRelu6Clamps) {
  OneNode t(ir::OpKind::kConcatenation);
  t.In<float>({2}, {-1.5f, 7})
      .In<float>({2}, {3, 6.5f})
      .Out(ir::DType::kFloat32, {4})
      .Attr("axis", int64_t{0})
      .Attr("act", std::string("relu6"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{0, 6, 3, 6}));
}

TEST(Concatenation, Int8QuantizationMustMatchOutput) {
  auto make = [](ir::QuantParams qa, ir::QuantParams qb) {
    OneNode t(ir::OpKind::kConcatenation);
    t.In<int8_t>({1}, {1}, qa).In<int8_t>({1}, {2}, qb);
    t.Out(ir::DType::kInt8, {2}, Quant(0.5f, 1)).Attr("axis", int64_t{0});
    return t;
  };
  EXPECT_TRUE(make(Quant(0.5f, 1), Quant(0.5f, 1)).Infer().ok());
  auto scale = make(Quant(0.5f, 1), Quant(0.25f, 1)).Infer();
  ASSERT_FALSE(scale.ok());
  EXPECT_NE(scale.diag().message.find("input 1"), std::string::npos) << scale.diag().message;
  EXPECT_FALSE(make(Quant(0.5f, 0), Quant(0.5f, 1)).Infer().ok());
  auto none = make(Quant(0.5f, 1), Quant(0.5f, 1));
  none.in_tensor(0).quant.reset();
  EXPECT_FALSE(none.Infer().ok());
  auto act = make(Quant(0.5f, 1), Quant(0.5f, 1));
  act.Attr("act", std::string("relu"));
  EXPECT_FALSE(act.Infer().ok());
}

TEST(Concatenation, InferErrors) {
  auto make = [](int64_t axis) {
    OneNode t(ir::OpKind::kConcatenation);
    t.In<float>({2, 3}, std::vector<float>(6, 0.f)).In<float>({2, 1}, {0, 0});
    t.Out(ir::DType::kFloat32, {2, 4}).Attr("axis", axis);
    return t;
  };
  EXPECT_TRUE(make(1).Infer().ok());
  EXPECT_FALSE(make(0).Infer().ok());  // dims differ off the axis
  EXPECT_FALSE(make(2).Infer().ok());
  EXPECT_FALSE(make(-1).Infer().ok());
  EXPECT_FALSE(make(INT64_MIN).Infer().ok());

  auto act = make(1);
  act.Attr("act", std::string("gelu"));
  EXPECT_FALSE(act.Infer().ok());

  OneNode dtype(ir::OpKind::kConcatenation);
  dtype.In<float>({1}, {0}).In<int32_t>({1}, {0}).Out(ir::DType::kFloat32, {2});
  dtype.Attr("axis", int64_t{0});
  EXPECT_FALSE(dtype.Infer().ok());

  OneNode rank(ir::OpKind::kConcatenation);
  rank.In<float>({1, 1}, {0}).In<float>({1}, {0}).Out(ir::DType::kFloat32, {2, 1});
  rank.Attr("axis", int64_t{0});
  EXPECT_FALSE(rank.Infer().ok());

  OneNode scalar(ir::OpKind::kConcatenation);
  scalar.In<float>({}, {0}).In<float>({}, {0}).Out(ir::DType::kFloat32, {2});
  scalar.Attr("axis", int64_t{0});
  EXPECT_FALSE(scalar.Infer().ok());

  OneNode no_inputs(ir::OpKind::kConcatenation);
  no_inputs.Out(ir::DType::kFloat32, {1}).Attr("axis", int64_t{0});
  EXPECT_FALSE(no_inputs.Infer().ok());

  OneNode absent(ir::OpKind::kConcatenation);
  absent.In<float>({1}, {0}).Absent().Out(ir::DType::kFloat32, {1}).Attr("axis", int64_t{0});
  EXPECT_FALSE(absent.Infer().ok());

  auto decl = make(1);
  decl.out_tensor(0).shape = {2, 5};
  EXPECT_FALSE(decl.Check().ok());
}

}  // namespace
}  // namespace ember
