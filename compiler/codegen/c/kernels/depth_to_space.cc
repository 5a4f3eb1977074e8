// depth_to_space: C kernel for TFLite DEPTH_TO_SPACE and ONNX DepthToSpace
// (docs/numerics.md, "depth_to_space").
//
// The output [N, H*b, W*b, C] is walked as [N, H, b, W, b, C] in row-major
// order; the input offset steps by ops::DeepStrides along those six axes.
// In DCR order the C channels of one block position are contiguous in both
// tensors, so each becomes one memcpy.
#include "codegen/c/kernels/depth_space_emit.h"
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/depth_space_util.h"
#include "ops/layout_util.h"

namespace ember::codegen::c {

std::string EmitDepthSpaceCopy(const KernelContext& ctx, const ir::Shape& deep, bool crd, bool to_shallow) {
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const int64_t b = ctx.node.GetInt("block_size");
  const int64_t c = deep[3] / (b * b);
  LoopNest nest;
  nest.sizes = {deep[0], deep[1], b, deep[2], b, c};
  nest.bases = {0, 0};
  const std::vector<int64_t> shallow = ops::RowMajorStrides(nest.sizes);
  const std::vector<int64_t> deep_steps = ops::DeepStrides(crd, b, deep[1], deep[2], c);
  nest.steps = to_shallow ? std::vector<std::vector<int64_t>>{shallow, deep_steps}
                          : std::vector<std::vector<int64_t>>{deep_steps, shallow};
  return EmitStridedCopy(nest, "out0", OperandName(ctx, 0), CType(in.dtype), ir::DTypeSize(in.dtype), 2);
}

namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const std::string mode = ctx.node.GetString("mode", "DCR");
  Kernel k;
  k.code = FunctionHead(ctx, {"block_size " + std::to_string(ctx.node.GetInt("block_size")) + ", mode " + mode});
  k.code += EmitDepthSpaceCopy(ctx, in.shape, mode == "CRD", /*to_shallow=*/true);
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kDepthToSpaceEmitter = {ir::OpKind::kDepthToSpace, Emit};

}  // namespace ember::codegen::c
