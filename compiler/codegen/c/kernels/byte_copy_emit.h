// The kernel of RESHAPE and SQUEEZE: a byte copy of in0 to out0 (is_copy).
#pragma once

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {

inline Expected<Kernel> EmitByteCopyKernel(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const int64_t bytes = in.size_bytes();
  Kernel k;
  k.code = FunctionHead(ctx, {"a byte copy; usually elided (the output aliases the input)"});
  const std::string src = OperandName(ctx, 0);
  if (bytes > 0) {
    k.code += "  if ((const void*)out0 != (const void*)" + src + ") memmove(out0, " + src + ", " +
              CInt(bytes) + ");\n";
  }
  k.code += "}\n";
  k.is_copy = !in.is_const();
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace ember::codegen::c
