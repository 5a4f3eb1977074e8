// scatter_nd: hand-computed cases (ONNX ScatterND): rows and elements
// replaced, the reductions in tuple order (repeated tuples included), int32
// wrapping, and index, shape and type checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;
using test::Quant;

// K = 1 on [4,2]: rows 3 and -4 (= 0) replaced.
TEST(ScatterNd, ReplacesRows) {
  OneNode t(ir::OpKind::kScatterNd);
  t.In<int8_t>({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}, Quant(0.5f, 1))
      .Const<int32_t>({2, 1}, {3, -4})
      .In<int8_t>({2, 2}, {-1, -2, -3, -4}, Quant(0.5f, 1))
      .Out(ir::DType::kInt8, {4, 2}, Quant(0.5f, 1));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-3, -4, 3, 4, 5, 6, -1, -2}));
}

// K = 2 on [2,3]: element (1,2) twice: "none" keeps the last, "add" and
// "mul" combine both in order, "max"/"min" keep the extreme.
TEST(ScatterNd, ReductionsInTupleOrder) {
  const std::vector<float> data = {1, 2, 3, 4, 5, 6};
  auto run = [&](const char* r) {
    OneNode t(ir::OpKind::kScatterNd);
    t.In<float>({2, 3}, data).In<int32_t>({3, 2}, {1, 2, 0, 0, 1, 2}).In<float>({3}, {10, 0.5f, -2})
        .Out(ir::DType::kFloat32, {2, 3}).Attr("reduction", std::string(r));
    auto out = t.Run<float>();
    EXPECT_TRUE(out.ok()) << out.diag().ToString();
    return out.ok() ? *out : std::vector<float>{};
  };
  EXPECT_EQ(run("none"), (std::vector<float>{0.5f, 2, 3, 4, 5, -2}));
  EXPECT_EQ(run("add"), (std::vector<float>{1.5f, 2, 3, 4, 5, 14}));
  EXPECT_EQ(run("mul"), (std::vector<float>{0.5f, 2, 3, 4, 5, -120}));
  EXPECT_EQ(run("max"), (std::vector<float>{1, 2, 3, 4, 5, 10}));
  EXPECT_EQ(run("min"), (std::vector<float>{0.5f, 2, 3, 4, 5, -2}));
}

TEST(ScatterNd, Int32AddWraps) {
  const int32_t max = std::numeric_limits<int32_t>::max();
  OneNode t(ir::OpKind::kScatterNd);
  t.In<int32_t>({2}, {max, 7}).Const<int32_t>({1, 1}, {0}).In<int32_t>({1}, {2}).Out(ir::DType::kInt32, {2})
      .Attr("reduction", std::string("add"));
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{std::numeric_limits<int32_t>::min() + 1, 7}));
}

TEST(ScatterNd, RefusesBadOperands) {
  OneNode i(ir::OpKind::kScatterNd);  // a constant index outside the axis
  i.In<float>({3}, {1, 2, 3}).Const<int32_t>({1, 1}, {3}).In<float>({1}, {0}).Out(ir::DType::kFloat32, {3});
  auto ri = i.Run<float>();
  ASSERT_FALSE(ri.ok());
  EXPECT_NE(ri.diag().message.find("has index 3 (tuple 0, coordinate 0) outside [-3, 3)"), std::string::npos)
      << ri.diag().ToString();
  OneNode u(ir::OpKind::kScatterNd);  // updates of the wrong shape
  u.In<float>({3, 2}, {1, 2, 3, 4, 5, 6}).Const<int32_t>({1, 1}, {0}).In<float>({1, 3}, {0, 0, 0})
      .Out(ir::DType::kFloat32, {3, 2});
  EXPECT_FALSE(u.Run<float>().ok());
  OneNode q(ir::OpKind::kScatterNd);  // a reduction of quantized data
  q.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).Const<int32_t>({1, 1}, {0}).In<int8_t>({1}, {1}, Quant(0.5f, 0))
      .Out(ir::DType::kInt8, {2}, Quant(0.5f, 0)).Attr("reduction", std::string("add"));
  EXPECT_FALSE(q.Run<int8_t>().ok());
  OneNode b(ir::OpKind::kScatterNd);  // an unknown reduction
  b.In<float>({2}, {1, 2}).Const<int32_t>({1, 1}, {0}).In<float>({1}, {1}).Out(ir::DType::kFloat32, {2})
      .Attr("reduction", std::string("mean"));
  EXPECT_FALSE(b.Run<float>().ok());
}

}  // namespace
}  // namespace ember
