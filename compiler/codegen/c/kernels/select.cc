// select: C kernel for out = cond ? x : y with numpy broadcasting of the
// three operands (a loop nest with literal bounds and strides), copying the
// stored values as the reference (ops/select.cc).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Tensor& c = g.tensor(ctx.node.inputs[0]);
  const ir::Tensor& x = g.tensor(ctx.node.inputs[1]);
  const ir::Tensor& y = g.tensor(ctx.node.inputs[2]);
  const ir::Tensor& out = g.tensor(ctx.node.outputs[0]);
  const std::string cn = OperandName(ctx, 0), xn = OperandName(ctx, 1), yn = OperandName(ctx, 2);
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {c.shape, x.shape, y.shape}));
  const LoopBody body = [&](const std::vector<std::string>& i, int in) {
    return Spaces(in) + "out0[" + i[0] + "] = " + cn + "[" + i[1] + "] ? " + xn + "[" + i[2] + "] : " + yn + "[" +
           i[3] + "];\n";
  };
  Kernel k;
  k.code = FunctionHead(ctx, {"out = cond ? x : y on the stored values"}) + EmitLoops(nest, 2, body) + "}\n";
  // Each output element is written after its own inputs are read; one hint
  // per distinct tensor (select(c, a, a) reads `a` twice).
  for (int i = 0; i <= 2; ++i) {
    const ir::TensorId id = ctx.node.inputs[static_cast<size_t>(i)];
    const ir::Tensor& t = g.tensor(id);
    bool seen = false;
    for (const KernelOverlap& o : k.overlaps) seen = seen || ctx.node.inputs[static_cast<size_t>(o.input)] == id;
    if (t.is_const() || t.shape != out.shape || ir::DTypeSize(t.dtype) != ir::DTypeSize(out.dtype) || seen) continue;
    k.overlaps.push_back({i, 0});
  }
  return k;
}

}  // namespace

extern const KernelEmitter kSelectEmitter = {ir::OpKind::kSelect, Emit};

}  // namespace ember::codegen::c
