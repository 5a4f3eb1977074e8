// MAXIMUM and MINIMUM kernels: generated C equals the reference evaluator
// byte for byte (f32 with NaNs in the random data too, i8, i16, i32, i64, broadcasting).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

class MinMaxKernel : public testing::TestWithParam<ir::OpKind> {};

TEST_P(MinMaxKernel, Int8SameQuantizationBroadcast) {
  KernelCase(GetParam())
      .In(DType::kInt8, {1, 5, 7, 6}, Quant(0.02f, 5))
      .In(DType::kInt8, {6}, Quant(0.02f, 5))
      .Out(DType::kInt8, {1, 5, 7, 6}, Quant(0.02f, 5))
      .Expect();
  KernelCase c(GetParam());
  c.In(DType::kInt8, {2, 1, 3}, Quant(0.1f, -1))
      .Const(DType::kInt8, {4, 1}, Quant(0.1f, -1))
      .Out(DType::kInt8, {2, 4, 3}, Quant(0.1f, -1))
      .Expect();
  EXPECT_FALSE(c.Emit()->inplace_ok);
}

TEST_P(MinMaxKernel, FloatWithNaNAndSignedZeros) {
  KernelCase(GetParam()).In(DType::kFloat32, {3, 4, 5}).In(DType::kFloat32, {4, 1}).Out(DType::kFloat32, {3, 4, 5}).Expect();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> a{nan, 1.0f, -0.0f, 0.0f, nan, 3.0f}, b{1.0f, nan, 0.0f, -0.0f, nan, 3.0f};
  KernelCase c(GetParam());
  c.InData(DType::kFloat32, {6}, FloatBytes(a)).InData(DType::kFloat32, {6}, FloatBytes(b)).Out(DType::kFloat32, {6}).Expect();
  EXPECT_TRUE(c.Emit()->inplace_ok);
}

TEST_P(MinMaxKernel, Int32Int64Int16AndEmpty) {
  KernelCase(GetParam()).In(DType::kInt32, {7, 9}).Const(DType::kInt32, {9}).Out(DType::kInt32, {7, 9}).Expect();
  KernelCase(GetParam()).In(DType::kInt64, {3, 1, 5}).In(DType::kInt64, {4, 1}).Out(DType::kInt64, {3, 4, 5}).Expect();
  KernelCase(GetParam()).In(DType::kInt16, {2, 6}).Const(DType::kInt16, {2, 1}).Out(DType::kInt16, {2, 6}).Expect();
  KernelCase(GetParam()).In(DType::kInt8, {0, 3}, Quant(0.1f, 0)).In(DType::kInt8, {3}, Quant(0.1f, 0)).Out(DType::kInt8, {0, 3}, Quant(0.1f, 0)).Expect();
}

TEST_P(MinMaxKernel, RejectsDifferentQuantizationAndCompilesForCortexM4) {
  KernelCase bad(GetParam());
  bad.In(DType::kInt8, {4}, Quant(0.5f, 0)).In(DType::kInt8, {4}, Quant(0.25f, 0)).Out(DType::kInt8, {4}, Quant(0.5f, 0));
  EXPECT_FALSE(bad.Emit().ok());
  KernelCase c(GetParam());
  c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2)).In(DType::kInt8, {8}, Quant(0.05f, 2)).Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

INSTANTIATE_TEST_SUITE_P(Ops, MinMaxKernel, testing::Values(ir::OpKind::kMaximum, ir::OpKind::kMinimum),
                         [](const testing::TestParamInfo<ir::OpKind>& i) { return std::string(ir::OpIrName(i.param)); });

}  // namespace
}  // namespace ember::test
