// The float32 kernel of the elementwise unary operators (abs, neg, sqrt,
// rsqrt, exp, log): out0[i] = <expr of x> over the elements, in-place safe.
#pragma once

#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {

// `expr` is a C expression of the float `x`.
inline Expected<Kernel> EmitFloatUnaryKernel(const KernelContext& ctx, const std::string& expr,
                                             std::vector<std::string> details) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  details.push_back("out = " + expr);
  Kernel k;
  k.code = FunctionHead(ctx, details);
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) {\n";
  k.code += "    const float x = " + OperandName(ctx, 0) + "[i];\n";
  k.code += "    out0[i] = " + expr + ";\n";
  k.code += "  }\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace ember::codegen::c
