// mirror_pad: reflect, symmetric and edge padding, hand-computed, and the
// pad limits.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

TEST(MirrorPad, ReflectOneAxis) {
  OneNode t(ir::OpKind::kMirrorPad);
  t.In<int8_t>({3}, {1, 2, 3}, Quant(1.f, 0))
      .Out(ir::DType::kInt8, {7}, Quant(1.f, 0))
      .Attr("pads", std::vector<int64_t>{2, 2})
      .Attr("mode", std::string("reflect"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{3, 2, 1, 2, 3, 2, 1}));
}

TEST(MirrorPad, SymmetricAndEdgeOneAxis) {
  OneNode t(ir::OpKind::kMirrorPad);
  t.In<float>({3}, {1, 2, 3})
      .Out(ir::DType::kFloat32, {8})
      .Attr("pads", std::vector<int64_t>{2, 3})
      .Attr("mode", std::string("symmetric"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{2, 1, 1, 2, 3, 3, 2, 1}));

  OneNode e(ir::OpKind::kMirrorPad);
  e.In<int16_t>({2}, {-5, 5})
      .Out(ir::DType::kInt16, {7})
      .Attr("pads", std::vector<int64_t>{1, 4})
      .Attr("mode", std::string("edge"));
  auto re = e.Run<int16_t>();
  ASSERT_TRUE(re.ok()) << re.diag().ToString();
  EXPECT_EQ(*re, (std::vector<int16_t>{-5, -5, 5, 5, 5, 5, 5}));
}

// [2,3] reflect-padded by 1 on both axes: rows and columns mirror independently.
TEST(MirrorPad, ReflectTwoAxes) {
  OneNode t(ir::OpKind::kMirrorPad);
  t.In<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Out(ir::DType::kInt32, {4, 5})
      .Attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .Attr("mode", std::string("reflect"));
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{5, 4, 5, 6, 5,  //
                                      2, 1, 2, 3, 2,  //
                                      5, 4, 5, 6, 5,  //
                                      2, 1, 2, 3, 2}));
}

TEST(MirrorPad, RefusesPadsBeyondTheMirror) {
  OneNode t(ir::OpKind::kMirrorPad);
  t.In<int8_t>({3}, {1, 2, 3}).Out(ir::DType::kInt8, {6}).Attr("pads", std::vector<int64_t>{3, 0});
  t.Attr("mode", std::string("reflect"));
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0301");
  EXPECT_NE(r.diag().message.find("reflect"), std::string::npos) << r.diag().message;
  t.Attr("mode", std::string("symmetric"));
  EXPECT_TRUE(t.Infer().ok());  // symmetric allows a pad of the whole size
  t.Attr("mode", std::string("wrap"));
  EXPECT_FALSE(t.Infer().ok());
}

}  // namespace
}  // namespace ember
