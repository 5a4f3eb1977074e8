// Helium (MVE) variants of the int8 kernels for cortex-m55 targets. The
// portable emitters call them first when ctx.target.has_mve and the node is
// one they handle (Applies); otherwise the portable kernel is generated.
#pragma once

#include "codegen/c/emitter.h"

namespace ember::codegen::c::mve {

// conv2d: int8 input, filter and output, no groups, constant filter and bias.
bool Conv2DApplies(const KernelContext& ctx);
Expected<Kernel> EmitConv2D(const KernelContext& ctx);

// fully_connected: int8 input, weights and output, constant weights and bias.
bool FullyConnectedApplies(const KernelContext& ctx);
Expected<Kernel> EmitFullyConnected(const KernelContext& ctx);

}  // namespace ember::codegen::c::mve
