// max_pool2d C kernel: generated C against the reference evaluator, byte for byte.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codegen/conv_test_util.h"

namespace ember::test {
namespace {

struct PoolCase {
  int64_t n = 1, h = 8, w = 8, c = 4;
  std::vector<int64_t> filter{2, 2}, stride{2, 2}, pad{0, 0, 0, 0};
  std::string act = "none";
  bool is_float = false;
  float scale = 0.05f;
  int64_t zp = -10;
  uint32_t seed = 31;
};

OneNode BuildPool(ir::OpKind op, const PoolCase& k, std::vector<uint8_t>* input) {
  OneNode t(op, "pool");
  const size_t isize = static_cast<size_t>(k.n * k.h * k.w * k.c);
  const ir::Shape out{k.n, (k.h + k.pad[0] + k.pad[2] - k.filter[0]) / k.stride[0] + 1,
                      (k.w + k.pad[1] + k.pad[3] - k.filter[1]) / k.stride[1] + 1, k.c};
  if (k.is_float) {
    *input = ToBytes(RandomFloats(isize, k.seed, 8.0f));
    t.InBytes(ir::DType::kFloat32, {k.n, k.h, k.w, k.c}, *input).Out(ir::DType::kFloat32, out);
  } else {
    *input = RandomBytes(isize, k.seed);
    t.InBytes(ir::DType::kInt8, {k.n, k.h, k.w, k.c}, *input, Quant(k.scale, k.zp));
    t.Out(ir::DType::kInt8, out, Quant(k.scale, k.zp));
  }
  t.Attr("filter", k.filter).Attr("stride", k.stride).Attr("pad", k.pad).Attr("act", k.act);
  return t;
}

void Check(const PoolCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildPool(ir::OpKind::kMaxPool2D, k, &input);
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(MaxPool2DKernel, Valid2x2Stride2) {
  PoolCase k;
  Check(k);
}

TEST(MaxPool2DKernel, Same3x3Stride1WithPaddingRelu) {
  PoolCase k;
  k.h = 7, k.w = 6, k.c = 5, k.filter = {3, 3}, k.stride = {1, 1}, k.pad = {1, 1, 1, 1};
  k.act = "relu";
  Check(k);
}

TEST(MaxPool2DKernel, Stride2OddPaddingRelu6AndBatch) {
  PoolCase k;
  k.n = 2, k.h = 9, k.w = 7, k.filter = {3, 2}, k.pad = {1, 0, 1, 1}, k.act = "relu6";
  k.scale = 0.03f, k.zp = -100;
  Check(k);
}

TEST(MaxPool2DKernel, PaddingAsLargeAsTheWindowGivesEmptyWindows) {
  // Windows that hold only padding keep -128 (clamped), as the reference.
  PoolCase k;
  k.h = 3, k.w = 3, k.filter = {2, 2}, k.stride = {2, 2}, k.pad = {2, 2, 1, 1};
  Check(k);
}

TEST(MaxPool2DKernel, Float) {
  PoolCase k;
  k.is_float = true, k.h = 7, k.w = 7, k.filter = {3, 3}, k.pad = {1, 1, 1, 1};
  Check(k);
  k.act = "relu_n1_to_1";
  Check(k);
}

TEST(MaxPool2DKernel, CompilesForCortexM4) {
  PoolCase k;
  k.pad = {1, 1, 1, 1}, k.filter = {3, 3}, k.act = "relu";
  std::vector<uint8_t> input;
  ExpectCompilesForCortexM4(BuildPool(ir::OpKind::kMaxPool2D, k, &input).graph());
  k.is_float = true;
  ExpectCompilesForCortexM4(BuildPool(ir::OpKind::kMaxPool2D, k, &input).graph());
}

}  // namespace
}  // namespace ember::test
