// average_pool2d for Helium (cortex-m55): int8, the window is the whole
// input. The channels are summed in int32 lanes over the contiguous pixels,
// 16 channels per pass (four ember_mve_ld8x4 widening loads; the last
// channels' loads read only the channels that exist), then each channel's
// rounding division. Groups of channels are finished in ascending order, each
// after its own taps were read (the channel-step access order of the
// portable kernel, with fewer writes between reads).
#include <algorithm>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/mve/kernels.h"

namespace ember::codegen::c::mve {

std::string EmitWholeInputPoolBody(const WholeInputPool& w) {
  const std::string ns = std::to_string(w.pixels), cs = std::to_string(w.channels);
  // A group of `ch` channels from `c0` (a literal, or "c" in the loop).
  auto group = [&](const std::string& c0, int64_t ch) {
    const int64_t vecs = (ch + 3) / 4;
    std::string t = "ember_v32 ";
    for (int64_t v = 0; v < vecs; ++v) t += (v ? ", s" : "s") + std::to_string(v) + " = ember_mve_set4(0, 0, 0, 0)";
    t += ";\nconst int8_t* p = x + " + c0 + ";\n";
    t += "for (int i = 0; i < " + ns + "; ++i, p += " + cs + ") {\n";
    for (int64_t v = 0; v < vecs; ++v) {
      const int64_t lanes = std::min<int64_t>(4, ch - 4 * v);
      const std::string at = v ? "p + " + std::to_string(4 * v) : "p";
      t += "  s" + std::to_string(v) + " = ember_mve_add(s" + std::to_string(v) + ", " +
           (lanes == 4 ? "ember_mve_ld8x4(" + at + ")" : "ember_mve_ld8x4_n(" + at + ", " + std::to_string(lanes) + ")") +
           ");\n";
    }
    t += "}\n{\n  int32_t t[" + std::to_string(4 * vecs) + "];\n";
    for (int64_t v = 0; v < vecs; ++v) t += "  ember_mve_st32(t + " + std::to_string(4 * v) + ", s" + std::to_string(v) + ");\n";
    t += "  for (int j = 0; j < " + std::to_string(ch) + "; ++j)\n";
    t += Reindent(w.finish("t[j]", "o[" + c0 + " + j]"), 4) + "}\n";
    return t;
  };
  const int64_t full = w.channels / 16 * 16;
  std::string g;
  if (full > 0) g += "for (int c = 0; c < " + std::to_string(full) + "; c += 16) {\n" + Reindent(group("c", 16), 2) + "}\n";
  if (w.channels > full) g += "{\n" + Reindent(group(std::to_string(full), w.channels - full), 2) + "}\n";
  return w.Loop("Helium: int32 sums of 16 channels per pass over the " + ns + " contiguous pixels", g);
}

}  // namespace ember::codegen::c::mve
