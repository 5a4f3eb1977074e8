// broadcast_to: C kernel for the broadcast copy (ops/broadcast_to.cc): the
// broadcast as a loop nest with literal bounds and strides (the input's
// stride 0 along the axes it repeats), each element copied as stored.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const std::string x = OperandName(ctx, 0);
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {in.shape}));
  const LoopBody body = [&](const std::vector<std::string>& i, int ind) {
    return Spaces(ind) + "out0[" + i[0] + "] = " + x + "[" + i[1] + "];\n";
  };
  Kernel k;
  k.code = FunctionHead(ctx, {"broadcast " + ir::ShapeToString(in.shape) + " to " + ir::ShapeToString(out.shape)}) +
           EmitLoops(nest, 2, body) + "}\n";
  k.inplace_ok = !in.is_const() && in.shape == out.shape;
  return k;
}

}  // namespace

extern const KernelEmitter kBroadcastToEmitter = {ir::OpKind::kBroadcastTo, Emit};

}  // namespace ember::codegen::c
