// The kernel of ARG_MAX and ARG_MIN (kernels/arg_max.cc, arg_min.cc): for
// every (outer, inner) position the axis is scanned from its first element,
// a later element replacing the candidate only when strictly better (with
// select_last_index, also when equal: >= / <=, which a NaN never passes), as
// the reference (ops/arg_minmax_util.h).
#pragma once

#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/arg_minmax_util.h"

namespace ember::codegen::c {

// `cmp` is ">" (arg_max) or "<" (arg_min).
inline Expected<Kernel> EmitArgMinMaxKernel(const KernelContext& ctx, const char* cmp) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  EMBER_ASSIGN_OR_RETURN(const ops::argminmax::Geometry geo, ops::argminmax::GetGeometry(ctx.graph, ctx.node));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const std::string type = CType(in.dtype), itype = CType(out.dtype), x = OperandName(ctx, 0);
  Kernel k;
  k.code = FunctionHead(ctx, {"axis " + std::to_string(geo.axis) + ": " + std::to_string(geo.size) +
                              " elements with stride " + std::to_string(geo.inner) + "; the " +
                              (geo.last ? "last " : "first strictly ") + (std::string(cmp) == ">" ? "largest" : "smallest")});
  if (ir::NumElements(geo.out_shape) > 0) {
    const std::string stride = CInt(geo.inner);
    k.code += "  for (int32_t o = 0; o < " + CInt(geo.outer) + "; ++o) {\n";
    k.code += "    for (int32_t i = 0; i < " + stride + "; ++i) {\n";
    k.code += "      const " + type + "* p = " + x + " + o * " + CInt(geo.size * geo.inner) + " + i;\n";
    k.code += "      " + type + " best = p[0];\n";
    k.code += "      " + itype + " index = 0;\n";
    k.code += "      for (int32_t j = 1; j < " + CInt(geo.size) + "; ++j) {\n";
    k.code += "        const " + type + " v = p[j * " + stride + "];\n";
    k.code += "        if (v " + std::string(cmp) + (geo.last ? "=" : "") + " best) {\n";
    k.code += "          best = v;\n";
    k.code += "          index = j;\n";
    k.code += "        }\n";
    k.code += "      }\n";
    k.code += "      out0[o * " + stride + " + i] = index;\n";
    k.code += "    }\n";
    k.code += "  }\n";
  }
  k.code += "}\n";
  return k;
}

}  // namespace ember::codegen::c
