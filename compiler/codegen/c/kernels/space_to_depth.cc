// space_to_depth: C kernel for TFLite SPACE_TO_DEPTH and ONNX SpaceToDepth
// (docs/numerics.md, "space_to_depth"): depth_to_space's copy in the other
// direction (the input [N, H*b, W*b, C] walked as [N, H, b, W, b, C], each
// run of C channels one memcpy into its place in the output).
#include "codegen/c/kernels/depth_space_emit.h"
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {

namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  Kernel k;
  k.code = FunctionHead(ctx, {"block_size " + std::to_string(ctx.node.GetInt("block_size"))});
  k.code += EmitDepthSpaceCopy(ctx, out.shape, /*crd=*/false, /*to_shallow=*/false);
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kSpaceToDepthEmitter = {ir::OpKind::kSpaceToDepth, Emit};

}  // namespace ember::codegen::c
