// The 16x8 kernels (int16 activations, int8 weights, int32 or int64 bias)
// against the reference evaluator, byte for byte, on the host: conv2d,
// depthwise_conv2d and fully_connected (int64 and int32 accumulation, tap
// sums narrow and wide), transpose_conv (int64, int16 or no bias), add, sub,
// mul and the pools. The cortex-m4 variant
// (whose DSP kernels are int8 only) must take the portable path, run equal on
// the host and compile warning-free with arm-none-eabi-gcc.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;
using I64s = std::vector<int64_t>;

std::vector<int64_t> Bias64(size_t n, int64_t scale) {
  std::vector<int64_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = (static_cast<int64_t>(i * 7919 % 201) - 100) * scale;
  return b;
}

std::vector<int32_t> Bias32(size_t n) {
  std::vector<int32_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<int32_t>(i * 104729 % 400001) - 200000;
  return b;
}

// Host, then the cortex-m4 variant on the host, then a cortex-m4 compile.
void ExpectEverywhere(const KernelCase& c) {
  c.Expect();
  ExpectKernelMatchesReference(c.graph(), c.inputs(), 0.0, "cortex-m4");
  const std::string m4 = CompileForCortexM4(c);
  if (m4 == "skip") GTEST_SKIP() << "arm-none-eabi-gcc not installed; cortex-m4 compile skipped";
  EXPECT_EQ(m4, "");
}

struct ConvCase {
  int64_t in_h, in_w, in_c, out_c, k_h, k_w, stride, dilation, groups;
  I64s pad;
  const char* act;
  int bias;  // 0 none, 32 int32, 64 int64
};

KernelCase Conv(const ConvCase& p) {
  const int64_t f_c = p.in_c / p.groups;
  const int64_t out_h = (p.in_h + p.pad[0] + p.pad[2] - p.dilation * (p.k_h - 1) - 1) / p.stride + 1;
  const int64_t out_w = (p.in_w + p.pad[1] + p.pad[3] - p.dilation * (p.k_w - 1) - 1) / p.stride + 1;
  std::vector<float> scales;
  for (int64_t c = 0; c < p.out_c; ++c) scales.push_back(0.01f + 0.001f * static_cast<float>(c));
  KernelCase c(ir::OpKind::kConv2D);
  c.In(DType::kInt16, {1, p.in_h, p.in_w, p.in_c}, Quant(0.001f, 0))
      .Const(DType::kInt8, {p.out_c, p.k_h, p.k_w, f_c}, QuantPerAxis(scales, 0));
  if (p.bias == 64) c.node().Const<int64_t>({p.out_c}, Bias64(static_cast<size_t>(p.out_c), 1000));
  if (p.bias == 32) c.node().Const<int32_t>({p.out_c}, Bias32(static_cast<size_t>(p.out_c)));
  if (p.bias == 0) c.node().Absent();
  c.Out(DType::kInt16, {1, out_h, out_w, p.out_c}, Quant(0.002f, 0))
      .Attr("stride", I64s{p.stride, p.stride})
      .Attr("dilation", I64s{p.dilation, p.dilation})
      .Attr("pad", p.pad)
      .Attr("act", std::string(p.act));
  return c;
}

TEST(Int16Kernels, Conv2D) {
  const std::vector<ConvCase> cases = {
      {8, 10, 2, 8, 7, 7, 1, 1, 1, {0, 0, 0, 0}, "none", 64},   // seanet's first layer shape
      {6, 7, 8, 5, 3, 3, 1, 1, 1, {1, 1, 1, 1}, "relu", 64},    // borders, narrow sums
      {9, 9, 32, 4, 5, 5, 2, 1, 1, {2, 2, 2, 2}, "none", 64},   // wide sums (uint64)
      {7, 8, 4, 6, 3, 2, 1, 2, 2, {2, 1, 2, 1}, "relu6", 64},   // dilation, groups
      {5, 5, 3, 4, 1, 1, 1, 1, 1, {0, 0, 0, 0}, "none", 0},     // no bias: int64 path
      {6, 6, 4, 3, 3, 3, 2, 1, 1, {0, 0, 1, 1}, "none", 32},    // int32 bias: Mbqm path
      {9, 9, 40, 2, 5, 5, 1, 1, 1, {2, 2, 2, 2}, "none", 32},   // int32, wrapping sums
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    ExpectEverywhere(Conv(cases[i]));
  }
}

TEST(Int16Kernels, DepthwiseConv2D) {
  struct Dw {
    int64_t in_h, in_w, in_c, dm, k, stride;
    I64s pad;
    int bias;
  };
  for (const Dw& p : {Dw{6, 7, 4, 1, 3, 1, {1, 1, 1, 1}, 64}, Dw{8, 8, 3, 2, 5, 2, {2, 2, 1, 1}, 64},
                      Dw{5, 5, 8, 1, 3, 1, {0, 0, 0, 0}, 0}}) {
    const int64_t out_c = p.in_c * p.dm;
    const int64_t out_h = (p.in_h + p.pad[0] + p.pad[2] - p.k) / p.stride + 1;
    const int64_t out_w = (p.in_w + p.pad[1] + p.pad[3] - p.k) / p.stride + 1;
    std::vector<float> scales(static_cast<size_t>(out_c), 0.02f);
    scales[0] = 0.013f;
    KernelCase c(ir::OpKind::kDepthwiseConv2D);
    c.In(DType::kInt16, {1, p.in_h, p.in_w, p.in_c}, Quant(0.001f, 0))
        .Const(DType::kInt8, {1, p.k, p.k, out_c}, QuantPerAxis(scales, 3));
    if (p.bias == 64) c.node().Const<int64_t>({out_c}, Bias64(static_cast<size_t>(out_c), 300));
    else c.node().Absent();
    c.Out(DType::kInt16, {1, out_h, out_w, out_c}, Quant(0.003f, 0))
        .Attr("stride", I64s{p.stride, p.stride})
        .Attr("pad", p.pad)
        .Attr("depth_multiplier", p.dm);
    ExpectEverywhere(c);
  }
}

TEST(Int16Kernels, FullyConnected) {
  for (int bias : {64, 32, 0}) {
    for (bool per_channel : {false, true}) {
      SCOPED_TRACE("bias " + std::to_string(bias) + (per_channel ? " per-channel" : " per-tensor"));
      const int64_t units = 6, depth = 37;
      KernelCase c(ir::OpKind::kFullyConnected);
      c.In(DType::kInt16, {2, depth}, Quant(0.0007f, 0))
          .Const(DType::kInt8, {units, depth},
                 per_channel ? QuantPerAxis({0.01f, 0.02f, 0.03f, 0.015f, 0.011f, 0.04f}, 0) : Quant(0.012f, 0));
      if (bias == 64) c.node().Const<int64_t>({units}, Bias64(units, 5000));
      if (bias == 32) c.node().Const<int32_t>({units}, Bias32(units));
      if (bias == 0) c.node().Absent();
      c.Out(DType::kInt16, {2, units}, Quant(0.0005f, 0)).Attr("act", std::string("relu_n1_to_1"));
      ExpectEverywhere(c);
    }
  }
}

TEST(Int16Kernels, AddSubMul) {
  for (ir::OpKind op : {ir::OpKind::kAdd, ir::OpKind::kSub, ir::OpKind::kMul}) {
    SCOPED_TRACE(ir::OpIrName(op));
    KernelCase same(op);
    same.In(DType::kInt16, {2, 5, 7}, Quant(0.0009f, 0))
        .In(DType::kInt16, {2, 5, 7}, Quant(0.0004f, 0))
        .Out(DType::kInt16, {2, 5, 7}, Quant(op == ir::OpKind::kMul ? 0.01f : 0.0011f, 0));
    ExpectEverywhere(same);
    KernelCase bcast(op);
    bcast.In(DType::kInt16, {1, 2, 12, 8}, Quant(0.00097f, 0))
        .In(DType::kInt16, {8}, Quant(8.7e-6f, 0))
        .Out(DType::kInt16, {1, 2, 12, 8}, Quant(op == ir::OpKind::kMul ? 1e-5f : 0.001f, 0))
        .Attr("act", std::string("relu"));
    ExpectEverywhere(bcast);
  }
}

TEST(Int16Kernels, Pools) {
  for (ir::OpKind op : {ir::OpKind::kAveragePool2D, ir::OpKind::kMaxPool2D}) {
    SCOPED_TRACE(ir::OpIrName(op));
    KernelCase c(op);
    c.In(DType::kInt16, {2, 7, 9, 3}, Quant(0.001f, 0))
        .Out(DType::kInt16, {2, 4, 5, 3}, Quant(0.001f, 0))
        .Attr("filter", I64s{3, 3})
        .Attr("stride", I64s{2, 2})
        .Attr("pad", I64s{1, 1, 1, 1})
        .Attr("act", std::string("relu6"));
    ExpectEverywhere(c);
  }
}

// transpose_conv 16x8 (TFLite Micro accumulates in int64 whatever the bias:
// int64, int16 widened, or none; an int32 bias is refused).
TEST(Int16Kernels, TransposeConv) {
  struct Tc {
    int64_t in_h, in_w, in_c, out_c, k, stride;
    I64s pad, out_pad;
    const char* act;
    int bias;  // 0 none, 16 int16, 64 int64
  };
  for (const Tc& p : {Tc{4, 5, 3, 4, 3, 2, {1, 1, 0, 0}, {1, 1}, "none", 64},   // 2x upsampling
                      Tc{3, 6, 2, 8, 4, 2, {1, 1, 1, 1}, {0, 0}, "relu", 16},   // seanet-like, int16 bias
                      Tc{5, 4, 40, 3, 5, 1, {2, 2, 2, 2}, {0, 0}, "none", 0},   // wide sums (uint64)
                      Tc{2, 3, 5, 2, 3, 3, {0, 1, 2, 0}, {2, 1}, "relu6", 64}}) {
    const int64_t out_h = (p.in_h - 1) * p.stride + p.k - p.pad[0] - p.pad[2] + p.out_pad[0];
    const int64_t out_w = (p.in_w - 1) * p.stride + p.k - p.pad[1] - p.pad[3] + p.out_pad[1];
    std::vector<float> scales;
    for (int64_t c = 0; c < p.out_c; ++c) scales.push_back(0.01f + 0.002f * static_cast<float>(c));
    KernelCase c(ir::OpKind::kTransposeConv);
    c.In(DType::kInt16, {2, p.in_h, p.in_w, p.in_c}, Quant(0.001f, 0))
        .Const(DType::kInt8, {p.out_c, p.k, p.k, p.in_c}, QuantPerAxis(scales, 0));
    if (p.bias == 64) c.node().Const<int64_t>({p.out_c}, Bias64(static_cast<size_t>(p.out_c), 1000));
    if (p.bias == 16) c.Const(DType::kInt16, {p.out_c}, std::nullopt, 11);
    if (p.bias == 0) c.node().Absent();
    c.Out(DType::kInt16, {2, out_h, out_w, p.out_c}, Quant(0.002f, 0))
        .Attr("stride", I64s{p.stride, p.stride})
        .Attr("pad", p.pad)
        .Attr("output_padding", p.out_pad)
        .Attr("act", std::string(p.act));
    ExpectEverywhere(c);
  }
  KernelCase bad(ir::OpKind::kTransposeConv);
  bad.In(DType::kInt16, {1, 2, 2, 1}, Quant(0.001f, 0))
      .Const(DType::kInt8, {1, 2, 2, 1}, QuantPerAxis({0.01f}, 0))
      .Const(DType::kInt32, {1})
      .Out(DType::kInt16, {1, 4, 4, 1}, Quant(0.002f, 0))
      .Attr("stride", I64s{2, 2})
      .Attr("pad", I64s{0, 0, 0, 0});
  const auto k = bad.Emit();
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.diag().message.find("16x8 transpose_conv has a i32 bias"), std::string::npos) << k.diag().ToString();
}

TEST(Int16Kernels, LeakyReluAndRequantize) {
  KernelCase lr(ir::OpKind::kLeakyRelu);
  lr.In(DType::kInt16, {3, 50}, Quant(0.0011f, 0)).Out(DType::kInt16, {3, 50}, Quant(0.0009f, 0)).Attr("alpha", 0.2);
  ExpectEverywhere(lr);
  KernelCase up(ir::OpKind::kQuantize);
  up.In(DType::kInt8, {300}, Quant(0.05f, -3)).Out(DType::kInt16, {300}, Quant(0.0004f, 0));
  ExpectEverywhere(up);
}

}  // namespace
}  // namespace ember::test
