// pow: C kernel for elementwise a^b with numpy broadcasting, as the reference
// (ops/pow.cc): float32 through libm's powf (host and device libraries may
// differ in the last bit), int32 and int64 through ember_pow_i32 and
// ember_pow_i64 (kernel_math.h).
//
// The broadcast becomes a loop nest with literal bounds and strides
// (BinaryCallKernel).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::DType t = ctx.graph.tensor(ctx.node.inputs[0]).dtype;
  const std::string fn = t == ir::DType::kInt32 ? "ember_pow_i32" : t == ir::DType::kInt64 ? "ember_pow_i64" : "powf";
  return BinaryCallKernel(ctx, fn, "", "out = " + fn + "(a, b)");
}

}  // namespace

extern const KernelEmitter kPowEmitter = {ir::OpKind::kPow, Emit};

}  // namespace ember::codegen::c
