// split: C kernel for TFLite SPLIT/SPLIT_V and ONNX Split (docs/numerics.md,
// "split").
//
// One strided copy per output: output k takes, for each outer index, the
// sizes[k] * inner contiguous input elements that start at its offset along
// the axis; each run is one memcpy (the whole output when the axis is the
// outermost non-trivial one).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const std::vector<int64_t> sizes = ctx.node.GetInts("sizes");
  const auto axis = static_cast<size_t>(ctx.node.GetInt("axis"));
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= in.shape[d];
  for (size_t d = axis + 1; d < in.shape.size(); ++d) inner *= in.shape[d];
  const int64_t dim = in.shape[axis];
  Kernel k;
  k.code = FunctionHead(ctx, {"axis " + std::to_string(axis) + ", sizes " + ir::ShapeToString(sizes)});
  int64_t offset = 0;
  for (size_t j = 0; j < sizes.size(); ++j) {
    LoopNest nest;
    nest.sizes = {outer, sizes[j] * inner};
    nest.bases = {0, offset * inner};
    nest.steps = {{sizes[j] * inner, 1}, {dim * inner, 1}};
    k.code += EmitStridedCopy(nest, "out" + std::to_string(j), OperandName(ctx, 0), CType(in.dtype),
                              ir::DTypeSize(in.dtype), 2);
    offset += sizes[j];
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kSplitEmitter = {ir::OpKind::kSplit, Emit};

}  // namespace ember::codegen::c
