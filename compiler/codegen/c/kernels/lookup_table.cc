// lookup_table: C kernel for out[i] = table[x[i] + 128] (ops/lookup_table.cc);
// the table is the node's constant operand; the loop (Helium: VLDRB
// gathers of 16) is the int8 table kernel's (Int8TableLoopKernel). A table
// per channel ([C, 256], attribute axis): a loop nest over the outer
// dimensions, the channels and the inner ones, each channel's row in turn.
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
  if (!ctx.node.HasAttr("axis")) {
    details.push_back(OperandName(ctx, 1) + "[x + 128] is the result for input x");
    return Int8TableLoopKernel(ctx, OperandName(ctx, 1), std::move(details));
  }
  // One table per channel of `axis`: row c for the elements of channel c.
  const ir::Shape& s = ctx.graph.tensor(ctx.node.inputs[0]).shape;
  const size_t axis = static_cast<size_t>(ctx.node.GetInt("axis"));
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= s[d];
  for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
  const std::string table = OperandName(ctx, 1), x = OperandName(ctx, 0);
  details.push_back(table + "[c * 256 + x + 128] is the result for input x of channel c (axis " +
                    std::to_string(axis) + ")");
  Kernel k;
  k.code = FunctionHead(ctx, details) + "  int32_t i = 0;\n  for (int32_t o = 0; o < " + CInt(outer) +
           "; ++o) {\n    for (int32_t c = 0; c < " + CInt(s[axis]) + "; ++c) {\n      const int8_t* t = " + table +
           " + c * 256 + 128;\n      for (int32_t j = 0; j < " + CInt(inner) + "; ++j, ++i) out0[i] = t[" + x +
           "[i]];\n    }\n  }\n}\n";
  k.inplace_ok = true;
  return k;
}

}  // namespace

extern const KernelEmitter kLookupTableEmitter = {ir::OpKind::kLookupTable, Emit};

}  // namespace ember::codegen::c
