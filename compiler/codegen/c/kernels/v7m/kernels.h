// Variants of the int8 kernels for cores with SMLAL (32 x 32 + 64 multiply-
// accumulate) but without the DSP extension's SMLAD: cortex-m3 (ARMv7-M).
// The portable emitters call them when ctx.target.has_smlal and the node is
// one they handle (Applies); otherwise the portable kernel is generated. The
// code is plain C99 (int64_t arithmetic that gcc turns into SMLAL), so the
// same text runs in host tests.
#pragma once

#include <string>

#include "codegen/c/emitter.h"

namespace ember::codegen::c::v7m {

// The signed byte `k` (0..3) of the uint32_t C variable `v` as an int32
// expression (SXTB with ROR 8 / 16; ASR 24 for the top byte).
inline std::string Lane(const std::string& v, int k) {
  if (k == 3) return "((int32_t)" + v + " >> 24)";
  return "(int32_t)(int8_t)(" + v + (k ? " >> " + std::to_string(8 * k) : std::string()) + ")";
}

// conv2d: int8 input, filter and output, no groups, constant filter and bias,
// im2col depth K <= 4096, and every output channel's 128 * sum(|w|) below
// 2^22 (the pair sums of v7m/conv2d.cc stay exact).
bool Conv2DApplies(const KernelContext& ctx);
Expected<Kernel> EmitConv2D(const KernelContext& ctx);

// fully_connected: int8 input, weights and output, constant weights and bias
// (dsp::FullyConnectedApplies' conditions).
bool FullyConnectedApplies(const KernelContext& ctx);
Expected<Kernel> EmitFullyConnected(const KernelContext& ctx);

}  // namespace ember::codegen::c::v7m
