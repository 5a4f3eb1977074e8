// int16 LOGISTIC and TANH kernels (16x8 quantization): generated C equals the
// reference evaluator byte for byte, for every input value.
#include <gtest/gtest.h>

#include <cstring>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

constexpr ir::OpKind kOps[] = {ir::OpKind::kLogistic, ir::OpKind::kTanh};

// Every input value, for power-of-two scales (the kernel's x * 3 * 2^k path
// and, past 2^-11, the general multiplier) and arbitrary ones.
TEST(Int16SigmoidKernel, EveryInputValue) {
  std::vector<uint8_t> all(65536 * 2);
  for (int v = 0; v < 65536; ++v) {
    const int16_t x = static_cast<int16_t>(v - 32768);
    std::memcpy(&all[static_cast<size_t>(v) * 2], &x, 2);
  }
  for (ir::OpKind op : kOps) {
    for (float s : {1.0f / 4096.0f, 1.0f / 2048.0f, 1.0f / 1024.0f, 1.0f / 32768.0f, 0.000183f, 0.0011f, 2.5f}) {
      SCOPED_TRACE(std::string(ir::OpIrName(op)) + " s_in " + std::to_string(s));
      KernelCase c(op);
      c.InData(DType::kInt16, {65536}, all, Quant(s, 0)).Out(DType::kInt16, {65536}, Quant(1.0f / 32768.0f, 0));
      c.Expect();
    }
  }
}

TEST(Int16SigmoidKernel, InPlaceAndRejectsBadQuantization) {
  for (ir::OpKind op : kOps) {
    SCOPED_TRACE(ir::OpIrName(op));
    KernelCase c(op);
    c.In(DType::kInt16, {2, 40}, Quant(0.0005f, 0)).Out(DType::kInt16, {2, 40}, Quant(1.0f / 32768.0f, 0));
    auto k = c.Emit();
    ASSERT_TRUE(k.ok()) << k.diag().ToString();
    EXPECT_TRUE(k->inplace_ok);
    EXPECT_NE(k->code.find(std::string("ember_") + ir::OpIrName(op) + "16"), std::string::npos) << k->code;
    KernelCase bad(op);
    bad.In(DType::kInt16, {8}, Quant(0.0005f, 0)).Out(DType::kInt16, {8}, Quant(1.0f / 256.0f, 0));
    auto b = bad.Emit();
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.diag().message.find("2^-15"), std::string::npos) << b.diag().ToString();
  }
}

TEST(Int16SigmoidKernel, CompilesForCortexM4) {
  for (ir::OpKind op : kOps) {
    KernelCase c(op);
    c.In(DType::kInt16, {64}, Quant(0.0003f, 0)).Out(DType::kInt16, {64}, Quant(1.0f / 32768.0f, 0));
    std::string r = CompileForCortexM4(c);
    if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
    EXPECT_EQ(r, "") << ir::OpIrName(op);
  }
}

}  // namespace
}  // namespace ember::test
