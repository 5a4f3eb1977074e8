// POW kernel: generated C equals the reference evaluator byte for byte
// (float32 with negative bases and NaNs among the random data, int32 with
// wrap-around and negative exponents, broadcasting), and builds for the M4.
#include <gtest/gtest.h>

#include <cstring>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(PowKernel, Float) {
  KernelCase(ir::OpKind::kPow).In(DType::kFloat32, {3, 4, 5}).In(DType::kFloat32, {4, 1}).Out(DType::kFloat32, {3, 4, 5})
      .Expect();
  KernelCase c(ir::OpKind::kPow);
  c.In(DType::kFloat32, {7, 9}).Const(DType::kFloat32, {9}).Out(DType::kFloat32, {7, 9}).Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_NE(k->code.find("powf("), std::string::npos) << k->code;
  EXPECT_TRUE(k->inplace_ok);
}

TEST(PowKernel, Int32) {
  // Small exponents (0..7, some negative) over random bases, then fully random
  // int32 operands: the squaring loop wraps as the reference does.
  std::vector<uint8_t> exps(6 * 4);
  const int32_t e[6] = {0, 1, 2, 7, -1, -2};
  std::memcpy(exps.data(), e, sizeof e);
  KernelCase(ir::OpKind::kPow)
      .In(DType::kInt32, {5, 6})
      .InData(DType::kInt32, {6}, exps)
      .Out(DType::kInt32, {5, 6})
      .Expect();
  KernelCase(ir::OpKind::kPow).In(DType::kInt32, {2, 1, 8}).In(DType::kInt32, {3, 1}).Out(DType::kInt32, {2, 3, 8})
      .Expect();
}

TEST(PowKernel, Int64) {
  std::vector<uint8_t> exps(6 * 8);
  const int64_t e[6] = {0, 1, 2, 45, -1, -2};
  std::memcpy(exps.data(), e, sizeof e);
  KernelCase(ir::OpKind::kPow).In(DType::kInt64, {5, 6}).InData(DType::kInt64, {6}, exps).Out(DType::kInt64, {5, 6})
      .Expect();
  KernelCase(ir::OpKind::kPow).In(DType::kInt64, {2, 1, 8}).In(DType::kInt64, {3, 1}).Out(DType::kInt64, {2, 3, 8})
      .Expect();
  KernelCase c(ir::OpKind::kPow);
  c.In(DType::kInt64, {8}).Const(DType::kInt64, {8}).Out(DType::kInt64, {8});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

TEST(PowKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kPow);
  c.In(DType::kFloat32, {3, 8}).In(DType::kFloat32, {8}).Out(DType::kFloat32, {3, 8});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase d(ir::OpKind::kPow);
  d.In(DType::kInt32, {3, 8}).Const(DType::kInt32, {8}).Out(DType::kInt32, {3, 8});
  EXPECT_EQ(CompileForCortexM4(d), "");
}

}  // namespace
}  // namespace ember::test
