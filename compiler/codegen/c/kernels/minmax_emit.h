// The kernel of MAXIMUM and MINIMUM (kernels/maximum.cc, minimum.cc): the
// broadcast as a loop nest with literal bounds and strides, each element
// x <cmp> y ? x : y on the stored values, as the reference (ops/minmax_util.h).
#pragma once

#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {

// `cmp` is ">" (maximum) or "<" (minimum).
inline Expected<Kernel> EmitMinMaxKernel(const KernelContext& ctx, const char* cmp) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Tensor& a = g.tensor(ctx.node.inputs[0]);
  const ir::Tensor& b = g.tensor(ctx.node.inputs[1]);
  const ir::Tensor& out = g.tensor(ctx.node.outputs[0]);
  const std::string type = CType(a.dtype), x = OperandName(ctx, 0), y = OperandName(ctx, 1), c = cmp;
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, b.shape}));
  const LoopBody body = [&](const std::vector<std::string>& i, int in) {
    return Spaces(in) + "const " + type + " x = " + x + "[" + i[1] + "], y = " + y + "[" + i[2] + "];\n" +
           Spaces(in) + "out0[" + i[0] + "] = x " + c + " y ? x : y;\n";
  };
  Kernel k;
  k.code = FunctionHead(ctx, {std::string("out = x ") + c + " y ? x : y on the stored values"}) +
           EmitLoops(nest, 2, body) + "}\n";
  k.inplace_ok = !a.is_const() && a.shape == out.shape;
  if (!b.is_const() && b.shape == out.shape) k.overlaps.push_back({1, 0});
  return k;
}

}  // namespace ember::codegen::c
