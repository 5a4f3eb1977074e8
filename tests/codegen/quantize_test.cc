// QUANTIZE and DEQUANTIZE kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(QuantizeKernel, FloatToInt) {
  KernelCase(ir::OpKind::kQuantize).In(DType::kFloat32, {200}, std::nullopt, 1, 3.0f).Out(DType::kInt8, {200}, Quant(0.0123f, -5)).Expect();
  KernelCase(ir::OpKind::kQuantize).In(DType::kFloat32, {200}, std::nullopt, 2, 3.0f).Out(DType::kUInt8, {200}, Quant(0.02f, 128)).Expect();
  KernelCase(ir::OpKind::kQuantize).In(DType::kFloat32, {200}, std::nullopt, 3, 3.0f).Out(DType::kInt16, {200}, Quant(0.0001f, 0)).Expect();
}

TEST(QuantizeKernel, FloatSpecialValues) {
  const std::vector<float> v = {0.5f, -0.5f, 1.5f, -2.5f, 1e20f, -1e20f, NAN, INFINITY, -INFINITY, 0.0f};
  std::vector<uint8_t> bytes(v.size() * 4);
  std::memcpy(bytes.data(), v.data(), bytes.size());
  KernelCase(ir::OpKind::kQuantize).InData(DType::kFloat32, {10}, bytes).Out(DType::kInt8, {10}, Quant(1.0f, 3)).Expect();
}

TEST(QuantizeKernel, IntToInt) {
  KernelCase a(ir::OpKind::kQuantize);
  a.In(DType::kInt8, {300}, Quant(0.05f, 3)).Out(DType::kInt8, {300}, Quant(0.031f, -9)).Expect();
  EXPECT_TRUE(a.Emit()->inplace_ok);
  // Equal scales: the zero-point shift (i8 <-> u8 flip).
  KernelCase b(ir::OpKind::kQuantize);
  b.In(DType::kInt8, {300}, Quant(0.05f, 3)).Out(DType::kUInt8, {300}, Quant(0.05f, 131)).Expect();
  EXPECT_EQ(b.Emit()->code.find("ember_mbqm"), std::string::npos);
  KernelCase(ir::OpKind::kQuantize).In(DType::kUInt8, {300}, Quant(0.05f, 128)).Out(DType::kInt8, {300}, Quant(0.07f, 0)).Expect();
  KernelCase(ir::OpKind::kQuantize).In(DType::kInt16, {300}, Quant(0.001f, 0)).Out(DType::kInt8, {300}, Quant(0.05f, -1)).Expect();
  KernelCase(ir::OpKind::kQuantize).In(DType::kInt32, {300}, Quant(0.0001f, -70000)).Out(DType::kInt16, {300}, Quant(2.0f, 5)).Expect();
  KernelCase(ir::OpKind::kQuantize).In(DType::kInt8, {300}, Quant(0.5f, 0)).Out(DType::kInt32, {300}, Quant(0.001f, 1000)).Expect();
}

TEST(DequantizeKernel, AllInputTypes) {
  KernelCase(ir::OpKind::kDequantize).In(DType::kInt8, {100}, Quant(0.0123f, -5)).Out(DType::kFloat32, {100}).Expect();
  KernelCase(ir::OpKind::kDequantize).In(DType::kUInt8, {100}, Quant(0.37f, 128)).Out(DType::kFloat32, {100}).Expect();
  KernelCase(ir::OpKind::kDequantize).In(DType::kInt16, {100}, Quant(1e-5f, 3)).Out(DType::kFloat32, {100}).Expect();
  KernelCase(ir::OpKind::kDequantize).In(DType::kInt32, {100}, Quant(3.3e-7f, -12345)).Out(DType::kFloat32, {100}).Expect();
  KernelCase(ir::OpKind::kDequantize).In(DType::kInt8, {100}, Quant(1e-40f, 7)).Out(DType::kFloat32, {100}).Expect();
}

TEST(DequantizeKernel, PerAxis) {
  ir::QuantParams q;
  q.scale = {0.5f, 0.0123f, 3.0f};
  q.zero_point = {0, -5, 7};
  for (int32_t axis : {0, 1, 2}) {
    q.axis = axis;
    ir::Shape shape = {2, 2, 2};
    shape[static_cast<size_t>(axis)] = 3;
    KernelCase(ir::OpKind::kDequantize).In(DType::kInt8, shape, q).Out(DType::kFloat32, shape).Expect();
    KernelCase(ir::OpKind::kDequantize).In(DType::kInt32, shape, q).Out(DType::kFloat32, shape).Expect();
  }
}

TEST(QuantizeKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kQuantize);
  c.In(DType::kFloat32, {16}).Out(DType::kInt8, {16}, Quant(0.0123f, -5));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase d(ir::OpKind::kDequantize);
  d.In(DType::kInt32, {16}, Quant(0.01f, 1)).Out(DType::kFloat32, {16});
  EXPECT_EQ(CompileForCortexM4(d), "");
  ir::QuantParams per_axis;
  per_axis.scale = {0.5f, 0.25f};
  per_axis.zero_point = {0, 3};
  per_axis.axis = 1;
  KernelCase e(ir::OpKind::kDequantize);
  e.In(DType::kInt8, {4, 2, 3}, per_axis).Out(DType::kFloat32, {4, 2, 3});
  EXPECT_EQ(CompileForCortexM4(e), "");
}

}  // namespace
}  // namespace ember::test
