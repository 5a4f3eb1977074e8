// Portable C emitters for the 16x8 forms (int16 activations, int8 weights,
// int32 or int64 bias) of conv2d, depthwise_conv2d and fully_connected,
// bit-exact with the evaluators' EvalInt16 (ops/conv2d.cc etc.). The DSP and
// MVE variants are int8 only; these serve every target.
#pragma once

#include "codegen/c/emitter.h"

namespace ember::codegen::c {

// True when the node's input is int16 (the 16x8 form).
bool IsInt16ConvLike(const KernelContext& ctx);

Expected<Kernel> EmitConv2DInt16(const KernelContext& ctx);
Expected<Kernel> EmitDepthwiseConv2DInt16(const KernelContext& ctx);
Expected<Kernel> EmitFullyConnectedInt16(const KernelContext& ctx);

}  // namespace ember::codegen::c
