// pow: C kernel for elementwise a^b with numpy broadcasting, as the reference
// (ops/pow.cc): float32 through libm's powf (host and device libraries may
// differ in the last bit), int32 through ember_pow_i32 (kernel_math.h).
//
// The broadcast becomes a loop nest with literal bounds and strides.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Tensor& a = g.tensor(ctx.node.inputs[0]);
  const ir::Tensor& b = g.tensor(ctx.node.inputs[1]);
  const ir::Tensor& out = g.tensor(ctx.node.outputs[0]);
  const bool int32 = a.dtype == ir::DType::kInt32;
  const std::string x = OperandName(ctx, 0), y = OperandName(ctx, 1);
  const std::string fn = int32 ? "ember_pow_i32" : "powf";
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, b.shape}));
  const LoopBody body = [&](const std::vector<std::string>& i, int in) {
    return Spaces(in) + "out0[" + i[0] + "] = " + fn + "(" + x + "[" + i[1] + "], " + y + "[" + i[2] + "]);\n";
  };
  Kernel k;
  k.code = FunctionHead(ctx, {std::string("out = ") + fn + "(a, b)"}) + EmitLoops(nest, 2, body) + "}\n";
  k.inplace_ok = !a.is_const() && a.shape == out.shape;
  if (!b.is_const() && b.shape == out.shape) k.overlaps.push_back({1, 0});
  return k;
}

}  // namespace

extern const KernelEmitter kPowEmitter = {ir::OpKind::kPow, Emit};

}  // namespace ember::codegen::c
