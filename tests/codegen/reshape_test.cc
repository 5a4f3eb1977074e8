// RESHAPE and SQUEEZE kernels: byte copies flagged is_copy; generated C equals the reference.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(ReshapeKernel, CopiesEveryDtype) {
  for (DType t : {DType::kInt8, DType::kUInt8, DType::kInt16, DType::kInt32, DType::kInt64,
                  DType::kFloat32, DType::kBool}) {
    KernelCase c(ir::OpKind::kReshape);
    c.In(t, {1, 5, 5, 4}, Quant(0.1f, 0)).Out(t, {1, 100}, Quant(0.1f, 0)).Attr("shape", std::vector<int64_t>{1, 100});
    c.Expect();
    auto k = c.Emit();
    ASSERT_TRUE(k.ok()) << k.diag().ToString();
    EXPECT_TRUE(k->is_copy);
    EXPECT_TRUE(k->inplace_ok);
  }
}

TEST(ReshapeKernel, ScalarAndEmpty) {
  KernelCase(ir::OpKind::kReshape).In(DType::kFloat32, {1, 1}).Out(DType::kFloat32, {}).Attr("shape", std::vector<int64_t>{}).Expect();
  KernelCase(ir::OpKind::kReshape).In(DType::kInt8, {0, 4}, Quant(1.0f, 0)).Out(DType::kInt8, {4, 0}, Quant(1.0f, 0)).Attr("shape", std::vector<int64_t>{4, 0}).Expect();
}

TEST(SqueezeKernel, CopiesAndIsCopy) {
  KernelCase c(ir::OpKind::kSqueeze);
  c.In(DType::kInt8, {1, 1, 1, 12}, Quant(0.1f, 0)).Out(DType::kInt8, {1, 12}, Quant(0.1f, 0)).Attr("axes", std::vector<int64_t>{1, 2});
  c.Expect();
  EXPECT_TRUE(c.Emit()->is_copy);
  KernelCase(ir::OpKind::kSqueeze).In(DType::kInt16, {3, 1, 2}).Out(DType::kInt16, {3, 2}).Expect();
}

TEST(ReshapeKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kReshape);
  c.In(DType::kInt8, {1, 5, 5, 4}, Quant(0.1f, 0)).Out(DType::kInt8, {1, 100}, Quant(0.1f, 0)).Attr("shape", std::vector<int64_t>{1, 100});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
