// MEAN kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(MeanKernel, Int8OverHeightAndWidth) {
  for (int64_t keep : {0, 1}) {
    const ir::Shape out = keep ? ir::Shape{1, 1, 1, 24} : ir::Shape{1, 24};
    KernelCase c(ir::OpKind::kMean);
    c.In(DType::kInt8, {1, 5, 5, 24}, Quant(0.047f, -11), 3)
        .Out(DType::kInt8, out, Quant(0.021f, 7))
        .Attr("axes", std::vector<int64_t>{1, 2})
        .Attr("keep_dims", keep)
        .Expect();
    // H and W merge into one inner loop of 25 with stride 24.
    auto k = c.Emit();
    ASSERT_TRUE(k.ok());
    EXPECT_NE(k->code.find("r0 < 25"), std::string::npos) << k->code;
  }
}

TEST(MeanKernel, Int8OtherAxes) {
  KernelCase(ir::OpKind::kMean)
      .In(DType::kInt8, {2, 3, 4, 5}, Quant(0.1f, 0))
      .Out(DType::kInt8, {3, 5}, Quant(0.1f, 0))
      .Attr("axes", std::vector<int64_t>{0, 2})
      .Expect();
  KernelCase(ir::OpKind::kMean)
      .In(DType::kInt8, {4, 6}, Quant(0.02f, 100))
      .Out(DType::kInt8, {4, 1}, Quant(0.5f, -128))
      .Attr("axes", std::vector<int64_t>{1})
      .Attr("keep_dims", int64_t{1})
      .Expect();
  KernelCase(ir::OpKind::kMean)
      .In(DType::kInt8, {1, 7, 7, 3}, Quant(0.3f, -4))
      .Out(DType::kInt8, {}, Quant(0.05f, 2))
      .Attr("axes", std::vector<int64_t>{0, 1, 2, 3})
      .Expect();
}

TEST(MeanKernel, Float) {
  KernelCase(ir::OpKind::kMean)
      .In(DType::kFloat32, {1, 6, 6, 8})
      .Out(DType::kFloat32, {1, 1, 1, 8})
      .Attr("axes", std::vector<int64_t>{1, 2})
      .Attr("keep_dims", int64_t{1})
      .Expect();
  KernelCase(ir::OpKind::kMean)
      .In(DType::kFloat32, {3, 4, 5})
      .Out(DType::kFloat32, {3, 5})
      .Attr("axes", std::vector<int64_t>{1})
      .Expect();
}

TEST(MeanKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kMean);
  c.In(DType::kInt8, {1, 5, 5, 24}, Quant(0.047f, -11))
      .Out(DType::kInt8, {1, 24}, Quant(0.021f, 7))
      .Attr("axes", std::vector<int64_t>{1, 2});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
