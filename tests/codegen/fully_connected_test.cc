// fully_connected C kernel: generated C against the reference evaluator, byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "codegen/conv_cases.h"

namespace ember::test {
namespace {

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
  // Blocks of two rows by four units, the last row of an odd count, one row,
  // and units beyond a multiple of four (fewer than four too).
  for (const int64_t units : {1, 3, 8, 11}) {
    SCOPED_TRACE("units " + std::to_string(units));
    for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{{1, 17}, {2, 17}, {5, 17}}) {
      FcCase f;
      f.is_float = true, f.in_shape = shape, f.units = units, f.act = "relu6";
      Check(f);
    }
  }
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
