// REDUCE_PROD kernels: generated C equals the reference evaluator byte for
// byte (float32 products in the reference's order; int32 wrapping).
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(ReduceProdKernel, Float) {
  KernelCase(ir::OpKind::kReduceProd)
      .In(DType::kFloat32, {2, 5, 5, 3})
      .Out(DType::kFloat32, {2, 3})
      .Attr("axes", std::vector<int64_t>{1, 2})
      .Expect();
  KernelCase(ir::OpKind::kReduceProd)
      .In(DType::kFloat32, {3, 4, 2})
      .Out(DType::kFloat32, {1, 4, 1})
      .Attr("axes", std::vector<int64_t>{0, 2})
      .Attr("keep_dims", int64_t{1})
      .Expect();
}

TEST(ReduceProdKernel, Int32Wraps) {
  KernelCase(ir::OpKind::kReduceProd)
      .In(DType::kInt32, {6, 40})
      .Out(DType::kInt32, {6})
      .Attr("axes", std::vector<int64_t>{1})
      .Expect();
}

TEST(ReduceProdKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kReduceProd);
  c.In(DType::kFloat32, {1, 4, 4, 8}).Out(DType::kFloat32, {1, 8}).Attr("axes", std::vector<int64_t>{1, 2});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
