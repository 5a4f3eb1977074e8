// depthwise_conv2d C kernel: generated C against the reference evaluator, byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "codegen/conv_test_util.h"

namespace ember::test {
namespace {

struct DwCase {
  int64_t n = 1, h = 8, w = 8, c = 8, dm = 1, kh = 3, kw = 3;
  std::vector<int64_t> stride{1, 1}, dilation{1, 1}, pad{1, 1, 1, 1};
  std::string act = "none";
  bool bias = true, per_channel = true, is_float = false;
  int64_t zin = -7, zout = 2;
  uint32_t seed = 11;
};

int64_t OutSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pa) {
  return (in + pb + pa - ((k - 1) * d + 1)) / s + 1;
}

OneNode BuildDw(const DwCase& k, std::vector<uint8_t>* input) {
  OneNode t(ir::OpKind::kDepthwiseConv2D, "dw");
  const int64_t oc = k.c * k.dm;
  const size_t fsize = static_cast<size_t>(k.kh * k.kw * oc);
  const size_t isize = static_cast<size_t>(k.n * k.h * k.w * k.c);
  const ir::Shape out{k.n, OutSize(k.h, k.kh, k.stride[0], k.dilation[0], k.pad[0], k.pad[2]),
                      OutSize(k.w, k.kw, k.stride[1], k.dilation[1], k.pad[1], k.pad[3]), oc};
  if (k.is_float) {
    *input = ToBytes(RandomFloats(isize, k.seed));
    t.InBytes(ir::DType::kFloat32, {k.n, k.h, k.w, k.c}, *input);
    t.Const<float>({1, k.kh, k.kw, oc}, RandomFloats(fsize, k.seed + 1, 0.5f));
    if (k.bias) t.Const<float>({oc}, RandomFloats(static_cast<size_t>(oc), k.seed + 2));
    else t.Absent();
    t.Out(ir::DType::kFloat32, out);
  } else {
    const float s_in = 0.05f, s_w = 0.01f;
    const float s_out = s_in * s_w * 40.0f * std::sqrt(static_cast<float>(k.kh * k.kw));
    *input = RandomBytes(isize, k.seed);
    t.InBytes(ir::DType::kInt8, {k.n, k.h, k.w, k.c}, *input, Quant(s_in, k.zin));
    t.Const<int8_t>({1, k.kh, k.kw, oc}, RandomInt8(fsize, k.seed + 1),
                    k.per_channel ? QuantPerAxis(ChannelScales(static_cast<size_t>(oc), k.seed + 3, s_w), 3)
                                  : Quant(s_w, 0));
    if (k.bias) t.Const<int32_t>({oc}, RandomInt32(static_cast<size_t>(oc), k.seed + 2, 3000));
    else t.Absent();
    t.Out(ir::DType::kInt8, out, Quant(s_out, k.zout));
  }
  t.Attr("stride", k.stride).Attr("dilation", k.dilation).Attr("pad", k.pad).Attr("act", k.act);
  t.Attr("depth_multiplier", k.dm);
  return t;
}

void Check(const DwCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildDw(k, &input);
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(DepthwiseConv2DKernel, Kws3x3At25x5With64Channels) {
  DwCase k;
  k.h = 25, k.w = 5, k.c = 64, k.act = "relu", k.zin = -128, k.zout = -128;
  Check(k);
}

TEST(DepthwiseConv2DKernel, VwwStride2SamePadding) {
  // TFLite SAME with stride 2 on an even input puts the extra pixel bottom/right.
  DwCase k;
  k.h = 16, k.w = 16, k.c = 16, k.stride = {2, 2}, k.pad = {0, 0, 1, 1}, k.act = "relu6";
  Check(k);
}

TEST(DepthwiseConv2DKernel, ValidNoBiasPerTensor) {
  DwCase k;
  k.h = 7, k.w = 6, k.c = 5, k.pad = {0, 0, 0, 0}, k.bias = false, k.per_channel = false;
  Check(k);
}

TEST(DepthwiseConv2DKernel, DepthMultiplier2) {
  DwCase k;
  k.h = 6, k.w = 7, k.c = 3, k.dm = 2, k.act = "relu";
  Check(k);
  k.is_float = true;
  Check(k);
}

TEST(DepthwiseConv2DKernel, DilationAndBatch) {
  DwCase k;
  k.n = 2, k.h = 9, k.w = 8, k.c = 4, k.dilation = {2, 2}, k.pad = {2, 2, 2, 2};
  Check(k);
  k.dilation = {3, 1}, k.stride = {1, 2}, k.pad = {1, 0, 3, 1};
  Check(k);
}

TEST(DepthwiseConv2DKernel, LargeWindowUsesLoops) {
  DwCase k;
  k.h = 9, k.w = 9, k.c = 4, k.kh = 7, k.kw = 7, k.pad = {3, 3, 3, 3}, k.act = "relu_n1_to_1";
  Check(k);
}

TEST(DepthwiseConv2DKernel, Float) {
  DwCase k;
  k.is_float = true, k.h = 9, k.w = 6, k.c = 6, k.act = "relu6";
  Check(k);
  k.bias = false, k.stride = {2, 2}, k.dilation = {2, 1}, k.act = "none";
  Check(k);
}

TEST(DepthwiseConv2DKernel, WrappingAccumulatorMatchesReference) {
  DwCase k;
  k.h = 4, k.w = 4, k.c = 3;
  std::vector<uint8_t> input;
  OneNode t = BuildDw(k, &input);
  t.in_tensor(2).data = ToBytes(std::vector<int32_t>{2147483600, -2147483600, 17});
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(DepthwiseConv2DKernel, CompilesForCortexM4) {
  DwCase k;
  k.h = 25, k.w = 5, k.c = 64, k.act = "relu";
  std::vector<uint8_t> input;
  ExpectCompilesForCortexM4(BuildDw(k, &input).graph());
  k.dm = 2, k.c = 4, k.is_float = true, k.kh = 7, k.kw = 7, k.pad = {3, 3, 3, 3};
  ExpectCompilesForCortexM4(BuildDw(k, &input).graph());
}

}  // namespace
}  // namespace ember::test
