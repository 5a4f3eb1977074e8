// conv2d C kernel: generated C against the reference evaluator, byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "codegen/conv_cases.h"

namespace ember::test {
namespace {

void Check(const ConvCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildConv(k, &input);
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(Conv2DKernel, KwsFirstLayer10x4Stride2) {
  ConvCase k;
  k.h = 49, k.w = 10, k.c = 1, k.oc = 64, k.kh = 10, k.kw = 4;
  k.stride = {2, 2}, k.pad = {4, 1, 5, 1}, k.act = "relu", k.zin = 83, k.zout = -128;
  Check(k);
}

TEST(Conv2DKernel, Pointwise64To64IsExact) {
  ConvCase k;
  k.h = 25, k.w = 5, k.c = 64, k.oc = 64, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  k.act = "relu", k.zin = -128, k.zout = -128;
  Check(k);
}

TEST(Conv2DKernel, PointwiseOddChannelsBatchNoBiasRelu6) {
  ConvCase k;
  k.n = 2, k.h = 3, k.w = 4, k.c = 5, k.oc = 7, k.kh = 1, k.kw = 1, k.pad = {0, 0, 0, 0};
  k.act = "relu6", k.bias = false, k.per_channel = false;
  Check(k);
}

TEST(Conv2DKernel, Same3x3Stride1PerTensorRelu6) {
  ConvCase k;
  k.h = 12, k.w = 10, k.c = 8, k.oc = 16, k.act = "relu6", k.per_channel = false;
  Check(k);
}

TEST(Conv2DKernel, Valid3x3Stride2NoBias) {
  ConvCase k;
  k.h = 11, k.w = 9, k.c = 3, k.oc = 7, k.stride = {2, 2}, k.pad = {0, 0, 0, 0}, k.bias = false;
  Check(k);
}

TEST(Conv2DKernel, SameStride2OddPadding) {
  ConvCase k;
  k.h = 10, k.w = 9, k.c = 4, k.oc = 6, k.stride = {2, 2}, k.pad = {0, 1, 1, 1};
  k.act = "relu_n1_to_1";
  Check(k);
}

TEST(Conv2DKernel, Dilation2) {
  ConvCase k;
  k.h = 9, k.w = 7, k.c = 3, k.oc = 5, k.dilation = {2, 2}, k.pad = {2, 2, 2, 2}, k.act = "relu";
  Check(k);
  k.dilation = {2, 3}, k.pad = {1, 3, 2, 2}, k.stride = {2, 1};
  Check(k);
}

TEST(Conv2DKernel, GroupedConv) {
  ConvCase k;
  k.h = 6, k.w = 6, k.c = 4, k.oc = 6, k.groups = 2;
  Check(k);
}

TEST(Conv2DKernel, BatchOf2AndOneByOneStride2) {
  ConvCase k;
  k.n = 2, k.h = 7, k.w = 6, k.c = 4, k.oc = 8;
  Check(k);
  k.kh = 1, k.kw = 1, k.stride = {2, 2}, k.pad = {0, 0, 0, 0};
  Check(k);
}

TEST(Conv2DKernel, WrappingAccumulatorMatchesReference) {
  // A bias near INT32_MAX: partial sums leave the int32 range, the kernel must
  // switch to wrapping arithmetic and still agree with the reference.
  ConvCase k;
  k.h = 5, k.w = 5, k.c = 8, k.oc = 4, k.seed = 9;
  std::vector<uint8_t> input;
  OneNode t = BuildConv(k, &input);
  t.in_tensor(2).data = ToBytes(std::vector<int32_t>{2147483000, -2147483000, 2147480000, 5});
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(Conv2DKernel, Float) {
  ConvCase k;
  k.is_float = true, k.h = 9, k.w = 8, k.c = 3, k.oc = 5, k.act = "relu";
  Check(k);
  k.bias = false, k.dilation = {2, 2}, k.stride = {2, 1}, k.act = "relu6";
  Check(k);
  k.kh = 1, k.kw = 1, k.stride = {1, 1}, k.dilation = {1, 1}, k.pad = {0, 0, 0, 0}, k.act = "none";
  Check(k);
}

// The float32 kernels' blocks (four output channels per pass; pointwise: two
// rows by four units) and their remainders: the same bytes as the reference.
TEST(Conv2DKernel, FloatBlocksAndRemainders) {
  ConvCase kws;  // the first layer of a keyword spotter: mostly border pixels
  kws.is_float = true, kws.h = 49, kws.w = 10, kws.c = 1, kws.oc = 64, kws.kh = 10, kws.kw = 4;
  kws.stride = {2, 2}, kws.pad = {5, 1, 5, 1}, kws.act = "relu";
  Check(kws);
  for (const int64_t oc : {3, 4, 6, 9}) {
    SCOPED_TRACE("oc " + std::to_string(oc));
    ConvCase k;
    k.is_float = true, k.h = 7, k.w = 6, k.c = 5, k.oc = oc, k.act = "clip", k.act_min = -0.3, k.act_max = 0.45;
    Check(k);  // 3x3 same, interior and border pixels
    k.dilation = {2, 1}, k.stride = {1, 2}, k.bias = false;
    Check(k);
    ConvCase p = PointwiseConv(3, 5, 6, oc, 7);  // 15 rows: blocks of two and the last row
    p.is_float = true, p.n = 1, p.act = "relu6";
    Check(p);
    p.n = 2, p.h = 1, p.w = 1, p.bias = false, p.act = "none";  // 2 rows: one block
    Check(p);
    p.n = 1;  // 1 row: the last row only
    Check(p);
  }
}

TEST(Conv2DKernel, CodeIsSpecializedAndCommented) {
  ConvCase k;
  k.h = 49, k.w = 10, k.c = 1, k.oc = 64, k.kh = 10, k.kw = 4;
  k.stride = {2, 2}, k.pad = {4, 1, 5, 1}, k.act = "relu";
  std::vector<uint8_t> input;
  OneNode t = BuildConv(k, &input);
  std::string src;
  auto r = RunKernelInC(t.graph(), 0, {input}, "host", &src);
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_NE(src.find("/* conv2d 'conv': i8[1,49,10,1] -> i8[1,25,5,64], filter 10x4, stride 2x2, "
                     "pad [4,1,5,1], act relu"),
            std::string::npos)
      << src;
  EXPECT_NE(src.find("static void kernel_0(const int8_t* in0, int8_t* out0)"), std::string::npos);
  EXPECT_NE(src.find("per-channel multipliers (64)"), std::string::npos);
}

TEST(Conv2DKernel, NonConstantFilterIsRejected) {
  OneNode t(ir::OpKind::kConv2D, "conv");
  t.InBytes(ir::DType::kFloat32, {1, 4, 4, 1}, std::vector<uint8_t>(64));
  t.InBytes(ir::DType::kFloat32, {1, 1, 1, 1}, std::vector<uint8_t>(4));
  t.Out(ir::DType::kFloat32, {1, 4, 4, 1});
  t.Attr("stride", std::vector<int64_t>{1, 1}).Attr("pad", std::vector<int64_t>{0, 0, 0, 0});
  auto target = codegen::c::ParseTarget("host");
  codegen::c::ConstPool consts("k");
  codegen::c::KernelContext ctx{t.graph(), t.node(), 0, "f", consts, *target};
  auto k = codegen::c::GetEmitter(ir::OpKind::kConv2D).emit(ctx);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.diag().id, "E0502");
}

TEST(Conv2DKernel, CompilesForCortexM4) {
  ConvCase k;
  k.h = 49, k.w = 10, k.c = 1, k.oc = 64, k.kh = 10, k.kw = 4;
  k.stride = {2, 2}, k.pad = {4, 1, 5, 1}, k.act = "relu";
  std::vector<uint8_t> input;
  ExpectCompilesForCortexM4(BuildConv(k, &input).graph());
  ConvCase p;
  p.kh = 1, p.kw = 1, p.pad = {0, 0, 0, 0}, p.is_float = true;
  ExpectCompilesForCortexM4(BuildConv(p, &input).graph());
  ConvCase w;
  w.h = 5, w.w = 5, w.c = 8, w.oc = 4;
  OneNode t = BuildConv(w, &input);
  t.in_tensor(2).data = ToBytes(std::vector<int32_t>{2147483000, -2147483000, 2147480000, 5});
  ExpectCompilesForCortexM4(t.graph());
}

}  // namespace
}  // namespace ember::test
