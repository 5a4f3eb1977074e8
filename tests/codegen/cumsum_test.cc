// CUMSUM kernel: generated C equals the reference evaluator byte for byte for
// float32, int32 (wrapping), int64 and int8 (TFLite Micro's arithmetic), on
// every axis, exclusive and reverse, and builds for the M4.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(CumsumKernel, EveryTypeAxisAndMode) {
  for (int64_t axis : {0, 1, 2}) {
    for (int64_t mode = 0; mode < 4; ++mode) {
      SCOPED_TRACE(testing::Message() << "axis " << axis << " mode " << mode);
      auto c = [&](DType t, std::optional<ir::QuantParams> qi = std::nullopt,
                   std::optional<ir::QuantParams> qo = std::nullopt) {
        KernelCase k(ir::OpKind::kCumsum);
        k.In(t, {3, 4, 5}, qi).Out(t, {3, 4, 5}, qo).Attr("axis", axis).Attr("exclusive", mode & 1)
            .Attr("reverse", mode >> 1).Expect();
      };
      c(DType::kFloat32);
      c(DType::kInt32);
      c(DType::kInt64);
      c(DType::kInt8, Quant(0.05f, 3), Quant(0.3f, -7));
    }
  }
}

TEST(CumsumKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kCumsum);
  c.In(DType::kInt8, {4, 8}, Quant(0.05f, 3)).Out(DType::kInt8, {4, 8}, Quant(0.3f, -7)).Attr("axis", int64_t{1});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase f(ir::OpKind::kCumsum);
  f.In(DType::kFloat32, {4, 8}).Out(DType::kFloat32, {4, 8}).Attr("axis", int64_t{0}).Attr("reverse", int64_t{1});
  EXPECT_EQ(CompileForCortexM4(f), "");
}

}  // namespace
}  // namespace ember::test
