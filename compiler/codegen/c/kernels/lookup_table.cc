// lookup_table: C kernel for out[i] = table[x[i] + 128] (ops/lookup_table.cc);
// the table is the node's constant operand, one byte load per element
// (Helium: a VLDRB gather of 16), in-place safe.
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
  const int64_t n = ctx.graph.tensor(ctx.node.inputs[0]).num_elements();
  Kernel k;
  if (ctx.target.has_mve) {  // 16 lookups per VLDRB gather
    details.push_back("Helium: blocks of 16 (one VLDRB gather each, the last tail-predicated); access order: "
                      "ascending blocks, each block's outputs written after its inputs were read");
    k.code = FunctionHead(ctx, details);  // mve.h: included by the model source for Helium targets
    k.code += "  for (int32_t i = 0; i < " + CInt(n) + "; i += 16) ember_mve_lut16(out0 + i, " + OperandName(ctx, 0) +
              " + i, " + OperandName(ctx, 1) + ", " + CInt(n) + " - i < 16 ? (int)(" + CInt(n) + " - i) : 16);\n}\n";
  } else {
    k.code = FunctionHead(ctx, details);
    k.code += "  for (int32_t i = 0; i < " + CInt(n) + "; ++i) out0[i] = " + OperandName(ctx, 1) + "[" +
              OperandName(ctx, 0) + "[i] + 128];\n}\n";
  }
  k.inplace_ok = true;
  return k;
}

}  // namespace

extern const KernelEmitter kLookupTableEmitter = {ir::OpKind::kLookupTable, Emit};

}  // namespace ember::codegen::c
