// Helium (MVE) variants of the int8 kernels for cortex-m55 targets. The
// portable emitters call them first when ctx.target.has_mve and the node is
// one they handle (Applies); otherwise the portable kernel is generated.
#pragma once

#include <optional>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/whole_input_pool.h"
#include "codegen/c/schedule.h"
#include "ops/conv_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c::mve {

// conv2d: int8 input, filter and output, no groups, constant filter and bias.
bool Conv2DApplies(const KernelContext& ctx);
Expected<Kernel> EmitConv2D(const KernelContext& ctx);
// Its schedule space (docs/tuning.md) and the pixels per block of its schedule.
std::optional<ScheduleSpace> Conv2DSpace(const KernelContext& ctx);
int Conv2DPixelBlock(const KernelContext& ctx);

// fully_connected: int8 input, weights and output, constant weights and bias.
bool FullyConnectedApplies(const KernelContext& ctx);
Expected<Kernel> EmitFullyConnected(const KernelContext& ctx);
std::optional<ScheduleSpace> FullyConnectedSpace(const KernelContext& ctx);

// add of two same-shape int8 tensors of n elements (the reference's
// multipliers: inputs m1, m2 after a 20-bit left shift, output mo).
struct AddS8 {
  int64_t n;
  int32_t z1, z2, zo;
  ops::QuantizedMultiplier m1, m2, mo;
  ops::Int32Range act;
  // int8_semantics = "onnxruntime": QLinearAdd's float form instead
  // (fma(a, ra, fma(b, rb, fixed)), clamp, round half to even).
  bool ort = false;
  float ra = 0, rb = 0, fixed = 0;
  // 128 when ONNX Runtime computes on uint8 (ops::OnnxUint8Offset): the
  // lanes are offset before and after.
  int32_t uint8_offset = 0;
};
// True when every shift is a right shift (what the vector step implements),
// or with ONNX Runtime's float form.
bool AddApplies(const AddS8& a);
// The statements of the kernel body (operands in0, in1, out0).
std::string EmitAddS8Body(const AddS8& a);

// average_pool2d whose window is the whole input (int8, TFLite's
// arithmetic): the statements of the kernel body (operands in0, out0).
std::string EmitWholeInputPoolBody(const WholeInputPool& w);

}  // namespace ember::codegen::c::mve
