// gather_elements: C kernel for ONNX GatherElements, as the reference
// (ops/gather_elements.cc): a loop nest over the indices' shape addresses
// the output and the indices row-major and the params by their own strides
// with the gathered axis left out; the index read at each position supplies
// that axis. A negative index counts from the end; constant indices were
// checked at compile time, and an index computed at run time that is still
// outside the axis is clamped into it, so that a bad index cannot read
// outside the input (the reference evaluator refuses it).
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/layout_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& p = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& idx = ctx.graph.tensor(ctx.node.inputs[1]);
  const auto axis = static_cast<size_t>(ctx.node.GetInt("axis"));
  const int64_t size = p.shape[axis];
  const std::vector<int64_t> pstride = ops::RowMajorStrides(p.shape);
  LoopNest nest;
  nest.sizes = idx.shape;
  nest.bases = {0, 0};
  nest.steps = {ops::RowMajorStrides(idx.shape), pstride};
  nest.steps[1][axis] = 0;
  const std::string src = OperandName(ctx, 0), ind = OperandName(ctx, 1);
  const LoopBody body = [&](const std::vector<std::string>& i, int in) {
    std::string s = Spaces(in) + "{\n" + Spaces(in + 2) + "int32_t j = " + ind + "[" + i[0] + "];\n";
    s += EmitIndexFix("j", size, !idx.is_const(), in + 2);
    s += Spaces(in + 2) + "out0[" + i[0] + "] = " + src + "[" + i[1] + " + j * " + CInt(pstride[axis]) + "];\n";
    return s + Spaces(in) + "}\n";
  };
  Kernel k;
  k.code = FunctionHead(ctx, {"axis " + std::to_string(axis) + " (size " + std::to_string(size) + ")" +
                              (idx.is_const() ? ", constant indices (checked)"
                                              : "; negative indices count from the end, run-time ones are clamped")});
  if (size > 0) k.code += EmitLoops(SimplifyNest(nest), 2, body);
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kGatherElementsEmitter = {ir::OpKind::kGatherElements, Emit};

}  // namespace ember::codegen::c
