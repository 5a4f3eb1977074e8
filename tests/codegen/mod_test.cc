// MOD kernel: generated C equals the reference evaluator byte for byte
// (float32 floor and truncated modulo over random data, NaNs, infinities
// and zero divisors included; int16, int32 and int64 with random operands,
// zero and -1 divisors, broadcasting), and builds for the M4.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(ModKernel, Float) {
  for (int64_t fmod : {0, 1}) {
    KernelCase(ir::OpKind::kMod).In(DType::kFloat32, {3, 4, 5}).In(DType::kFloat32, {4, 1}).Out(DType::kFloat32, {3, 4, 5})
        .Attr("fmod", fmod).Expect();
    KernelCase c(ir::OpKind::kMod);
    c.In(DType::kFloat32, {7, 9}).Const(DType::kFloat32, {9}).Out(DType::kFloat32, {7, 9}).Attr("fmod", fmod).Expect();
    auto k = c.Emit();
    ASSERT_TRUE(k.ok()) << k.diag().ToString();
    EXPECT_NE(k->code.find(fmod == 1 ? "fmodf(" : "ember_floor_mod_f32("), std::string::npos) << k->code;
  }
}

TEST(ModKernel, Integers) {
  std::vector<uint8_t> div(6 * 4);
  const int32_t d[6] = {0, -1, 3, -3, 7, -2147483647 - 1};
  std::memcpy(div.data(), d, sizeof d);
  for (int64_t fmod : {0, 1}) {
    KernelCase(ir::OpKind::kMod).In(DType::kInt32, {5, 6}).InData(DType::kInt32, {6}, div).Out(DType::kInt32, {5, 6})
        .Attr("fmod", fmod).Expect();
    KernelCase(ir::OpKind::kMod).In(DType::kInt64, {2, 1, 8}).In(DType::kInt64, {3, 1}).Out(DType::kInt64, {2, 3, 8})
        .Attr("fmod", fmod).Expect();
    std::vector<uint8_t> div16(5 * 2);
    const int16_t d16[5] = {0, -1, 3, -7, -32768};
    std::memcpy(div16.data(), d16, sizeof d16);
    KernelCase(ir::OpKind::kMod).In(DType::kInt16, {4, 5}).InData(DType::kInt16, {5}, div16).Out(DType::kInt16, {4, 5})
        .Attr("fmod", fmod).Expect();
  }
}

TEST(ModKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kMod);
  c.In(DType::kFloat32, {3, 8}).In(DType::kFloat32, {8}).Out(DType::kFloat32, {3, 8});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase d(ir::OpKind::kMod);
  d.In(DType::kInt64, {3, 8}).Const(DType::kInt64, {8}).Out(DType::kInt64, {3, 8}).Attr("fmod", int64_t{1});
  EXPECT_EQ(CompileForCortexM4(d), "");
}

}  // namespace
}  // namespace ember::test
