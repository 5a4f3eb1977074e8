// assign_variable: C kernel copying the value (operand 1, an activation or a
// constant) into the variable's bytes in the state region (docs/numerics.md,
// "read_variable / assign_variable").
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const int64_t bytes = ctx.graph.tensor(ctx.node.inputs[0]).size_bytes();
  Kernel k;
  k.code = FunctionHead(ctx, {"the variable's new state: a byte copy of the value (TFLite ASSIGN_VARIABLE)"});
  if (bytes > 0) k.code += "  memcpy(in0, " + OperandName(ctx, 1) + ", " + CInt(bytes) + ");\n";
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kAssignVariableEmitter = {ir::OpKind::kAssignVariable, Emit};

}  // namespace ember::codegen::c
