// lookup_table: C kernel for out[i] = table[x[i] + 128] (ops/lookup_table.cc);
// the table is the node's constant operand; the loop (Helium: VLDRB
// gathers of 16) is the int8 table kernel's (Int8TableLoopKernel).
#include <utility>

#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  std::vector<std::string> details;
  if (ctx.node.HasAttr("function")) {
    details.push_back("the int8 " + ctx.node.GetString("function") +
                      " of the source model: its dequantize -> float -> quantize evaluated at compile time for every "
                      "int8 x");
  }
  details.push_back(OperandName(ctx, 1) + "[x + 128] is the result for input x");
  return Int8TableLoopKernel(ctx, OperandName(ctx, 1), std::move(details));
}

}  // namespace

extern const KernelEmitter kLookupTableEmitter = {ir::OpKind::kLookupTable, Emit};

}  // namespace ember::codegen::c
