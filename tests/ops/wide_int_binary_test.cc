// ADD, SUB and MUL reference evaluators on int32 and int64: two's-complement
// wrapping at the type's width, broadcasting; DIV truncated toward zero with
// x / 0 = 0 and MIN / -1 = MIN; no fused activation and no quantization on
// them.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

TEST(WideIntBinary, Int32WrapsModulo2To32) {
  test::OneNode add(ir::OpKind::kAdd);
  add.In<int32_t>({3}, {INT32_MAX, -5, 7}).In<int32_t>({}, {1}).Out(ir::DType::kInt32, {3});
  EXPECT_EQ(*add.Run<int32_t>(), (std::vector<int32_t>{INT32_MIN, -4, 8}));
  test::OneNode sub(ir::OpKind::kSub);
  sub.In<int32_t>({2}, {INT32_MIN, 3}).In<int32_t>({2}, {1, 10}).Out(ir::DType::kInt32, {2});
  EXPECT_EQ(*sub.Run<int32_t>(), (std::vector<int32_t>{INT32_MAX, -7}));
  test::OneNode mul(ir::OpKind::kMul);
  mul.In<int32_t>({3}, {65536, -3, 46341}).In<int32_t>({3}, {65536, 7, 46341}).Out(ir::DType::kInt32, {3});
  EXPECT_EQ(*mul.Run<int32_t>(), (std::vector<int32_t>{0, -21, -2147479015}));
}

TEST(WideIntBinary, Int64BroadcastsAndWraps) {
  test::OneNode mul(ir::OpKind::kMul);
  mul.In<int64_t>({2, 2}, {5000000000LL, -2, INT64_MAX, 3}).In<int64_t>({2, 1}, {3, 2}).Out(ir::DType::kInt64, {2, 2});
  EXPECT_EQ(*mul.Run<int64_t>(), (std::vector<int64_t>{15000000000LL, -6, -2, 6}));
  test::OneNode add(ir::OpKind::kAdd);
  add.In<int64_t>({2}, {INT64_MAX, 1}).In<int64_t>({}, {1}).Out(ir::DType::kInt64, {2});
  EXPECT_EQ(*add.Run<int64_t>(), (std::vector<int64_t>{INT64_MIN, 2}));
}

TEST(WideIntBinary, DivTruncatesTowardZero) {
  test::OneNode d(ir::OpKind::kDiv);
  d.In<int32_t>({6}, {7, -7, 7, -7, INT32_MIN, 5}).In<int32_t>({6}, {2, 2, -2, -2, -1, 0}).Out(ir::DType::kInt32, {6});
  EXPECT_EQ(*d.Run<int32_t>(), (std::vector<int32_t>{3, -3, -3, 3, INT32_MIN, 0}));
  test::OneNode l(ir::OpKind::kDiv);
  l.In<int64_t>({2}, {-9000000000LL, INT64_MIN}).In<int64_t>({}, {-1}).Out(ir::DType::kInt64, {2});
  EXPECT_EQ(*l.Run<int64_t>(), (std::vector<int64_t>{9000000000LL, INT64_MIN}));
}

TEST(WideIntBinary, RejectsActivationsQuantizationAndMixedTypes) {
  test::OneNode act(ir::OpKind::kAdd);
  act.In<int32_t>({2}, {1, 2}).In<int32_t>({2}, {1, 2}).Out(ir::DType::kInt32, {2}).Attr("act", std::string("relu"));
  auto r = act.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("fused activation on i32"), std::string::npos) << r.diag().message;
  test::OneNode mixed(ir::OpKind::kMul);
  mixed.In<int32_t>({2}, {1, 2}).In<int64_t>({2}, {1, 2}).Out(ir::DType::kInt32, {2});
  EXPECT_FALSE(mixed.Infer().ok());
  test::OneNode u8(ir::OpKind::kSub);
  u8.In<uint8_t>({2}, {1, 2}).In<uint8_t>({2}, {1, 2}).Out(ir::DType::kUInt8, {2});
  auto ru = u8.Infer();
  ASSERT_FALSE(ru.ok());
  EXPECT_NE(ru.diag().message.find("supported: i8, i16, i32, i64, f32"), std::string::npos) << ru.diag().message;
}

}  // namespace
}  // namespace ember
