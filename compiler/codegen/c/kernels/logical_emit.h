// The kernel of LOGICAL_AND, LOGICAL_OR (broadcast loop nest) and
// LOGICAL_NOT: each output byte 0 or 1 from the C logical operator on the
// input bytes (non-zero is true), as the reference (ops/logical_util.h).
#pragma once

#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {

// `op` is "&&", "||" or "!".
inline Expected<Kernel> EmitLogicalKernel(const KernelContext& ctx, const std::string& op) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Tensor& out = g.tensor(ctx.node.outputs[0]);
  const bool unary = op == "!";
  std::vector<ir::Shape> shapes{g.tensor(ctx.node.inputs[0]).shape};
  if (!unary) shapes.push_back(g.tensor(ctx.node.inputs[1]).shape);
  const std::string x = OperandName(ctx, 0), y = unary ? "" : OperandName(ctx, 1);
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, shapes));
  const LoopBody body = [&](const std::vector<std::string>& i, int in) {
    const std::string e = unary ? "!" + x + "[" + i[1] + "]" : x + "[" + i[1] + "] " + op + " " + y + "[" + i[2] + "]";
    return Spaces(in) + "out0[" + i[0] + "] = (uint8_t)(" + e + ");\n";
  };
  Kernel k;
  k.code = FunctionHead(ctx, {"out = " + (unary ? "!x" : "x " + op + " y") + " (0 or 1)"}) + EmitLoops(nest, 2, body) +
           "}\n";
  for (size_t i = 0; i < shapes.size(); ++i) {
    const ir::Tensor& t = g.tensor(ctx.node.inputs[i]);
    const bool repeat = i == 1 && ctx.node.inputs[1] == ctx.node.inputs[0];  // x && x: one hint
    if (!t.is_const() && t.shape == out.shape && !repeat) k.overlaps.push_back({static_cast<int>(i), 0});
  }
  return k;
}

}  // namespace ember::codegen::c
