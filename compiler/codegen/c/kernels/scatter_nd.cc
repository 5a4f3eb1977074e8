// scatter_nd: C kernel for ONNX ScatterND, as the reference
// (ops/scatter_nd.cc): the data is copied to the output (unless the planner
// placed the output on it), then each index tuple's row is replaced by, or
// combined with, its slice of the updates, in tuple order. A negative
// coordinate counts from the end; constant indices were checked at compile
// time, and a coordinate computed at run time that is still outside its
// axis is clamped into it, so that a bad index cannot write outside the
// output (the reference evaluator refuses it).
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/gather_nd_util.h"

namespace ember::codegen::c {
namespace {

// The C expression combining the output element `o` with the update `u`.
std::string Combine(const std::string& r, ir::DType t, const std::string& o, const std::string& u) {
  if (r == "max") return u + " > " + o + " ? " + u + " : " + o;
  if (r == "min") return u + " < " + o + " ? " + u + " : " + o;
  const char op = r == "add" ? '+' : '*';
  if (t == ir::DType::kInt32) return std::string(op == '+' ? "ember_wrap_add(" : "ember_wrap_mul(") + o + ", " + u + ")";
  if (t == ir::DType::kInt64) return "(int64_t)((uint64_t)" + o + " " + op + " (uint64_t)" + u + ")";
  return o + " " + op + " " + u;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& p = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& idx = ctx.graph.tensor(ctx.node.inputs[1]);
  const ops::GatherNdDims d = ops::GetGatherNdDims(ctx.graph, ctx.node);
  const std::string r = ctx.node.GetString("reduction", "none");
  const std::string data = OperandName(ctx, 0), ind = OperandName(ctx, 1), upd = OperandName(ctx, 2);
  const auto esz = static_cast<int64_t>(ir::DTypeSize(p.dtype));
  Kernel k;
  k.code = FunctionHead(ctx, {std::to_string(d.tuples) + " index tuples of " + std::to_string(d.depth) +
                              " coordinates, slices of " + std::to_string(d.slice) + " elements, reduction " + r +
                              (idx.is_const() ? " (constant indices, checked)" : "; run-time coordinates are clamped")});
  const int64_t bytes = p.num_elements() * esz;
  if (bytes > 0) {
    k.code += "  if ((const void*)out0 != (const void*)" + data + ") memcpy(out0, " + data + ", " + CInt(bytes) + ");\n";
  }
  if (d.tuples * d.slice > 0) {
    k.code += "  for (int32_t t = 0; t < " + CInt(d.tuples) + "; ++t) {\n";
    k.code += "    const int32_t* tuple = " + ind + " + t * " + CInt(d.depth) + ";\n";
    k.code += "    int32_t row = 0;\n";
    for (size_t c = 0; c < d.sizes.size(); ++c) {
      k.code += "    {\n      int32_t j = tuple[" + std::to_string(c) + "];\n";
      k.code += EmitIndexFix("j", d.sizes[c], !idx.is_const(), 6);
      k.code += "      row = row * " + CInt(d.sizes[c]) + " + j;\n    }\n";
    }
    const std::string dst = "row * " + CInt(d.slice), src = "t * " + CInt(d.slice);
    if (r == "none") {
      k.code += "    memcpy(out0 + " + dst + ", " + upd + " + " + src + ", " + CInt(d.slice * esz) + ");\n";
    } else {
      k.code += "    for (int32_t e = 0; e < " + CInt(d.slice) + "; ++e) {\n";
      k.code += "      const " + std::string(CType(p.dtype)) + " o = out0[" + dst + " + e], u = " + upd + "[" + src +
                " + e];\n";
      k.code += "      out0[" + dst + " + e] = " + Combine(r, p.dtype, "o", "u") + ";\n    }\n";
    }
    k.code += "  }\n";
  }
  k.code += "}\n";
  k.inplace_ok = !p.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kScatterNdEmitter = {ir::OpKind::kScatterNd, Emit};

}  // namespace ember::codegen::c
