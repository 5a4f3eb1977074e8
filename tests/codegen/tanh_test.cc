// TANH kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(TanhKernel, Int8SeveralScales) {
  uint32_t seed = 11;
  for (float s : {0.005f, 0.03125f, 0.08f, 0.5f}) {
    for (int64_t z : {-128, 0, -20}) {
      KernelCase(ir::OpKind::kTanh)
          .In(DType::kInt8, {4, 77}, Quant(s, z), seed++)
          .Out(DType::kInt8, {4, 77}, Quant(1.0f / 128.0f, 0))
          .Expect();
    }
  }
}

TEST(TanhKernel, Float) {
  KernelCase c(ir::OpKind::kTanh);
  c.In(DType::kFloat32, {3, 100}, std::nullopt, 5, 12.0f).Out(DType::kFloat32, {3, 100}).Expect();
  EXPECT_TRUE(c.Emit()->inplace_ok);
}

TEST(TanhKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kTanh);
  c.In(DType::kFloat32, {64}).Out(DType::kFloat32, {64});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
