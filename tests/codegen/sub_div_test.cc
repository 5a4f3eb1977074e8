// SUB and DIV kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(SubKernel, Int8SameShapeDifferentScales) {
  for (const char* act : {"none", "relu", "relu6", "relu_n1_to_1"}) {
    KernelCase(ir::OpKind::kSub)
        .In(DType::kInt8, {1, 8, 8, 16}, Quant(0.0473f, -3))
        .In(DType::kInt8, {1, 8, 8, 16}, Quant(0.0219f, 11))
        .Out(DType::kInt8, {1, 8, 8, 16}, Quant(0.0611f, -20))
        .Attr("act", std::string(act))
        .Expect();
  }
}

TEST(SubKernel, Int8MultipliersComeFromFloat32Arithmetic) {
  // Semantics notes §8.3: s1 = 0.0235, s2 = 0.0174, s_out = 0.0301 give SUB's
  // M2 = 1590051840 and Mo = 1676606848 (ADD's double arithmetic gives
  // 1590051799 and 1676606824).
  KernelCase c(ir::OpKind::kSub);
  c.In(DType::kInt8, {2, 40}, Quant(0.0235f, 5))
      .In(DType::kInt8, {2, 40}, Quant(0.0174f, -6))
      .Out(DType::kInt8, {2, 40}, Quant(0.0301f, 2))
      .Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_NE(k->code.find("1590051840"), std::string::npos) << k->code;
  EXPECT_NE(k->code.find("1676606848"), std::string::npos) << k->code;
  EXPECT_TRUE(k->inplace_ok);
}

TEST(SubKernel, Int8Broadcasting) {
  KernelCase(ir::OpKind::kSub)
      .In(DType::kInt8, {1, 5, 7, 6}, Quant(0.02f, 5))
      .In(DType::kInt8, {6}, Quant(0.09f, -100))
      .Out(DType::kInt8, {1, 5, 7, 6}, Quant(0.1f, 0))
      .Expect();
  KernelCase c(ir::OpKind::kSub);
  c.In(DType::kInt8, {2, 1, 3}, Quant(0.011f, 1))
      .In(DType::kInt8, {4, 1}, Quant(0.007f, -2))
      .Out(DType::kInt8, {2, 4, 3}, Quant(0.02f, 3))
      .Expect();
  EXPECT_FALSE(c.Emit()->inplace_ok);
  KernelCase(ir::OpKind::kSub)
      .In(DType::kInt8, {}, Quant(0.3f, 1))
      .Const(DType::kInt8, {3, 5}, Quant(0.2f, -2))
      .Out(DType::kInt8, {3, 5}, Quant(0.4f, 3))
      .Expect();
}

TEST(SubKernel, Float) {
  for (const char* act : {"none", "relu", "relu6", "relu_n1_to_1"}) {
    KernelCase(ir::OpKind::kSub)
        .In(DType::kFloat32, {3, 4, 5})
        .In(DType::kFloat32, {4, 1})
        .Out(DType::kFloat32, {3, 4, 5})
        .Attr("act", std::string(act))
        .Expect();
  }
}

TEST(SubKernel, EmptyTensorAndRejects) {
  KernelCase(ir::OpKind::kSub)
      .In(DType::kInt8, {0, 3}, Quant(0.1f, 0))
      .In(DType::kInt8, {3}, Quant(0.1f, 0))
      .Out(DType::kInt8, {0, 3}, Quant(0.1f, 0))
      .Expect();
  KernelCase c(ir::OpKind::kSub);
  c.In(DType::kInt8, {4}, Quant(1.0f, 0)).In(DType::kInt8, {4}, Quant(1.0f, 0)).Out(DType::kInt8, {4}, Quant(1e-7f, 0));
  EXPECT_FALSE(c.Emit().ok());
}

TEST(DivKernel, Float) {
  for (const char* act : {"none", "relu", "relu6"}) {
    KernelCase(ir::OpKind::kDiv)
        .In(DType::kFloat32, {3, 4, 5})
        .In(DType::kFloat32, {4, 1})
        .Out(DType::kFloat32, {3, 4, 5})
        .Attr("act", std::string(act))
        .Expect();
  }
  KernelCase c(ir::OpKind::kDiv);
  c.In(DType::kFloat32, {7, 9}).Const(DType::kFloat32, {9}).Out(DType::kFloat32, {7, 9}).Expect();
  EXPECT_TRUE(c.Emit()->inplace_ok);
}

TEST(DivKernel, Int8IsRejected) {
  KernelCase c(ir::OpKind::kDiv);
  c.In(DType::kInt8, {4}, Quant(0.5f, 0)).In(DType::kInt8, {4}, Quant(0.5f, 0)).Out(DType::kInt8, {4}, Quant(0.5f, 0));
  auto k = c.Emit();
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.diag().message.find("int8 division is not supported"), std::string::npos);
}

TEST(SubDivKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kSub);
  c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2))
      .In(DType::kInt8, {8}, Quant(0.03f, -4))
      .Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.06f, 1))
      .Attr("act", std::string("relu"));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase d(ir::OpKind::kDiv);
  d.In(DType::kFloat32, {3, 8}).In(DType::kFloat32, {8}).Out(DType::kFloat32, {3, 8});
  EXPECT_EQ(CompileForCortexM4(d), "");
}

}  // namespace
}  // namespace ember::test
