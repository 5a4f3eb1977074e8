// ADD, SUB, MUL and DIV on int32 and int64 (integer index arithmetic of
// ONNX models: position ids, offsets, a flat index split into coordinates):
// the generated C equals the reference evaluator byte for byte on random
// full-range operands (so most sums and products wrap), broadcast and
// constant operands included, and on DIV's edge cases (x / 0, MIN / -1).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

class WideIntBinaryKernel : public testing::TestWithParam<ir::OpKind> {};

TEST_P(WideIntBinaryKernel, WrapsAsTheReference) {
  for (const DType t : {DType::kInt32, DType::kInt64}) {
    SCOPED_TRACE(ir::DTypeName(t));
    KernelCase(GetParam()).In(t, {3, 17}).In(t, {3, 17}).Out(t, {3, 17}).Expect();
    KernelCase(GetParam()).In(t, {2, 1, 5}).Const(t, {4, 1}).Out(t, {2, 4, 5}).Expect();
  }
}

TEST_P(WideIntBinaryKernel, RejectsAnActivationAndCompilesForCortexM4) {
  KernelCase act(GetParam());
  act.In(DType::kInt32, {4}).In(DType::kInt32, {4}).Out(DType::kInt32, {4}).Attr("act", std::string("relu"));
  EXPECT_FALSE(act.Emit().ok());
  KernelCase c(GetParam());
  c.In(DType::kInt64, {8}).In(DType::kInt64, {8}).Out(DType::kInt64, {8});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(WideIntDivKernel, ZeroDivisorMinusOneAndNegativeQuotients) {
  const std::vector<int32_t> x32 = {INT32_MIN, 7, -7, 7, -7, 5, INT32_MAX, 0};
  const std::vector<int32_t> y32 = {-1, 2, 2, -2, -2, 0, -1, 3};
  KernelCase(ir::OpKind::kDiv)
      .InData(DType::kInt32, {8}, Bytes(x32))
      .InData(DType::kInt32, {8}, Bytes(y32))
      .Out(DType::kInt32, {8})
      .Expect();
  const std::vector<int64_t> x64 = {INT64_MIN, -9000000000LL, 9, 0};
  const std::vector<int64_t> y64 = {-1, 4, 0, -5};
  KernelCase(ir::OpKind::kDiv)
      .InData(DType::kInt64, {4}, Bytes(x64))
      .InData(DType::kInt64, {4}, Bytes(y64))
      .Out(DType::kInt64, {4})
      .Expect();
}

INSTANTIATE_TEST_SUITE_P(Ops, WideIntBinaryKernel,
                         testing::Values(ir::OpKind::kAdd, ir::OpKind::kSub, ir::OpKind::kMul, ir::OpKind::kDiv),
                         [](const testing::TestParamInfo<ir::OpKind>& i) { return std::string(ir::OpIrName(i.param)); });

}  // namespace
}  // namespace ember::test
