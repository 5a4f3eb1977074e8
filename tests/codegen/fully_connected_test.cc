// fully_connected C kernel: generated C against the reference evaluator, byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "codegen/conv_test_util.h"

namespace ember::test {
namespace {

struct FcCase {
  ir::Shape in_shape{1, 640};
  int64_t units = 128;
  std::string act = "none";
  bool bias = true, per_channel = false, is_float = false, keep = false;
  int64_t zin = -128, zw = 0, zout = 0;
  uint32_t seed = 21;
};

OneNode BuildFc(const FcCase& k, std::vector<uint8_t>* input) {
  OneNode t(ir::OpKind::kFullyConnected, "fc");
  const int64_t depth = k.in_shape.back();
  int64_t elements = 1;
  for (int64_t d : k.in_shape) elements *= d;
  const int64_t batches = elements / depth;
  ir::Shape out{batches, k.units};
  if (k.keep) {
    out = k.in_shape;
    out.back() = k.units;
  }
  const size_t wsize = static_cast<size_t>(k.units * depth);
  if (k.is_float) {
    *input = ToBytes(RandomFloats(static_cast<size_t>(elements), k.seed));
    t.InBytes(ir::DType::kFloat32, k.in_shape, *input);
    t.Const<float>({k.units, depth}, RandomFloats(wsize, k.seed + 1, 0.25f));
    if (k.bias) t.Const<float>({k.units}, RandomFloats(static_cast<size_t>(k.units), k.seed + 2));
    else t.Absent();
    t.Out(ir::DType::kFloat32, out);
  } else {
    const float s_in = 0.1f, s_w = 0.003f;
    const float s_out = s_in * s_w * 40.0f * std::sqrt(static_cast<float>(depth));
    *input = RandomBytes(static_cast<size_t>(elements), k.seed);
    t.InBytes(ir::DType::kInt8, k.in_shape, *input, Quant(s_in, k.zin));
    t.Const<int8_t>({k.units, depth}, RandomInt8(wsize, k.seed + 1),
                    k.per_channel ? QuantPerAxis(ChannelScales(static_cast<size_t>(k.units), k.seed + 3, s_w), 0)
                                  : Quant(s_w, k.zw));
    if (k.bias) {
      ir::QuantParams bq = Quant(s_in * s_w, 0);
      if (k.per_channel) bq = QuantPerAxis(std::vector<float>(static_cast<size_t>(k.units), s_in * s_w), 0);
      t.Const<int32_t>({k.units}, RandomInt32(static_cast<size_t>(k.units), k.seed + 2, 5000), bq);
    } else {
      t.Absent();
    }
    t.Out(ir::DType::kInt8, out, Quant(s_out, k.zout));
  }
  t.Attr("act", k.act);
  if (k.keep) t.Attr("keep_num_dims", int64_t{1});
  return t;
}

void Check(const FcCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildFc(k, &input);
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(FullyConnectedKernel, Kws640To128PerTensor) {
  FcCase k;
  k.act = "relu";
  Check(k);
}

TEST(FullyConnectedKernel, PerChannelBatches) {
  FcCase k;
  k.in_shape = {3, 40}, k.units = 12, k.per_channel = true, k.zin = 9, k.zout = -20;
  Check(k);
}

TEST(FullyConnectedKernel, FilterZeroPointOddUnitsNoBias) {
  FcCase k;
  k.in_shape = {2, 3, 10}, k.units = 5, k.zw = 7, k.bias = false, k.act = "relu6", k.zin = -3;
  Check(k);
  k.keep = true, k.zw = -128;
  Check(k);
}

TEST(FullyConnectedKernel, RankFourInputFlattens) {
  FcCase k;
  k.in_shape = {1, 4, 4, 8}, k.units = 10, k.act = "relu_n1_to_1", k.zout = -60;
  Check(k);
}

TEST(FullyConnectedKernel, WrappingAccumulatorMatchesReference) {
  FcCase k;
  k.in_shape = {2, 16}, k.units = 3, k.per_channel = true;
  std::vector<uint8_t> input;
  OneNode t = BuildFc(k, &input);
  t.in_tensor(2).data = ToBytes(std::vector<int32_t>{2147483600, -2147483600, 1});
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(FullyConnectedKernel, Float) {
  FcCase k;
  k.is_float = true, k.in_shape = {3, 33}, k.units = 9, k.act = "relu";
  Check(k);
  k.bias = false, k.act = "none", k.units = 4;
  Check(k);
}

TEST(FullyConnectedKernel, CompilesForCortexM4) {
  FcCase k;
  std::vector<uint8_t> input;
  ExpectCompilesForCortexM4(BuildFc(k, &input).graph());
  k.in_shape = {2, 3, 10}, k.units = 5, k.zw = 7, k.bias = false;
  ExpectCompilesForCortexM4(BuildFc(k, &input).graph());
  k.is_float = true;
  ExpectCompilesForCortexM4(BuildFc(k, &input).graph());
}

}  // namespace
}  // namespace ember::test
