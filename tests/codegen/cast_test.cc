// CAST kernel: generated C equals the reference evaluator byte for byte for
// every pair of types, with the values C leaves undefined (NaN, out of range).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
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

// Rounding to float16 / bfloat16 (bit operations in C, double in the
// reference): random values over the whole float range, the ties, the
// limits and the specials.
TEST(CastKernel, RoundToFloat16AndBfloat16MatchesTheReference) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> v{1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 65504.0f, 65519.99f, 65520.0f, -65520.0f, 0x1p-14f,
                       0x1.ffcp-15f, 0x1.ffep-15f, 0x1p-25f, 0x1.8p-25f, 3 * 0x1p-25f, 0x1p-26f, 1e-40f, -0.0f,
                       inf, -inf, nan, 1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 3.38953139e38f, 3.4028235e38f};
  uint32_t state = 12345u;
  for (int k = 0; k < 4000; ++k) {  // bit patterns: every exponent, both signs
    state = state * 1664525u + 1013904223u;
    float f;
    std::memcpy(&f, &state, sizeof f);
    v.push_back(f);
  }
  for (const char* round : {"float16", "bfloat16"}) {
    SCOPED_TRACE(round);
    KernelCase(ir::OpKind::kCast)
        .InData(DType::kFloat32, {static_cast<int64_t>(v.size())}, FloatBytes(v))
        .Out(DType::kFloat32, {static_cast<int64_t>(v.size())})
        .Attr("round", std::string(round))
        .Expect();
  }
}

TEST(CastKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kCast);
  c.In(DType::kFloat32, {16}).Out(DType::kInt8, {16});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  for (const char* round : {"float16", "bfloat16"}) {
    KernelCase h(ir::OpKind::kCast);
    h.In(DType::kFloat32, {16}).Out(DType::kFloat32, {16}).Attr("round", std::string(round));
    EXPECT_EQ(CompileForCortexM4(h), "") << round;
  }
}

}  // namespace
}  // namespace ember::test
