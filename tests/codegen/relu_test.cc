// RELU and RELU6 kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(ReluKernel, Int8Requantizes) {
  KernelCase(ir::OpKind::kRelu).In(DType::kInt8, {3, 50}, Quant(0.05f, -7)).Out(DType::kInt8, {3, 50}, Quant(0.02f, -128)).Expect();
  KernelCase(ir::OpKind::kRelu).In(DType::kInt8, {3, 50}, Quant(0.05f, 12)).Out(DType::kInt8, {3, 50}, Quant(0.11f, 3)).Expect();
}

TEST(ReluKernel, Int8SameQuantizationIsAClamp) {
  KernelCase c(ir::OpKind::kRelu);
  c.In(DType::kInt8, {100}, Quant(0.05f, -7)).Out(DType::kInt8, {100}, Quant(0.05f, -7)).Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->code.find("ember_mbqm"), std::string::npos) << k->code;
  EXPECT_TRUE(k->inplace_ok);
}

TEST(ReluKernel, Float) {
  KernelCase(ir::OpKind::kRelu).In(DType::kFloat32, {64}).Out(DType::kFloat32, {64}).Expect();
}

TEST(Relu6Kernel, Int8) {
  uint32_t seed = 31;
  for (float s : {0.01f, 0.0235f, 0.05f, 1.0f}) {
    for (int64_t z : {-128, -3, 40}) {
      KernelCase(ir::OpKind::kRelu6)
          .In(DType::kInt8, {2, 64}, Quant(s, z), seed++)
          .Out(DType::kInt8, {2, 64}, Quant(s, z))
          .Expect();
    }
  }
}

TEST(Relu6Kernel, Float) {
  KernelCase c(ir::OpKind::kRelu6);
  c.In(DType::kFloat32, {64}).Out(DType::kFloat32, {64}).Expect();
  EXPECT_TRUE(c.Emit()->inplace_ok);
}

TEST(ReluKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kRelu);
  c.In(DType::kInt8, {64}, Quant(0.05f, 12)).Out(DType::kInt8, {64}, Quant(0.11f, 3));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase c6(ir::OpKind::kRelu6);
  c6.In(DType::kInt8, {64}, Quant(0.05f, 12)).Out(DType::kInt8, {64}, Quant(0.05f, 12));
  EXPECT_EQ(CompileForCortexM4(c6), "");
}

}  // namespace
}  // namespace ember::test
