// Helpers for the windowed-operator and fully_connected kernel tests:
// deterministic random tensors with realistic quantization, and a check that
// one node's generated kernel compiles for Cortex-M4 with arm-none-eabi-gcc.
#pragma once

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/kernel_harness.h"
#include "ops/evaluate.h"
#include "ops/op_test_util.h"
#include "util/test_util.h"

namespace ember::test {

inline std::vector<int8_t> RandomInt8(size_t n, uint32_t seed) {
  const std::vector<uint8_t> b = RandomBytes(n, seed);
  return std::vector<int8_t>(b.begin(), b.end());
}

// Values in [-range, range].
inline std::vector<int32_t> RandomInt32(size_t n, uint32_t seed, int32_t range) {
  const std::vector<uint8_t> b = RandomBytes(n * 4, seed);
  std::vector<int32_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t u = b[4 * i] | (b[4 * i + 1] << 8) | (b[4 * i + 2] << 16) |
                       (static_cast<uint32_t>(b[4 * i + 3]) << 24);
    v[i] = static_cast<int32_t>(u % static_cast<uint32_t>(2 * range + 1)) - range;
  }
  return v;
}

// Floats in [-1, 1) with 1/128 steps times `scale` (finite, no NaN).
inline std::vector<float> RandomFloats(size_t n, uint32_t seed, float scale = 1.0f) {
  const std::vector<int8_t> b = RandomInt8(n, seed);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(b[i]) / 128.0f * scale;
  return v;
}

// Realistic per-channel filter scales around `base` (0.5x to 1.5x).
inline std::vector<float> ChannelScales(size_t n, uint32_t seed, float base) {
  const std::vector<uint8_t> b = RandomBytes(n, seed);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = base * (0.5f + static_cast<float>(b[i]) / 255.0f);
  return v;
}

// Per-channel int8 weights (`channels` of them, channel c's weights every
// `stride`-th element from c * `first`): channel 1 gets the scale 1e-30 (its
// multiplier quantizes to 0, so every sum requantizes to z_out), weights of
// -128 and a bias of INT32_MAX, sums beyond every bound a kernel checks.
inline void MakeChannel1Dead(OneNode& t, int64_t channels, int64_t first, int64_t stride) {
  ir::Tensor& w = t.in_tensor(1);
  w.quant->scale.at(1) = 1e-30f;
  std::vector<uint8_t>& d = *w.data;
  const int64_t per = static_cast<int64_t>(d.size()) / channels;
  for (int64_t i = 0; i < per; ++i) d[static_cast<size_t>(first + i * stride)] = 0x80;
  if (t.node().inputs.size() > 2 && t.node().inputs[2] != ir::kNoTensor) {
    std::vector<uint8_t>& b = *t.in_tensor(2).data;
    const int32_t v = INT32_MAX;
    std::memcpy(b.data() + 4, &v, 4);
  }
}

inline bool HaveArmGcc() { return std::system("arm-none-eabi-gcc --version > /dev/null 2>&1") == 0; }

// Emits node 0 of `g` for cortex-m4 and compiles it with arm-none-eabi-gcc
// -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c99 -Wall
// -Wextra -Werror -pedantic -O2 -c, behind a non-static wrapper so that the
// static kernel is used.
inline void ExpectCompilesForCortexM4(const ir::Graph& g) {
  if (!HaveArmGcc()) GTEST_SKIP() << "arm-none-eabi-gcc is absent; cross-compilation not checked";
  const ir::Node& n = g.nodes.at(0);
  auto target = codegen::c::ParseTarget("cortex-m4");
  ASSERT_TRUE(target.ok());
  codegen::c::ConstPool consts("k");
  codegen::c::KernelContext ctx{g, n, 0, "kernel_0", consts, *target};
  auto kernel = codegen::c::GetEmitter(n.op).emit(ctx);
  ASSERT_TRUE(kernel.ok()) << kernel.diag().ToString();
  std::string args;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i] == ir::kNoTensor || g.tensor(n.inputs[i]).is_const()) continue;
    args += (args.empty() ? "" : ", ") + std::string("in") + std::to_string(i);
  }
  for (size_t j = 0; j < n.outputs.size(); ++j)
    args += (args.empty() ? "" : ", ") + std::string("out") + std::to_string(j);
  if (kernel->scratch_bytes > 0) args += ", scratch";
  std::string src = "#include <stdint.h>\n#include <string.h>\n#include <math.h>\n"
                    "#include \"ember/kernel_math.h\"\n#include \"ember/fixed_point.h\"\n#include \"ember/dsp.h\"\n\n";
  src += consts.Render() + kernel->code + "\nvoid run_kernel(" +
         codegen::c::KernelParams(ctx, kernel->scratch_bytes) + ");\nvoid run_kernel(" +
         codegen::c::KernelParams(ctx, kernel->scratch_bytes) + ") { kernel_0(" + args + "); }\n";
  const std::string dir = TempDir();
  WriteFile(dir + "/k.c", std::vector<uint8_t>(src.begin(), src.end()));
  const std::string cmd =
      "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c99 "
      "-Wall -Wextra -Werror -pedantic -O2 -I" EMBER_SOURCE_DIR "/runtime/include -c " +
      dir + "/k.c -o " + dir + "/k.o 2> " + dir + "/cc.log";
  if (std::system(cmd.c_str()) != 0) {
    const auto log = ReadFile(dir + "/cc.log");
    ADD_FAILURE() << "arm-none-eabi-gcc rejects the kernel:\n"
                  << std::string(log.begin(), log.end()) << "\n"
                  << src;
  }
}

// Node `index` of the several-node graph `g` (whose emitters see each
// other's layers: shared bodies), emitted for `target` and run in C on
// `input`, equals the reference output of `one` (that node alone), also with
// input and output in one buffer at each overlap it declares (at least one).
inline void ExpectNodeOfGraphMatches(const ir::Graph& g, size_t index, const ir::Graph& one,
                                     const std::vector<uint8_t>& input, const std::string& target) {
  SCOPED_TRACE("node " + std::to_string(index));
  auto want = ops::EvaluateGraph(one, {input});
  ASSERT_TRUE(want.ok()) << want.diag().ToString();
  std::string src;
  std::vector<std::vector<uint8_t>> overlapped;
  auto got = RunKernelInC(g, index, {input}, target, &src, &overlapped);
  ASSERT_TRUE(got.ok()) << got.diag().ToString() << src;
  EXPECT_EQ(got->at(0), want->outputs.at(0));
  EXPECT_FALSE(overlapped.empty()) << "no overlap declared";
  for (const auto& o : overlapped) EXPECT_EQ(o, want->outputs.at(0)) << "overlapped";
}

}  // namespace ember::test
