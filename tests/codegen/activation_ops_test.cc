// LEAKY_RELU, PRELU, CLIP and HARD_SIGMOID kernels: generated C equals the reference
// evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(LeakyReluKernel, Int8) {
  uint32_t seed = 3;
  for (double alpha : {0.01, 0.2, 0.0, -0.5, 1.5}) {
    KernelCase(ir::OpKind::kLeakyRelu)
        .In(DType::kInt8, {2, 64}, Quant(0.05f, 7), seed++)
        .Out(DType::kInt8, {2, 64}, Quant(0.031f, -12))
        .Attr("alpha", alpha)
        .Expect();
  }
}

TEST(LeakyReluKernel, Float) {
  KernelCase c(ir::OpKind::kLeakyRelu);
  c.In(DType::kFloat32, {3, 33}).Out(DType::kFloat32, {3, 33}).Attr("alpha", 0.01).Expect();
  EXPECT_TRUE(c.Emit()->inplace_ok);
}

TEST(PreluKernel, Int8PerChannel) {
  KernelCase c(ir::OpKind::kPrelu);
  c.In(DType::kInt8, {1, 6, 5, 8}, Quant(0.043f, -9))
      .Const(DType::kInt8, {8}, Quant(0.0079f, 3))
      .Out(DType::kInt8, {1, 6, 5, 8}, Quant(0.05f, 4))
      .Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_TRUE(k->inplace_ok);
  KernelCase(ir::OpKind::kPrelu)
      .In(DType::kInt8, {2, 3, 4}, Quant(0.5f, 0))
      .In(DType::kInt8, {3, 1}, Quant(0.01f, -2))
      .Out(DType::kInt8, {2, 3, 4}, Quant(0.7f, 1))
      .Expect();
}

TEST(PreluKernel, Float) {
  KernelCase(ir::OpKind::kPrelu)
      .In(DType::kFloat32, {1, 4, 4, 6})
      .Const(DType::kFloat32, {1, 1, 6})
      .Out(DType::kFloat32, {1, 4, 4, 6})
      .Expect();
  KernelCase(ir::OpKind::kPrelu)
      .In(DType::kFloat32, {1, 4})
      .In(DType::kFloat32, {3, 1})
      .Out(DType::kFloat32, {3, 4})
      .Expect();
}

TEST(ClipKernel, Int8) {
  uint32_t seed = 11;
  KernelCase(ir::OpKind::kClip)
      .In(DType::kInt8, {100}, Quant(0.05f, 3), seed++)
      .Out(DType::kInt8, {100}, Quant(0.05f, 3))
      .Attr("min", -1.0)
      .Attr("max", 2.5)
      .Expect();
  KernelCase(ir::OpKind::kClip)
      .In(DType::kInt8, {100}, Quant(0.05f, 3), seed++)
      .Out(DType::kInt8, {100}, Quant(0.02f, -100))
      .Attr("max", 1.0)
      .Expect();
}

TEST(ClipKernel, Float) {
  KernelCase(ir::OpKind::kClip)
      .In(DType::kFloat32, {64})
      .Out(DType::kFloat32, {64})
      .Attr("min", -1.5)
      .Attr("max", 6.0)
      .Expect();
  KernelCase c(ir::OpKind::kClip);
  c.In(DType::kFloat32, {64}).Out(DType::kFloat32, {64}).Attr("min", 0.0).Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->code.find(" < v"), std::string::npos) << k->code;  // no upper bound emitted
  KernelCase(ir::OpKind::kClip).In(DType::kFloat32, {8}).Out(DType::kFloat32, {8}).Expect();
}

TEST(HardSigmoidKernel, Int8AndFloat) {
  KernelCase(ir::OpKind::kHardSigmoid)
      .In(DType::kInt8, {3, 50}, Quant(0.05f, -7))
      .Out(DType::kInt8, {3, 50}, Quant(1.0f / 256, -128))
      .Expect();
  KernelCase(ir::OpKind::kHardSigmoid)
      .In(DType::kInt8, {3, 50}, Quant(0.02f, 9))
      .Out(DType::kInt8, {3, 50}, Quant(0.01f, 3))
      .Attr("alpha", 1.0 / 6.0)
      .Attr("beta", 0.5)
      .Expect();
  KernelCase c(ir::OpKind::kHardSigmoid);
  c.In(DType::kFloat32, {3, 50}).Out(DType::kFloat32, {3, 50}).Expect();
  EXPECT_TRUE(c.Emit()->inplace_ok);
  KernelCase(ir::OpKind::kHardSigmoid)
      .In(DType::kFloat32, {64})
      .Out(DType::kFloat32, {64})
      .Attr("alpha", 0.3)
      .Attr("beta", -0.25)
      .Expect();
}

TEST(ActivationOpsKernel, CompileForCortexM4) {
  KernelCase p(ir::OpKind::kPrelu);
  p.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2))
      .Const(DType::kInt8, {8}, Quant(0.01f, 0))
      .Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.06f, 1));
  const std::string r = CompileForCortexM4(p);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase l(ir::OpKind::kLeakyRelu);
  l.In(DType::kFloat32, {8}).Out(DType::kFloat32, {8}).Attr("alpha", 0.1);
  EXPECT_EQ(CompileForCortexM4(l), "");
  KernelCase c(ir::OpKind::kClip);
  c.In(DType::kFloat32, {8}).Out(DType::kFloat32, {8}).Attr("min", -1.0).Attr("max", 1.0);
  EXPECT_EQ(CompileForCortexM4(c), "");
  KernelCase h(ir::OpKind::kHardSigmoid);
  h.In(DType::kFloat32, {8}).Out(DType::kFloat32, {8});
  EXPECT_EQ(CompileForCortexM4(h), "");
}

}  // namespace
}  // namespace ember::test
