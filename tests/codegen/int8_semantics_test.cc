// Kernels with int8_semantics = "onnxruntime": the generated C (portable, and
// the cortex-m4 form whose DSP SMLAD accumulation stores through the float
// requantization, run on the host with the intrinsics' portable C) equals the
// reference evaluator byte for byte on random data, and compiles with
// arm-none-eabi-gcc for Cortex-M4 (the Helium conv2d and fully_connected
// forms are in mve_gemm_test.cc). The emulated
// Cortex-M4 runs of the QDQ models (tests/e2e/onnx_models_test.cc) check the
// device build bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "codegen/kernel_case.h"
// The runtime header itself, for its host fallback of the fused multiply-add.
#include "../runtime/include/ember/kernel_math.h"

namespace ember::test {
namespace {

using ir::DType;

const std::string kOrt = "onnxruntime";

// Per-output-channel scales around `base`.
ir::QuantParams Channels(size_t n, float base, int32_t axis) {
  std::vector<float> s;
  for (size_t i = 0; i < n; ++i) s.push_back(base * (0.6f + 0.1f * static_cast<float>(i % 9)));
  return QuantPerAxis(s, axis);
}

// The case checked on the host target and, compiled on the host, in its
// cortex-m4 form (DSP kernels with their portable intrinsics).
void ExpectBothTargets(const KernelCase& c) {
  c.Expect();
  ExpectKernelMatchesReference(c.graph(), c.inputs(), 0.0, "cortex-m4");
  const KernelCase m4 = c;  // its own constant pool for the cortex-m4 emission
  const std::string r =
      CompileKernelWith(m4, "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16", "cortex-m4");
  if (r != "skip") {
    EXPECT_EQ(r, "");
  }
}

KernelCase Conv(int64_t cin, int64_t cout, int64_t k, int64_t pad, int32_t zin, int32_t zout) {
  KernelCase c(ir::OpKind::kConv2D);
  c.In(DType::kInt8, {1, 9, 7, cin}, Quant(0.031f, zin))
      .Const(DType::kInt8, {cout, k, k, cin}, Channels(static_cast<size_t>(cout), 0.004f, 0))
      .Const(DType::kInt32, {cout}, std::nullopt, 7)
      .Out(DType::kInt8, {1, 9 + 2 * pad - k + 1, 7 + 2 * pad - k + 1, cout}, Quant(0.045f, zout))
      .Attr("stride", std::vector<int64_t>{1, 1})
      .Attr("pad", std::vector<int64_t>{pad, pad, pad, pad})
      .Attr("int8_semantics", kOrt);
  return c;
}

TEST(OnnxRuntimeInt8Kernel, Conv2D) {
  ExpectBothTargets(Conv(8, 16, 3, 1, -3, -128));
  ExpectBothTargets(Conv(3, 5, 1, 0, 17, 4));
  auto k = Conv(8, 16, 3, 1, -3, -128).Emit("cortex-m4");
  ASSERT_TRUE(k.ok());
  EXPECT_NE(k->code.find("ember_requant_f32"), std::string::npos) << k->code;
  EXPECT_NE(k->code.find("ember_smlad"), std::string::npos) << "the DSP kernel keeps its accumulation";
}

TEST(OnnxRuntimeInt8Kernel, DepthwiseConv2D) {
  for (const int64_t c : {8, 13}) {
    KernelCase k(ir::OpKind::kDepthwiseConv2D);
    k.In(DType::kInt8, {1, 6, 5, c}, Quant(0.02f, -128))
        .Const(DType::kInt8, {1, 3, 3, c}, Channels(static_cast<size_t>(c), 0.01f, 3))
        .Const(DType::kInt32, {c}, std::nullopt, 5)
        .Out(DType::kInt8, {1, 6, 5, c}, Quant(0.03f, -128))
        .Attr("stride", std::vector<int64_t>{1, 1})
        .Attr("pad", std::vector<int64_t>{1, 1, 1, 1})
        .Attr("depth_multiplier", int64_t{1})
        .Attr("int8_semantics", kOrt);
    ExpectBothTargets(k);
  }
}

TEST(OnnxRuntimeInt8Kernel, FullyConnected) {
  for (const bool per_channel : {false, true}) {
    KernelCase k(ir::OpKind::kFullyConnected);
    k.In(DType::kInt8, {2, 40}, Quant(0.05f, 9))
        .Const(DType::kInt8, {12, 40}, per_channel ? Channels(12, 0.003f, 0) : Quant(0.003f, 0))
        .Const(DType::kInt32, {12}, std::nullopt, 3)
        .Out(DType::kInt8, {2, 12}, Quant(0.06f, -20))
        .Attr("int8_semantics", kOrt);
    ExpectBothTargets(k);
  }
  // Helium: the VMLADAVA products, requantized in float vector registers
  // (host form of mve.h here; mve_gemm_test.cc runs it under QEMU).
  KernelCase k(ir::OpKind::kFullyConnected);
  k.In(DType::kInt8, {1, 64}, Quant(0.05f, 0))
      .Const(DType::kInt8, {16, 64}, Quant(0.003f, 0))
      .Out(DType::kInt8, {1, 16}, Quant(0.06f, 0))
      .Attr("int8_semantics", kOrt);
  auto e = k.Emit("cortex-m55");
  ASSERT_TRUE(e.ok());
  EXPECT_NE(e->code.find("ember_mve_requant_f32"), std::string::npos) << e->code;
  ExpectKernelMatchesReference(k.graph(), k.inputs(), 0.0, "cortex-m55");
}

TEST(OnnxRuntimeInt8Kernel, Add) {
  KernelCase same(ir::OpKind::kAdd);
  same.In(DType::kInt8, {1, 5, 4, 8}, Quant(0.041f, -7))
      .In(DType::kInt8, {1, 5, 4, 8}, Quant(0.017f, 30))
      .Out(DType::kInt8, {1, 5, 4, 8}, Quant(0.052f, 3))
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(same);
  KernelCase broadcast(ir::OpKind::kAdd);
  broadcast.In(DType::kInt8, {1, 3, 4, 8}, Quant(0.02f, 0))
      .In(DType::kInt8, {8}, Quant(0.08f, -100))
      .Out(DType::kInt8, {1, 3, 4, 8}, Quant(0.1f, -128))
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(broadcast);
}

TEST(OnnxRuntimeInt8Kernel, MeanAndAveragePool) {
  KernelCase mean(ir::OpKind::kMean);
  mean.In(DType::kInt8, {1, 3, 3, 24}, Quant(0.047f, -11))
      .Out(DType::kInt8, {1, 1, 1, 24}, Quant(0.021f, 7))
      .Attr("axes", std::vector<int64_t>{1, 2})
      .Attr("keep_dims", int64_t{1})
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(mean);
  // The whole input (QLinearGlobalAveragePool's integer path).
  KernelCase global(ir::OpKind::kAveragePool2D);
  global.In(DType::kInt8, {1, 25, 5, 16}, Quant(0.03f, -128))
      .Out(DType::kInt8, {1, 1, 1, 16}, Quant(0.011f, -128))
      .Attr("filter", std::vector<int64_t>{25, 5})
      .Attr("stride", std::vector<int64_t>{25, 5})
      .Attr("pad", std::vector<int64_t>{0, 0, 0, 0})
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(global);
  // A padded window (float sum, border pixels divide by their own count).
  KernelCase window(ir::OpKind::kAveragePool2D);
  window.In(DType::kInt8, {1, 7, 6, 5}, Quant(0.03f, 4))
      .Out(DType::kInt8, {1, 4, 3, 5}, Quant(0.02f, -9))
      .Attr("filter", std::vector<int64_t>{3, 3})
      .Attr("stride", std::vector<int64_t>{2, 2})
      .Attr("pad", std::vector<int64_t>{1, 1, 1, 1})
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(window);
}

TEST(OnnxRuntimeInt8Kernel, Quantize) {
  KernelCase f(ir::OpKind::kQuantize);
  f.In(DType::kFloat32, {3, 50}, std::nullopt, 1, 6.0f)
      .Out(DType::kInt8, {3, 50}, Quant(0.025f, -3))
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(f);
  // Ties: x / s exactly at .5 (0.25 / 0.5 and friends).
  std::vector<float> ties = {0.25f, 0.75f, -0.25f, -0.75f, 1.25f, -1.25f, 100.0f, -100.0f};
  std::vector<uint8_t> bytes(ties.size() * 4);
  std::memcpy(bytes.data(), ties.data(), bytes.size());
  KernelCase t(ir::OpKind::kQuantize);
  t.InData(DType::kFloat32, {8}, bytes).Out(DType::kInt8, {8}, Quant(0.5f, 1)).Attr("int8_semantics", kOrt);
  ExpectBothTargets(t);
  KernelCase i(ir::OpKind::kQuantize);
  i.In(DType::kInt8, {77}, Quant(0.3f, 5))
      .Out(DType::kInt8, {77}, Quant(0.2f, -6))
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(i);
}


// The host (no FMA unit) form of ember_fma_i8 equals a fused multiply-add for
// every operand, not only for scale ratios near 1: int8 values times ratios
// from 2^-40 to 2^40 plus addends from 2^-40 to 2^40 of either sign, and sums
// that cancel.
TEST(Int8SemanticsRuntime, HostFusedMultiplyAddEqualsFmaf) {
  std::mt19937 rng(20261203);
  std::uniform_int_distribution<int> av(-255, 255), ex(-40, 40), sign(0, 1);
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  auto rnd = [&] { return (sign(rng) ? -1.0f : 1.0f) * std::ldexp(mant(rng), ex(rng)); };
  int checked = 0;
  for (int i = 0; i < 2000000; ++i) {
    const float a = static_cast<float>(av(rng));
    const float b = rnd();
    // Every fourth case: an addend that nearly cancels the product.
    const float c = (i % 4 == 0) ? -(a * b) * (1.0f + std::ldexp(static_cast<float>(av(rng)), -24)) : rnd();
    const float want = std::fma(a, b, c);
    const float got = ember_fma_i8(a, b, c);
    uint32_t w = 0, g = 0;
    std::memcpy(&w, &want, 4);
    std::memcpy(&g, &got, 4);
    ASSERT_EQ(g, w) << "a " << a << " b " << b << " c " << c;
    ++checked;
  }
  EXPECT_EQ(checked, 2000000);
}

}  // namespace
}  // namespace ember::test
