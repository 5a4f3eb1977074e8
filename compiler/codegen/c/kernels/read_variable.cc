// read_variable: C kernel copying a variable's bytes (in the state region)
// into the output (docs/numerics.md, "read_variable / assign_variable").
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const int64_t bytes = ctx.graph.tensor(ctx.node.inputs[0]).size_bytes();
  Kernel k;
  k.code = FunctionHead(ctx, {"a byte copy of the variable's state (TFLite READ_VARIABLE)"});
  if (bytes > 0) k.code += "  memcpy(out0, in0, " + CInt(bytes) + ");\n";
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kReadVariableEmitter = {ir::OpKind::kReadVariable, Emit};

}  // namespace ember::codegen::c
