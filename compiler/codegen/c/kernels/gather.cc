// gather: C kernel for TFLite GATHER and ONNX Gather (docs/numerics.md,
// "gather").
//
// For each batch, outer index and index position, one slab of `inner`
// elements is copied from the row the index selects; a negative index counts
// from the end (ONNX). Constant indices were checked at compile time; an
// index computed at run time that is still outside [0, axis size - 1] is
// clamped into it, so that a bad index cannot read outside the input (the
// reference evaluator refuses it; TFLite Micro only DCHECKs it).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& p = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& idx = ctx.graph.tensor(ctx.node.inputs[1]);
  const auto axis = static_cast<size_t>(ctx.node.GetInt("axis"));
  const auto bd = static_cast<size_t>(ctx.node.GetInt("batch_dims", 0));
  int64_t batch = 1, outer = 1, coords = 1, inner = 1;
  for (size_t i = 0; i < bd; ++i) batch *= p.shape[i];
  for (size_t i = bd; i < axis; ++i) outer *= p.shape[i];
  for (size_t i = bd; i < idx.shape.size(); ++i) coords *= idx.shape[i];
  for (size_t i = axis + 1; i < p.shape.size(); ++i) inner *= p.shape[i];
  const int64_t size = p.shape[axis];
  const std::string src = OperandName(ctx, 0), ind = OperandName(ctx, 1);
  const size_t esz = ir::DTypeSize(p.dtype);
  Kernel k;
  k.code = FunctionHead(ctx, {"axis " + std::to_string(axis) + " (size " + std::to_string(size) + "), batch_dims " +
                              std::to_string(bd) + ", " + std::to_string(coords) + " indices of " +
                              std::to_string(inner) + " elements" +
                              (idx.is_const() ? " (constant, checked)" : "; negative ones count from the end, run-time ones are clamped")});
  if (size > 0 && batch * outer * coords * inner > 0) {
    k.code += "  for (int32_t b = 0; b < " + CInt(batch) + "; ++b) {\n";
    k.code += "    for (int32_t o = 0; o < " + CInt(outer) + "; ++o) {\n";
    k.code += "      for (int32_t c = 0; c < " + CInt(coords) + "; ++c) {\n";
    k.code += "        int32_t j = " + ind + "[b * " + CInt(coords) + " + c];\n";
    k.code += EmitIndexFix("j", size, !idx.is_const(), 8);
    const std::string dst_off = "((b * " + CInt(outer) + " + o) * " + CInt(coords) + " + c) * " + CInt(inner);
    const std::string src_off = "((b * " + CInt(outer) + " + o) * " + CInt(size) + " + j) * " + CInt(inner);
    if (inner == 1) {
      k.code += "        out0[" + dst_off + "] = " + src + "[" + src_off + "];\n";
    } else {
      k.code += "        memcpy(out0 + " + dst_off + ", " + src + " + " + src_off + ", " +
                CInt(inner * static_cast<int64_t>(esz)) + ");\n";
    }
    k.code += "      }\n    }\n  }\n";
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kGatherEmitter = {ir::OpKind::kGather, Emit};

}  // namespace ember::codegen::c
