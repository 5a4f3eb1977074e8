// gather_nd: C kernel for TFLite GATHER_ND and ONNX GatherND, as the
// reference (ops/gather_nd.cc): for each batch and index tuple, the row the
// tuple addresses (row-major over the indexed axes) is copied, one slice of
// elements. A negative coordinate counts from the end; constant indices were
// checked at compile time, and a coordinate computed at run time that is
// still outside its axis is clamped into it, so that a bad index cannot read
// outside the input (the reference evaluator refuses it).
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/gather_nd_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& p = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& idx = ctx.graph.tensor(ctx.node.inputs[1]);
  const ops::GatherNdDims d = ops::GetGatherNdDims(ctx.graph, ctx.node);
  const std::string src = OperandName(ctx, 0), ind = OperandName(ctx, 1);
  const auto esz = static_cast<int64_t>(ir::DTypeSize(p.dtype));
  Kernel k;
  k.code = FunctionHead(ctx, {std::to_string(d.tuples) + " index tuples of " + std::to_string(d.depth) +
                              " coordinates per batch (" + std::to_string(d.batch) + "), slices of " +
                              std::to_string(d.slice) + " elements" +
                              (idx.is_const() ? " (constant, checked)"
                                              : "; negative coordinates count from the end, run-time ones are clamped")});
  if (d.batch * d.tuples * d.slice > 0) {
    k.code += "  for (int32_t b = 0; b < " + CInt(d.batch) + "; ++b) {\n";
    k.code += "    for (int32_t t = 0; t < " + CInt(d.tuples) + "; ++t) {\n";
    k.code += "      const int32_t* tuple = " + ind + " + (b * " + CInt(d.tuples) + " + t) * " + CInt(d.depth) + ";\n";
    k.code += "      int32_t row = 0;\n";
    for (size_t c = 0; c < d.sizes.size(); ++c) {
      const int64_t size = d.sizes[c];
      k.code += "      {\n        int32_t j = tuple[" + std::to_string(c) + "];\n";
      k.code += EmitIndexFix("j", size, !idx.is_const(), 8);
      k.code += "        row = row * " + CInt(size) + " + j;\n      }\n";
    }
    const std::string dst_off = "(b * " + CInt(d.tuples) + " + t) * " + CInt(d.slice);
    const std::string src_off = "(b * " + CInt(d.rows) + " + row) * " + CInt(d.slice);
    if (d.slice == 1) {
      k.code += "      out0[" + dst_off + "] = " + src + "[" + src_off + "];\n";
    } else {
      k.code += "      memcpy(out0 + " + dst_off + ", " + src + " + " + src_off + ", " + CInt(d.slice * esz) + ");\n";
    }
    k.code += "    }\n  }\n";
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kGatherNdEmitter = {ir::OpKind::kGatherNd, Emit};

}  // namespace ember::codegen::c
