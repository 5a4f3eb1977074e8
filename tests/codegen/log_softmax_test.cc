// LOG_SOFTMAX kernels: generated C equals the reference evaluator byte for
// byte (int8 over several input scales and row lengths, float32).
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(LogSoftmaxKernel, Int8) {
  for (float scale : {0.004f, 0.05f, 0.3f, 2.0f}) {
    SCOPED_TRACE(scale);
    KernelCase(ir::OpKind::kLogSoftmax)
        .In(DType::kInt8, {5, 33}, Quant(scale, -7))
        .Out(DType::kInt8, {5, 33}, Quant(0.0625f, 127))
        .Expect();
  }
  KernelCase(ir::OpKind::kLogSoftmax)
      .In(DType::kInt8, {2, 1000}, Quant(0.01f, 0))
      .Out(DType::kInt8, {2, 1000}, Quant(0.0625f, 127))
      .Expect();
}

TEST(LogSoftmaxKernel, Float) {
  KernelCase(ir::OpKind::kLogSoftmax).In(DType::kFloat32, {4, 19}).Out(DType::kFloat32, {4, 19}).Expect();
  KernelCase(ir::OpKind::kLogSoftmax).In(DType::kFloat32, {2, 3, 1}).Out(DType::kFloat32, {2, 3, 1}).Expect();
}

TEST(LogSoftmaxKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kLogSoftmax);
  c.In(DType::kInt8, {2, 12}, Quant(0.1f, 0)).Out(DType::kInt8, {2, 12}, Quant(0.0625f, 127));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
