// HARD_SWISH kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(HardSwishKernel, Int8SeveralScales) {
  struct Q {
    float s_in;
    int64_t z_in;
    float s_out;
    int64_t z_out;
  };
  uint32_t seed = 21;
  for (const Q& q : {Q{0.05f, 0, 0.03f, -10}, Q{0.1f, -50, 0.05f, -100}, Q{0.02f, 20, 0.02f, 20},
                     Q{0.3f, -128, 0.2f, -128}, Q{0.0123f, 5, 0.0089f, -7}}) {
    KernelCase(ir::OpKind::kHardSwish)
        .In(DType::kInt8, {1, 7, 7, 12}, Quant(q.s_in, q.z_in), seed++)
        .Out(DType::kInt8, {1, 7, 7, 12}, Quant(q.s_out, q.z_out))
        .Expect();
  }
}

TEST(HardSwishKernel, Float) {
  KernelCase(ir::OpKind::kHardSwish).In(DType::kFloat32, {2, 99}).Out(DType::kFloat32, {2, 99}).Expect();
}

TEST(HardSwishKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kHardSwish);
  c.In(DType::kInt8, {64}, Quant(0.05f, 0)).Out(DType::kInt8, {64}, Quant(0.03f, -10));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase f(ir::OpKind::kHardSwish);
  f.In(DType::kFloat32, {64}).Out(DType::kFloat32, {64});
  EXPECT_EQ(CompileForCortexM4(f), "");
}

}  // namespace
}  // namespace ember::test
