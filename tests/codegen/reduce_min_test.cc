// REDUCE_MIN kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(ReduceMinKernel, Int8) {
  KernelCase(ir::OpKind::kReduceMin)
      .In(DType::kInt8, {1, 7, 5, 12}, Quant(0.05f, -3))
      .Out(DType::kInt8, {1, 1, 1, 12}, Quant(0.05f, -3))
      .Attr("axes", std::vector<int64_t>{1, 2})
      .Attr("keep_dims", int64_t{1})
      .Expect();
  KernelCase(ir::OpKind::kReduceMin)
      .In(DType::kInt8, {4, 3, 6}, Quant(0.05f, 2))
      .Out(DType::kInt8, {3}, Quant(0.05f, 2))
      .Attr("axes", std::vector<int64_t>{0, 2})
      .Expect();
}

TEST(ReduceMinKernel, Float) {
  KernelCase(ir::OpKind::kReduceMin)
      .In(DType::kFloat32, {2, 5, 5, 3})
      .Out(DType::kFloat32, {2, 3})
      .Attr("axes", std::vector<int64_t>{1, 2})
      .Expect();
  KernelCase(ir::OpKind::kReduceMin)
      .In(DType::kFloat32, {3, 8})
      .Out(DType::kFloat32, {3, 1})
      .Attr("axes", std::vector<int64_t>{1})
      .Attr("keep_dims", int64_t{1})
      .Expect();
}

TEST(ReduceMinKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kReduceMin);
  c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.1f, 0)).Out(DType::kInt8, {1, 8}, Quant(0.1f, 0)).Attr("axes", std::vector<int64_t>{1, 2});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
