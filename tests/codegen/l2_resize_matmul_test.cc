// Kernels of l2_normalization, resize_bilinear, batch_matmul (f32, int8,
// int16) and the int8 rsqrt: the generated C equals the reference evaluator byte for byte on the
// host, and compiles for the Cortex-M4.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(L2NormalizationKernel, MatchesTheReference) {
  KernelCase(ir::OpKind::kL2Normalization).In(DType::kFloat32, {2, 3, 17}).Out(DType::kFloat32, {2, 3, 17}).Expect();
  KernelCase(ir::OpKind::kL2Normalization).InData(DType::kFloat32, {2, 2}, FloatBytes({0.0f, -0.0f, 1e-30f, 0.0f})).Out(DType::kFloat32, {2, 2}).Expect();
  KernelCase c(ir::OpKind::kL2Normalization);
  c.In(DType::kInt8, {1, 4, 4, 32}, Quant(0.05f, -3)).Out(DType::kInt8, {1, 4, 4, 32}, Quant(1.0f / 128, 0));
  c.Expect();
  EXPECT_TRUE(c.Emit()->inplace_ok);
  // Every squared-sum range the inverse square root normalizes: single
  // elements 0..127 away from the zero point, and long rows.
  std::vector<int8_t> ramp;
  for (int v = -128; v < 128; ++v) ramp.push_back(static_cast<int8_t>(v));
  KernelCase(ir::OpKind::kL2Normalization).InData(DType::kInt8, {256, 1}, ToBytes(ramp), Quant(0.1f, 0)).Out(DType::kInt8, {256, 1}, Quant(1.0f / 128, 0)).Expect();
  KernelCase(ir::OpKind::kL2Normalization).In(DType::kInt8, {3, 3000}, Quant(0.1f, 7)).Out(DType::kInt8, {3, 3000}, Quant(1.0f / 128, 0)).Expect();
}

TEST(ResizeBilinearKernel, MatchesTheReference) {
  for (int flags = 0; flags < 3; ++flags) {
    const int64_t align = flags == 1, half = flags == 2;
    SCOPED_TRACE(flags);
    for (const ir::Shape& out : {ir::Shape{2, 9, 11, 3}, ir::Shape{2, 3, 2, 3}, ir::Shape{2, 1, 1, 3}}) {
      KernelCase(ir::OpKind::kResizeBilinear).In(DType::kFloat32, {2, 4, 5, 3}).Out(DType::kFloat32, out)
          .Attr("size", std::vector<int64_t>{out[1], out[2]}).Attr("align_corners", align).Attr("half_pixel_centers", half).Expect();
      KernelCase(ir::OpKind::kResizeBilinear).In(DType::kInt8, {2, 4, 5, 3}, Quant(0.1f, 3)).Out(DType::kInt8, out, Quant(0.1f, 3))
          .Attr("size", std::vector<int64_t>{out[1], out[2]}).Attr("align_corners", align).Attr("half_pixel_centers", half).Expect();
    }
  }
}

TEST(BatchMatmulKernel, MatchesTheReference) {
  for (int adj = 0; adj < 4; ++adj) {
    const int64_t ax = adj & 1, ay = adj >> 1;
    SCOPED_TRACE(adj);
    const ir::Shape l = ax ? ir::Shape{2, 1, 7, 5} : ir::Shape{2, 1, 5, 7};
    const ir::Shape r = ay ? ir::Shape{3, 4, 7} : ir::Shape{3, 7, 4};
    KernelCase(ir::OpKind::kBatchMatmul).In(DType::kFloat32, l).In(DType::kFloat32, r).Out(DType::kFloat32, {2, 3, 5, 4})
        .Attr("adj_x", ax).Attr("adj_y", ay).Expect();
    KernelCase(ir::OpKind::kBatchMatmul).In(DType::kInt8, l, Quant(0.05f, -3)).Const(DType::kInt8, r, Quant(0.02f, 5))
        .Out(DType::kInt8, {2, 3, 5, 4}, Quant(0.1f, 1)).Attr("adj_x", ax).Attr("adj_y", ay).Expect();
    KernelCase(ir::OpKind::kBatchMatmul).In(DType::kInt8, l, Quant(0.05f, -3)).In(DType::kInt8, r, Quant(0.02f, 5))
        .Out(DType::kInt8, {2, 3, 5, 4}, Quant(0.1f, 1)).Attr("adj_x", ax).Attr("adj_y", ay)
        .Attr("int8_semantics", std::string("onnxruntime")).Expect();
    KernelCase(ir::OpKind::kBatchMatmul).In(DType::kInt16, l, Quant(0.0005f, 0)).Const(DType::kInt16, r, Quant(0.0002f, 0))
        .Out(DType::kInt16, {2, 3, 5, 4}, Quant(0.03f, 0)).Attr("adj_x", ax).Attr("adj_y", ay).Expect();
  }
  KernelCase(ir::OpKind::kBatchMatmul).In(DType::kFloat32, {6, 16}).Const(DType::kFloat32, {16, 10}).Out(DType::kFloat32, {6, 10}).Expect();
}

TEST(RsqrtKernel, Int8IsAReferenceTable) {
  KernelCase c(ir::OpKind::kRsqrt);
  c.In(DType::kInt8, {300}, Quant(0.05f, -20)).Out(DType::kInt8, {300}, Quant(0.02f, -128));
  c.Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok());
  EXPECT_NE(k->code.find("rsqrt_table"), std::string::npos) << k->code;
}

TEST(L2ResizeMatmulKernels, CompileForCortexM4) {
  std::vector<KernelCase> cases;
  cases.emplace_back(ir::OpKind::kL2Normalization);
  cases.back().In(DType::kInt8, {4, 16}, Quant(0.05f, -3)).Out(DType::kInt8, {4, 16}, Quant(1.0f / 128, 0));
  cases.emplace_back(ir::OpKind::kL2Normalization);
  cases.back().In(DType::kFloat32, {4, 16}).Out(DType::kFloat32, {4, 16});
  cases.emplace_back(ir::OpKind::kResizeBilinear);
  cases.back().In(DType::kInt8, {1, 4, 4, 8}, Quant(0.1f, 0)).Out(DType::kInt8, {1, 8, 8, 8}, Quant(0.1f, 0)).Attr("size", std::vector<int64_t>{8, 8}).Attr("half_pixel_centers", int64_t{1});
  cases.emplace_back(ir::OpKind::kResizeBilinear);
  cases.back().In(DType::kFloat32, {1, 4, 4, 8}).Out(DType::kFloat32, {1, 8, 8, 8}).Attr("size", std::vector<int64_t>{8, 8});
  cases.emplace_back(ir::OpKind::kBatchMatmul);
  cases.back().In(DType::kInt8, {2, 4, 8}, Quant(0.05f, 1)).Const(DType::kInt8, {8, 3}, Quant(0.02f, 0)).Out(DType::kInt8, {2, 4, 3}, Quant(0.1f, 0));
  cases.emplace_back(ir::OpKind::kBatchMatmul);
  cases.back().In(DType::kFloat32, {2, 4, 8}).In(DType::kFloat32, {2, 3, 8}).Out(DType::kFloat32, {2, 4, 3}).Attr("adj_y", int64_t{1});
  cases.emplace_back(ir::OpKind::kBatchMatmul);
  cases.back().In(DType::kInt16, {2, 4, 8}, Quant(0.001f, 0)).In(DType::kInt16, {2, 8, 3}, Quant(0.002f, 0)).Out(DType::kInt16, {2, 4, 3}, Quant(0.01f, 0));
  cases.emplace_back(ir::OpKind::kBatchMatmul);
  cases.back().In(DType::kInt8, {2, 4, 8}, Quant(0.05f, 1)).In(DType::kInt8, {2, 8, 3}, Quant(0.02f, -4))
      .Out(DType::kInt8, {2, 4, 3}, Quant(0.1f, 0)).Attr("int8_semantics", std::string("onnxruntime"));
  cases.emplace_back(ir::OpKind::kRsqrt);
  cases.back().In(DType::kInt8, {16}, Quant(0.05f, 0)).Out(DType::kInt8, {16}, Quant(0.05f, 0));
  for (const KernelCase& c : cases) {
    const std::string r = CompileForCortexM4(c);
    if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
    EXPECT_EQ(r, "") << ir::OpIrName(c.graph().nodes[0].op);
  }
}

}  // namespace
}  // namespace ember::test
