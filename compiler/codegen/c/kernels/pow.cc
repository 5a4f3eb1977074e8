// pow: C kernel for elementwise a^b with numpy broadcasting, as the reference
// (ops/pow.cc): float32 through libm's powf (host and device libraries may
// differ in the last bit), int32 through ember_pow_i32 (kernel_math.h).
//
// The broadcast becomes a loop nest with literal bounds and strides
// (BinaryCallKernel).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const bool int32 = ctx.graph.tensor(ctx.node.inputs[0]).dtype == ir::DType::kInt32;
  const std::string fn = int32 ? "ember_pow_i32" : "powf";
  return BinaryCallKernel(ctx, fn, "", "out = " + fn + "(a, b)");
}

}  // namespace

extern const KernelEmitter kPowEmitter = {ir::OpKind::kPow, Emit};

}  // namespace ember::codegen::c
