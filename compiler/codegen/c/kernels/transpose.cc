// transpose: C kernel that permutes axes (docs/numerics.md, "transpose").
//
// The output is walked in row-major order with literal loop bounds; the
// input offset of output axis k steps by the input stride of axis perm[k].
// Axes that keep their relative order merge, and a trailing run that stays
// contiguous becomes one memcpy.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/layout_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const std::vector<int64_t> perm = ctx.node.GetInts("perm");
  const std::vector<int64_t> in_strides = ops::RowMajorStrides(in.shape);
  LoopNest nest;
  nest.sizes = out.shape;
  nest.bases = {0, 0};
  nest.steps = {ops::RowMajorStrides(out.shape), {}};
  for (int64_t p : perm) nest.steps[1].push_back(in_strides[static_cast<size_t>(p)]);
  Kernel k;
  k.code = FunctionHead(ctx, {"perm " + ir::ShapeToString(perm)});
  k.code += EmitStridedCopy(nest, "out0", OperandName(ctx, 0), CType(in.dtype), ir::DTypeSize(in.dtype), 2);
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kTransposeEmitter = {ir::OpKind::kTranspose, Emit};

}  // namespace ember::codegen::c
