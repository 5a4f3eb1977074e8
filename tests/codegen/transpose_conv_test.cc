// TRANSPOSE_CONV kernels: generated C equals the reference evaluator byte for
// byte (int8 per-channel and per-tensor, float32 in the reference's
// accumulation order), across strides, crops and output paddings.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

struct Geometry {
  int64_t in_h, in_w, k_h, k_w, s_h, s_w;
  std::vector<int64_t> pad;
  std::vector<int64_t> out_pad;
};

const Geometry kGeometries[] = {
    {4, 5, 3, 3, 2, 2, {1, 1, 0, 0}, {1, 1}},  // SAME-like 2x upsampling
    {3, 3, 2, 2, 2, 2, {0, 0, 0, 0}, {0, 0}},  // non-overlapping blocks
    {5, 4, 3, 2, 1, 1, {1, 0, 1, 1}, {0, 0}},  // stride 1, asymmetric crop
    {2, 3, 4, 4, 3, 2, {2, 1, 0, 2}, {2, 1}},  // filter larger than the stride, odd stride
    {3, 2, 1, 1, 2, 3, {0, 0, 0, 0}, {0, 2}},  // 1x1 filter: holes get only the bias
};

ir::Shape OutShape(const Geometry& g, int64_t batch, int64_t oc) {
  return {batch, (g.in_h - 1) * g.s_h + g.k_h - g.pad[0] - g.pad[2] + g.out_pad[0],
          (g.in_w - 1) * g.s_w + g.k_w - g.pad[1] - g.pad[3] + g.out_pad[1], oc};
}

TEST(TransposeConvKernel, Int8PerChannel) {
  uint32_t seed = 5;
  for (const Geometry& g : kGeometries) {
    for (const char* act : {"none", "relu6"}) {
      seed += 3;
      KernelCase(ir::OpKind::kTransposeConv)
          .In(DType::kInt8, {2, g.in_h, g.in_w, 3}, Quant(0.05f, -7), seed)
          .Const(DType::kInt8, {4, g.k_h, g.k_w, 3}, QuantPerAxis({0.01f, 0.02f, 0.005f, 0.03f}, 0), seed + 1)
          .Const(DType::kInt32, {4}, std::nullopt, seed + 2)
          .Out(DType::kInt8, OutShape(g, 2, 4), Quant(0.2f, 5))
          .Attr("stride", std::vector<int64_t>{g.s_h, g.s_w})
          .Attr("pad", g.pad)
          .Attr("output_padding", g.out_pad)
          .Attr("act", std::string(act))
          .Expect();
    }
  }
}

TEST(TransposeConvKernel, Int8PerTensorWithoutBias) {
  const Geometry& g = kGeometries[0];
  KernelCase(ir::OpKind::kTransposeConv)
      .In(DType::kInt8, {1, g.in_h, g.in_w, 8}, Quant(0.05f, 3))
      .Const(DType::kInt8, {6, g.k_h, g.k_w, 8}, QuantPerAxis({0.02f}, 0))
      .Out(DType::kInt8, OutShape(g, 1, 6), Quant(0.3f, -2))
      .Attr("stride", std::vector<int64_t>{g.s_h, g.s_w})
      .Attr("pad", g.pad)
      .Attr("output_padding", g.out_pad)
      .Expect();
}

TEST(TransposeConvKernel, Float) {
  for (const Geometry& g : kGeometries) {
    KernelCase(ir::OpKind::kTransposeConv)
        .In(DType::kFloat32, {1, g.in_h, g.in_w, 3})
        .Const(DType::kFloat32, {2, g.k_h, g.k_w, 3})
        .Const(DType::kFloat32, {2})
        .Out(DType::kFloat32, OutShape(g, 1, 2))
        .Attr("stride", std::vector<int64_t>{g.s_h, g.s_w})
        .Attr("pad", g.pad)
        .Attr("output_padding", g.out_pad)
        .Attr("act", std::string("relu"))
        .Expect();
  }
}

TEST(TransposeConvKernel, CompilesForCortexM4) {
  const Geometry& g = kGeometries[0];
  KernelCase c(ir::OpKind::kTransposeConv);
  c.In(DType::kInt8, {1, g.in_h, g.in_w, 3}, Quant(0.05f, -7))
      .Const(DType::kInt8, {4, g.k_h, g.k_w, 3}, QuantPerAxis({0.01f, 0.02f, 0.005f, 0.03f}, 0))
      .Const(DType::kInt32, {4})
      .Out(DType::kInt8, OutShape(g, 1, 4), Quant(0.2f, 5))
      .Attr("stride", std::vector<int64_t>{g.s_h, g.s_w})
      .Attr("pad", g.pad)
      .Attr("output_padding", g.out_pad);
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase f(ir::OpKind::kTransposeConv);
  f.In(DType::kFloat32, {1, 3, 3, 2})
      .Const(DType::kFloat32, {2, 3, 3, 2})
      .Out(DType::kFloat32, {1, 6, 6, 2})
      .Attr("stride", std::vector<int64_t>{2, 2})
      .Attr("pad", std::vector<int64_t>{1, 1, 0, 0})
      .Attr("output_padding", std::vector<int64_t>{1, 1});
  EXPECT_EQ(CompileForCortexM4(f), "");
}

}  // namespace
}  // namespace ember::test
