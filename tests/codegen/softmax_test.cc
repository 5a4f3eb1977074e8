// SOFTMAX kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

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
