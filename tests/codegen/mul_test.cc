// MUL kernels: generated C equals the reference evaluator byte for byte, and
// equals hand-computed values from TFLite Micro's formula
// out = clamp(z_out + MBQM((x1 - z1) * (x2 - z2), M, shift)).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

std::vector<uint8_t> Int8Bytes(const std::vector<int8_t>& v) {
  std::vector<uint8_t> b(v.size());
  std::memcpy(b.data(), v.data(), v.size());
  return b;
}

// Every int8 value, -128..127.
std::vector<uint8_t> AllInt8() {
  std::vector<int8_t> v;
  for (int x = -128; x <= 127; ++x) v.push_back(static_cast<int8_t>(x));
  return Int8Bytes(v);
}

// Every pair (x1, x2) of int8 values: in0 i8[256,1] times in1 i8[1,256]
// broadcast to i8[256,256], so that each rounding and clamping case of the
// quantization parameters occurs. `shift` is the exponent of s1*s2/s_out
// (frexp), which the kernel's comment states: it shows which path of
// MBQM (left shift or rounding right shift) the case takes.
void ExpectAllPairs(ir::QuantParams q1, ir::QuantParams q2, ir::QuantParams qo, int shift,
                    const std::string& act = "none") {
  SCOPED_TRACE("act " + act + ", shift " + std::to_string(shift));
  KernelCase c(ir::OpKind::kMul);
  c.InData(DType::kInt8, {256, 1}, AllInt8(), q1)
      .InData(DType::kInt8, {1, 256}, AllInt8(), q2)
      .Out(DType::kInt8, {256, 256}, qo)
      .Attr("act", act)
      .Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_NE(k->code.find(" shift " + std::to_string(shift) + ", output range"), std::string::npos)
      << k->code;
}

// The generated C's output for given int8 inputs (one node, no constants).
std::vector<int8_t> RunInt8(const KernelCase& c) {
  std::string src;
  auto r = RunKernelInC(c.graph(), 0, c.inputs(), "host", &src);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.diag().ToString()) << "\n" << src;
  if (!r.ok() || r->size() != 1) return {};
  const std::vector<uint8_t>& b = (*r)[0];
  std::vector<int8_t> out(b.size());
  std::memcpy(out.data(), b.data(), b.size());
  return out;
}

TEST(MulKernel, Int8HandComputedDoubleRounding) {
  // s1 * s2 / s_out = 0.25 -> (2^30, shift -1): MBQM(p) = Rdbpot(floor((p + 1) / 2), 1).
  // p = 1 -> 1, -1 -> 0, 2 -> 1, 3 -> 1, -2 -> -1, -3 -> -1, 5 -> 2 (real
  // 1.25: the two roundings compound), then + z_out 4.
  KernelCase c(ir::OpKind::kMul);
  c.InData(DType::kInt8, {7}, Int8Bytes({4, 2, 5, 6, 1, 0, 8}), Quant(0.5f, 3))
      .InData(DType::kInt8, {1}, Int8Bytes({-9}), Quant(0.5f, -10))
      .Out(DType::kInt8, {7}, Quant(1.0f, 4));
  EXPECT_EQ(RunInt8(c), (std::vector<int8_t>{5, 4, 5, 5, 3, 3, 6}));
  c.Expect();
}

TEST(MulKernel, Int8HandComputedPositiveShiftAndSaturation) {
  // s1 * s2 / s_out = 0.25 / 0.125 = 2 -> (2^30, shift 2): MBQM(p) = 2p;
  // 2 * 100 = 200 saturates to 127, 2 * -100 to -128.
  KernelCase c(ir::OpKind::kMul);
  c.InData(DType::kInt8, {6}, Int8Bytes({1, -2, 10, 0, 10, -10}), Quant(0.5f, 0))
      .InData(DType::kInt8, {6}, Int8Bytes({3, 5, 10, 7, -10, 10}), Quant(0.5f, 0))
      .Out(DType::kInt8, {6}, Quant(0.125f, 0));
  EXPECT_EQ(RunInt8(c), (std::vector<int8_t>{6, -20, 127, 0, -128, -128}));
  c.Expect();
}

TEST(MulKernel, Int8HandComputedFusedActivations) {
  // Output (0.125, -8): relu clamps below at q = -8, relu6 above at
  // -8 + 6 / 0.125 = 40; 2p + z_out for p = 1*3, -2*5, 10*10, 7*1.
  const std::vector<std::pair<const char*, std::vector<int8_t>>> cases = {
      {"none", {-2, -28, 127, 6}},
      {"relu", {-2, -8, 127, 6}},
      {"relu6", {-2, -8, 40, 6}},
      {"relu_n1_to_1", {-2, -16, 0, 0}},  // [-1, 1] real = [-16, 0] quantized
  };
  for (const auto& [act, want] : cases) {
    SCOPED_TRACE(act);
    KernelCase c(ir::OpKind::kMul);
    c.InData(DType::kInt8, {4}, Int8Bytes({1, -2, 10, 7}), Quant(0.5f, 0))
        .InData(DType::kInt8, {4}, Int8Bytes({3, 5, 10, 1}), Quant(0.5f, 0))
        .Out(DType::kInt8, {4}, Quant(0.125f, -8))
        .Attr("act", std::string(act));
    EXPECT_EQ(RunInt8(c), want);
  }
}

// Every input pair under quantization parameter sets that cover the
// multiplier's range: a typical rescale (shift < 0), a rescale of exactly
// 0.25 (every odd product is a rounding tie), rescales above 1 (shift > 0,
// most products saturate), the largest allowed left shift (30: the shifted
// product wraps in int32 as in the reference), and extreme zero points.
TEST(MulKernel, Int8AllInputPairs) {
  ExpectAllPairs(Quant(0.05f, 3), Quant(0.02f, -7), Quant(0.04f, -5), -5);   // 0.025
  ExpectAllPairs(Quant(0.5f, 0), Quant(0.5f, 0), Quant(1.0f, 0), -1);        // 0.25
  ExpectAllPairs(Quant(0.5f, -1), Quant(0.25f, 1), Quant(0.375f, 2), -1);    // 1/3
  ExpectAllPairs(Quant(0.5f, 0), Quant(0.5f, 0), Quant(0.1f, 0), 2);         // 2.5
  ExpectAllPairs(Quant(1.0f, 0), Quant(1.0f, 0), Quant(1.0f / 536870912.0f, 0), 30);   // 2^29
  ExpectAllPairs(Quant(1.0f, 0), Quant(1.0f, 0), Quant(1.5f / 1073741824.0f, 0), 30);  // 2^30/1.5
  ExpectAllPairs(Quant(0.0078125f, -128), Quant(0.0039215686f, 127), Quant(0.00390625f, -128), -6);
  ExpectAllPairs(Quant(0.0078125f, 127), Quant(0.0039215686f, -128), Quant(0.00390625f, 127), -6);
  ExpectAllPairs(Quant(1e-4f, 0), Quant(1e-4f, 0), Quant(0.5f, 0), -25);  // 2e-8: all z_out
}

TEST(MulKernel, Int8AllInputPairsWithActivations) {
  for (const char* act : {"relu", "relu6", "relu_n1_to_1"}) {
    ExpectAllPairs(Quant(0.05f, 3), Quant(0.02f, -7), Quant(0.01f, -20), -3, act);  // 0.1
    ExpectAllPairs(Quant(0.5f, -3), Quant(0.5f, 9), Quant(0.125f, 100), 2, act);    // 2
  }
}

TEST(MulKernel, Int8BroadcastShapes) {
  const std::vector<std::vector<ir::Shape>> shapes = {
      {{1, 8, 8, 16}, {1, 8, 8, 16}, {1, 8, 8, 16}},  // same shape
      {{1, 5, 7, 6}, {6}, {1, 5, 7, 6}},              // per-channel scale (SE block)
      {{1, 5, 7, 6}, {1, 1, 1, 6}, {1, 5, 7, 6}},
      {{1, 1, 1, 6}, {1, 4, 3, 6}, {1, 4, 3, 6}},     // first input broadcast
      {{1, 4, 3, 6}, {1, 4, 3, 1}, {1, 4, 3, 6}},     // innermost axis broadcast
      {{2, 1, 3}, {4, 1}, {2, 4, 3}},                 // both ways
      {{}, {3, 5}, {3, 5}},                           // scalar
      {{3, 5}, {}, {3, 5}},
      {{2, 3, 1, 5}, {1, 3, 4, 1}, {2, 3, 4, 5}},
  };
  uint32_t seed = 1;
  for (const auto& s : shapes) {
    SCOPED_TRACE(ir::ShapeToString(s[0]) + " * " + ir::ShapeToString(s[1]));
    KernelCase(ir::OpKind::kMul)
        .In(DType::kInt8, s[0], Quant(0.0473f, -3), seed)
        .In(DType::kInt8, s[1], Quant(0.0219f, 11), seed)
        .Out(DType::kInt8, s[2], Quant(0.0611f, -20))
        .Attr("act", std::string("relu"))
        .Expect();
    ++seed;
  }
}

TEST(MulKernel, InPlaceOnlyWhenTheFirstInputIsNotBroadcast) {
  KernelCase same(ir::OpKind::kMul);
  same.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2))
      .In(DType::kInt8, {8}, Quant(0.03f, -4))
      .Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.06f, 1));
  auto k = same.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_TRUE(k->inplace_ok);
  KernelCase broadcast(ir::OpKind::kMul);
  broadcast.In(DType::kInt8, {8}, Quant(0.05f, 2))
      .In(DType::kInt8, {1, 4, 4, 8}, Quant(0.03f, -4))
      .Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.06f, 1));
  k = broadcast.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_FALSE(k->inplace_ok);
}

TEST(MulKernel, Int8ConstantOperand) {
  for (const ir::Shape& cs : {ir::Shape{1, 1, 1, 8}, ir::Shape{1, 4, 4, 8}}) {
    KernelCase c(ir::OpKind::kMul);
    c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2))
        .Const(DType::kInt8, cs, Quant(0.03f, -4))
        .Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.06f, 1))
        .Attr("act", std::string("relu6"))
        .Expect();
    auto k = c.Emit();
    ASSERT_TRUE(k.ok()) << k.diag().ToString();
    EXPECT_EQ(k->code.find("int8_t* in1"), std::string::npos) << k->code;
  }
}

TEST(MulKernel, Float) {
  for (const char* act : {"none", "relu", "relu6", "relu_n1_to_1"}) {
    SCOPED_TRACE(act);
    KernelCase(ir::OpKind::kMul)
        .In(DType::kFloat32, {3, 4, 5})
        .In(DType::kFloat32, {4, 1})
        .Out(DType::kFloat32, {3, 4, 5})
        .Attr("act", std::string(act))
        .Expect();
    KernelCase(ir::OpKind::kMul)
        .In(DType::kFloat32, {1, 6, 6, 8}, std::nullopt, 3, 1e20f)  // products overflow to inf
        .In(DType::kFloat32, {1, 6, 6, 8}, std::nullopt, 4, 1e20f)
        .Out(DType::kFloat32, {1, 6, 6, 8})
        .Attr("act", std::string(act))
        .Expect();
  }
  KernelCase(ir::OpKind::kMul)
      .In(DType::kFloat32, {})
      .Const(DType::kFloat32, {2, 3})
      .Out(DType::kFloat32, {2, 3})
      .Expect();
}

TEST(MulKernel, EmptyTensor) {
  KernelCase(ir::OpKind::kMul)
      .In(DType::kInt8, {0, 3}, Quant(0.1f, 0))
      .In(DType::kInt8, {3}, Quant(0.1f, 0))
      .Out(DType::kInt8, {0, 3}, Quant(0.1f, 0))
      .Expect();
}

TEST(MulKernel, RejectsWhatTheReferenceRejects) {
  // s1 * s2 / s_out = 1e10 needs a left shift above 30.
  KernelCase c(ir::OpKind::kMul);
  c.In(DType::kInt8, {4}, Quant(1.0f, 0))
      .In(DType::kInt8, {4}, Quant(1.0f, 0))
      .Out(DType::kInt8, {4}, Quant(1e-10f, 0));
  auto k = c.Emit();
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.diag().message.find("too large"), std::string::npos) << k.diag().ToString();
}

TEST(MulKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kMul);
  c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2))
      .In(DType::kInt8, {8}, Quant(0.03f, -4))
      .Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.06f, 1))
      .Attr("act", std::string("relu"));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase f(ir::OpKind::kMul);
  f.In(DType::kFloat32, {2, 8}).In(DType::kFloat32, {8}).Out(DType::kFloat32, {2, 8});
  EXPECT_EQ(CompileForCortexM4(f), "");
}

}  // namespace
}  // namespace ember::test
