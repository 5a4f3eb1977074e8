// squeeze: drops size-1 axes; hand-written cases and Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

TEST(Squeeze, EmptyAxesDropsEverySize1Axis) {
  OneNode t(ir::OpKind::kSqueeze);
  t.In<float>({1, 3, 1, 2}, {1, 2, 3, 4, 5, 6}).Out(ir::DType::kFloat32, {3, 2});
  auto infer = t.Infer();
  ASSERT_TRUE(infer.ok()) << infer.diag().ToString();
  EXPECT_EQ((*infer)[0].shape, (ir::Shape{3, 2}));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Squeeze, ListedAxesOnly) {
  OneNode t(ir::OpKind::kSqueeze);
  t.In<int8_t>({1, 3, 1, 2}, {-1, -2, -3, 4, 5, 6}, Quant(0.1f, 2))
      .Out(ir::DType::kInt8, {3, 1, 2}, Quant(0.1f, 2))
      .Attr("axes", std::vector<int64_t>{0});
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-1, -2, -3, 4, 5, 6}));

  OneNode t2(ir::OpKind::kSqueeze);
  t2.In<int16_t>({1, 2, 1}, {-300, 300}).Out(ir::DType::kInt16, {1, 2});
  t2.Attr("axes", std::vector<int64_t>{2});
  auto r2 = t2.Run<int16_t>();
  ASSERT_TRUE(r2.ok()) << r2.diag().ToString();
  EXPECT_EQ(*r2, (std::vector<int16_t>{-300, 300}));
}

TEST(Squeeze, AllOnesToScalar) {
  OneNode t(ir::OpKind::kSqueeze);
  t.InBytes(ir::DType::kBool, {1, 1}, {1}).Out(ir::DType::kBool, {});
  auto r = t.RunBytes();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ((*r)[0], (std::vector<uint8_t>{1}));
}

TEST(Squeeze, NothingToDrop) {
  OneNode t(ir::OpKind::kSqueeze);
  t.In<int64_t>({2}, {-5, 9}).Out(ir::DType::kInt64, {2});
  auto r = t.Run<int64_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int64_t>{-5, 9}));
}

TEST(Squeeze, InferErrors) {
  auto make = [](std::vector<int64_t> axes) {
    OneNode t(ir::OpKind::kSqueeze);
    t.In<float>({1, 3, 1}, {1, 2, 3}).Out(ir::DType::kFloat32, {3});
    t.Attr("axes", std::move(axes));
    return t;
  };
  EXPECT_TRUE(make({0, 2}).Infer().ok());
  auto non1 = make({1}).Infer();  // axis 1 has size 3
  ASSERT_FALSE(non1.ok());
  EXPECT_NE(non1.diag().message.find("size 3"), std::string::npos) << non1.diag().message;
  EXPECT_FALSE(make({3}).Infer().ok());
  EXPECT_FALSE(make({-1}).Infer().ok());
  EXPECT_FALSE(make({0, 0}).Infer().ok());
  EXPECT_FALSE(make({INT64_MIN}).Infer().ok());

  OneNode bad_type(ir::OpKind::kSqueeze);
  bad_type.In<float>({1, 3}, {1, 2, 3}).Out(ir::DType::kFloat32, {3});
  bad_type.Attr("axes", std::string("all"));
  EXPECT_FALSE(bad_type.Infer().ok());

  // Declared output keeps an axis that squeeze drops.
  OneNode decl(ir::OpKind::kSqueeze);
  decl.In<float>({1, 3}, {1, 2, 3}).Out(ir::DType::kFloat32, {1, 3});
  EXPECT_FALSE(decl.Check().ok());
}

}  // namespace
}  // namespace ember
