// An int8 average_pool2d whose window is the whole unpadded input (TFLite's
// arithmetic), as the per-ISA variants (kernels/dsp/, kernels/mve/
// average_pool2d.cc) take it: `batch` images of `pixels` contiguous pixels of
// `channels` int8 values at in0, one output pixel per image at out0.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ember::codegen::c {

struct WholeInputPool {
  int64_t batch, pixels, channels;
  // The statement that divides the int32 sum `a` by the tap count (rounding
  // half away from zero), clamps it and stores it to `dst`.
  std::function<std::string(const std::string& a, const std::string& dst)> finish;
};

}  // namespace ember::codegen::c
