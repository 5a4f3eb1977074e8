// topk_v2: C kernel for the k largest (smallest) elements along the last
// axis, as the reference (ops/topk_v2.cc): per row, pick j is the best
// element that ranks after pick j − 1 (value, then the lower index; NaN
// last), O(n·k) compares and no scratch memory.
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

// A C expression: element a (index ia) ranks before element b (index ib).
std::string Before(const std::string& a, const std::string& ia, const std::string& b, const std::string& ib,
                   bool largest, bool is_float) {
  const std::string by_value =
      "(" + a + (largest ? " > " : " < ") + b + " || (" + a + " == " + b + " && " + ia + " < " + ib + "))";
  if (!is_float) return by_value;
  const std::string a_nan = "(" + a + " != " + a + ")", b_nan = "(" + b + " != " + b + ")";
  return "((" + a_nan + " || " + b_nan + ") ? (" + a_nan + " == " + b_nan + " ? " + ia + " < " + ib + " : " + b_nan +
         ") : " + by_value + ")";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const int64_t n = in.shape.back(), k = ctx.node.GetInt("k");
  const int64_t rows = ir::NumElements(in.shape) / n;
  const bool largest = ctx.node.GetInt("largest", 1) == 1;
  const bool is_float = in.dtype == ir::DType::kFloat32;
  const std::string type = CType(in.dtype), itype = CType(ctx.graph.tensor(ctx.node.outputs[1]).dtype);
  Kernel kern;
  kern.code = FunctionHead(ctx, {std::to_string(k) + " of " + std::to_string(n) + " along the last axis, the " +
                                 (largest ? "largest" : "smallest") + " first; equal values by the lower index" +
                                 (is_float ? "; NaN last" : "")});
  std::string& c = kern.code;
  c += "  for (int32_t r = 0; r < " + CInt(rows) + "; ++r) {\n";
  c += "    const " + type + "* row = " + OperandName(ctx, 0) + " + r * " + CInt(n) + ";\n";
  c += "    int32_t prev = -1;\n";
  c += "    for (int32_t j = 0; j < " + CInt(k) + "; ++j) {\n";
  c += "      int32_t best = -1;\n";
  c += "      for (int32_t i = 0; i < " + CInt(n) + "; ++i) {\n";
  c += "        const " + type + " v = row[i];\n";
  c += "        if (prev >= 0) {\n";
  c += "          const " + type + " p = row[prev];\n";
  c += "          if (!" + Before("p", "prev", "v", "i", largest, is_float) + ") continue;  /* not after the last pick */\n";
  c += "        }\n";
  c += "        if (best < 0) {\n";
  c += "          best = i;\n";
  c += "        } else {\n";
  c += "          const " + type + " b = row[best];\n";
  c += "          if (" + Before("v", "i", "b", "best", largest, is_float) + ") best = i;\n";
  c += "        }\n";
  c += "      }\n";
  c += "      out0[r * " + CInt(k) + " + j] = row[best];\n";
  c += "      out1[r * " + CInt(k) + " + j] = (" + itype + ")best;\n";
  c += "      prev = best;\n";
  c += "    }\n";
  c += "  }\n";
  c += "}\n";
  return kern;
}

}  // namespace

extern const KernelEmitter kTopkV2Emitter = {ir::OpKind::kTopkV2, Emit};

}  // namespace ember::codegen::c
