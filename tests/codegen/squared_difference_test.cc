// SQUARED_DIFFERENCE kernel: generated C equals the reference evaluator byte
// for byte (int8 with different scales, broadcasting, f32 overflowing to inf).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;


TEST(SquaredDifferenceKernel, Int8AndFloatBroadcast) {
  KernelCase(ir::OpKind::kSquaredDifference)
      .In(DType::kInt8, {1, 5, 7, 6}, Quant(0.02f, 5))
      .In(DType::kInt8, {6}, Quant(0.09f, -100))
      .Out(DType::kInt8, {1, 5, 7, 6}, Quant(0.1f, -128))
      .Expect();
  KernelCase(ir::OpKind::kSquaredDifference)
      .In(DType::kInt8, {2, 1, 3}, Quant(0.011f, 1))
      .Const(DType::kInt8, {4, 1}, Quant(0.007f, -2))
      .Out(DType::kInt8, {2, 4, 3}, Quant(0.0004f, -120))
      .Expect();
  KernelCase(ir::OpKind::kSquaredDifference)
      .In(DType::kFloat32, {3, 4, 5}, std::nullopt, 1, 1e20f)
      .In(DType::kFloat32, {4, 1}, std::nullopt, 2, 1e20f)
      .Out(DType::kFloat32, {3, 4, 5})
      .Expect();
}

TEST(SquaredDifferenceKernel, CompilesForCortexM4) {
  KernelCase sd(ir::OpKind::kSquaredDifference);
  sd.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2)).In(DType::kInt8, {8}, Quant(0.03f, -4)).Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.01f, -128));
  const std::string r = CompileForCortexM4(sd);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
