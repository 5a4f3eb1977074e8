// CUMSUM reference evaluator: float32, int32 and int64 running sums along
// each axis, exclusive and reverse, wrapping integers; int8 in TFLite
// Micro's arithmetic (written out here: the sum starts at the scaled -z_in);
// Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/quant_math.h"

namespace ember {
namespace {

using test::Quant;

std::vector<float> RunFloat(const std::vector<float>& x, ir::Shape shape, int64_t axis, int64_t exclusive,
                            int64_t reverse) {
  test::OneNode t(ir::OpKind::kCumsum);
  t.In<float>(shape, x).Out(ir::DType::kFloat32, shape).Attr("axis", axis).Attr("exclusive", exclusive)
      .Attr("reverse", reverse);
  auto r = t.Run<float>();
  EXPECT_TRUE(r.ok()) << r.diag().ToString();
  return r.ok() ? *r : std::vector<float>{};
}

TEST(Cumsum, Float32AlongEachAxisExclusiveAndReverse) {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};  // [2, 3]
  EXPECT_EQ(RunFloat(x, {2, 3}, 1, 0, 0), (std::vector<float>{1, 3, 6, 4, 9, 15}));
  EXPECT_EQ(RunFloat(x, {2, 3}, 0, 0, 0), (std::vector<float>{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(RunFloat(x, {2, 3}, 1, 1, 0), (std::vector<float>{0, 1, 3, 0, 4, 9}));
  EXPECT_EQ(RunFloat(x, {2, 3}, 1, 0, 1), (std::vector<float>{6, 5, 3, 15, 11, 6}));
  EXPECT_EQ(RunFloat(x, {2, 3}, 1, 1, 1), (std::vector<float>{5, 3, 0, 11, 6, 0}));
  // One rounding per addition, in axis order: (1e8 + 1) + 1 stays 1e8.
  EXPECT_EQ(RunFloat({1e8f, 1.f, 1.f}, {3}, 0, 0, 0), (std::vector<float>{1e8f, 1e8f, 1e8f}));
  EXPECT_EQ(RunFloat({1.f, 1.f, 1e8f}, {3}, 0, 0, 1)[0], (1e8f + 1.f) + 1.f);
}

TEST(Cumsum, IntegersWrap) {
  const int32_t max = std::numeric_limits<int32_t>::max();
  test::OneNode t(ir::OpKind::kCumsum);
  t.In<int32_t>({3}, {max, 1, -5}).Out(ir::DType::kInt32, {3}).Attr("axis", int64_t{0});
  auto r = t.Run<int32_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int32_t>{max, std::numeric_limits<int32_t>::min(), max - 4}));  // INT32_MIN - 5 wraps to INT32_MAX - 4
  test::OneNode l(ir::OpKind::kCumsum);
  l.In<int64_t>({2, 2}, {int64_t{1} << 40, 3, -7, 4}).Out(ir::DType::kInt64, {2, 2}).Attr("axis", int64_t{0})
      .Attr("exclusive", int64_t{1});
  auto q = l.Run<int64_t>();
  ASSERT_TRUE(q.ok()) << q.diag().ToString();
  EXPECT_EQ(*q, (std::vector<int64_t>{0, 0, int64_t{1} << 40, 3}));
}

TEST(Cumsum, Int8AsTfliteMicro) {
  const float s_in = 0.05f, s_out = 0.2f;
  const int32_t z_in = 3, z_out = -10;
  const std::vector<int8_t> x = {10, -20, 127, -128, 3, 50};
  for (int64_t exclusive : {0, 1}) {
    test::OneNode t(ir::OpKind::kCumsum);
    t.In<int8_t>({6}, x, Quant(s_in, z_in)).Out(ir::DType::kInt8, {6}, Quant(s_out, z_out)).Attr("axis", int64_t{0})
        .Attr("exclusive", exclusive);
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    // TFLite Micro: scaled = (x - z_in) * 2^19; the sum starts at -z_in * 2^19;
    // out = Mbqm(sum, 2 s_in / (2^20 s_out)) + z_out, clamped.
    const ops::QuantizedMultiplier m =
        ops::QuantizeMultiplier(2 * static_cast<double>(s_in) / ((1 << 20) * static_cast<double>(s_out)));
    int32_t acc = -z_in * (1 << 19);
    std::vector<int8_t> want;
    for (int8_t v : x) {
      const int32_t before = acc;
      acc += (v - z_in) * (1 << 19);
      const int32_t o = ops::Mbqm(exclusive ? before : acc, m) + z_out;
      want.push_back(static_cast<int8_t>(std::min(127, std::max(-128, o))));
    }
    EXPECT_EQ(*r, want) << "exclusive " << exclusive;
    // The start offset shows: an exclusive first output is -z_in in real terms.
    if (exclusive) {
      EXPECT_EQ((*r)[0], static_cast<int8_t>(std::lround(-z_in * s_in / s_out) + z_out));
    }
  }
}

TEST(Cumsum, RefusesBadAttributesAndTypes) {
  test::OneNode a(ir::OpKind::kCumsum);
  a.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("axis", int64_t{1});
  EXPECT_FALSE(a.Run<float>().ok());
  test::OneNode e(ir::OpKind::kCumsum);
  e.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("axis", int64_t{0}).Attr("exclusive", int64_t{2});
  EXPECT_FALSE(e.Run<float>().ok());
  test::OneNode s(ir::OpKind::kCumsum);  // s_in / s_out >= 2^19: TFLite Micro's multiplier would exceed one
  s.In<int8_t>({2}, {1, 2}, Quant(1.0f, 0)).Out(ir::DType::kInt8, {2}, Quant(1e-6f, 0)).Attr("axis", int64_t{0});
  auto r = s.Run<int8_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("2^19"), std::string::npos) << r.diag().ToString();
}

}  // namespace
}  // namespace ember
