// mod: C kernel for the elementwise remainder with numpy broadcasting, as the
// reference (ops/mod.cc): float32 through fmodf (exact) or
// ember_floor_mod_f32, int16, int32 and int64 through ember_mod_i16 / _i32 / _i64
// (kernel_math.h), which define the zero divisor as the reference does.
//
// The broadcast becomes a loop nest with literal bounds and strides
// (BinaryCallKernel).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const bool floor = ctx.node.GetInt("fmod", 0) == 0;
  const std::string mode = floor ? ", 1" : ", 0";
  const std::string detail = std::string("out = ") + (floor ? "floor" : "truncated") + " mod(a, b)";
  switch (ctx.graph.tensor(ctx.node.inputs[0]).dtype) {
    case ir::DType::kInt32: return BinaryCallKernel(ctx, "ember_mod_i32", mode, detail);
    case ir::DType::kInt64: return BinaryCallKernel(ctx, "ember_mod_i64", mode, detail);
    case ir::DType::kInt16: return BinaryCallKernel(ctx, "ember_mod_i16", mode, detail);
    default: return BinaryCallKernel(ctx, floor ? "ember_floor_mod_f32" : "fmodf", "", detail);
  }
}

}  // namespace

extern const KernelEmitter kModEmitter = {ir::OpKind::kMod, Emit};

}  // namespace ember::codegen::c
