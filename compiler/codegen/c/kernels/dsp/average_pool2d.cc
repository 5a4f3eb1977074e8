// average_pool2d for DSP cores (cortex-m4/m7/m33): int8, the window is the
// whole input with at most 255 taps (|sum| <= 255 * 128 < 2^15). Eight
// channels per pass over the contiguous pixels: two word loads, SXTB16 and
// SXTB16 ROR 8 split them into channel pairs (0, 2), (1, 3), (4, 6), (5, 7),
// and SADD16 adds the pairs into four int16x2 sums; the channels beyond the
// last multiple of 8 in plain C; then each channel's rounding division.
// Groups of channels are finished in ascending order, each after its own taps
// were read (the portable kernel's channel-step access order).
#include <optional>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"

namespace ember::codegen::c::dsp {

std::optional<std::string> EmitWholeInputPoolBody(const WholeInputPool& w) {
  if (w.pixels > 255) return std::nullopt;
  const std::string ns = std::to_string(w.pixels), cs = std::to_string(w.channels);
  const int64_t full = w.channels / 8 * 8;
  std::string g;
  if (full > 0) {
    g += "for (int c = 0; c < " + std::to_string(full) + "; c += 8) {\n";
    g += "  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;  /* channels (0, 2), (1, 3), (4, 6), (5, 7) */\n";
    g += "  const int8_t* p = x + c;\n";
    g += "  for (int i = 0; i < " + ns + "; ++i, p += " + cs + ") {\n";
    g += "    const int32_t u = ember_read_s8x4(p), v = ember_read_s8x4(p + 4);\n";
    g += "    a0 = ember_sadd16(a0, ember_sxtb16(u));\n    a1 = ember_sadd16(a1, ember_sxtb16_ror8(u));\n";
    g += "    a2 = ember_sadd16(a2, ember_sxtb16(v));\n    a3 = ember_sadd16(a3, ember_sxtb16_ror8(v));\n  }\n";
    g += "  {\n    const int32_t t[8] = {(int16_t)a0, (int16_t)a1, (int16_t)((uint32_t)a0 >> 16), "
         "(int16_t)((uint32_t)a1 >> 16),\n                         (int16_t)a2, (int16_t)a3, (int16_t)((uint32_t)a2 >> 16), "
         "(int16_t)((uint32_t)a3 >> 16)};\n";
    g += "    for (int j = 0; j < 8; ++j)\n" + Reindent(w.finish("t[j]", "o[c + j]"), 6) + "  }\n}\n";
  }
  if (w.channels > full) {
    g += "for (int c = " + std::to_string(full) + "; c < " + cs + "; ++c) {  /* the last channels */\n";
    g += "  int32_t a = 0;\n  for (int i = 0; i < " + ns + "; ++i) a += x[i * " + cs + " + c];\n";
    g += Reindent(w.finish("a", "o[c]"), 2) + "}\n";
  }
  return w.Loop("DSP: int16 sums of 8 channels per pass (SXTB16, SADD16) over the " + ns + " contiguous pixels", g);
}

}  // namespace ember::codegen::c::dsp
