// LOGISTIC kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(LogisticKernel, Int8SeveralScales) {
  uint32_t seed = 1;
  for (float s : {0.01f, 0.0625f, 0.1f, 0.37f, 2.0f}) {
    for (int64_t z : {-128, 0, 37}) {
      KernelCase(ir::OpKind::kLogistic)
          .In(DType::kInt8, {2, 300}, Quant(s, z), seed++)
          .Out(DType::kInt8, {2, 300}, Quant(1.0f / 256.0f, -128))
          .Expect();
    }
  }
}

TEST(LogisticKernel, Int8EveryInputValue) {
  std::vector<uint8_t> all(256);
  for (int v = 0; v < 256; ++v) all[static_cast<size_t>(v)] = static_cast<uint8_t>(v);
  KernelCase c(ir::OpKind::kLogistic);
  c.InData(DType::kInt8, {256}, all, Quant(0.05f, -3)).Out(DType::kInt8, {256}, Quant(1.0f / 256.0f, -128));
  c.Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->inplace_ok);
}

TEST(LogisticKernel, Float) {
  KernelCase(ir::OpKind::kLogistic).In(DType::kFloat32, {500}, std::nullopt, 3, 30.0f).Out(DType::kFloat32, {500}).Expect();
}

TEST(LogisticKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kLogistic);
  c.In(DType::kInt8, {64}, Quant(0.1f, 0)).Out(DType::kInt8, {64}, Quant(1.0f / 256.0f, -128));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase f(ir::OpKind::kLogistic);
  f.In(DType::kFloat32, {64}).Out(DType::kFloat32, {64});
  EXPECT_EQ(CompileForCortexM4(f), "");
}

}  // namespace
}  // namespace ember::test
