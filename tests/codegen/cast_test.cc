// CAST kernel: generated C equals the reference evaluator byte for byte for
// every pair of types, with the values C leaves undefined (NaN, out of range).
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

TEST(CastKernel, EveryPairMatchesTheReference) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> special{1.9f, -1.9f, 300.0f, -129.5f, 3e9f, -3e9f, nan, 65535.0f, -0.0f, 2147483520.0f,
                                   1e19f, -1e19f, 9.2233715e18f};
  for (const DType from :
       {DType::kInt8, DType::kUInt8, DType::kInt16, DType::kInt32, DType::kInt64, DType::kFloat32, DType::kBool}) {
    for (const DType to : {DType::kInt8, DType::kUInt8, DType::kInt16, DType::kInt32, DType::kInt64, DType::kFloat32}) {
      SCOPED_TRACE(std::string(ir::DTypeName(from)) + " -> " + ir::DTypeName(to));
      KernelCase(ir::OpKind::kCast).In(from, {2, 33}, std::nullopt, 1, 70000.0f).Out(to, {2, 33}).Expect();
      if (from == DType::kFloat32) {
        KernelCase(ir::OpKind::kCast).InData(from, {13}, FloatBytes(special)).Out(to, {13}).Expect();
      }
    }
  }
}

TEST(CastKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kCast);
  c.In(DType::kFloat32, {16}).Out(DType::kInt8, {16});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
