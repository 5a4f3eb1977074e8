// round: C kernel for rounding to the nearest integer, ties to even, in the
// reference's own steps (ops/round.cc: TFLite's RoundToNearest with floorf
// and fmodf, so signed zeros and NaN come out as the reference's); float32
// only.
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  return EmitFloatUnaryKernel(
      ctx, "(x - floorf(x) < 0.5f || (x - floorf(x) == 0.5f && fmodf(floorf(x), 2.0f) == 0.0f)) ? floorf(x) : floorf(x) + 1.0f",
      {"ties to even, as TFLite's RoundToNearest"});
}

}  // namespace

extern const KernelEmitter kRoundEmitter = {ir::OpKind::kRound, Emit};

}  // namespace ember::codegen::c
