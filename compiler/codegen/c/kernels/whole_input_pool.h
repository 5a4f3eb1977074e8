// An int8 average_pool2d whose window is the whole unpadded input (TFLite's
// arithmetic), as the per-ISA variants (kernels/dsp/, kernels/mve/
// average_pool2d.cc) take it: `batch` images of `pixels` contiguous pixels of
// `channels` int8 values at in0, one output pixel per image at out0.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "codegen/c/kernels/conv_emit_util.h"

namespace ember::codegen::c {

struct WholeInputPool {
  int64_t batch, pixels, channels;
  // The statement that divides the int32 sum `a` by the tap count (rounding
  // half away from zero), clamps it and stores it to `dst`.
  std::function<std::string(const std::string& a, const std::string& dst)> finish;

  // The batch loop around `body` (which reads the image at x and writes
  // its output pixel at o), with a comment line `note`.
  std::string Loop(const std::string& note, const std::string& body) const {
    std::string s = "for (int b = 0; b < " + std::to_string(batch) + "; ++b) {\n";
    s += "  const int8_t* const x = in0 + b * " + std::to_string(pixels * channels) + ";\n";
    s += "  int8_t* const o = out0 + b * " + std::to_string(channels) + ";\n";
    s += "  /* " + note + " */\n";
    return s + Reindent(body, 2) + "}\n";
  }
};

}  // namespace ember::codegen::c
