// average_pool2d C kernel: generated C against the reference evaluator, byte for byte.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "codegen/conv_test_util.h"

namespace ember::test {
namespace {

struct PoolCase {
  int64_t n = 1, h = 8, w = 8, c = 4;
  std::vector<int64_t> filter{2, 2}, stride{2, 2}, pad{0, 0, 0, 0};
  std::string act = "none";
  bool is_float = false;
  float scale = 0.05f;
  int64_t zp = -10;
  uint32_t seed = 31;
};

OneNode BuildPool(ir::OpKind op, const PoolCase& k, std::vector<uint8_t>* input) {
  OneNode t(op, "pool");
  const size_t isize = static_cast<size_t>(k.n * k.h * k.w * k.c);
  const ir::Shape out{k.n, (k.h + k.pad[0] + k.pad[2] - k.filter[0]) / k.stride[0] + 1,
                      (k.w + k.pad[1] + k.pad[3] - k.filter[1]) / k.stride[1] + 1, k.c};
  if (k.is_float) {
    *input = ToBytes(RandomFloats(isize, k.seed, 8.0f));
    t.InBytes(ir::DType::kFloat32, {k.n, k.h, k.w, k.c}, *input).Out(ir::DType::kFloat32, out);
  } else {
    *input = RandomBytes(isize, k.seed);
    t.InBytes(ir::DType::kInt8, {k.n, k.h, k.w, k.c}, *input, Quant(k.scale, k.zp));
    t.Out(ir::DType::kInt8, out, Quant(k.scale, k.zp));
  }
  t.Attr("filter", k.filter).Attr("stride", k.stride).Attr("pad", k.pad).Attr("act", k.act);
  return t;
}

void Check(const PoolCase& k) {
  std::vector<uint8_t> input;
  OneNode t = BuildPool(ir::OpKind::kAveragePool2D, k, &input);
  ExpectKernelMatchesReference(t.graph(), {input});
}

TEST(AveragePool2DKernel, Valid2x2Stride2) {
  PoolCase k;
  Check(k);
}

TEST(AveragePool2DKernel, Same3x3Stride1WithPaddingRelu) {
  PoolCase k;
  k.h = 7, k.w = 6, k.c = 5, k.filter = {3, 3}, k.stride = {1, 1}, k.pad = {1, 1, 1, 1};
  k.act = "relu";
  Check(k);
}

TEST(AveragePool2DKernel, Stride2OddPaddingRelu6AndBatch) {
  PoolCase k;
  k.n = 2, k.h = 9, k.w = 7, k.filter = {3, 2}, k.pad = {1, 0, 1, 1}, k.act = "relu6";
  k.scale = 0.03f, k.zp = -100;
  Check(k);
}

TEST(AveragePool2DKernel, KwsGlobalAverage25x5) {
  PoolCase k;
  k.h = 25, k.w = 5, k.c = 64, k.filter = {25, 5}, k.stride = {1, 1}, k.zp = -128;
  Check(k);
}

TEST(AveragePool2DKernel, BorderWindowsDivideByInImageTaps) {
  PoolCase k;
  k.h = 5, k.w = 4, k.c = 3, k.filter = {3, 3}, k.stride = {1, 1}, k.pad = {2, 2, 2, 2};
  k.zp = 5;
  Check(k);
}

TEST(AveragePool2DKernel, Float) {
  PoolCase k;
  k.is_float = true, k.h = 7, k.w = 7, k.filter = {3, 3}, k.pad = {1, 1, 1, 1};
  Check(k);
  k.act = "relu_n1_to_1";
  Check(k);
}

// A window that is the whole input (int8, TFLite's arithmetic): the Helium
// (int32 lanes, 16 channels per pass) and DSP (SXTB16 + SADD16 into int16
// lanes, 8 channels per pass, at most 255 taps) kernels. Channel counts
// around the pass widths, 1 and 255 taps (with the extreme int16 sums of
// the DSP kernel), 256 taps (the DSP cores keep the portable kernel),
// batch 2 and activations.
std::vector<std::pair<std::string, PoolCase>> WholeInputCases() {
  std::vector<std::pair<std::string, PoolCase>> v;
  auto add = [&](const std::string& name, int64_t n, int64_t h, int64_t w, int64_t c, const std::string& act,
                 int64_t zp) {
    PoolCase k;
    k.n = n, k.h = h, k.w = w, k.c = c, k.filter = {h, w}, k.stride = {1, 1}, k.act = act, k.zp = zp;
    k.seed = 40 + static_cast<uint32_t>(v.size());
    v.push_back({name, k});
  };
  add("kws_25x5x64", 1, 25, 5, 64, "none", -128);
  add("c3", 1, 4, 4, 3, "relu", 7);
  add("c13_batch2", 2, 3, 5, 13, "relu6", -20);
  add("c20", 1, 2, 7, 20, "none", 0);
  add("c8_one_tap", 1, 1, 1, 8, "relu_n1_to_1", 3);
  add("c17_255_taps", 1, 15, 17, 17, "none", -5);
  add("c24_256_taps", 1, 16, 16, 24, "relu", -128);
  add("c256_3x3", 1, 3, 3, 256, "relu", -128);
  return v;
}

OneNode BuildWhole(const std::pair<std::string, PoolCase>& c, std::vector<uint8_t>* input) {
  OneNode t = BuildPool(ir::OpKind::kAveragePool2D, c.second, input);
  if (c.first == "c17_255_taps") {
    // Channels 0-3 all -128 and 4-7 all 127 (the extreme int16 sums, -32640
    // and 32385), the others -128 and 127 in runs.
    for (size_t i = 0; i < input->size(); ++i) {
      const size_t ch = i % 17;
      (*input)[i] = ch < 4 ? 0x80 : ch < 8 ? 0x7F : (i / 17) % 7 == 3 ? 0x7F : 0x80;
    }
  }
  return t;
}

TEST(AveragePool2DKernel, WholeInputVariantsMatchReferenceOnHost) {
  for (const auto& c : WholeInputCases()) {
    for (const char* target : {"cortex-m4", "cortex-m55"}) {
      SCOPED_TRACE(c.first + " for " + target);
      std::vector<uint8_t> input;
      const OneNode t = BuildWhole(c, &input);
      ExpectKernelMatchesReference(t.graph(), {input}, 0.0, target);
      auto tg = codegen::c::ParseTarget(target);
      ASSERT_TRUE(tg.ok());
      codegen::c::ConstPool consts("k");
      codegen::c::KernelContext ctx{t.graph(), t.node(), 0, "f", consts, *tg};
      auto k = codegen::c::GetEmitter(t.node().op).emit(ctx);
      ASSERT_TRUE(k.ok()) << k.diag().ToString();
      const bool mve = std::string(target) == "cortex-m55";
      const bool dsp = !mve && c.second.h * c.second.w <= 255;
      EXPECT_EQ(k->code.find("Helium: int32 sums") != std::string::npos, mve) << k->code;
      EXPECT_EQ(k->code.find("DSP: int16 sums") != std::string::npos, dsp) << k->code;
    }
  }
}

TEST(AveragePool2DKernel, WholeInputVariantsMatchReferenceOnTheBoards) {
  const auto cases = WholeInputCases();
  std::vector<OneNode> nodes;
  std::vector<BoardKernelCase> runs;
  nodes.reserve(cases.size());
  for (const auto& c : cases) {
    std::vector<uint8_t> input;
    nodes.push_back(BuildWhole(c, &input));
    runs.push_back({c.first, &nodes.back().graph(), std::move(input)});
  }
  ExpectKernelsMatchOnBoard(runs, "cortex-m4", "mps2-an386");
  ExpectKernelsMatchOnBoard(runs, "cortex-m55", "mps3-an547");
}

TEST(AveragePool2DKernel, CompilesForCortexM4) {
  PoolCase k;
  k.pad = {1, 1, 1, 1}, k.filter = {3, 3}, k.act = "relu";
  std::vector<uint8_t> input;
  ExpectCompilesForCortexM4(BuildPool(ir::OpKind::kAveragePool2D, k, &input).graph());
  k.is_float = true;
  ExpectCompilesForCortexM4(BuildPool(ir::OpKind::kAveragePool2D, k, &input).graph());
}

}  // namespace
}  // namespace ember::test
