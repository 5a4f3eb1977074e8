// SOFTMAX kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include <cstring>

#include "codegen/kernel_case.h"
#include "util/test_models.h"

namespace ember::test {
namespace {

using ir::DType;

void ExpectInt8(ir::Shape shape, float s_in, int64_t z_in, double beta, uint32_t seed) {
  SCOPED_TRACE("shape " + ir::ShapeToString(shape) + " s_in " + std::to_string(s_in) + " beta " +
               std::to_string(beta));
  KernelCase(ir::OpKind::kSoftmax)
      .In(DType::kInt8, shape, Quant(s_in, z_in), seed)
      .Out(DType::kInt8, shape, Quant(1.0f / 256.0f, -128))
      .Attr("beta", beta)
      .Expect();
}

TEST(SoftmaxKernel, Int8RowsOfTen) {
  ExpectInt8({1, 10}, 0.1f, 10, 1.0, 1);
  ExpectInt8({4, 10}, 0.0390625f, -128, 1.0, 2);
  ExpectInt8({3, 10}, 0.25f, 0, 0.5, 3);
  ExpectInt8({2, 5, 10}, 0.0625f, 7, 2.0, 4);
}

TEST(SoftmaxKernel, Int8ModelShapes) {
  ExpectInt8({1, 12}, 0.1378f, 21, 1.0, 5);  // kws
  ExpectInt8({1, 2}, 0.0723f, -5, 1.0, 6);   // vww
  ExpectInt8({1, 10}, 0.1557f, 36, 1.0, 7);  // ic
}

TEST(SoftmaxKernel, Int8LongRows) {
  ExpectInt8({1, 1000}, 0.1f, 0, 1.0, 8);
  ExpectInt8({2, 1000}, 0.05f, -30, 1.5, 9);
}

TEST(SoftmaxKernel, Int8TiedMaximaAndBelowDiffMin) {
  // All equal (sum = 10.0), and one large value with the others far below diff_min.
  std::vector<uint8_t> same(10, 100);
  std::vector<uint8_t> spread = {127, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
  for (const auto& data : {same, spread}) {
    KernelCase(ir::OpKind::kSoftmax)
        .InData(DType::kInt8, {1, 10}, data, Quant(0.5f, 0))
        .Out(DType::kInt8, {1, 10}, Quant(1.0f / 256.0f, -128))
        .Expect();
  }
}

// int16 -> int16 (16x8): rows of random values over several spreads (the
// exp table's whole [-10, 0] range and beyond), several input scales and betas.
void ExpectInt16(ir::Shape shape, float s_in, double beta, uint32_t seed, int spread) {
  SCOPED_TRACE("shape " + ir::ShapeToString(shape) + " s_in " + std::to_string(s_in) + " beta " +
               std::to_string(beta) + " spread " + std::to_string(spread));
  const size_t n = static_cast<size_t>(ir::NumElements(shape));
  std::vector<uint8_t> bytes(n * 2);
  XorShift32 rng(seed);
  for (size_t i = 0; i < n; ++i) {
    const int16_t x = static_cast<int16_t>(static_cast<int32_t>(rng.Next() % static_cast<uint32_t>(spread + 1)) -
                                           spread / 2);
    std::memcpy(&bytes[i * 2], &x, 2);
  }
  KernelCase(ir::OpKind::kSoftmax)
      .InData(DType::kInt16, shape, bytes, Quant(s_in, 0))
      .Out(DType::kInt16, shape, Quant(1.0f / 32768.0f, 0))
      .Attr("beta", beta)
      .Expect();
}

TEST(SoftmaxKernel, Int16Rows) {
  uint32_t seed = 20;
  for (int spread : {65535, 8000, 500, 0}) {
    ExpectInt16({3, 10}, 0.1f / 327.68f, 1.0, seed++, spread);
    ExpectInt16({2, 37}, 0.000488f, 1.0, seed++, spread);
    ExpectInt16({1, 1000}, 0.00123f, 0.5, seed++, spread);
    ExpectInt16({2, 3, 12}, 1.0f / 4096.0f, 2.0, seed++, spread);
  }
}

TEST(SoftmaxKernel, Int8InInt16Out) {
  for (uint32_t seed : {30u, 31u}) {
    KernelCase(ir::OpKind::kSoftmax)
        .In(DType::kInt8, {3, 12}, Quant(0.1378f, 21), seed)
        .Out(DType::kInt16, {3, 12}, Quant(1.0f / 65536.0f, -32768))
        .Expect();
    KernelCase(ir::OpKind::kSoftmax)
        .In(DType::kInt8, {1, 600}, Quant(0.05f, 0), seed)
        .Out(DType::kInt16, {1, 600}, Quant(1.0f / 65536.0f, -32768))
        .Attr("beta", 0.7)
        .Expect();
  }
}

TEST(SoftmaxKernel, Int16TablesAreConstantsAndShared) {
  KernelCase c(ir::OpKind::kSoftmax);
  c.In(DType::kInt16, {2, 10}, Quant(0.0003f, 0)).Out(DType::kInt16, {2, 10}, Quant(1.0f / 32768.0f, 0));
  auto k = c.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_TRUE(k->inplace_ok);
  EXPECT_NE(k->code.find("ember_lut16_lookup"), std::string::npos) << k->code;
  KernelCase w(ir::OpKind::kSoftmax);
  w.In(DType::kInt8, {2, 10}, Quant(0.1f, 0)).Out(DType::kInt16, {2, 10}, Quant(1.0f / 65536.0f, -32768));
  auto kw = w.Emit();
  ASSERT_TRUE(kw.ok()) << kw.diag().ToString();
  EXPECT_FALSE(kw->inplace_ok);  // two output bytes per input byte
}

TEST(SoftmaxKernel, Int16CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kSoftmax);
  c.In(DType::kInt16, {2, 100}, Quant(0.0003f, 0)).Out(DType::kInt16, {2, 100}, Quant(1.0f / 32768.0f, 0));
  std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase w(ir::OpKind::kSoftmax);
  w.In(DType::kInt8, {1, 12}, Quant(0.1f, 0)).Out(DType::kInt16, {1, 12}, Quant(1.0f / 65536.0f, -32768));
  EXPECT_EQ(CompileForCortexM4(w), "");
}

TEST(SoftmaxKernel, Float) {
  for (double beta : {1.0, 0.7}) {
    KernelCase(ir::OpKind::kSoftmax).In(DType::kFloat32, {3, 10}).Out(DType::kFloat32, {3, 10}).Attr("beta", beta).Expect();
    KernelCase(ir::OpKind::kSoftmax).In(DType::kFloat32, {1, 1000}).Out(DType::kFloat32, {1, 1000}).Attr("beta", beta).Expect();
  }
}

TEST(SoftmaxKernel, InPlaceAndLiterals) {
  KernelCase c(ir::OpKind::kSoftmax);
  c.In(DType::kInt8, {1, 10}, Quant(0.1f, 0)).Out(DType::kInt8, {1, 10}, Quant(1.0f / 256.0f, -128));
  auto k = c.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_TRUE(k->inplace_ok);
  EXPECT_EQ(k->scratch_bytes, 0);
  EXPECT_NE(k->code.find("ember_exp_on_negative_values"), std::string::npos);
}

TEST(SoftmaxKernel, RejectsWrongOutputQuantization) {
  KernelCase c(ir::OpKind::kSoftmax);
  c.In(DType::kInt8, {1, 10}, Quant(0.1f, 0)).Out(DType::kInt8, {1, 10}, Quant(1.0f / 128.0f, 0));
  auto k = c.Emit();
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.diag().message.find("1/256"), std::string::npos) << k.diag().ToString();
}

TEST(SoftmaxKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kSoftmax);
  c.In(DType::kInt8, {1, 1000}, Quant(0.1f, 0)).Out(DType::kInt8, {1, 1000}, Quant(1.0f / 256.0f, -128));
  std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase f(ir::OpKind::kSoftmax);
  f.In(DType::kFloat32, {2, 10}).Out(DType::kFloat32, {2, 10});
  EXPECT_EQ(CompileForCortexM4(f), "");
}

}  // namespace
}  // namespace ember::test
