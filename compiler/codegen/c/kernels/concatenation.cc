// concatenation: C kernel that joins inputs along one axis
// (docs/numerics.md, "concatenation").
//
// A byte copy: for each outer index (the dimensions before `axis`), each
// input's slab goes after the previous one; every slab is one memcpy (a single
// memcpy per input when the axis is the outermost non-trivial one). float32
// with a fused activation clamps the output afterwards as the reference does.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const auto axis = static_cast<size_t>(ctx.node.GetInt("axis"));
  const size_t esz = ir::DTypeSize(out.dtype);
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= out.shape[d];
  for (size_t d = axis + 1; d < out.shape.size(); ++d) inner *= out.shape[d];
  const int64_t out_slab = out.shape[axis] * inner;
  Kernel k;
  k.code = FunctionHead(ctx, {"axis " + std::to_string(axis) + ": " + std::to_string(outer) +
                              " outer rows of " + std::to_string(out_slab) + " elements"});
  int64_t offset = 0;
  for (size_t i = 0; i < ctx.node.inputs.size(); ++i) {
    const int64_t slab = ctx.graph.tensor(ctx.node.inputs[i]).shape[axis] * inner;
    LoopNest nest;
    nest.sizes = {outer, slab};
    nest.bases = {offset, 0};
    nest.steps = {{out_slab, 1}, {slab, 1}};
    k.code += EmitStridedCopy(nest, "out0", OperandName(ctx, i), CType(out.dtype), esz, 2);
    offset += slab;
  }
  ops::Activation act = ops::Activation::kNone;
  EMBER_RETURN_IF_ERROR(ops::GetActivationAttr(ctx.node, &act));
  if (act != ops::Activation::kNone && out.dtype == ir::DType::kFloat32 && out.num_elements() > 0) {
    const ops::FloatRange r = ops::ActivationRangeFloat(act);
    k.code += "  for (int32_t i = 0; i < " + CInt(out.num_elements()) + "; ++i) {\n";
    k.code += "    float v = out0[i];\n" + FloatClamp("v", r.min, r.max, 4) + "    out0[i] = v;\n  }\n";
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kConcatenationEmitter = {ir::OpKind::kConcatenation, Emit};

}  // namespace ember::codegen::c
