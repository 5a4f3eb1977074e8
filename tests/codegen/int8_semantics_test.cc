// Kernels with int8_semantics = "onnxruntime": the generated C (portable, and
// the cortex-m4 form whose DSP SMLAD accumulation stores through the float
// requantization, run on the host with the intrinsics' portable C) equals the
// reference evaluator byte for byte on random data, and compiles with
// arm-none-eabi-gcc for Cortex-M4 (the Helium conv2d and fully_connected
// forms are in mve_gemm_test.cc). The emulated
// Cortex-M4 runs of the QDQ models (tests/e2e/onnx_models_test.cc) check the
// device build bit for bit; the device's one-instruction rounding (VCVTR) is
// checked against the host form on a grid of ties and saturating operands
// on the emulated Cortex-M4 and M33.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "codegen/kernel_case.h"
#include "e2e/qemu_util.h"
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

// A binary operator on same-shape operands and with its second operand
// broadcast (relu fused there), each with the output scale given.
void ExpectBinaryCases(ir::OpKind op, float same_out_scale) {
  KernelCase same(op);
  same.In(DType::kInt8, {1, 5, 4, 8}, Quant(0.041f, -7))
      .In(DType::kInt8, {1, 5, 4, 8}, Quant(0.017f, 30))
      .Out(DType::kInt8, {1, 5, 4, 8}, Quant(same_out_scale, 3))
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(same);
  KernelCase broadcast(op);
  broadcast.In(DType::kInt8, {1, 3, 4, 8}, Quant(0.02f, 0))
      .In(DType::kInt8, {8}, Quant(0.08f, -100))
      .Out(DType::kInt8, {1, 3, 4, 8}, Quant(0.1f, -128))
      .Attr("act", std::string("relu"))
      .Attr("int8_semantics", kOrt);
  ExpectBothTargets(broadcast);
}

TEST(OnnxRuntimeInt8Kernel, Add) { ExpectBinaryCases(ir::OpKind::kAdd, 0.052f); }

TEST(OnnxRuntimeInt8Kernel, Mul) { ExpectBinaryCases(ir::OpKind::kMul, 0.013f); }

// onnx_uint8: add and the float window of average_pool2d on the uint8 values.
TEST(OnnxRuntimeInt8Kernel, OnnxUint8AddAndAveragePool) {
  KernelCase add(ir::OpKind::kAdd);
  add.In(DType::kInt8, {1, 5, 4, 8}, Quant(0.04f, 3))
      .In(DType::kInt8, {1, 5, 4, 8}, Quant(0.05f, 0))
      .Out(DType::kInt8, {1, 5, 4, 8}, Quant(0.06f, -18))
      .Attr("int8_semantics", kOrt)
      .Attr("onnx_uint8", int64_t{1});
  ExpectBothTargets(add);
  KernelCase window(ir::OpKind::kAveragePool2D);
  window.In(DType::kInt8, {1, 7, 6, 5}, Quant(0.02f, 3))
      .Out(DType::kInt8, {1, 4, 3, 5}, Quant(0.0077f, -8))
      .Attr("filter", std::vector<int64_t>{3, 3})
      .Attr("stride", std::vector<int64_t>{2, 2})
      .Attr("pad", std::vector<int64_t>{1, 1, 1, 1})
      .Attr("int8_semantics", kOrt)
      .Attr("onnx_uint8", int64_t{1});
  ExpectBothTargets(window);
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

// The C source of the operand grid both sides run ember_requant_f32 and
// ember_qlinear_add over: accumulators around the ties of scales 1/2, 1/4
// and 3/2, the int32 extremes and large values that saturate, scales that
// leave no tie, zero points and fused ranges (none, relu, relu6-like);
// QLinearAdd with factors and addends that make ties and out-of-range sums.
// Each result goes through emit(int32_t).
const char* kRoundingGrid = R"(
static const int32_t kAcc[] = {0, 1, -1, 2, -2, 3, -3, 5, -5, 7, -7, 101, -101, 254, -254, 255, -255, 256, -256,
                               257, -257, 509, -509, 511, -511, 513, -513, 1023, -1025, 4194303, -4194305,
                               8388607, -8388609, 16777217, -16777219, 2147483647, -2147483647 - 1};
static const float kScale[] = {0.5f, 0.25f, 1.5f, 0.0123f, 0.333333343f, 1.0f, 3.75f, 1e-6f, 1e6f};
static const int32_t kZp[] = {-128, -5, 0, 17, 127};
static const int8_t kA[] = {-128, -127, -64, -3, -1, 0, 1, 3, 63, 126, 127};
static const float kRatio[] = {0.5f, -0.5f, 0.25f, 1.5f, 0.75f, 0.0390625f, 2.5f};
static const float kFixed[] = {0.0f, 0.5f, -0.5f, 3.25f, -100.5f};
static void run_grid(void) {
  unsigned i, j, k, r, z;
  for (i = 0; i < sizeof kAcc / sizeof kAcc[0]; ++i)
    for (j = 0; j < sizeof kScale / sizeof kScale[0]; ++j)
      for (z = 0; z < sizeof kZp / sizeof kZp[0]; ++z) {
        const int32_t zp = kZp[z];
        emit(ember_requant_f32(kAcc[i], kScale[j], zp, -128, 127));
        emit(ember_requant_f32(kAcc[i], kScale[j], zp, zp, 127));
        emit(ember_requant_f32(kAcc[i], kScale[j], zp, zp > -100 ? zp - 100 : -128, zp < 90 ? zp + 37 : 127));
      }
  for (i = 0; i < sizeof kA / sizeof kA[0]; ++i)
    for (j = 0; j < sizeof kA / sizeof kA[0]; ++j)
      for (r = 0; r < sizeof kRatio / sizeof kRatio[0]; ++r)
        for (k = 0; k < sizeof kFixed / sizeof kFixed[0]; ++k) {
          emit(ember_qlinear_add(kA[i], kA[j], kRatio[r], kRatio[(r + 3) % 7], kFixed[k], -128.0f, 127.0f));
          emit(ember_qlinear_add(kA[i], kA[j], kRatio[r], kRatio[(r + 1) % 7], kFixed[k], -20.0f, 127.0f));
        }
}
)";

// The grid run on the host (the portable float clamp and 1.5 * 2^23
// rounding of kernel_math.h), compiled by the host's C compiler as C99, as
// the device build compiles it.
std::vector<int32_t> HostGrid() {
  const std::string dir = TempDir();
  const std::string src = std::string("#include <stdio.h>\n#include \"ember/kernel_math.h\"\n"
                                      "static void emit(int32_t v) { printf(\"%d\\n\", (int)v); }\n") +
                          kRoundingGrid + "int main(void) { run_grid(); return 0; }\n";
  WriteFile(dir + "/grid.c", std::vector<uint8_t>(src.begin(), src.end()));
  const auto built = qemu::Run("cc -std=c99 -O2 -I" + qemu::Quote(std::string(EMBER_SOURCE_DIR) + "/runtime/include") +
                               " -o " + qemu::Quote(dir + "/grid") + " " + qemu::Quote(dir + "/grid.c"));
  EXPECT_EQ(built.exit_code, 0) << built.output;
  const auto ran = qemu::Run(qemu::Quote(dir + "/grid"));
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  std::vector<int32_t> v;
  std::istringstream in(ran.output);
  for (int x = 0; in >> x;) {
    EXPECT_TRUE(x >= -128 && x <= 127) << x;
    v.push_back(x);
  }
  return v;
}

// ONNX Runtime's requantization and QLinearAdd on the emulated Cortex-M4
// (VCVTR: round by FPSCR, nearest even) and Cortex-M33 (FPv5) equal the host's
// portable form on every operand of the grid: ties, saturation, zero points,
// fused ranges.
TEST(Int8SemanticsRuntime, DeviceRoundingEqualsHostOnTiesAndSaturation) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::vector<int32_t> want = HostGrid();
  ASSERT_GT(want.size(), 3000u);
  const std::string src = std::string("#include <stdint.h>\n#include \"ember/kernel_math.h\"\n#include \"platform.h\"\n"
                                      "#if !EMBER_HAVE_VCVT_RNE\n#error \"built without the VCVTR rounding\"\n#endif\n"
                                      "static uint8_t buf[16384];\nstatic unsigned n;\n"
                                      "static void emit(int32_t v) { buf[n++ % sizeof buf] = (uint8_t)v; }\n") +
                          kRoundingGrid +
                          "int main(void) {\n  run_grid();\n  ember_cm_print(\"grid \");\n"
                          "  ember_cm_print_hex(buf, n < sizeof buf ? n : sizeof buf);\n  ember_cm_print(\"\\n\");\n"
                          "  ember_cm_exit(0);\n}\n";
  ASSERT_LE(want.size(), 16384u);
  const std::string dir = TempDir();
  WriteFile(dir + "/grid_fw.c", std::vector<uint8_t>(src.begin(), src.end()));
  for (const char* board : {"mps2-an386", "mps2-an505"}) {
    SCOPED_TRACE(board);
    const std::string elf = dir + "/grid_" + board + ".elf";
    const auto built = qemu::Build("--app " + qemu::Quote(dir + "/grid_fw.c") + " " + board + " " + qemu::Quote(elf));
    ASSERT_EQ(built.exit_code, 0) << built.output;
    const auto ran = qemu::Emulate(elf, board, 60);
    ASSERT_EQ(ran.exit_code, 0) << ran.output;
    const size_t at = ran.output.find("grid ");
    ASSERT_NE(at, std::string::npos) << ran.output;
    std::istringstream ls(ran.output.substr(at + 5));
    std::string hex;
    ls >> hex;
    ASSERT_EQ(hex.size(), 2 * want.size());
    size_t bad = 0;
    for (size_t i = 0; i < want.size() && bad < 8; ++i) {
      const auto got = static_cast<int8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
      if (got != static_cast<int8_t>(want[i])) {
        ADD_FAILURE() << "result " << i << ": host " << want[i] << ", " << board << " " << int(got);
        ++bad;
      }
    }
  }
}

}  // namespace
}  // namespace ember::test
